"""The figures a README states for its model, read against config.json: the architecture tables'
claims (English and Chinese headers), config values under every alias transformers accepts, and
model sizes (`7B`, `121亿`) compared the loose way sizes are named.

lint holds the claims to config.json (lint-config-mismatch, lint-size-mismatch); import copies them
into a draft. Both read them here, so import never depends on lint's rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TypeGuard

from cardkit.readme.document import Document, Table, as_number

NATIVE_MODEL_TYPES = frozenset(
    """
    llama falcon gpt_neox stablelm mistral mixtral gemma gemma2 gemma3 qwen2 qwen2_moe qwen3 phi phi3
    gpt2 gptj gpt_bigcode bloom opt mpt t5 bert roberta starcoder2 olmo olmo2 cohere persimmon
    """.split()
)
"""model_types transformers implements natively (a static subset, so lint never imports transformers):
`trust_remote_code=True` for these runs repository code for no reason."""

CONFIG_KEYS: dict[str, tuple[str, ...]] = {
    "hidden_size": ("hidden_size", "n_embd", "d_model"),
    "num_layers": ("num_hidden_layers", "n_layer", "num_layers"),
    "num_heads": ("num_attention_heads", "n_head"),
    "num_kv_heads": ("num_key_value_heads", "num_kv_heads", "n_head_kv"),
    "max_positions": ("max_position_embeddings", "n_positions", "seq_length", "max_seq_len"),
    "vocab_size": ("vocab_size", "padded_vocab_size"),
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
    `multi_query_group_num` when `multi_query_attention` is on, its embedding rows
    `padded_vocab_size`; Falcon's `multi_query: true` is one key/value head."""
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
    if key == "num_kv_heads" and not config.get("new_decoder_architecture"):
        if config.get("multi_query") is True:  # Falcon's multi-query attention: one key/value head
            return 1
        if not config.get("multi_query"):
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
