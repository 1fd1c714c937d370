"""The collector settings: scoped and restored in the library, freezing only in the CLI's process."""

from __future__ import annotations

import gc
import json
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


FULL_SCANS = (
    "import gc, json, sys\n"
    "scans = []\n"
    "def count(phase, info):\n"
    "    if phase == 'start' and info['generation'] == 2:\n"
    "        scans.append(len(gc.get_objects()))  # the frozen generation is not listed, nor scanned\n"
    "gc.callbacks.append(count)\n"
    "sys.argv = ['cardkit', *sys.argv[1:]]\n"
    "from cardkit.cli import entry_point\n"
    "rc = entry_point()\n"
    "gc.callbacks.remove(count)\n"
    "print('SCANS', json.dumps(scans))\n"
    "raise SystemExit(rc)"
)


def test_no_full_collection_of_the_command_rescans_the_libraries_imports(tmp_path: Path) -> None:
    """The six cards cold: torch's ~350,000 objects were rescanned at the second card (0.2 s)."""
    done = python_in_child(FULL_SCANS, tmp_path, "validate", "--no-cache", str(CARDS_DIR))
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("SCANS "))
    scans = json.loads(line.removeprefix("SCANS "))
    assert all(objects < 100_000 for objects in scans), scans


GARBAGE = (
    "import gc\n"
    "from cardkit.core.gc_policy import command_process, full_collections_paused\n"
    "class Node:\n"
    "    pass\n"
    "def cycles(n):\n"
    "    nodes = [Node() for _ in range(n)]\n"
    "    for a, b in zip(nodes, nodes[1:] + nodes[:1]):\n"
    "        a.next = b\n"
    "    return nodes\n"
    "with command_process():\n"
    "    with full_collections_paused():\n"
    "        import json.tool  # a block that imports: what it leaves is frozen\n"
    "    for _ in range(150):\n"
    "        kept = cycles(20_000)  # lives through young collections into the old generation\n"
    "        for _ in range(30):\n"
    "            cycles(1_000)\n"
    "        del kept\n"
    "    print('LIVE', sum(1 for o in gc.get_objects() if type(o) is Node))"
)


def test_the_command_still_frees_cyclic_garbage_of_its_own(tmp_path: Path) -> None:
    """Memory stays bounded on a long run: only imports are frozen, the run's own cycles are freed
    by the full collections that still run (a whole-run pause would keep all 3,000,000)."""
    done = python_in_child(GARBAGE, tmp_path)
    assert done.returncode == 0, done.stderr
    live = int(done.stdout.split("LIVE")[1])
    assert live < 300_000, live  # 150 x 20,000 cycles were made and dropped


def test_only_a_block_that_imports_freezes_and_only_in_the_command(tmp_path: Path) -> None:
    code = (
        "import gc\n"
        "from cardkit.core.gc_policy import command_process, full_collections_paused\n"
        "with full_collections_paused():\n"
        "    import json.tool\n"
        "library = gc.get_freeze_count()\n"
        "before = gc.get_threshold()\n"
        "with command_process():\n"
        "    inside = gc.get_threshold()\n"
        "    start = gc.get_freeze_count()\n"
        "    with full_collections_paused():\n"
        "        junk = [[i] for i in range(1000)]\n"
        "    no_import = gc.get_freeze_count() - start\n"
        "    with full_collections_paused():\n"
        "        import csv\n"
        "    imported = gc.get_freeze_count() - start\n"
        "print('COUNTS', library, no_import, imported > 0)\n"
        "print('THRESHOLDS', before == gc.get_threshold(), inside[0] >= 10_000, inside[1:] == before[1:])"
    )
    done = python_in_child(code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("COUNTS")[1].split()[:3] == ["0", "0", "True"]
    assert done.stdout.split("THRESHOLDS")[1].split() == ["True", "True", "True"]
