"""Read user files with bounds: regular files only, never more than a stated number of bytes.

Every input surface (cards, config.json, READMEs, checkpoint headers and indexes, tokenizer files,
cache entries) reads through here, so a FIFO, a device file or a multi-gigabyte file named where a
small file is expected is refused at once instead of blocking the run or exhausting memory.
Opening with O_NONBLOCK keeps a FIFO from blocking in `open` itself; the type is then checked on
the open descriptor, so a path swapped between the check and the read cannot slip through.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from cardkit.core.errors import CardkitError


class UnreadableFile(CardkitError):
    """A named input cannot be read as a bounded regular file; `reason` says why in a few words."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def _open_regular(path: Path) -> int:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise UnreadableFile(path, exc.strerror or type(exc).__name__) from exc
    except ValueError as exc:  # an embedded NUL byte in the path
        raise UnreadableFile(path, "path contains a NUL byte") from exc
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
        raise UnreadableFile(path, f"{kind}; only regular files are read")
    return fd


def read_bytes_bounded(path: Path, limit: int) -> bytes:
    """The whole file, or `UnreadableFile` when it is not a regular file or exceeds `limit` bytes."""
    fd = _open_regular(path)
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            raise UnreadableFile(path, f"file is {size:,} bytes; the limit is {limit:,}")
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:  # the file grew after fstat
        raise UnreadableFile(path, f"file is over the limit of {limit:,} bytes")
    return data


def read_text_bounded(path: Path, limit: int) -> str:
    """UTF-8 text of a bounded regular file; undecodable bytes raise `UnreadableFile` with the offset."""
    data = read_bytes_bounded(path, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(path, f"byte {exc.start} is not valid UTF-8") from exc


def is_regular_file(path: Path) -> bool:
    """True for a regular file (through symlinks); never blocks, never raises."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def open_regular_binary(path: Path) -> BinaryIO:
    """A binary handle on a regular file, for formats read in bounded pieces (checkpoint headers,
    zip directories); raises `UnreadableFile` for anything else, without blocking on a FIFO."""
    return os.fdopen(_open_regular(path), "rb")
