"""What lint, import and check read and write besides the README's text: config.json (one reader, the
strict one validate uses), the draft's YAML (the card writer's dumper), and what they import on start.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardkit.card.dump import dump_yaml
from cardkit.card.yaml_source import load_yaml
from cardkit.cli import main
from cardkit.core.errors import UsageError
from cardkit.core.hub_ids import HUB_LICENSE_IDS
from cardkit.importing.readme import draft_yaml, import_card
from cardkit.lint.engine import lint_file
from cardkit.repo.check import CheckOptions, check_repo
from cardkit.schema import license as schema_license

ROOT = Path(__file__).resolve().parents[2]


def test_lint_and_import_start_without_pydantic_torch_or_transformers() -> None:
    """Lint's and import's whole path, CLI modules included, in a fresh interpreter."""
    code = (
        "import json, sys\n"
        "import cardkit.lint, cardkit.lint.engine, cardkit.importing.readme, cardkit.readme.files\n"
        "import cardkit.commands.lint, cardkit.commands.import_card\n"
        "heavy = ('pydantic', 'pydantic_core', 'torch', 'transformers', 'huggingface_hub')\n"
        "print(json.dumps(sorted(m for m in heavy if m in sys.modules)))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True, timeout=60
    )
    assert json.loads(run.stdout) == []


def test_import_reads_readmes_through_readme_never_through_lint() -> None:
    """The importer shares lint's readers by both importing cardkit.readme, not by importing lint."""
    importing = ROOT / "cardkit" / "importing"
    for module in sorted(importing.glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
        assert not {m for m in imported if m and m.startswith("cardkit.lint")}, module.name


def test_the_schema_validates_licences_against_the_same_set() -> None:
    assert schema_license.HUB_LICENSE_IDS is HUB_LICENSE_IDS


# ---- the draft's YAML ---------------------------------------------------------------------------

AWKWARD = [
    "next\x85line",
    "line\u2028separator",
    "paragraph\u2029separator",
    "\ufeffbyte-order mark first",
    "byte-order\ufeffmark inside",
    "tab\tinside",
    "\ttab first",
    "tab last\t",
    "carriage\rreturn",
    "non-BMP 😀 𝔘 𠀀",
    "code with NEL\x85\n\tand a tab\n",
    "ends in NEL\x85",
    "\x85",
]


@pytest.mark.parametrize("text", AWKWARD)
def test_a_draft_string_survives_yaml_and_the_card_loader(text: str) -> None:
    draft = {"usage": {"snippets": [{"title": {"en": text}, "code": text}]}, text: [text]}
    loaded = load_yaml(draft_yaml(draft), "card.yaml")
    assert loaded.findings == []
    assert loaded.data == draft
    assert draft_yaml(draft) == dump_yaml(draft)  # the card writer's dumper, not a second one


def test_an_imported_readme_with_awkward_characters_round_trips() -> None:
    """README -> draft -> YAML -> load: every string the importer copied comes back unchanged."""
    readme = (
        "---\nlicense: mit\nbase_model: acme/base\n"
        "tags:\n- \"a\\x85b\"\n- \"c\\u2028d\"\n- \"e\\ufeff\"\n---\n"
        "# Acme 7B\n\nDeveloped by: Acme\n\n```python\nprint('next\x85line \u2029 \t 😀')\n```\n"
    )
    draft = import_card(readme)
    assert draft["identity"]["tags"] == ["a\x85b", "c\u2028d", "e\ufeff"]
    loaded = load_yaml(draft_yaml(draft), "card.yaml")
    assert loaded.findings == [] and loaded.data == draft


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(exclude_categories=["Cs"]), max_size=40))
def test_any_string_survives_the_dumper(text: str) -> None:
    loaded = load_yaml(dump_yaml({"k": text, "list": [text]}), "card.yaml")
    assert loaded.data == {"k": text, "list": [text]}


# ---- config.json: one reader for lint, import and check -----------------------------------------


def _folder(tmp_path: Path, config: str) -> Path:
    (tmp_path / "README.md").write_text("---\nlicense: mit\n---\n# Acme 7B\n", encoding="utf-8")
    (tmp_path / "config.json").write_text(config, encoding="utf-8")
    (tmp_path / "tokenizer.json").write_text("{}", encoding="utf-8")
    return tmp_path


REFUSED = {
    "nan": ('{\n  "model_type": "llama",\n  "rope_theta": NaN\n}', r"config\.json:3:17: NaN is not JSON"),
    "overflow": ('{"model_type": "llama",\n"x": 1e999}', r"config\.json:2:\d+: 1e999 overflows"),
    "no-model-type": ('{"hidden_size": 64}', r"config\.json:1:1: .*model_type"),
}


@pytest.mark.parametrize("config, message", REFUSED.values(), ids=REFUSED.keys())
def test_lint_refuses_what_validate_refuses_at_its_line(tmp_path: Path, config: str, message: str) -> None:
    folder = _folder(tmp_path, config)
    with pytest.raises(UsageError, match=message):
        lint_file(folder / "README.md", folder / "config.json")


@pytest.mark.parametrize("config", [c for c, _ in REFUSED.values()], ids=REFUSED.keys())
def test_import_refuses_it_as_a_one_line_usage_error(
    tmp_path: Path, config: str, capsys: pytest.CaptureFixture
) -> None:
    folder = _folder(tmp_path, config)
    assert main(["import", str(folder / "README.md"), "--config", str(folder / "config.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cardkit: error: ") and "config.json:" in err and err.count("\n") == 1


@pytest.mark.parametrize("config", [c for c, _ in REFUSED.values()], ids=REFUSED.keys())
def test_check_reports_it_without_a_card(tmp_path: Path, config: str) -> None:
    """Without a card validate never sees the folder's config.json, so check reports it itself."""
    report = check_repo(_folder(tmp_path, config), CheckOptions(model=False))
    found = [f for f in report.findings if f.code.startswith("config-")]
    assert found and all(f.file.endswith("config.json") and f.line for f in found)


def test_infinity_as_transformers_4_wrote_it_is_a_warning_lint_reports(tmp_path: Path) -> None:
    """Mamba-2's `time_step_limit: [0.0, Infinity]`: transformers reads it, so lint reads it too,
    with validate's warning at its line (other JSON readers refuse it)."""
    folder = _folder(tmp_path, '{"model_type": "mamba2",\n "time_step_limit": [0.0, Infinity]}')
    report = lint_file(folder / "README.md", folder / "config.json")
    found = [f for f in report.findings if f.code == "config-not-finite"]
    assert [(f.line, f.field, f.severity.value) for f in found] == [(2, "time_step_limit[1]", "warning")]


def test_a_duplicate_key_is_a_warning_lint_reports_with_its_line(tmp_path: Path) -> None:
    folder = _folder(tmp_path, '{"model_type": "llama",\n "hidden_size": 64,\n "hidden_size": 128}')
    report = lint_file(folder / "README.md", folder / "config.json")
    duplicates = [f for f in report.findings if f.code == "config-duplicate-key"]
    assert [(f.line, f.field) for f in duplicates] == [(3, "hidden_size")]
    assert not report.has_errors
