"""Atomic writes: killing the writer at any moment leaves the old file or the new one, never a mix."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cardkit.atomic import write_text_atomic
from tests.helpers import ROOT

WRITER = """
import sys
from pathlib import Path
from cardkit.atomic import write_text_atomic
target, size = Path(sys.argv[1]), int(sys.argv[2])
print("ready", flush=True)
n = 0
while True:
    n += 1
    write_text_atomic(target, str(n % 10) * size)
"""


def _start_then_kill(script: str, args: list[str], delay: float, sig: signal.Signals) -> None:
    """Run `script` in a child until it says "ready", let it work for `delay` s, then signal it."""
    child = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout is not None and child.stdout.readline().strip() == b"ready"
    time.sleep(delay)
    child.send_signal(sig)
    child.wait(timeout=30)


def test_replaces_whole_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "README.md"
    target.write_text("old")
    write_text_atomic(target, "new ✓")
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert [p.name for p in tmp_path.iterdir()] == ["README.md"]


def test_failure_mid_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "README.md"
    target.write_text("old")

    def broken_replace(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(KeyboardInterrupt):
        write_text_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["README.md"]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_writer_never_leaves_a_partial_file(tmp_path: Path, sig: signal.Signals) -> None:
    target = tmp_path / "README.md"
    size = 4 * 1024 * 1024
    target.write_text("0" * size)
    for delay in (0.05, 0.13, 0.31):
        _start_then_kill(WRITER, [str(target), str(size)], delay, sig)
        content = target.read_text()
        assert len(content) == size and len(set(content)) == 1, "a partial or mixed file was left"


RENDERER = """
import sys
from pathlib import Path
from cardkit.render import render_paths
card = Path(sys.argv[1])
text = card.read_text(encoding="utf-8")
print("ready", flush=True)
n = 0
while True:
    n += 1
    # Alternate between two versions of the card, so that every render really rewrites both READMEs.
    card.write_text(text.replace("A base model continues text", f"A base model (v{n % 2}) continues text"))
    render_paths([card.parent], force=True)
"""


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_render_killed_mid_write_leaves_every_readme_whole(tmp_path: Path, sig: signal.Signals) -> None:
    """Every README left behind is complete: its recorded hash matches everything above it."""
    import shutil

    from cardkit.render import recorded_hash_matches

    folder = tmp_path / "stablelm-3b-4e1t"
    shutil.copytree(ROOT / "cards" / "stablelm-3b-4e1t", folder)
    card = folder / "card.yaml"
    for delay in (0.4, 0.7, 1.1):
        _start_then_kill(RENDERER, [str(card)], delay, sig)
        for name in ("README.md", "README_zh.md"):
            assert recorded_hash_matches((folder / name).read_text(encoding="utf-8")) is True, name
