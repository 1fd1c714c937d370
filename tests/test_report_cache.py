"""The report cache answers only while every input is unchanged, and never fails a validation."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from cardkit import report_cache
from cardkit.findings import CardReport, Finding, Severity
from tests.helpers import CARDS_DIR, python_in_child


@pytest.fixture
def card(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CARDKIT_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "card"
    shutil.copytree(CARDS_DIR / "llama-2-13b", folder, ignore=shutil.ignore_patterns("README*"))
    return folder / "card.yaml"


class Counter:
    """A stand-in for validate that says how often it really ran."""

    def __init__(self, card: Path) -> None:
        self.card, self.calls = card, 0

    def __call__(self) -> tuple[CardReport, list[Path]]:
        self.calls += 1
        finding = Finding("config-mismatch", Severity.ERROR, "m", "card.yaml", 3, 5, "a.b", 40, 41)
        report = CardReport("card.yaml", "org/model", findings=[finding])
        report.parameters.claimed, report.parameters.computed = 10, 12
        return report, [self.card.parent / "config.json"]


def run(card: Path, compute: Counter, options: tuple = (True,)) -> CardReport:
    return report_cache.cached(card, "card.yaml", options, compute)


def test_unchanged_inputs_return_the_same_report_without_recomputing(card: Path) -> None:
    compute = Counter(card)
    first = run(card, compute)
    second = run(card, compute)
    assert compute.calls == 1
    assert second.to_dict() == first.to_dict()
    assert second.findings[0].severity is Severity.ERROR


@pytest.mark.parametrize("changed", ["card.yaml", "config.json"])
def test_an_edited_card_or_config_misses(card: Path, changed: str) -> None:
    compute = Counter(card)
    run(card, compute)
    target = card.parent / changed
    target.write_bytes(target.read_bytes() + b"\n")
    run(card, compute)
    assert compute.calls == 2


def test_other_options_or_another_cardkit_miss(card: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compute = Counter(card)
    run(card, compute, (True,))
    run(card, compute, (False,))
    assert compute.calls == 2
    monkeypatch.setattr(report_cache, "code_digest", lambda: "a different cardkit")
    run(card, compute, (True,))
    assert compute.calls == 3


def test_a_deleted_dependency_misses(card: Path) -> None:
    compute = Counter(card)
    run(card, compute)
    (card.parent / "config.json").unlink()
    run(card, compute)
    assert compute.calls == 2


def test_a_damaged_entry_is_ignored(card: Path) -> None:
    compute = Counter(card)
    run(card, compute)
    for entry in report_cache.cache_dir().glob("*.json"):
        entry.write_text('{"dependencies": {}, "report": {"path": 1}}')
    assert run(card, compute).model_id == "org/model"
    assert compute.calls == 2


def test_an_unwritable_cache_does_not_fail(
    card: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("CARDKIT_CACHE_DIR", str(blocker))
    compute = Counter(card)
    assert run(card, compute).model_id == "org/model"
    assert run(card, compute).model_id == "org/model"
    assert compute.calls == 2


def test_an_unreadable_card_is_never_cached(tmp_path: Path) -> None:
    missing = tmp_path / "gone" / "card.yaml"
    compute = Counter(missing)
    run(missing, compute)
    run(missing, compute)
    assert compute.calls == 2


def _validate_in_child(cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`cardkit validate` in a fresh interpreter, reporting which heavy modules it imported."""
    code = (
        "import sys; from cardkit.cli import main; rc = main(['validate', *sys.argv[1:]]); "
        "print('IMPORTED', sorted(m for m in ('pydantic', 'yaml', 'torch') if m in sys.modules)); "
        "raise SystemExit(rc)"
    )
    return python_in_child(code, cache, *args)


def test_validate_answers_an_unchanged_card_from_the_cache_without_pydantic(tmp_path: Path) -> None:
    first = _validate_in_child(tmp_path, "--no-model", "cards")
    second = _validate_in_child(tmp_path, "--no-model", "cards")
    assert first.returncode == second.returncode == 0
    assert "IMPORTED ['pydantic', 'yaml']" in first.stdout
    assert "IMPORTED []" in second.stdout
    assert second.stdout == first.stdout.replace("IMPORTED ['pydantic', 'yaml']", "IMPORTED []")


def test_an_edit_after_a_cached_run_is_seen(tmp_path: Path) -> None:
    folder = tmp_path / "card"
    shutil.copytree(CARDS_DIR / "stablelm-3b-4e1t", folder)
    cache = tmp_path / "cache"
    assert _validate_in_child(cache, "--no-model", str(folder)).returncode == 0
    card = folder / "card.yaml"
    card.write_text(card.read_text(encoding="utf-8").replace("  num_layers: 32", "  num_layers: 30"))
    edited = _validate_in_child(cache, "--no-model", str(folder))
    assert edited.returncode == 1
    assert "error [config-mismatch] architecture.num_layers" in edited.stdout
    assert "IMPORTED ['pydantic', 'yaml']" in edited.stdout
