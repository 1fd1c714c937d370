"""Labelled facts a README states: `Property | Value` table rows and `**Label:** value` lines.

Model cards state most single facts this way: the Hub template's `- **Developed by:** ...` list,
Meta's `**Model developer**: Meta`, a `Hyperparameter | Value` table, and every table cardkit
renders (`| Hidden size | 5,120 |`). One reading of them, with the line each sits on, so import
fills a field from the label that names it and never from a number elsewhere on the page.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from cardkit.readme.document import Document

KEY_VALUE_HEADERS = re.compile(r"^(?:property|hyperparameter|parameter|属性|超参数|参数)$")
VALUE_HEADERS = re.compile(r"^(?:values?|值|取值)$")
LABEL_LINE = re.compile(r"^\s{0,3}(?:[-*+]\s+)?\*\*([^*\n]{1,60}?)\s*[:：]?\s*\*\*\s*[:：]?\s*(.*)$")
"""`**Label:** value`, `**Label**: value` or `**Label** value`, optionally a list item; the label
is at most 60 characters (a bold sentence is emphasis, not a label)."""


@dataclass(frozen=True)
class Labelled:
    """One labelled fact: its README line, its label normalised (`label_key`) and its raw text."""

    line: int
    label: str
    value: str
    section: str = ""
    """The heading the fact sits under, normalised (`tokenizer`, `分词器`): `Name` is the
    tokenizer's name only under a tokenizer heading."""


def label_key(text: str) -> str:
    """`**Developed by:**` -> `developed by`: markup, a trailing colon and case dropped."""
    text = re.sub(r"[*`\\]", "", text).strip().strip("_").rstrip(":：").strip()
    return re.sub(r"\s+", " ", text).lower()


def labelled_values(doc: Document) -> list[Labelled]:
    """Every labelled fact of the README, in file order (memoised on the document)."""
    cached = doc.memo.get("labelled")
    if isinstance(cached, list):
        return cached
    found: list[Labelled] = []
    for table in doc.tables:
        header = [label_key(h) for h in table.header]
        if len(header) < 2 or not (KEY_VALUE_HEADERS.match(header[0]) or VALUE_HEADERS.match(header[1])):
            continue
        found += [
            Labelled(line, label_key(row[0]), row[1].strip()) for line, row in table.rows if len(row) >= 2
        ]
    table_lines = {line for table in doc.tables for line, _ in table.rows}
    for number, line in enumerate(doc.lines, start=1):
        if number in doc.code_lines or number in table_lines or "**" not in line:
            continue
        if (match := LABEL_LINE.match(line)) and match.group(2).strip():
            found.append(Labelled(number, label_key(match.group(1)), match.group(2).strip()))
    starts = [line for line, _ in doc.headings]  # in file order: the section is found by bisection
    found = [
        Labelled(item.line, item.label, item.value, _section(doc, starts, item.line))
        for item in sorted(found, key=lambda item: item.line)
    ]
    doc.memo["labelled"] = found
    return found


def _section(doc: Document, starts: list[int], line: int) -> str:
    index = bisect.bisect_left(starts, line) - 1
    return label_key(doc.headings[index][1]) if index >= 0 else ""


def values_for(doc: Document, labels: frozenset[str]) -> list[Labelled]:
    """The labelled facts whose label is one of `labels` (normalised, as `label_key` gives them)."""
    return [item for item in labelled_values(doc) if item.label in labels]
