"""Traditional Chinese conversions remembered between runs, so an unchanged card needs no OpenCC.

Building OpenCC's `s2twp` converter loads its dictionaries, which costs a zh-Hant render process more
than converting every label and paragraph of six cards does. Each converted text is kept in the
signed memo entry of `memo.py`. The entry's key covers what decides a conversion: the OpenCC
configuration and installed release (its dictionaries ship with it), the code that chains OpenCC
and the glossary (i18n.py), and the glossary's rules and terms (glossary.py, glossary.yaml), so an
edited glossary or conversion is never answered with an old result.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from cardkit.render import glossary
from cardkit.render.memo import SignedMemo, digests, release

KIND = "opencc"
"""The cache store's folder for remembered conversions."""
VERSION = 1


@functools.cache
def memo_key(config: str) -> str:
    """The store key of `config`'s memo: OpenCC's release, the code that builds the converter and
    the glossary's code and terms."""
    # i18n.py builds the converter (OpenCC, then the glossary); it imports this module, so by path
    files = digests(Path(__file__).with_name("i18n.py"), Path(glossary.__file__), glossary.GLOSSARY_PATH)
    parts = [VERSION, config, release("opencc"), files]
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()


class Memo(SignedMemo):
    """`convert` with the texts it already converted answered from the signed memo entry."""

    def __init__(self, config: str, convert: Callable[[], Callable[[str], str]]) -> None:
        super().__init__(KIND, functools.partial(memo_key, config), convert)
