"""Rules that read the card's sentences as claims: totals a sentence states must match the table they
summarise, the languages it names must be in the front matter, and its Markdown must render.

Each was a defect a careful reader found in a published card that lint passed (bench/bench_wild.py):
a prose total kept from the family card above a one-row table, `language: [en]` over "English and
French", a link written `[text]((url)`, a bold run `English**.` that renders its asterisks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cardkit.core.findings import Severity
from cardkit.lint.registry import Hit, lint_rule
from cardkit.lint.rules_text import INLINE_CODE, _blank, _prose
from cardkit.readme.document import Document, Table

SCALE = {"k": 1e3, "K": 1e3, "M": 1e6, "m": 1e6, "B": 1e9, "b": 1e9, "G": 1e9}
SCALED = re.compile(r"^[-+]?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s?([kKMmBG]|million|billion)?$")


def scaled_number(text: str) -> float | None:
    """`7.0M` = 7,000,000, `11,390` = 11390, `2.5 billion`; emphasis and spaces ignored; else None.
    (Context lengths read `4k` as 4096: that is `tables.as_number`; totals are decimal.)"""
    match = SCALED.match(text.replace("*", "").replace("`", "").strip())
    if not match:
        return None
    whole, fraction, suffix = match.groups()
    value = float(whole.replace(",", "") + (f".{fraction}" if fraction else ""))
    if suffix in ("million", "billion"):
        return value * (1e6 if suffix == "million" else 1e9)
    return value * SCALE.get(suffix or "", 1.0)


QUANTITIES = {
    "GPU hours": (
        re.compile(
            r"(?<![\w.,*])(\**[\d,.]+\**\s?(?:[kKMB]|million|billion)?)\s*(?:GPU[- ]hours|GPU hrs)", re.I
        ),
        re.compile(r"GPU[- ]?hours|training time", re.I),
    ),
    "tons CO2eq": (
        re.compile(r"(?<![\w.,*])(\**[\d,.]+\**\s?[kKM]?)\s*(?:metric\s)?(?:tons?|t)\s?CO2", re.I),
        re.compile(r"location[- ]based.*CO2|CO2.*location[- ]based|^(?!.*market).*CO2", re.I),
    ),
}
"""A quantity a sentence states (the value) and the table column that holds it (the header)."""
MAX_CLAIMS = 50


def _column_total(table: Table, header: re.Pattern[str]) -> tuple[float, str] | None:
    """The column's Total row, else the sum of its rows; None when the column is not all numbers."""
    index = next((i for i, h in enumerate(table.header) if header.search(h)), None)
    if index is None or not table.rows:
        return None
    values, total = [], None
    for _, row in table.rows:
        value = scaled_number(row[index]) if index < len(row) else None
        if re.match(r"^\**\s*(total|sum|总计|合计)\b", row[0], re.I):
            total = value
        elif value is None:
            return None
        else:
            values.append(value)
    if total is not None:
        return total, "the table's total row"
    return sum(values), f"the table's {len(values)} row(s)" if len(values) > 1 else "the table's one row"


def _agree(stated: str, value: float, total: float) -> bool:
    """Within the rounding the sentence used (`3.3M` covers 3.25M-3.35M), or half a percent."""
    match = SCALED.match(stated)
    decimals = len(match.group(2) or "") if match else 0
    scale = value / (float(re.sub(r"[^\d.]", "", stated.split()[0].rstrip("kKMmBG")) or 1) or 1)
    return abs(value - total) <= 10.0**-decimals * scale / 2 + 0.005 * abs(total) + 1e-9


@lint_rule(
    "lint-prose-total",
    Severity.ERROR,
    "a sentence states a total (GPU hours, tons CO2eq) that the table it summarises does not add up to",
)
def prose_total(doc: Document) -> Iterator[Hit]:
    """A sentence states a total (GPU hours, tonnes of CO2eq) that the one table it summarises does not
    add up to. Market-based emissions are left alone (offsets make them another figure). Fix the
    sentence or the table."""
    found = 0
    for name, (claim, header) in QUANTITIES.items():
        totals = [t for table in doc.tables if table.header and (t := _column_total(table, header))]
        if len(totals) != 1:  # no table, or several: which one the sentence sums is not stated
            continue
        total, source = totals[0]
        for number, column, text in _prose(doc):
            if "|" in text:
                continue
            for match in claim.finditer(text):
                if "market" in text[max(0, match.start() - 80) : match.start()].lower():
                    continue  # market-based emissions are another column (often 0 by offsets)
                stated = match.group(1).replace("*", "").strip()
                value = scaled_number(stated)
                if value is None or _agree(stated, value, total):
                    continue
                found += 1
                yield Hit(
                    number,
                    f"sentence states {stated} {name}; {source} gives {total:,.6g}",
                    column + match.start(),
                    expected=total,
                    actual=stated,
                )
                if found == MAX_CLAIMS:
                    return
                break


LANGUAGES = {
    "english": "en", "french": "fr", "german": "de", "spanish": "es", "italian": "it", "portuguese": "pt",
    "chinese": "zh", "japanese": "ja", "korean": "ko", "russian": "ru", "arabic": "ar", "hindi": "hi",
    "thai": "th", "vietnamese": "vi", "indonesian": "id", "dutch": "nl", "polish": "pl", "turkish": "tr",
}  # fmt: skip
LANGUAGE_LINE = re.compile(r"^\W*languages?(?:\s*\(s\))?(?:\s*\(NLP\))?\W*[:：]\s*(.+)$", re.I)
"""`- **Language(s) (NLP):** English and French`: the model card template's language statement."""


@lint_rule(
    "lint-language-mismatch",
    Severity.WARNING,
    "the card's language statement names a language its front matter `language:` does not list",
)
def language_mismatch(doc: Document) -> Iterator[Hit]:
    """The card's prose states a language ("Language(s): English, Chinese") that its front matter
    `language:` does not list, so the Hub's language filter misses the model. Add the code to
    `language:`."""
    declared = (doc.front_matter or {}).get("language")
    codes = {str(c).lower().split("-")[0] for c in (declared if isinstance(declared, list) else [declared])}
    if not declared:
        return
    for number, _, text in _prose(doc):
        if not (match := LANGUAGE_LINE.match(text.replace("*", ""))):
            continue
        named = [LANGUAGES[w] for w in re.findall(r"[A-Za-z]+", match.group(1).lower()) if w in LANGUAGES]
        if missing := sorted(set(named) - codes):
            yield Hit(
                number,
                f"the card states {', '.join(missing)} but front matter `language:` lists {sorted(codes)}",
                expected=sorted(codes | set(missing)),
                actual=sorted(codes),
            )
        return


BROKEN_LINK = re.compile(r"\]\(\s*\((?=https?:|www\.)|\]\((?:https?:)?//\)|\]\s+\((?=https?://[^\s)]+\))")
"""`[text]((https://...)` (a doubled parenthesis: the link target becomes `(https...`), or a space
between `]` and `(` that breaks the link in CommonMark."""


@lint_rule(
    "lint-broken-link", Severity.WARNING, "a Markdown link whose syntax is broken, so it does not render"
)
def broken_link(doc: Document) -> Iterator[Hit]:
    """A Markdown link whose syntax is broken (a space between `]` and `(`, a doubled `((` before the
    URL, an empty `//` target), so it does not render as the link it was. Fix the link's syntax."""
    if not doc.markdown:
        return
    for segment in doc.prose:
        number, column, text = segment.line, segment.column, INLINE_CODE.sub(_blank, segment.text)
        if match := BROKEN_LINK.search(text):
            near = text[max(0, match.start() - 20) : match.end() + 10]
            yield Hit(number, f"broken Markdown link near {near!r}", column + match.start())


STRONG = re.compile(r"(?<![\\*])\*\*(?!\*)")


def _paragraphs(doc: Document) -> Iterator[list[tuple[int, int, str]]]:
    """Runs of adjacent non-blank prose lines (emphasis may span the lines of a paragraph), with
    inline code blanked; table rows and HTML lines are left out."""
    run: list[tuple[int, int, str]] = []
    for segment in doc.prose:
        text = INLINE_CODE.sub(_blank, segment.text)
        if not text.strip() or text.lstrip().startswith(("|", "<")) or segment.line <= doc.front_matter_lines:
            if run:
                yield run
            run = []
            continue
        if run and run[-1][0] != segment.line - 1:
            yield run
            run = []
        run.append((segment.line, segment.column, text))
    if run:
        yield run


@lint_rule(
    "lint-unbalanced-emphasis",
    Severity.WARNING,
    "a `**` without its partner in the paragraph, so the asterisks render literally",
)
def unbalanced_emphasis(doc: Document) -> Iterator[Hit]:
    """A paragraph has an odd number of `**` marks, so one has no partner and the asterisks render
    literally. Add the missing mark or remove the stray one."""
    if not doc.markdown:
        return
    for paragraph in _paragraphs(doc):
        marks = [(n, column + m.start()) for n, column, text in paragraph for m in STRONG.finditer(text)]
        if len(marks) % 2:
            line, column = marks[-1]
            yield Hit(line, "unbalanced `**`: one bold mark has no partner and renders literally", column)
