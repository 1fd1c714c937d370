"""Architecture tables against config.json, through the command line: transformers' reading when it
is installed (the facts validate uses), the literal keys with `--no-model`, and never a figure read
from a family's own key. Each fixture under tests/fixtures/lint/ is a tiny config (built on the
meta device in well under a second) and a README about it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cardkit.cli import main
from cardkit.core.findings import Severity
from cardkit.lint.engine import lint_text
from cardkit.readme.numbers import FACT_OF
from tests.helpers import FIXTURES, HAS_TRANSFORMERS, ROOT

needs_transformers = pytest.mark.skipif(not HAS_TRANSFORMERS, reason="needs the model extra")
CONFIG_CODES = ("lint-config-mismatch", "lint-config-not-interpreted")


def _lint(case: str, readme: str, *options: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    """`cardkit lint` on a fixture with --config, as JSON: (exit code, [(code, severity, line)])."""
    folder = FIXTURES / "lint" / case
    argv = ["lint", str(folder / readme), "--config", str(folder / "config.json"), "--format", "json"]
    status = main([*argv, *options])
    findings = json.loads(capsys.readouterr().out)["cards"][0]["findings"]
    return status, [(f["code"], f["severity"], f["line"]) for f in findings if f["code"] in CONFIG_CODES]


@needs_transformers
def test_multi_query_falcon_7b_read_by_transformers(capsys: pytest.CaptureFixture[str]) -> None:
    """`multi_query: true` is one key/value head, as FalconConfig and the built attention say (its
    `num_kv_heads: 71` is ignored without `new_decoder_architecture`): the README's 71 is an error,
    its 1 passes. The old alias table read `num_kv_heads` and failed the correct README."""
    assert _lint("falcon-7b", "README.md", capsys=capsys) == (0, [])
    assert _lint("falcon-7b", "README_wrong.md", capsys=capsys) == (1, [("lint-config-mismatch", "error", 7)])


def test_multi_query_falcon_7b_literal_keys_only(capsys: pytest.CaptureFixture[str]) -> None:
    """With --no-model neither 1 nor 71 is read from `multi_query`: a note, never an error (the old
    alias table said `config.json says 71` to the correct card, or passed the wrong one)."""
    status, found = _lint("falcon-7b", "README.md", "--no-model", capsys=capsys)
    assert (status, found) == (0, [("lint-config-not-interpreted", "info", 7)])
    status, found = _lint("falcon-7b", "README_wrong.md", "--no-model", capsys=capsys)
    assert (status, found) == (0, [("lint-config-not-interpreted", "info", 7)])


@needs_transformers
def test_gpt2_spellings_checked_exactly_with_transformers(capsys: pytest.CaptureFixture[str]) -> None:
    """GPT2Config reads `n_embd`, `n_layer`, `n_head`, `n_positions`: each wrong figure is an error."""
    assert _lint("gpt2", "README.md", capsys=capsys) == (0, [])
    status, found = _lint("gpt2", "README_wrong.md", capsys=capsys)
    assert status == 1
    assert found == [("lint-config-mismatch", "error", line) for line in (5, 6, 7, 8)]


def test_gpt2_spellings_noted_without_transformers(capsys: pytest.CaptureFixture[str]) -> None:
    """No literal key states GPT-2's figures: right ones pass silently (every key agrees), wrong ones
    are notes naming the key, not errors."""
    assert _lint("gpt2", "README.md", "--no-model", capsys=capsys) == (0, [])
    status, found = _lint("gpt2", "README_wrong.md", "--no-model", capsys=capsys)
    assert (status, found) == (0, [("lint-config-not-interpreted", "info", line) for line in (5, 6, 7, 8)])
    text = (FIXTURES / "lint" / "gpt2" / "README_wrong.md").read_text(encoding="utf-8")
    config = json.loads((FIXTURES / "lint" / "gpt2" / "config.json").read_text(encoding="utf-8"))
    notes = {f.line: f.message for f in lint_text(text, "README.md", config).findings if f.line}
    assert "`n_embd: 64`" in notes[5] and "`n_positions: 128`" in notes[8]


@pytest.mark.parametrize("options", [(), ("--no-model",)], ids=["default", "no-model"])
def test_remote_code_config_never_errors_on_an_aliased_key(
    options: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    """model_type unknown to transformers, `auto_map` code: only literal keys could be read, and the
    ones here disagree with a family spelling (`hidden_size` 128 beside `n_embd` 64) or are family
    spellings (`n_head_kv`, `padded_vocab_size`). The old table errored on `n_head_kv: 2`."""
    status, found = _lint("remote-code", "README.md", *options, capsys=capsys)
    assert status == 0
    assert {code for code, _, _ in found} <= {"lint-config-not-interpreted"}
    assert ("lint-config-not-interpreted", "info", 7) in found  # KV heads 8 against n_head_kv 2


def test_lint_with_no_model_imports_neither_torch_nor_transformers() -> None:
    folder = FIXTURES / "lint" / "falcon-7b"
    argv = ["lint", str(folder / "README.md"), "--config", str(folder / "config.json"), "--no-model"]
    code = (
        f"import sys; from cardkit.cli import main; rc = main({argv!r}); "
        "assert not {'torch', 'transformers'} & set(sys.modules), 'heavy import'; sys.exit(rc)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# ---- lint and `validate --no-model` read the same literal keys ---------------------------------

LITERAL_CASES: dict[str, dict[str, Any]] = {
    "literal-wrong": {"hidden_size": 2048},
    "spellings-disagree": {"hidden_size": 2048, "n_embd": 2560},
    "family-only": {"n_embd": 2048},
    "layers-combined": {"num_hidden_layers": 30, "n_recurrent_layers": 2},
    "positions-wrong": {"max_position_embeddings": 2048},
    "positions-aliased": {"max_position_embeddings": 2048, "seq_length": 4096},
    "kv-family": {"num_key_value_heads": 8},
    "heads-wrong": {"num_attention_heads": 16},
}
"""Edits of stablelm-3b-4e1t's config.json; its card and README state hidden 2560, 32 layers and
heads, 4096 positions."""


@pytest.mark.parametrize("case", sorted(LITERAL_CASES))
def test_lint_and_validate_no_model_hold_the_same_literal_keys(
    case: str, card_copy: Any, tmp_path: Path
) -> None:
    """One table: the facts `validate --no-model` errors on are exactly those lint errors on with
    `--no-model` (the README rendered from the same card), and each reads a family key as a note."""
    render = pytest.importorskip("cardkit.render.engine")
    from cardkit.card.load import load_card
    from cardkit.validate import ValidateOptions, validate_card

    card = card_copy("stablelm-3b-4e1t")
    config = json.loads((card.parent / "config.json").read_text(encoding="utf-8"))
    config.update(LITERAL_CASES[case])
    (card.parent / "config.json").write_text(json.dumps(config), encoding="utf-8")
    report = validate_card(card, ValidateOptions(model=False, cache=False))
    validate_errors = {f.field for f in report.findings if f.code == "config-mismatch"}
    loaded = load_card(card)
    assert loaded.card is not None
    text = render.render_card(loaded.card, "en")
    findings = lint_text(text, "README.md", config, loaded.card.identity.repo_id).findings
    lint_errors = {
        f"architecture.{FACT_OF[_figure(f.message)]}" for f in findings if f.code == "lint-config-mismatch"
    }
    assert lint_errors == validate_errors
    assert all(f.severity is Severity.INFO for f in findings if f.code == "lint-config-not-interpreted")
    if case in ("family-only", "spellings-disagree"):
        assert validate_errors == set() and any(f.code == "lint-config-not-interpreted" for f in findings)


def _figure(message: str) -> str:
    """`table says hidden_size is 2560; ...` -> `hidden_size`."""
    return message.split()[2]


@needs_transformers
def test_lint_reads_the_facts_through_validates_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The exact path is validate's facts cache, not a second one: once `cardkit validate` or lint
    built a config, lint answers from the entry without building it again."""
    import cardkit.model.architecture_facts as architecture_facts

    monkeypatch.setenv("CARDKIT_CACHE_DIR", str(tmp_path / "cache"))
    first = _lint("gpt2", "README_wrong.md", capsys=capsys)

    def never(config: Any) -> Any:
        raise AssertionError("built again")

    monkeypatch.setattr(architecture_facts, "facts_for_config", never)
    assert _lint("gpt2", "README_wrong.md", capsys=capsys) == first
    assert list((tmp_path / "cache").rglob("*.json"))


@needs_transformers
def test_a_cached_config_is_linted_without_importing_torch(tmp_path: Path) -> None:
    """The second `lint --config` of a config answers from the facts cache: a cached entry was
    built, so transformers implements the model_type, and neither torch nor transformers loads."""
    folder = FIXTURES / "lint" / "falcon-7b"
    argv = ["lint", str(folder / "README_wrong.md"), "--config", str(folder / "config.json")]
    code = (
        f"import sys; from cardkit.cli import main; rc = main({argv!r}); "
        "print(sorted({'torch', 'transformers'} & set(sys.modules))); sys.exit(rc)"
    )
    env = {**os.environ, "CARDKIT_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-c", code]
    runs = [subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env) for _ in range(2)]
    assert [r.returncode for r in runs] == [1, 1]  # the wrong KV heads, both times
    assert all("lint-config-mismatch" in r.stdout for r in runs)
    assert runs[0].stdout.strip().endswith("['torch', 'transformers']")
    assert runs[1].stdout.strip().endswith("[]")
