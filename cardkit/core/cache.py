"""What both caches share: where entries live, what every key includes, and which entries to believe.

A cache may save time but never change a verdict, and its directory is only as trustworthy as
whoever last wrote it (a restored CI cache, a copied home folder, a shared `CARDKIT_CACHE_DIR`).
So an entry is believed only when:

- its key covers every input of the answer: the caller's inputs, cardkit's own source (one digest of
  every file in the package) and the installed libraries the checks go through;
- it is one file per key (written atomically, so concurrent runs never lose or mix entries), and it
  names its own format, kind and key, which must be the ones asked for (an entry copied to another
  key's file name is refused);
- it carries an HMAC-SHA256 of its body under a per-user secret that is kept apart from the cache
  (`$XDG_STATE_HOME/cardkit/cache-key`, mode 0600): a cache directory carries no key, so an entry
  written anywhere else — or edited by hand — fails the check and is recomputed.

Anything else (missing, damaged, oversized, forged, of another version) reads as "no entry". Writes
are best effort: a cache that cannot be written costs time, never a validation.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cardkit.core import dependencies
from cardkit.core.atomic import write_text_atomic
from cardkit.core.safe_io import UnreadableFile, read_bytes_bounded

FORMAT = 2
"""Bumped when the entry layout changes, so old entries are simply never matched."""

MAX_ENTRY_BYTES = 16 * 1024 * 1024
"""Larger entries are neither written nor read (a report of a 2 MiB card is far below this)."""

MAX_INPUT_BYTES = 2 * 1024 * 1024
"""Inputs (card, config.json) larger than this are never cached: their checks refuse them anyway."""

KEY_BYTES = 32

LIBRARIES = (
    "pydantic",
    "pydantic_core",
    "pyyaml",
    "bibtexparser",
    "transformers",
    "torch",
    "huggingface_hub",
    "tokenizers",
    "safetensors",
)
"""Installed distributions whose version can change a report (`cardkit.core.dependencies.version`)."""


_TURNED_OFF: list[bool] = []
"""Non-empty inside `turned_off()`: no entry is read or written (a command's `--no-cache`)."""


@contextlib.contextmanager
def turned_off() -> Iterator[None]:
    """Read and write no entry inside: every answer is computed afresh, as on a new machine."""
    _TURNED_OFF.append(True)
    try:
        yield
    finally:
        _TURNED_OFF.pop()


def cache_root() -> Path:
    """`$CARDKIT_CACHE_DIR`, else `$XDG_CACHE_HOME/cardkit`, else `~/.cache/cardkit`."""
    if explicit := os.environ.get("CARDKIT_CACHE_DIR"):
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cardkit"


def key_file() -> Path:
    """The secret's home: the state directory, never the cache (which may be restored or shared)."""
    state = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(state) / "cardkit" / "cache-key"


@functools.cache
def code_digest() -> str:
    """One digest of cardkit's package source: an edited rule must not be answered by an old entry."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if "__pycache__" in path.parts or path.suffix == ".pyc" or not path.is_file():
            continue
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@functools.cache
def environment_digest() -> str:
    """Python's version plus the installed version (or None) of each library the checks go through."""
    versions = [[name, dependencies.version(name)] for name in LIBRARIES]
    return hashlib.sha256(json.dumps([sys.version, versions]).encode()).hexdigest()


def entry_key(kind: str, *inputs: Any) -> str:
    """The key of an answer computed from `inputs` by this cardkit with these libraries."""
    parts = [FORMAT, kind, code_digest(), environment_digest(), *inputs]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def input_digest(path: Path) -> str | None:
    """SHA-256 of a bounded regular file's bytes as read through `path`; None when unreadable."""
    try:
        return hashlib.sha256(read_bytes_bounded(path, MAX_INPUT_BYTES)).hexdigest()
    except UnreadableFile:
        return None


def _read_key(path: Path) -> bytes:
    """The secret, only from a regular file of this user that nobody else can read or replace."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    try:
        info = os.fstat(fd)
        private = info.st_uid == os.geteuid() and not info.st_mode & 0o077
        if not (stat.S_ISREG(info.st_mode) and private and info.st_size == KEY_BYTES):
            raise ValueError(f"{path} is not a private {KEY_BYTES}-byte key of this user")
        data = os.read(fd, KEY_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) != KEY_BYTES:
        raise ValueError(f"{path} changed while it was read")
    return data


@functools.cache
def _secret() -> bytes | None:
    """This user's cache key, created on first use; None (no caching at all) when it cannot be had."""
    path = key_file()
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    except (OSError, ValueError):
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".cache-key.", dir=path.parent)  # mode 0600
        try:
            os.write(fd, os.urandom(KEY_BYTES))
            os.fsync(fd)
            os.close(fd)
            with contextlib.suppress(FileExistsError):  # a concurrent run made one first: use it
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
        return _read_key(path)
    except (OSError, ValueError):
        return None


def _entry_path(kind: str, key: str) -> Path:
    return cache_root() / kind / f"{key}.json"


def _mac(secret: bytes, body: bytes) -> str:
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def read_entry(kind: str, key: str) -> Any:
    """The payload stored under `key`, or None for a missing, damaged, foreign or forged entry."""
    if _TURNED_OFF:
        return None
    secret = _secret()
    if secret is None:
        return None
    try:
        data = read_bytes_bounded(_entry_path(kind, key), MAX_ENTRY_BYTES)
    except UnreadableFile:
        return None
    mac, _, body = data.partition(b"\n")
    if not hmac.compare_digest(mac, _mac(secret, body).encode()):
        return None
    try:
        entry = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    if not isinstance(entry, dict) or [entry.get(k) for k in ("format", "kind", "key")] != [
        FORMAT,
        kind,
        key,
    ]:
        return None
    return entry.get("payload")


def write_entry(kind: str, key: str, payload: Any) -> None:
    """Store `payload` only if it reads back exactly as given; best effort, never raises."""
    if _TURNED_OFF:
        return
    secret = _secret()
    if secret is None:
        return
    try:
        body = json.dumps(
            {"format": FORMAT, "kind": kind, "key": key, "payload": payload},
            ensure_ascii=False,
            allow_nan=False,
        )
        if json.loads(body)["payload"] != payload:  # tuples, non-string keys: would come back changed
            return
        raw = body.encode()  # a lone surrogate from a card value raises here
    except (TypeError, ValueError, RecursionError):
        return
    if len(raw) > MAX_ENTRY_BYTES - 100:
        return
    with contextlib.suppress(OSError):
        write_text_atomic(_entry_path(kind, key), _mac(secret, raw) + "\n" + body)
