"""Answers a render computed before, remembered between runs in one signed cache entry.

A re-render mostly asks the same questions again: the same Traditional Chinese conversions
(conversions.py), the same numbers, dates and language names in each locale (formats.py). Loading
the library that answers them (OpenCC's dictionaries, Babel's locale data) costs a render process
more than the answers do, so each memo keeps its answers in one entry of cardkit's cache store
(core/cache.py), HMAC-signed under the per-user key kept outside the cache directory: a missing,
foreign, forged or damaged entry reads as empty, and each question it lacks is answered by the
library as without the memo. The entry's key, given by the caller, covers everything that decides an
answer (the library's release, the code that asks), so a changed answer is never served old.

Limits: questions over `MAX_TEXT_CHARS` are answered but not remembered, and an entry keeps at most
`MAX_MEMO_CHARS` characters, the questions of the latest run first.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path

from cardkit.core import cache as cache_store

MAX_TEXT_CHARS = 20_000
"""Longer questions (a long paragraph of prose) are answered each time, not remembered."""
MAX_MEMO_CHARS = 2_000_000
"""Characters (questions and answers) one memo keeps; older ones are dropped past it."""


def release(module: str) -> list[str]:
    """Where `module` is installed and its distribution's dist-info names (which carry the version):
    a listing of one folder, not importlib.metadata, which costs as much as the answers it would save."""
    spec = find_spec(module)
    if spec is None or spec.origin is None:
        return ["missing"]
    site = Path(spec.origin).resolve().parent.parent
    try:
        names = sorted(n for n in os.listdir(site) if n.lower().startswith(f"{module}-") and "dist-info" in n)
    except OSError:
        names = []
    return [str(site), *names]


def digests(*paths: Path) -> list[str]:
    """SHA-256 of each file: the code (or data) whose edit must not be answered by an old entry."""
    return [hashlib.sha256(path.read_bytes()).hexdigest() for path in paths]


class SignedMemo:
    """`answer` with the questions it already answered read from the signed entry `key()` of `kind`."""

    def __init__(self, kind: str, key: Callable[[], str], answer: Callable[[], Callable[[str], str]]) -> None:
        self.kind = kind
        self._key = key
        self._make = answer
        """Builds the real answerer (imports the library); called only for the first question the
        memo lacks."""
        self._answer: Callable[[str], str] | None = None
        self._known: dict[str, str] | None = None
        self._used: dict[str, None] = {}
        self.dirty = False

    def _load(self) -> dict[str, str]:
        payload = cache_store.read_entry(self.kind, self._key())
        if not isinstance(payload, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in payload.items()
        ):
            return {}
        return payload

    def __call__(self, text: str) -> str:
        if len(text) > MAX_TEXT_CHARS:
            return self._real()(text)
        if self._known is None:
            self._known = self._load()
        self._used[text] = None
        if (known := self._known.get(text)) is not None:
            return known
        answered = self._known[text] = self._real()(text)
        self.dirty = True
        return answered

    def _real(self) -> Callable[[str], str]:
        if self._answer is None:
            self._answer = self._make()
        return self._answer

    def save(self) -> None:
        """Write the entry when this process answered a question it lacked: this run's questions
        first, then older ones while they fit in `MAX_MEMO_CHARS`. Best effort, like every cache write."""
        if not self.dirty or self._known is None:
            return
        kept: dict[str, str] = {}
        size = 0
        for text in [*self._used, *(t for t in self._known if t not in self._used)]:
            size += len(text) + len(self._known[text])
            if size > MAX_MEMO_CHARS:
                break
            kept[text] = self._known[text]
        cache_store.write_entry(self.kind, self._key(), kept)
        self.dirty = False
