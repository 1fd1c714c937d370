"""Rules about numbers: the card's figures must agree with config.json, the model id and each other.

These are the errors copy-paste between model sizes produces: a "7B" sentence left in a 13B card, an
architecture table from the sibling model, a total row that was not updated when a row was removed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from statistics import fmean

from cardkit.core.findings import Severity
from cardkit.lint.registry import Hit, lint_rule
from cardkit.readme.document import Document, as_number
from cardkit.readme.numbers import ConfigFigure, config_figure, interpreter, same_size, size_of, table_claims

# ---- sizes in sentences -------------------------------------------------------------------------

SELF_REFERENCE = re.compile(
    r"\bthis (?:model|repository|repo|checkpoint)\b|\bthe repository for\b|\bthis is the\b|"
    r"本模型|该模型|該模型|此模型|这是|這是",
    re.IGNORECASE,
)
SIZE_IN_TEXT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?(?:B|billion)\b|(?<!\d)(\d+(?:\.\d+)?)\s?亿")
"""No match starts inside a run of digits: a run of n digits was tried from each digit (quadratic)."""
SENTENCE_END = re.compile(r"(?<=[。！？])|(?<=[.!?])\s+")


@lint_rule(
    "lint-size-mismatch",
    Severity.ERROR,
    "a sentence or table about this model names another size than its model id (a 7B line in a 13B card)",
)
def size_mismatch(doc: Document) -> Iterator[Hit]:
    """A sentence or table row about this model names another size than its model id (a 7B line in a
    13B card): text copied between the cards of a family and not updated. A table's parameter cell
    is held to the exact count instead when transformers built the architecture from `--config`.
    Fix the size, or declare a family card (`--family`) when the README describes several models."""
    size = doc.size_billions
    if size is not None:
        yield from _sentence_sizes(doc, size)
    yield from _table_sizes(doc, size)


def _sentence_sizes(doc: Document, size: float) -> Iterator[Hit]:
    for segment in doc.prose:
        offset = 0
        for sentence in SENTENCE_END.split(segment.text):
            if not sentence:
                continue
            offset = segment.text.find(sentence, offset)
            sizes = [_size_match(m) for m in SIZE_IN_TEXT.finditer(sentence)]
            if sizes and SELF_REFERENCE.search(sentence) and not any(same_size(s, size) for s in sizes):
                yield Hit(
                    segment.line,
                    f"sentence about this model says {sizes[0]:g}B; the model is {size:g}B: "
                    f"{sentence.strip()!r}",
                    segment.column + offset,
                    expected=f"{size:g}B",
                    actual=f"{sizes[0]:g}B",
                )


def _size_match(match: re.Match[str]) -> float:
    return float(match.group(1)) if match.group(1) else float(match.group(2)) / 10


def _table_sizes(doc: Document, size: float | None) -> Iterator[Hit]:
    """Table rows about this model whose parameter cell names another size than the exact count
    (`--config` read by transformers) or, without one, the size in the model id."""
    count = config_figure(doc, "parameters").value if doc.config else None
    if count:
        size, model = count / 1e9, f"{count:,} parameters as transformers builds config.json"
    elif size is not None:
        model = f"{size:g}B"
    else:
        return
    for table in doc.tables:
        for line, key, cell in table_claims(doc, table):
            stated = size_of(cell) if key == "parameters" else None
            if stated is not None and not same_size(stated, size):
                yield Hit(line, f"table says {cell} parameters; the model is {model}", actual=cell)


# ---- architecture tables vs config.json ---------------------------------------------------------


@lint_rule(
    "lint-config-mismatch",
    Severity.ERROR,
    "an architecture table (layers, hidden size, heads; English or Chinese headers) contradicts config.json",
)
def config_mismatch(doc: Document) -> Iterator[Hit]:
    """An architecture table (layers, hidden size, heads, vocabulary; English or Chinese headers)
    states a value config.json contradicts: as transformers reads it (its config class and the
    architecture built on the meta device, as `cardkit validate` does) when it is installed and
    implements the model_type, else only the keys every config class reads literally. Needs
    `--config`. The table is what readers trust: fix it."""
    for line, key, cell, claimed, figure in _claims_against_config(doc):
        if figure.value is None or _agrees(key, cell, claimed, figure.value):
            continue
        source = "transformers reads config.json as" if figure.exact else "config.json says"
        yield Hit(
            line,
            f"table says {key} is {cell}; {source} {figure.value}",
            expected=figure.value,
            actual=cell,
        )


@lint_rule(
    "lint-config-not-interpreted",
    Severity.INFO,
    "an architecture table's figure config.json states only under a family's own key: not verified",
)
def config_not_interpreted(doc: Document) -> Iterator[Hit]:
    """An architecture table states a figure that config.json gives only under a family's own key
    (`n_head_kv`, `multi_query`, ChatGLM's `multi_query_group_num`) or a switch that changes how its
    config class reads it, and lint read only the keys every class reads literally (`--no-model`,
    transformers not installed, or a model_type that is repository code). Only the class, or the
    repository's code, can say what the key means, so the figure is neither passed nor failed:
    check it with transformers installed (or `cardkit validate` on the card)."""
    why = doc.reading.why_literal
    for line, key, cell, claimed, figure in _claims_against_config(doc):
        if not figure.unverified(claimed, functools.partial(_agrees, key, cell)):
            continue
        if figure.undetermined:
            message = f"table says {key} is {cell}; transformers' build leaves it open: {figure.undetermined}"
        else:
            keys = ", ".join(f"`{k}: {v!r}`" for k, v in figure.unread.items())
            message = (
                f"table says {key} is {cell}; config.json states it only as {keys}, which only "
                f"{interpreter(doc)} can read: not verified"
            )
            if doc.reading.native is not False:
                message += f" (lint read the literal keys only: {why})"
        yield Hit(line, message, actual=cell)


def _claims_against_config(doc: Document) -> Iterator[tuple[int, str, str, float, ConfigFigure]]:
    """(line, figure key, cell, claimed number, what config.json gives) for each architecture cell."""
    if not doc.config:
        return
    for table in doc.tables:
        for line, key, cell in table_claims(doc, table):
            if key == "parameters" or (claimed := as_number(cell)) is None:
                continue
            yield line, key, cell, claimed, config_figure(doc, key)


def _agrees(key: str, cell: str, claimed: float, truth: int) -> bool:
    """Equal, `4k` for 4000 or 4096, or a tokenizer vocabulary within the (padded) embedding rows."""
    if claimed == truth or (cell.strip().lower().endswith("k") and claimed / 1024 * 1000 == truth):
        return True
    return key == "vocabulary" and claimed <= truth


# ---- totals and averages ------------------------------------------------------------------------

TOTAL_ROW = re.compile(r"^\**\s*(total|sum|总计|合计|總計|合計)\b", re.IGNORECASE)
AVERAGE_ROW = re.compile(r"^\**\s*(avg\.?|average|mean|平均值?|平均分)\s*\**$", re.IGNORECASE)


def _decimals(cell: str) -> int:
    return len(cell.split(".")[1]) if "." in cell else 0


@lint_rule(
    "lint-total-mismatch",
    Severity.ERROR,
    "a table's total row is not the sum of the rows above it",
)
def total_mismatch(doc: Document) -> Iterator[Hit]:
    """A table's total row is not the sum of the rows above it (within rounding): a total copied from
    elsewhere, or rows edited without it. Fix the total or the rows."""
    for table in doc.tables:
        group: list[list[str]] = []  # the rows since the table's start or its previous total
        for line, row in table.rows:
            if AVERAGE_ROW.match(row[0]):
                continue
            if not TOTAL_ROW.match(row[0]):
                group.append(row[1:])
                continue
            if hit := _total_hit(line, group, row[1:], space_table=not table.header):
                yield hit
            group = []


def _total_hit(line: int, group: list[list[str]], stated: list[str], space_table: bool) -> Hit | None:
    columns = _aligned(group, stated, space_table)
    wrong = [
        (cell, total)
        for cell, total, value in _sums(columns, stated)
        if abs(total - value) > (len(group) + 1) * 0.5 * 10 ** -_decimals(cell) + 1e-9
    ]
    if not wrong:
        return None
    cell, total = wrong[0]
    return Hit(
        line,
        "total row is not the sum of its rows: "
        + "; ".join(f"stated {c}, rows sum to {t:,.{_decimals(c)}f}" for c, t in wrong),
        expected=round(total, _decimals(cell)),
        actual=cell,
    )


def _is_summary(label: str) -> bool:
    return bool(TOTAL_ROW.match(label) or AVERAGE_ROW.match(label))


def _aligned(rows: list[list[str]], stated: list[str], space_table: bool) -> list[list[str]]:
    """Columns of `rows` matching the stated cells; a space table's total may skip constant columns
    (power per GPU is not summed), which is the only way its shorter total row can line up."""
    if not rows or max(len(r) for r in rows) > MAX_TABLE_COLUMNS:
        return []
    width = len(stated)
    columns = [[row[i] if i < len(row) else "" for row in rows] for i in range(max(len(r) for r in rows))]
    if space_table and len(columns) > width:
        columns = [c for c in columns if len({as_number(v) for v in c}) > 1]
    return columns if len(columns) == width else []


def _sums(columns: list[list[str]], stated: list[str]) -> Iterator[tuple[str, float, float]]:
    for column, cell in zip(columns, stated, strict=False):
        total, values = as_number(cell), [as_number(v) for v in column]
        if total is None or not values or None in values:
            continue
        yield cell, sum(v for v in values if v is not None), total


@lint_rule(
    "lint-average-mismatch",
    Severity.ERROR,
    "a table's average row is not the mean of the other rows",
)
def average_mismatch(doc: Document) -> Iterator[Hit]:
    """A table's average row is not the mean of the other rows (within rounding): an average over
    other rows than the table shows, or a stale one. Fix the average or the rows."""
    for table in doc.tables:
        averages = [(line, row) for line, row in table.rows if AVERAGE_ROW.match(row[0])][:MAX_AVERAGE_ROWS]
        others = [row[1:] for _, row in table.rows if not _is_summary(row[0])] if averages else []
        for line, row in averages:
            if hit := _average_hit(line, row[1:], others):
                yield hit


MAX_AVERAGE_ROWS = 10
"""Real tables state one average (a few at most); a bound keeps crafted input from costing O(rows^2)."""
MAX_TABLE_COLUMNS = 64
"""Sums and means are checked in tables up to 64 columns wide; a wider row would make each check
cost rows x columns, which one crafted row could make quadratic in the file's size."""


def _average_hit(line: int, stated_row: list[str], others: list[list[str]]) -> Hit | None:
    for index, cell in enumerate(stated_row[:MAX_TABLE_COLUMNS]):
        stated = as_number(cell)
        values = [as_number(r[index]) if index < len(r) else None for r in others]
        if stated is None or not values or None in values:
            continue
        mean = fmean(v for v in values if v is not None)
        row_decimals = max(_decimals(r[index]) for r in others)
        tolerance = 0.5 * 10 ** -_decimals(cell) + 0.5 * 10**-row_decimals + 1e-9
        if abs(mean - stated) > tolerance:
            return Hit(
                line,
                f"average row states {cell} but the mean of its {len(values)} rows is {mean:.4f}",
                expected=round(mean, _decimals(cell)),
                actual=cell,
            )
    return None
