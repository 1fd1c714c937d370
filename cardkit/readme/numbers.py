"""The figures a README states for its model, read against config.json: the architecture tables'
claims (English and Chinese headers), the figure config.json gives for each, and model sizes
(`7B`, `121亿`) compared the loose way sizes are named.

lint holds the claims to config.json (lint-config-mismatch, lint-size-mismatch); import copies them
into a draft. Both read them here, so import never depends on lint's rules. The figure config.json
gives is transformers' own reading when the caller computed it (`Document.reading`, the facts
validate uses); otherwise only the keys every config class reads literally count
(`cardkit.card.config_facts`, the table `validate --no-model` uses), and a figure that only a
family's spelling states is reported as uninterpreted, never guessed from an alias table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from cardkit.card.config_facts import literal_facts, uninterpreted
from cardkit.readme.document import Document, Table, as_number

FACT_OF: dict[str, str] = {
    "hidden_size": "hidden_size",
    "num_layers": "num_layers",
    "num_heads": "num_attention_heads",
    "num_kv_heads": "num_kv_heads",
    "max_positions": "max_position_embeddings",
    "vocab_size": "vocab_size",
    "vocabulary": "vocab_size",
    "intermediate_size": "intermediate_size",
    "head_dim": "head_dim",
    "parameters": "parameters.count",
}
"""Figure a table header names -> the architecture fact it is (`vocabulary`, the tokenizer's, is
held to the embedding rows it may not exceed)."""

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


@dataclass(frozen=True)
class ConfigFigure:
    """What config.json gives for one figure: `value` when it is known (`exact`: as transformers
    builds it), else the keys only the config class reads (`unread`) or why the build leaves it
    unknown (`undetermined`); all empty when the file says nothing about it."""

    value: int | None = None
    exact: bool = False
    unread: dict[str, Any] = field(default_factory=dict)
    undetermined: str = ""

    def unverified(self, claimed: float, agrees: Callable[[float, int], bool]) -> bool:
        """Whether a claim of this figure is left open: the class reads it from a switch (Falcon's
        `multi_query`), a family key states another number, or the build could not tell."""
        if self.value is not None:
            return False
        numbers = [v for v in self.unread.values() if _integer(v)]
        switched = len(numbers) < len(self.unread)
        return bool(self.undetermined) or switched or any(not agrees(claimed, v) for v in numbers)


def config_figure(doc: Document, key: str) -> ConfigFigure:
    """The figure config.json gives for a table's `key`: transformers' fact when the caller read
    the config with it (`doc.reading.facts`), else the literal key's value, else the family keys
    that bear on it (`n_head_kv`, `multi_query`), for a note; never a guess."""
    config, fact = doc.config or {}, FACT_OF[key]
    facts = doc.reading.facts
    if facts is not None:
        value = facts.values.get(fact)
        if _integer(value):
            return ConfigFigure(value, exact=True)
        return ConfigFigure(undetermined=facts.undetermined.get(fact, ""))
    value = literal_facts(config).get(fact)
    if _integer(value):
        return ConfigFigure(value)
    return ConfigFigure(unread=uninterpreted(config, fact))


def interpreter(doc: Document) -> str:
    """Who decides what config.json's family keys mean: the repository's code or the config class."""
    if doc.reading.native is False:
        return f"the repository's code (model_type {doc.model_type!r})"
    return f"the config class of model_type {doc.model_type!r}"


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
