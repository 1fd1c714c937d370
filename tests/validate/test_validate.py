"""validate end to end: shipped cards pass, and breaking one fact of a copy gives one exact finding."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cardkit.cli import main
from cardkit.core.findings import CardReport, Finding, Severity
from cardkit.validate import ValidateOptions, validate_card
from tests.helpers import CARD_PATHS, replace_once

PUBLISHED_TOTALS = {"stablelm-3b-4e1t": 2_795_443_200, "llama-2-13b": 13_015_864_320}


def only(report: CardReport, code: str) -> Finding:
    matching = [f for f in report.findings if f.code == code]
    assert len(matching) == 1, report.findings
    return matching[0]


def errors(report: CardReport) -> list[Finding]:
    return [f for f in report.findings if f.severity is Severity.ERROR]


@pytest.mark.parametrize("path", CARD_PATHS, ids=lambda p: p.parent.name)
def test_shipped_card_passes_and_reports_both_counts(path: Path) -> None:
    report = validate_card(path)
    assert errors(report) == []
    assert report.parameters.computed is not None
    assert report.parameters.claimed is not None
    ack = [f for f in report.findings if f.code == "param-count-acknowledged"]
    if report.parameters.claimed != report.parameters.computed:
        assert len(ack) == 1, "a published count that differs must be acknowledged in the card"
        assert ack[0].expected == report.parameters.computed


@pytest.mark.parametrize("slug", sorted(PUBLISHED_TOTALS))
def test_meta_device_count_equals_published_total(slug: str) -> None:
    path = next((p for p in CARD_PATHS if p.parent.name == slug), None)
    if path is None:
        pytest.skip(f"{slug} card not present")
    report = validate_card(path)
    assert report.parameters.computed == PUBLISHED_TOTALS[slug]


# (field text in card, replacement, finding code, dotted field, expected, actual)
ARCHITECTURE_BREAKS = [
    ("  num_layers: 32", "  num_layers: 30", "config-mismatch", "architecture.num_layers", 32, 30),
    ("  num_kv_heads: 32", "  num_kv_heads: 16", "config-mismatch", "architecture.num_kv_heads", 32, 16),
    ("  hidden_size: 2560", "  hidden_size: 2048", "config-mismatch", "architecture.hidden_size", 2560, 2048),
    (
        "  vocab_size: 50304",
        "  vocab_size: 50400",
        "config-mismatch",
        "architecture.vocab_size",
        50304,
        50400,
    ),
    (
        "  intermediate_size: 6912",
        "  intermediate_size: 6900",
        "config-mismatch",
        "architecture.intermediate_size",
        6912,
        6900,
    ),
    (
        "  max_position_embeddings: 4096",
        "  max_position_embeddings: 8192",
        "config-mismatch",
        "architecture.max_position_embeddings",
        4096,
        8192,
    ),
    (
        "    rotary_fraction: 0.25",
        "    rotary_fraction: 0.5",
        "config-mismatch",
        "architecture.positional_embedding.rotary_fraction",
        0.25,
        0.5,
    ),
    (
        "  tied_embeddings: false",
        "  tied_embeddings: true",
        "config-mismatch",
        "architecture.tied_embeddings",
        False,
        True,
    ),
    (
        "  model_type: stablelm",
        "  model_type: llama",
        "config-mismatch",
        "architecture.model_type",
        "stablelm",
        "llama",
    ),
    (
        "  normalization: layernorm",
        "  normalization: rmsnorm",
        "arch-mismatch",
        "architecture.normalization",
        "layernorm",
        "rmsnorm",
    ),
    (
        "    count: 2795443200",
        "    count: 2795443201",
        "param-count-mismatch",
        "architecture.parameters.count",
        2795443200,
        2795443201,
    ),
    (
        "      value: 46.58",
        "      value: 46.61",
        "eval-average-mismatch",
        "evaluation.summaries[0].value",
        46.58,
        46.61,
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "code", "field", "expected", "actual"),
    ARCHITECTURE_BREAKS,
    ids=[b[3] for b in ARCHITECTURE_BREAKS],
)
def test_one_broken_fact_gives_one_exact_finding(
    card_copy: Callable[[str], Path],
    old: str,
    new: str,
    code: str,
    field: str,
    expected: object,
    actual: object,
) -> None:
    path = card_copy("stablelm-3b-4e1t")
    line = replace_once(path, old, new)
    report = validate_card(path)
    finding = only(report, code)
    assert (finding.severity, finding.field, finding.line) == (Severity.ERROR, field, line)
    assert (finding.expected, finding.actual) == (expected, actual)
    assert finding.file.endswith("card.yaml")
    assert [f.code for f in errors(report)] == [code]


def test_unknown_license_id_is_a_schema_error_at_its_line(card_copy: Callable[[str], Path]) -> None:
    path = card_copy("stablelm-3b-4e1t")
    line = replace_once(path, "  id: cc-by-sa-4.0", "  id: cc-by-sa")
    report = validate_card(path, ValidateOptions(model=False))
    finding = only(report, "schema-license-unknown")
    assert (finding.field, finding.line, finding.actual) == ("license.id", line, "cc-by-sa")


def test_missing_translation_is_located(card_copy: Callable[[str], Path]) -> None:
    path = card_copy("stablelm-3b-4e1t")
    text = path.read_text(encoding="utf-8")
    start = text.index("  out_of_scope_use:\n")
    zh = text.index("    zh:", start)
    end = text.index("  limitations:", zh)
    path.write_text(text[:zh] + text[end:], encoding="utf-8")
    finding = only(validate_card(path, ValidateOptions(model=False)), "schema-missing")
    assert finding.field == "prose.out_of_scope_use.zh"
    assert finding.line == text[:start].count("\n") + 1


def test_typo_in_a_key_is_an_error(card_copy: Callable[[str], Path]) -> None:
    path = card_copy("stablelm-3b-4e1t")
    line = replace_once(path, "  num_layers: 32", "  num_layer: 32")
    report = validate_card(path, ValidateOptions(model=False))
    extra = only(report, "schema-extra-forbidden")
    assert (extra.field, extra.line) == ("architecture.num_layer", line)
    assert only(report, "schema-missing").field == "architecture.num_layers"


def test_acknowledged_difference_is_a_warning_and_stale_ack_is_flagged(
    card_copy: Callable[[str], Path],
) -> None:
    path = card_copy("stablelm-3b-4e1t")
    replace_once(
        path,
        "    count: 2795443200\n",
        "    count: 2795443000\n    acknowledged_difference:\n"
        "      amount: 200\n      reason: {en: rounding upstream, zh: 上游取整}\n",
    )
    report = validate_card(path)
    assert errors(report) == []
    assert only(report, "param-count-acknowledged").severity is Severity.WARNING
    # an acknowledgement of the wrong size is still an error
    text = path.read_text(encoding="utf-8").replace("amount: 200", "amount: 201")
    path.write_text(text, encoding="utf-8")
    assert only(validate_card(path), "param-count-mismatch").severity is Severity.ERROR


def test_config_outside_the_card_folder_is_refused(card_copy: Callable[[str], Path]) -> None:
    path = card_copy("stablelm-3b-4e1t")
    line = replace_once(path, "config: config.json", "config: ../../etc/passwd")
    finding = only(validate_card(path), "schema-path-outside-card")
    assert (finding.field, finding.line) == ("config", line)


def test_legacy_remote_code_config_is_reported_not_executed(card_copy: Callable[[str], Path]) -> None:
    path = card_copy("stablelm-3b-4e1t")
    # The pre-integration StableLM config's two keys that matter (the suite never reads ../shared).
    config = {"model_type": "stablelm_epoch", "auto_map": {"AutoConfig": "configuration_stablelm_epoch.X"}}
    (path.parent / "config.json").write_text(json.dumps(config))
    finding = only(validate_card(path), "config-remote-code")
    assert finding.expected == "stablelm"
    assert finding.file.endswith("config.json")


def test_config_that_is_not_json_is_located(card_copy: Callable[[str], Path]) -> None:
    path = card_copy("stablelm-3b-4e1t")
    (path.parent / "config.json").write_text('{\n  "model_type": "stablelm",\n  "hidden_size": ,\n}\n')
    finding = only(validate_card(path), "config-invalid-json")
    assert (finding.line, finding.column) == (3, 18)


# --- the CLI -----------------------------------------------------------------------------------


def test_cli_json_shape_and_exit_code(
    card_copy: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = card_copy("stablelm-3b-4e1t")
    line = replace_once(path, "  num_layers: 32", "  num_layers: 31")
    assert main(["validate", str(path.parent), "--format", "json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    [card] = payload["cards"]
    assert set(card) == {"path", "model_id", "parameters", "findings"}
    assert card["parameters"] == {"claimed": 2_795_443_200, "computed": 2_795_443_200}
    [finding] = card["findings"]
    assert set(finding) >= {"code", "severity", "message", "file", "line", "field", "expected", "actual"}
    assert (finding["line"], finding["field"], finding["expected"], finding["actual"]) == (
        line,
        "architecture.num_layers",
        32,
        31,
    )


def test_cli_github_annotations(card_copy: Callable[[str], Path], capsys: pytest.CaptureFixture[str]) -> None:
    path = card_copy("stablelm-3b-4e1t")
    line = replace_once(path, "  num_layers: 32", "  num_layers: 31")
    assert main(["validate", str(path), "--format", "github"]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith(f"::error file={path},line={line},col=3,")
    assert "title=config-mismatch::architecture.num_layers" in first


def test_cli_text_prints_claimed_and_computed(capsys: pytest.CaptureFixture[str]) -> None:
    path = next(p for p in CARD_PATHS if p.parent.name == "stablelm-3b-4e1t")
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "claimed 2,795,443,200, computed 2,795,443,200 (exact match)" in out


def test_cli_missing_path_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nope")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_no_model_still_compares_what_config_json_states(card_copy: Callable[[str], Path]) -> None:
    path = card_copy("stablelm-3b-4e1t")
    line = replace_once(path, "  num_layers: 32", "  num_layers: 30")
    finding = only(validate_card(path, ValidateOptions(model=False)), "config-mismatch")
    assert (finding.field, finding.line, finding.expected, finding.actual) == (
        "architecture.num_layers",
        line,
        32,
        30,
    )


def test_config_or_readme_path_stands_for_its_card(card_copy: Callable[[str], Path]) -> None:
    from cardkit.card.paths import discover

    path = card_copy("stablelm-3b-4e1t")
    assert discover([path.parent / "config.json", path, path.parent]) == [path]


def test_no_model_never_imports_torch_or_transformers() -> None:
    code = (
        "import sys; from cardkit.cli import main; rc = main(['validate', '--no-model', 'cards']);"
        "heavy = [m for m in ('torch', 'transformers', 'safetensors') if m in sys.modules];"
        "print(rc, heavy)"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "0 []"
