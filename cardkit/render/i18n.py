"""Locales: gettext catalogs for labels, OpenCC for Traditional Chinese, Babel for numbers and dates.

Labels live in `.po` catalogs (locales/<catalog>/LC_MESSAGES/cardkit.po) so that adding a language
is adding a catalog, not editing templates. Catalogs are compiled by Babel (read_po → write_mo)
instead of shipping `.mo` files, so the `.po` file under review is the one that runs; the compiled
catalog is kept in the signed cache store under the digest of that `.po` file, the conversion and
this code, so a re-render reads it with the standard library's gettext and imports no Babel.
Numbers, dates and language names go through formats.py, Babel behind a memo of the same kind.
Traditional Chinese is never written by hand: its catalog and its prose are the Simplified ones
converted with OpenCC `s2twp` (Taiwan vocabulary) and corrected with the reviewed terminology glossary
(glossary.yaml), so the two can never drift apart.
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from gettext import GNUTranslations
from io import BytesIO
from pathlib import Path

from cardkit.core import cache as cache_store
from cardkit.render.conversions import Memo
from cardkit.render.conversions import memo_key as conversion_key
from cardkit.render.formats import formats, save_formats
from cardkit.render.glossary import glossary, to_taiwan
from cardkit.render.memo import digests, release
from cardkit.schema import LocalizedText

DOMAIN = "cardkit"
LOCALES_DIR = Path(__file__).resolve().parent / "locales"
CATALOG_KIND = "catalog"
"""The cache store's folder for compiled catalogs."""
CATALOG_VERSION = 1


@dataclass(frozen=True)
class LocaleSpec:
    """How one output language is produced from the card's `en`/`zh` text and a catalog."""

    tag: str
    """BCP 47 tag, as used in `--lang` and in the README's file name."""
    babel: str
    """Babel locale for numbers, dates and language names."""
    catalog: str
    """Folder under locales/ whose cardkit.po holds the labels."""
    text_field: str
    """Which LocalizedText field holds the prose."""
    opencc: str | None = None
    """OpenCC configuration applied to labels and prose, for a script derived from another."""


LOCALES: dict[str, LocaleSpec] = {
    "en": LocaleSpec("en", "en", "en", "en"),
    "zh": LocaleSpec("zh", "zh_Hans_CN", "zh", "zh"),
    "zh-Hant": LocaleSpec("zh-Hant", "zh_Hant_TW", "zh", "zh", opencc="s2twp"),
}


def catalog_path(catalog: str) -> Path:
    return LOCALES_DIR / catalog / "LC_MESSAGES" / f"{DOMAIN}.po"


def opencc_converter(config: str) -> Callable[[str], str]:
    """OpenCC itself, imported and loaded here only; Taiwan phrasing (s2twp) is corrected with the
    terminology glossary (glossary.yaml), term by term."""
    import opencc  # lazy: loading its dictionaries is most of a zh-Hant render; memos avoid it

    convert = opencc.OpenCC(config).convert
    if config != "s2twp":
        return convert

    def converted(text: str) -> str:
        return to_taiwan(convert(text))

    return converted


@functools.cache
def converter(config: str | None) -> Callable[[str], str]:
    """The text conversion of a derived script (identity for none): OpenCC behind the signed
    memo of conversions (render/conversions.py), so OpenCC is loaded only for a text it lacks."""
    if config is None:
        return str
    return Memo(config, functools.partial(opencc_converter, config))


def save_conversions() -> None:
    """Keep the conversions and formats this process made for the next run (nothing to do when
    none was new)."""
    for spec in LOCALES.values():
        if spec.opencc is not None:
            memo = converter(spec.opencc)
            if isinstance(memo, Memo):
                memo.save()
    save_formats()


@functools.cache
def translations(tag: str) -> GNUTranslations:
    """The compiled catalog for `tag`, converted with OpenCC when the locale is derived: from the
    signed cache store when this `.po` file was compiled before, else compiled by Babel and kept."""
    spec = LOCALES[tag]
    key = _catalog_key(tag)
    stored = cache_store.read_entry(CATALOG_KIND, key)
    if isinstance(stored, str):
        try:
            return GNUTranslations(BytesIO(base64.b64decode(stored, validate=True)))
        except (ValueError, OSError):  # a signed entry that is no catalog: compile it again
            pass
    compiled = _compile_catalog(spec)
    cache_store.write_entry(CATALOG_KIND, key, base64.b64encode(compiled).decode("ascii"))
    return GNUTranslations(BytesIO(compiled))


@functools.cache
def _catalog_key(tag: str) -> str:
    """What decides a compiled catalog: the `.po` file, Babel's release, this code and, for a derived
    script, the conversion's own key (OpenCC's release and the glossary)."""
    spec = LOCALES[tag]
    conversion = conversion_key(spec.opencc) if spec.opencc else None
    sources = digests(catalog_path(spec.catalog), Path(__file__))
    parts = [CATALOG_VERSION, tag, sources, release("babel"), conversion]
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()


def _compile_catalog(spec: LocaleSpec) -> bytes:
    from babel.messages.mofile import write_mo  # lazy: a re-render reads the compiled catalog
    from babel.messages.pofile import read_po

    with catalog_path(spec.catalog).open("rb") as handle:
        catalog = read_po(handle, locale=spec.babel, domain=DOMAIN)
    convert = converter(spec.opencc)
    for message in catalog:
        if message.id and isinstance(message.string, str) and message.string:
            message.string = convert(message.string)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def newstyle_gettext(catalog: GNUTranslations) -> Callable[..., str]:
    """`_()` exactly as Jinja's new-style gettext answers it with autoescaping off (the catalog's
    string, always %-formatted with the call's keywords), as one call: Jinja's own goes through
    three sandboxed context calls per label, the largest part of rendering a section."""
    lookup = catalog.gettext

    def gettext(message: str, **variables: object) -> str:
        return lookup(message) % variables

    return gettext


class Localizer:
    """What templates call to turn card data into text of one locale (exposed to them as `l`)."""

    def __init__(self, tag: str) -> None:
        self.spec = LOCALES[tag]
        self.tag = tag
        self._formats = formats(self.spec.babel)
        self._convert = converter(self.spec.opencc)

    @property
    def is_english(self) -> bool:
        """Whether English-only card data (metric names) reads naturally in this locale."""
        return self.spec.text_field == "en"

    def text(self, value: LocalizedText | None) -> str:
        """The card's prose in this locale ('' when the card has none, so sections can skip)."""
        if value is None:
            return ""
        return self._convert(getattr(value, self.spec.text_field))

    def name(self, value: str | None) -> str:
        """An English name from card data (a benchmark group, a dataset, a tool) as this locale
        shows it: the glossary's Chinese name where it has one, else the name as it is."""
        if value is None:
            return ""
        if self.spec.text_field == "zh" and value in glossary().names:
            return self._convert(glossary().names[value])
        return value

    def names(self, values: list[str] | tuple[str, ...] | None) -> list[str]:
        return [self.name(value) for value in values or ()]

    def number(self, value: float | int | None) -> str:
        return "" if value is None else self._formats.number(value)

    def fixed(self, value: float | None, decimals: int) -> str:
        """A published figure with the decimal places it was published with (26.10 stays 26.10)."""
        if value is None:
            return ""
        return self._formats.fixed(value, decimals)

    def count(self, value: int | None) -> str:
        """An exact count, with the locale's own rounded words for large ones (4 trillion, 4万亿)."""
        if value is None:
            return ""
        exact = self.number(value)
        if value < 1_000_000:
            return exact
        return exact + self.paren(self.compact(value))

    def compact(self, value: int) -> str:
        return self._formats.compact(value)

    def date(self, value: datetime.date | None) -> str:
        return "" if value is None else self._formats.date(value)

    def language(self, code: str) -> str:
        """A language's name in this locale (English, 英语, 英文), the code when Babel has none."""
        return self._convert(self._formats.language(code))

    def languages(self, codes: list[str]) -> str:
        return self.join([self.language(code) for code in codes])

    def numbers(self, values: tuple[float, ...] | list[float] | None) -> str:
        return self.join([self.number(value) for value in values or ()])

    def paren(self, text: str) -> str:
        """An aside in parentheses, full-width in Chinese; an aside that has parentheses of its own
        follows a dash instead, so none nest (`pass@1` — average pass@1 (HumanEval, MBPP))."""
        if self.spec.text_field == "zh":
            return f"——{text}" if "（" in text or "(" in text else f"（{text}）"
        return f" — {text}" if "(" in text else f" ({text})"

    def join(self, items: list[str]) -> str:
        """A list in running text: commas in English, the enumeration comma in Chinese."""
        return ("、" if self.spec.text_field == "zh" else ", ").join(items)
