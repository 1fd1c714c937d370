"""Numbers, dates and language names in a locale: Babel, behind a memo kept between runs.

Importing Babel and loading a locale's CLDR data costs a render process about as much as every
number, date and language name of six cards in three locales. A re-render asks for the same ones,
so each locale's answers are kept in the signed memo entry of `memo.py`, keyed by Babel's installed
release and this module's code; a warm render formats without importing Babel at all, and a
question the memo lacks is answered by Babel exactly as without it.

A question is the JSON list `[kind, *arguments]`, so `1` and `1.0` stay distinct questions (Babel
may write them differently) and every argument is a JSON scalar.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cardkit.render.memo import SignedMemo, digests, release

KIND = "babel"
"""The cache store's folder for remembered formats."""
VERSION = 1
DECIMAL = "#,##0.##########"
"""Every significant digit a card states (Babel's default pattern would print 3.0e-4 as 0)."""


@functools.cache
def memo_key(locale: str) -> str:
    """The store key of `locale`'s memo: Babel's release (its CLDR data ships with it) and this code."""
    parts = [VERSION, locale, release("babel"), digests(Path(__file__))]
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()


def babel_answerer(locale: str) -> Callable[[str], str]:
    """Babel itself, imported and given its locale data here only."""
    from babel import Locale  # lazy: the import and the locale data are most of what the memo saves
    from babel.dates import format_date
    from babel.numbers import format_compact_decimal, format_decimal, parse_pattern

    babel_locale = Locale.parse(locale)
    decimal = parse_pattern(DECIMAL)  # parsed once, as Babel would on every call given the string

    def compact(value: int) -> str:
        try:
            return format_compact_decimal(value, format_type="long", locale=babel_locale, fraction_digits=2)
        except KeyError:  # Chinese has only the short form, which is already in words (万亿)
            return format_compact_decimal(value, format_type="short", locale=babel_locale, fraction_digits=2)

    def fixed(value: float, decimals: int) -> str:
        pattern = parse_pattern("#,##0" + ("." + "0" * decimals if decimals else ""))
        return format_decimal(value, format=pattern, locale=babel_locale, decimal_quantization=True)

    kinds: dict[str, Callable[..., str]] = {
        "number": lambda value: format_decimal(value, format=decimal, locale=babel_locale),
        "fixed": fixed,
        "compact": compact,
        "date": lambda iso: format_date(datetime.date.fromisoformat(iso), format="long", locale=babel_locale),
        "language": lambda code: babel_locale.languages.get(code, code),
    }

    def answer(question: str) -> str:
        kind, *arguments = json.loads(question)
        return str(kinds[kind](*arguments))

    return answer


class Formats:
    """One locale's formatting, answered from the memo where it can be."""

    def __init__(self, locale: str) -> None:
        key, answerer = functools.partial(memo_key, locale), functools.partial(babel_answerer, locale)
        self.memo = SignedMemo(KIND, key, answerer)

    def _ask(self, kind: str, *arguments: Any) -> str:
        return self.memo(json.dumps([kind, *arguments], ensure_ascii=False))

    def number(self, value: float | int) -> str:
        return self._ask("number", value)

    def fixed(self, value: float, decimals: int) -> str:
        """A figure with exactly `decimals` places (26.10 stays 26.10)."""
        return self._ask("fixed", value, decimals)

    def compact(self, value: int) -> str:
        """The locale's rounded words for a large count (4 trillion, 4万亿)."""
        return self._ask("compact", value)

    def date(self, value: datetime.date) -> str:
        return self._ask("date", value.isoformat())

    def language(self, code: str) -> str:
        """A language's name in this locale (English, 英语), the code when Babel has none."""
        return self._ask("language", code)


_BY_LOCALE: dict[str, Formats] = {}
"""The one `Formats` of each locale in this process, so each memo is read and saved once."""


def formats(locale: str) -> Formats:
    if locale not in _BY_LOCALE:
        _BY_LOCALE[locale] = Formats(locale)
    return _BY_LOCALE[locale]


def save_formats() -> None:
    """Keep the answers this process computed for the next run (nothing to do when none was new)."""
    for made in _BY_LOCALE.values():
        made.memo.save()
