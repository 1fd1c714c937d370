"""Atomic writes: killing the writer at any moment leaves the old file or the new one, never a mix."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cardkit.core.atomic import write_text_atomic
from tests.helpers import ROOT

WRITER = """
import sys
from pathlib import Path
from cardkit.core.atomic import write_text_atomic
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


@pytest.mark.parametrize("mode", [0o644, 0o755, 0o600, 0o664])
def test_a_rewritten_file_keeps_its_mode(tmp_path: Path, mode: int) -> None:
    target = tmp_path / "README.md"
    target.write_text("old")
    target.chmod(mode)
    write_text_atomic(target, "new")
    assert (target.stat().st_mode & 0o7777, target.read_text()) == (mode, "new")


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_a_new_file_gets_the_umask_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask: int
) -> None:
    import cardkit.core.atomic

    monkeypatch.setattr(cardkit.core.atomic, "_umask", None)
    old = os.umask(umask)
    try:
        write_text_atomic(tmp_path / "new.md", "text")
    finally:
        os.umask(old)
    assert (tmp_path / "new.md").stat().st_mode & 0o7777 == 0o666 & ~umask
    write_text_atomic(tmp_path / "private.json", "{}", mode=0o600)
    assert (tmp_path / "private.json").stat().st_mode & 0o7777 == 0o600


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_next_write_removes_what_a_killed_writer_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cardkit.core.atomic

    monkeypatch.setattr(cardkit.core.atomic, "_swept", set())
    dead = tmp_path / f".README.md.ck-{_dead_pid()}-abc123_x.tmp"
    alive = tmp_path / f".README_zh.md.ck-{os.getppid()}-abc123_x.tmp"  # a writer still running
    old_alive = tmp_path / f".card.json.ck-{os.getppid()}-zz.tmp"
    legacy = tmp_path / ".README.md.a1b2c3d4.tmp"  # cardkit before the pid tag, an hour old
    strangers = [tmp_path / ".README.md.swp", tmp_path / ".other.abc.tmp", tmp_path / "README.md.ck-1-a.tmp"]
    for path in [dead, alive, old_alive, legacy, *strangers]:
        path.write_text("partial")
    hour_ago = time.time() - cardkit.core.atomic.STALE_AFTER_S - 60
    for path in (old_alive, legacy, strangers[1]):
        os.utime(path, (hour_ago, hour_ago))
    (tmp_path / "README.md").write_text("old")
    write_text_atomic(tmp_path / "README.md", "new")
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["README.md", alive.name, *(p.name for p in strangers)])


def test_render_sweeps_even_when_nothing_is_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    import cardkit.core.atomic
    from cardkit.render import render_paths

    folder = tmp_path / "stablelm-3b-4e1t"
    shutil.copytree(ROOT / "cards" / "stablelm-3b-4e1t", folder)
    render_paths([folder], force=True)
    leftover = folder / f".README.md.ck-{_dead_pid()}-q1w2e3r4.tmp"
    leftover.write_text("partial")
    monkeypatch.setattr(cardkit.core.atomic, "_swept", set())  # as a new run would start
    assert {r.status for r in render_paths([folder])} == {"unchanged"}
    assert not leftover.exists()
