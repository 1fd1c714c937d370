"""The collector settings: scoped and restored in the library, freezing only in the CLI's process."""

from __future__ import annotations

import gc
import subprocess
from pathlib import Path

import pytest

from cardkit.core.gc_policy import PAUSED, full_collections_paused
from tests.helpers import CARDS_DIR, python_in_child


def test_full_collections_are_paused_inside_the_block_only() -> None:
    before = gc.get_threshold()
    with full_collections_paused():
        young, middle, old = gc.get_threshold()
        assert gc.isenabled() and (young, middle) == before[:2]  # young generations: as usual
        assert old == PAUSED
    assert gc.get_threshold() == before


def test_thresholds_are_restored_when_the_block_raises() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), full_collections_paused():
        raise RuntimeError("a config that does not build")
    assert gc.get_threshold() == before


def _cli_in_child(cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import gc; from cardkit.cli import entry_point; rc = entry_point(); "
        "print('FROZEN', gc.get_freeze_count() > 0); raise SystemExit(rc)"
    )
    return python_in_child(code, cache, *args)


def test_the_command_freezes_what_is_left_before_exit_and_keeps_its_exit_code(tmp_path: Path) -> None:
    card = str(CARDS_DIR / "stablelm-3b-4e1t" / "card.yaml")
    ok = _cli_in_child(tmp_path, "validate", "--no-model", card)
    assert ok.returncode == 0, ok.stderr
    assert "FROZEN True" in ok.stdout
    missing = _cli_in_child(tmp_path, "validate", "--no-model", str(tmp_path / "nowhere.yaml"))
    assert missing.returncode == 2
    assert "FROZEN True" in missing.stdout


def test_library_calls_leave_the_collector_as_they_found_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cardkit.validate import ValidateOptions, validate_paths

    monkeypatch.setenv("CARDKIT_CACHE_DIR", str(tmp_path))
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    validate_paths([CARDS_DIR / "stablelm-3b-4e1t"], ValidateOptions(cache=False))
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen
