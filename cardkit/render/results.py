"""What render did to one file, and the two reads every file render writes shares.

Kept apart from `files` (the READMEs) so `eval_files` (the `.eval_results` folder) reports through
the same `RenderResult` without the two modules importing each other.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cardkit.core.findings import Finding, Severity
from cardkit.core.safe_io import read_bytes_bounded

Status = Literal["written", "unchanged", "current", "stale", "missing", "refused", "invalid", "failed"]


@dataclass
class RenderResult:
    """One file render writes (or one card that could not be rendered): what render did or found."""

    card: str
    path: str
    layout: str
    status: Status
    findings: list[Finding] = field(default_factory=list)
    diff: str = ""

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)


def read_existing(path: Path, limit: int) -> str | None:
    """The file on disk, byte for byte (no newline translation), or None when there is none.

    Only a regular file is read (a FIFO would block): anything else raises `UnreadableFile`.
    """
    if not os.path.lexists(path):
        return None
    return read_bytes_bounded(path, limit).decode("utf-8", errors="replace")


def unified_diff(old: str | None, new: str, display: str) -> str:
    """The change from the file on disk to what the card renders to, as `--check` prints it."""
    lines = difflib.unified_diff(
        (old or "").splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"{display} (on disk)" if old is not None else "/dev/null",
        tofile=f"{display} (rendered from card.yaml)",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
