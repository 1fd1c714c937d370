"""Write files so that a crash leaves either the old file or the new one, never half of each.

The new text goes to a temporary file in the target's folder, which then replaces the target in
one `os.replace`. Two things a plain `mkstemp` + rename gets wrong are handled here:

- Mode: `mkstemp` creates 0600 files, so every rewritten README or draft would lose its mode. A
  file that exists keeps its permission bits; a new one gets what `open()` would give it (0666
  less the umask), unless the caller asks for a mode.
- Leftovers: a writer killed with SIGKILL (or a power cut) leaves its temporary file behind. Each
  temporary file's name carries cardkit's tag and the writer's pid (`.README.md.ck-1234-x8f2.tmp`),
  so the first write of a later run in that folder removes the ones whose writer is gone: their
  pid is no longer running, or the file is older than `STALE_AFTER_S` (a pid that was reused, a
  writer on another machine sharing the folder). Nothing else in the folder is touched.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from pathlib import Path

TAG = ".ck-"
"""Between the target's name and the writer's pid in a temporary file's name."""

STALE_AFTER_S = 3600.0
"""A tagged temporary file this old is stale whoever wrote it: a write takes seconds at most."""

_TEMP_NAME = re.compile(r"\A\..+\.ck-(?P<pid>[0-9]{1,10})-[A-Za-z0-9_]+\.tmp\Z", re.DOTALL)
_LEGACY_NAME = re.compile(r"\A\.(?P<target>.+)\.[a-z0-9_]{8}\.tmp\Z", re.DOTALL)
"""What cardkit before the pid tag left (`mkstemp(prefix=".NAME.")`): removed only past the age bound."""
_swept: set[str] = set()
"""Folders this process has already cleaned (once per folder keeps a write O(1) in a big folder)."""
_umask: int | None = None


def _default_mode() -> int:
    """What `open(path, "w")` would create: 0666 less the process umask (read once, then cached)."""
    global _umask
    if _umask is None:
        _umask = os.umask(0o022)
        os.umask(_umask)
    return 0o666 & ~_umask


def _pid_running(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except PermissionError:  # alive, but another user's
        return True
    except (ProcessLookupError, OverflowError):  # gone, or a pid no system hands out
        return False
    return True


def is_stale_temp(name: str, age_s: float, folder: Path | None = None) -> bool:
    """True for a cardkit temporary file whose writer is gone (dead pid, or older than the bound).

    An untagged name of the old pattern counts only past the age bound and only next to the file
    it was going to replace (`folder`), so a stranger's `.x.abcdefgh.tmp` is left alone.
    """
    match = _TEMP_NAME.match(name)
    if match is None:
        legacy = _LEGACY_NAME.match(name)
        return (
            legacy is not None
            and folder is not None
            and age_s > STALE_AFTER_S
            and os.path.isfile(folder / legacy.group("target"))
        )
    pid = int(match.group("pid"))
    if pid == os.getpid():
        return False  # this process's own writes clean up after themselves
    return age_s > STALE_AFTER_S or not _pid_running(pid)


def remove_stale_temps(folder: Path) -> list[Path]:
    """Remove the temporary files killed cardkit writers left in `folder`; return what was removed.

    Only regular files (not links) whose name has cardkit's tag are considered. Errors (a folder
    that vanished, a file another run removed first) are ignored: cleaning is best effort.
    """
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except (OSError, ValueError):
        return removed
    for entry in entries:
        try:
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and is_stale_temp(entry.name, now - info.st_mtime, folder):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def sweep_once(folder: Path) -> None:
    """`remove_stale_temps` the first time this process touches `folder`, never again."""
    key = os.path.abspath(folder)
    if key not in _swept:
        _swept.add(key)
        remove_stale_temps(folder)


def _target_mode(path: Path, mode: int | None) -> int:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return _default_mode() if mode is None else mode
    return stat.S_IMODE(info.st_mode)


def write_text_atomic(path: Path, text: str, mode: int | None = None) -> None:
    """Replace `path` with `text` (UTF-8, newlines as given) in one step.

    An existing file keeps its permission bits; a new one gets `mode`, or the umask's default.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    sweep_once(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}{TAG}{os.getpid()}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            os.fchmod(handle.fileno(), _target_mode(path, mode))
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
