"""Rules about numbers: the card's figures must agree with config.json, the model id and each other.

These are the errors copy-paste between model sizes produces: a "7B" sentence left in a 13B card, an
architecture table from the sibling model, a total row that was not updated when a row was removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from statistics import fmean
from typing import TypeGuard

from cardkit.core.findings import Severity
from cardkit.lint.registry import Hit, lint_rule
from cardkit.lint.rules_code import NATIVE_MODEL_TYPES
from cardkit.readme.document import Document, Table, as_number

CONFIG_KEYS: dict[str, tuple[str, ...]] = {
    "hidden_size": ("hidden_size", "n_embd", "d_model"),
    "num_layers": ("num_hidden_layers", "n_layer", "num_layers"),
    "num_heads": ("num_attention_heads", "n_head"),
    "num_kv_heads": ("num_key_value_heads", "num_kv_heads", "n_head_kv"),
    "max_positions": ("max_position_embeddings", "n_positions", "seq_length", "max_seq_len"),
    "vocab_size": ("vocab_size",),
    "vocabulary": ("vocab_size",),
    "intermediate_size": ("intermediate_size", "ffn_hidden_size", "n_inner"),
}
"""Aliases transformers' config classes accept for the same figure."""
CLASS_DEFAULTS: dict[str, dict[str, int]] = {"falcon": {"max_positions": 2048}}
"""Class defaults a config.json may leave out (FalconConfig.max_position_embeddings is 2048)."""

HEADER_PATTERNS: dict[str, str] = {
    "hidden_size": r"hidden[ _]?size|d_model|hidden dim(ension)?|隐藏层大小|隱藏層大小|隐藏层维度|隐藏维度",
    "num_layers": r"layers|n_layers|num(ber of)?[ _]layers|层数|層數",
    "num_heads": r"heads|n_heads|(num(ber of)? )?attention heads|注意力头数|注意力頭數",
    "num_kv_heads": r"kv heads|key[-/ ]value heads|kv ?头数|kv ?頭數|键/值头数",
    "max_positions": r"sequence length|seq(uence)?[ _]len|context length|content length|position limit"
    r"|序列长度|上下文长度|位置上限",
    "vocabulary": r"vocab(ulary)?([ _]size)?|词汇量|词表大小|詞表大小",
    "vocab_size": r"embedding rows|嵌入矩阵行数",
    "head_dim": r"head[_ ]dim(ension)?|头维度",
    "intermediate_size": r"intermediate[_ ]size|ffn[_ ]size|feed-?forward size|前馈层维度",
    "parameters": r"parameters|params|参数数量|参数量|參數數量|model size|size",
}
"""Table headers (English and Chinese) for each figure; `vocabulary` is the tokenizer's, `vocab_size`
the embedding's rows, which may be larger (padding)."""
HEADERS = {key: re.compile(f"^({pattern})$", re.IGNORECASE) for key, pattern in HEADER_PATTERNS.items()}


def _integer(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def config_value(doc: Document, key: str) -> int | None:
    """A figure from config.json under any of its aliases, else the class default, else None.

    transformers' class for a native model_type reads the first alias and ignores stray keys; for a
    remote-code model (Qwen's `qwen`, ChatGLM's `chatglm`) nobody here knows which key its code
    reads, so aliases that disagree (`seq_length` 8192, `max_position_embeddings` 32768) leave the
    figure uninterpreted (None) rather than guessed. ChatGLM's grouped-query heads are
    `multi_query_group_num` when `multi_query_attention` is on."""
    config = doc.config or {}
    if key == "head_dim":
        if _integer(head_dim := config.get("head_dim")):
            return head_dim
        hidden, heads = config_value(doc, "hidden_size"), config_value(doc, "num_heads")
        return hidden // heads if hidden and heads else None
    if key == "num_kv_heads" and config.get("multi_query_attention") is True:
        group = config.get("multi_query_group_num")
        return group if _integer(group) else None
    stated = [value for alias in CONFIG_KEYS[key] if _integer(value := config.get(alias))]
    if len(set(stated)) > 1 and doc.model_type not in NATIVE_MODEL_TYPES:
        return None
    if stated:
        return stated[0]
    if key == "num_kv_heads" and not config.get("multi_query") and not config.get("new_decoder_architecture"):
        return config_value(doc, "num_heads")
    return CLASS_DEFAULTS.get(doc.model_type or "", {}).get(key)


UNIT_OR_MARK = re.compile(r"[*`]|(?<!\s)\s*+[(（][^()（）]*+[)）]\s*+$")
"""Emphasis or code marks, or a final `(unit)`. The run of spaces is entered only at its start and the
unit stops at the next parenthesis, so a cell of spaces or of `((((` is read once, not once per start."""


def header_key(text: str) -> str | None:
    """The figure a header names; emphasis, code marks and a unit in parentheses are ignored, and a
    bilingual header (`Hidden size · 隐藏层维度`, as `cardkit render --lang en+zh` writes) is read
    part by part."""
    for part in text.split(" · "):
        cleaned = UNIT_OR_MARK.sub("", part).strip()
        if key := next((key for key, pattern in HEADERS.items() if pattern.match(cleaned)), None):
            return key
    return None


def size_of(text: str) -> float | None:
    """A size cell in billions: `7B`, `13b`, `2,795,443,200`, `121亿`."""
    text = text.strip()
    if match := re.fullmatch(r"(\d+(?:\.\d+)?)\s?[bB]", text):
        return float(match.group(1))
    if match := re.fullmatch(r"(\d+(?:\.\d+)?)\s?亿", text):
        return float(match.group(1)) / 10
    value = as_number(text)
    return value / 1e9 if value and value >= 1e8 else None


def same_size(a: float, b: float) -> bool:
    """Size names are loose (2.8B is sold as 3B, 3.6B with untied embeddings as 3B, 6.7B as 7B), but
    neighbouring sizes of one family are at least ~1.5x apart (7B/13B, 3B/7B): within 1.3x is the same."""
    return a > 0 and b > 0 and max(a, b) / min(a, b) <= 1.3


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
    13B card): text copied between the cards of a family and not updated. Fix the size, or declare a
    family card (`--family`) when the README describes several models."""
    size = doc.size_billions
    if size is None:
        return
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
    yield from _table_sizes(doc, size)


def _size_match(match: re.Match[str]) -> float:
    return float(match.group(1)) if match.group(1) else float(match.group(2)) / 10


def _table_sizes(doc: Document, size: float) -> Iterator[Hit]:
    for table in doc.tables:
        for line, key, cell in table_claims(doc, table):
            stated = size_of(cell) if key == "parameters" else None
            if stated is not None and not same_size(stated, size):
                yield Hit(line, f"table says {cell} parameters; the model is {size:g}B", actual=cell)


# ---- architecture tables vs config.json ---------------------------------------------------------


@lint_rule(
    "lint-config-mismatch",
    Severity.ERROR,
    "an architecture table (layers, hidden size, heads; English or Chinese headers) contradicts config.json",
)
def config_mismatch(doc: Document) -> Iterator[Hit]:
    """An architecture table (layers, hidden size, heads, vocabulary; English or Chinese headers)
    states a value config.json contradicts, as transformers' config class reads it (aliases, class
    defaults). Needs `--config`. The table is what readers trust: fix it."""
    if not doc.config:
        return
    for table in doc.tables:
        for line, key, cell in table_claims(doc, table):
            if key == "parameters":
                continue
            claimed, truth = as_number(cell), config_value(doc, key)
            if claimed is None or truth is None or _agrees(key, cell, claimed, truth):
                continue
            yield Hit(
                line,
                f"table says {key} is {cell}; config.json says {truth}",
                expected=truth,
                actual=cell,
            )


def _agrees(key: str, cell: str, claimed: float, truth: int) -> bool:
    """Equal, `4k` for 4000 or 4096, or a tokenizer vocabulary within the (padded) embedding rows."""
    if claimed == truth or (cell.strip().lower().endswith("k") and claimed / 1024 * 1000 == truth):
        return True
    return key == "vocabulary" and claimed <= truth


def table_claims(doc: Document, table: Table) -> Iterator[tuple[int, str, str]]:
    """(line, config key, cell) for each cell that states an architecture figure of this model."""
    keys = [header_key(h) for h in table.header]
    if any(k not in (None, "parameters") for k in keys):
        for line, row in _rows_for_this_model(doc, table, keys):
            for key, cell in zip(keys, row, strict=False):
                if key:
                    yield line, key, plain_cell(cell)
        return
    for line, row in table.rows:  # key-value tables: `Layers | 60 | comment`
        if len(row) >= 2 and (key := header_key(row[0])):
            yield line, key, plain_cell(row[1])


def plain_cell(cell: str) -> str:
    """`2,795,443,200 (`3B`)` -> `2,795,443,200`: the figure without its gloss or code marks."""
    text = cell.replace("`", "")
    cut = min((i for i in (text.find("("), text.find("（")) if i >= 0), default=len(text))
    return text[:cut].strip() or cell


def _rows_for_this_model(
    doc: Document, table: Table, keys: list[str | None]
) -> Iterator[tuple[int, list[str]]]:
    """A one-row table describes this model; in a family table, only the row of this model's size."""
    if len(table.rows) == 1:
        yield table.rows[0]
        return
    size = doc.size_billions
    if "parameters" not in keys or size is None:
        return
    index = keys.index("parameters")
    for line, row in table.rows:
        stated = size_of(row[index]) if index < len(row) else None
        if stated is not None and same_size(stated, size):
            yield line, row


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
