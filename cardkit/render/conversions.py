"""Traditional Chinese conversions remembered between runs, so an unchanged card needs no OpenCC.

Building OpenCC's `s2twp` converter loads its dictionaries, which costs a zh-Hant render process more
than converting every label and paragraph of six cards does. Re-rendering mostly converts the same
texts again, so each converted text is kept in one entry of cardkit's cache store (core/cache.py),
HMAC-signed under the per-user key outside the cache directory: a missing, foreign, forged or
damaged entry reads as empty, and each text it lacks is converted by OpenCC as without the memo.
The entry's key covers what decides a conversion: the OpenCC configuration and installed version
(its dictionaries ship with it), the code that chains OpenCC and the glossary (i18n.py), and the
glossary's rules and terms (glossary.py, glossary.yaml), so an edited glossary or conversion is
never answered with an old result.

Limits: texts over `MAX_TEXT_CHARS` are converted but not remembered, and the entry keeps at most
`MAX_MEMO_CHARS` characters, the texts used by the latest run first.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path

from cardkit.core import cache as cache_store
from cardkit.render import glossary

KIND = "opencc"
"""The cache store's folder for remembered conversions."""
VERSION = 1
MAX_TEXT_CHARS = 20_000
"""Longer texts (a long paragraph of prose) are converted each time, not remembered."""
MAX_MEMO_CHARS = 2_000_000
"""Characters (texts and their conversions) one memo keeps; older texts are dropped past it."""


def _opencc_release() -> list[str]:
    """Where OpenCC is installed and its dist-info name (which carries the version): a listing of
    one folder, not importlib.metadata, which costs as much as the conversions it would save."""
    spec = find_spec("opencc")
    if spec is None or spec.origin is None:
        return ["missing"]
    site = Path(spec.origin).resolve().parent.parent
    try:
        names = sorted(n for n in os.listdir(site) if n.lower().startswith("opencc-") and "dist-info" in n)
    except OSError:
        names = []
    return [str(site), *names]


@functools.cache
def memo_key(config: str) -> str:
    """The store key of `config`'s memo: OpenCC's release, the code that builds the converter and
    the glossary's code and terms."""
    # i18n.py builds the converter (OpenCC, then the glossary); it imports this module, so by path
    files = [Path(__file__).with_name("i18n.py"), Path(glossary.__file__), glossary.GLOSSARY_PATH]
    digests = [hashlib.sha256(path.read_bytes()).hexdigest() for path in files]
    parts = [VERSION, config, _opencc_release(), digests]
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()


class Memo:
    """`convert` with the texts it already converted answered from the signed memo entry."""

    def __init__(self, config: str, convert: Callable[[], Callable[[str], str]]) -> None:
        self.config = config
        self._make = convert
        """Builds the real converter; called only for the first text the memo lacks."""
        self._convert: Callable[[str], str] | None = None
        self._known: dict[str, str] | None = None
        self._used: dict[str, None] = {}
        self.dirty = False

    def _load(self) -> dict[str, str]:
        payload = cache_store.read_entry(KIND, memo_key(self.config))
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
        converted = self._known[text] = self._real()(text)
        self.dirty = True
        return converted

    def _real(self) -> Callable[[str], str]:
        if self._convert is None:
            self._convert = self._make()
        return self._convert

    def save(self) -> None:
        """Write the memo when this process converted a text it lacked: used texts first, then
        older ones while they fit in `MAX_MEMO_CHARS`. Best effort, like every cache write."""
        if not self.dirty or self._known is None:
            return
        kept: dict[str, str] = {}
        size = 0
        for text in [*self._used, *(t for t in self._known if t not in self._used)]:
            size += len(text) + len(self._known[text])
            if size > MAX_MEMO_CHARS:
                break
            kept[text] = self._known[text]
        cache_store.write_entry(KIND, memo_key(self.config), kept)
        self.dirty = False
