"""Mutation strategies for the fuzz harness: start from real files, break them the way attackers do.

Pure random text rarely gets past the first parser, so every strategy here starts from a shipped
card, config, README or checkpoint and applies a few mutations: text edits with hostile tokens
(NUL, NEL, BOMs, `{{`, lone pipes, `>>>`, YAML tags, huge numbers), structural edits of the
parsed tree (a leaf replaced by a value of another type, deep nesting, huge integers, binary and
set values), and byte edits (invalid UTF-8, truncation inside a character, a BOM). Sizes are
capped by `max_size` so that one example stays cheap; the bench uses a larger cap than the tests.
"""

from __future__ import annotations

import copy
import datetime
import json
from collections.abc import Sequence
from typing import Any

import yaml
from hypothesis import strategies as st

TOKENS: tuple[str, ...] = (
    "\x00", "\x85", "\ufeff", "\u2028", "\u2029", "\r", "\r\n", "\t", "\x0b", "\x0c", "\x1b[31m",
    "\u202e", "\ud7ff", "\U0010ffff", "é", "中文", "😀", "{{", "}}", "{{ config }}", "{%", "{#",
    "|", "\n|\n", "\n| |\n", "||", "| --- |", ">>>", ">>> ", "```", "\n```\n", "~~~", "---", "\n---\n",
    "...", "!!binary ", "!!set ", "!!float ", "!!int ", "!!str ", "!!timestamp ", "!!null ", "!!map ",
    "!!python/object/apply:os.system ", "!custom ", "&a ", "*a", "<<: ", "? ", "[", "]", "{", "}",
    "- ", ": ", "#", "'", '"', "\\", "%", "%YAML 1.1\n", "::error::x", "\n::add-mask::x\n", "<!--",
    "-->", "<!-- cardkit-lint disable=all -->", "<script>", "-1", "0", "1e999", "-1e999", "NaN",
    ".nan", ".inf", "-.inf", "0x1F", "0o17", "1_000", "~", "null", "true", "yes", "no", "2024-13-45",
    "\\u0000", "\\ud800", "9" * 400, "9" * 5000, str(2**63), str(2**64), "1.7976931348623157e309",
    " " * 300, "a" * 20000, "@article{", "\\begin{", "AutoModel.from_pretrained(", "((((((((",
)
"""Tokens inserted into text: the characters and constructs that crashed or fooled parsers before."""

BAD_BYTES: tuple[bytes, ...] = (
    b"\xff", b"\xfe", b"\xc3", b"\xe4\xb8", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf",
    b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", b"\x80",
)
"""Byte strings that are not valid UTF-8 on their own (or are BOMs)."""

WEIRD_SCALARS: tuple[Any, ...] = (
    None, True, False, 0, -1, 1, 2**31, 2**53 + 1, 2**63, -(2**63) - 1, 2**64, 10**30, 10**300,
    0.5, -0.0, 1e308, float("inf"), float("-inf"), float("nan"), "", " ", "\x00", "\x85", "\ufeff",
    "{{ x }}", "|", ">>>", "a\n::error::injected", "😀" * 50, "x" * 5000, "TODO", "[]", "{}",
)
"""Leaf values of the wrong type, size or sign for almost every field."""


class Raw(str):
    """A JSON fragment pasted verbatim into the serialised document (what `json.dumps` cannot emit)."""


RAW_JSON: tuple[str, ...] = (
    "[" * 2000 + "]" * 2000,
    "[" * 200000 + "]" * 200000,
    '{"a":' * 5000 + "1" + "}" * 5000,
    "9" * 5000,
    "-" + "9" * 4301,
    "1e99999",
    "-1e99999",
    "1" + "0" * 400 + ".5",
    "NaN",
    "Infinity",
    "-Infinity",
    '{"k": 1, "k": 2}',
    '"\\ud800"',
    '"\\u0000"',
)
"""JSON texts that parsers reject or turn into surprises: nesting, 5000-digit numbers, duplicates."""


def nesting(kind: str, depth: int) -> str:
    """Text nested `depth` levels deep in one of the syntaxes the surfaces parse."""
    if kind == "flow-list":
        return "[" * depth + "]" * depth
    if kind == "flow-map":
        return "{a: " * depth + "1" + "}" * depth
    if kind == "block":
        levels = min(depth, 300)  # indentation grows quadratically; 300 levels is 90 KB
        return "\n" + "".join(" " * (2 * i) + "k:\n" for i in range(levels)) + " " * (2 * levels) + "v\n"
    if kind == "markdown":
        return "\n" + "> " * depth + "x\n" + "- " * depth + "y\n"
    return "(" * depth + "1" + ")" * depth  # python expressions in code blocks


NEST_KINDS = ("flow-list", "flow-map", "block", "markdown", "python")


@st.composite
def mutated_text(draw: st.DrawFn, seeds: Sequence[str], max_size: int = 64 * 1024) -> str:
    """A seed with one to six text edits: insert, replace, delete, duplicate, repeat, nest, truncate."""
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(("insert", "replace", "delete", "dup", "repeat", "nest", "lines", "cut")))
        pos = draw(st.integers(0, len(text)))
        span = draw(st.integers(0, 200))
        if op == "insert":
            text = text[:pos] + draw(st.sampled_from(TOKENS)) + text[pos:]
        elif op == "replace":
            text = text[:pos] + draw(st.sampled_from(TOKENS) | st.text(max_size=20)) + text[pos + span :]
        elif op == "delete":
            text = text[:pos] + text[pos + span :]
        elif op == "dup":
            piece = text[pos : pos + span]
            times = min(draw(st.integers(2, 500)), max_size // max(1, len(piece)) + 1)
            text = text[:pos] + piece * times + text[pos:]
        elif op == "repeat":
            token = draw(st.sampled_from(TOKENS))
            times = min(draw(st.integers(2, 5000)), max_size // len(token) + 1)
            text = text[:pos] + token * times + text[pos:]
        elif op == "nest":
            kind = draw(st.sampled_from(NEST_KINDS))
            depth = min(draw(st.integers(10, 20000)), max_size // 2)
            text = text[:pos] + nesting(kind, depth)[:max_size] + text[pos:]
        elif op == "lines":
            lines = text.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        else:
            text = text[:pos]
        text = text[:max_size]
    return text


@st.composite
def encoded(draw: st.DrawFn, text: st.SearchStrategy[str], max_size: int = 64 * 1024) -> bytes:
    """UTF-8 of `text` (lone surrogates kept as bytes), sometimes with invalid bytes, CRLF or a BOM."""
    data = draw(text).encode("utf-8", "surrogatepass")
    choice = draw(st.integers(0, 9))
    if choice == 0:
        pos = draw(st.integers(0, len(data)))
        data = data[:pos] + draw(st.sampled_from(BAD_BYTES)) + data[pos:]
    elif choice == 1:
        data = b"\xef\xbb\xbf" + data
    elif choice == 2:
        data = data.replace(b"\n", b"\r\n")
    elif choice == 3:
        data = data.replace(b"\n", b"\r")
    elif choice == 4 and data:
        pos = draw(st.integers(0, len(data) - 1))
        data = data[:pos] + bytes([data[pos] ^ (1 << draw(st.integers(0, 7)))]) + data[pos + 1 :]
    return data[:max_size]


def _yaml_leaf() -> st.SearchStrategy[Any]:
    return (
        st.sampled_from(WEIRD_SCALARS)
        | st.binary(max_size=16)  # dumped as !!binary
        | st.sets(st.integers(0, 9), max_size=3)  # dumped as !!set
        | st.dates(min_value=datetime.date(1, 1, 1))
        | st.datetimes()
        | st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
        | st.lists(st.integers(), max_size=3)
        | st.dictionaries(st.text(max_size=5), st.integers(), max_size=3)
        | st.integers(2, 200).map(lambda d: _nested_list(d))
    )


def _json_leaf() -> st.SearchStrategy[Any]:
    return (
        st.sampled_from(WEIRD_SCALARS)
        | st.sampled_from(RAW_JSON).map(Raw)
        | st.integers()
        | st.floats()
        | st.text(max_size=30)
        | st.lists(st.integers(), max_size=3)
        | st.dictionaries(st.text(max_size=5), st.integers(), max_size=3)
    )


def _nested_list(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def _children(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return list(node)
    if isinstance(node, list):
        return list(range(len(node)))
    return []


def _mutate_tree(draw: st.DrawFn, root: Any, leaf: st.SearchStrategy[Any], max_size: int) -> Any:
    """Walk from the root to a random node and replace, delete, wrap or extend it.

    Repetition is capped so the serialised tree stays near `max_size`: a list repeated 300 times
    inside another repeated 300 times would make the generator, not cardkit, the memory bomb.
    """
    holder = {"root": root}
    parent: Any = holder
    key: Any = "root"
    while _children(parent[key]) and draw(st.integers(0, 4)) > 0:
        parent, key = parent[key], draw(st.sampled_from(_children(parent[key])))
    op = draw(st.sampled_from(("replace", "replace", "delete", "wrap", "add", "dup")))
    node = parent[key]
    if op == "replace" or (op == "delete" and parent is holder):
        parent[key] = draw(leaf)
    elif op == "delete":
        del parent[key]
    elif op == "wrap":
        parent[key] = draw(st.sampled_from(([node], {"value": node}, [node, node])))
    elif op == "add" and isinstance(node, dict):
        node[draw(st.sampled_from(("x_unknown", "", "\x00", "model_type", "__metadata__", "0")))] = draw(leaf)
    elif op == "add" and isinstance(node, list):
        node.append(draw(leaf))
    elif isinstance(node, (list, str)):
        times = min(draw(st.integers(2, 300)), max(1, max_size // max(1, len(repr(node)))))
        parent[key] = node * times
    else:
        parent[key] = draw(leaf)
    return holder["root"]


@st.composite
def mutated_yaml(draw: st.DrawFn, seeds: Sequence[Any], max_size: int = 64 * 1024) -> str:
    """A parsed seed with one to four tree edits, dumped back (tags, binary and sets included)."""
    data = copy.deepcopy(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        data = _mutate_tree(draw, data, _yaml_leaf(), max_size)
    text = yaml.safe_dump(data, allow_unicode=draw(st.booleans()), sort_keys=False, width=10**6)
    return text[:max_size]


def dump_json(data: Any, ensure_ascii: bool = True) -> str:
    """`json.dumps` that pastes `Raw` fragments in verbatim (nesting and numbers it cannot emit)."""
    raws: list[str] = []

    def mark(value: Any) -> Any:
        if isinstance(value, Raw):
            raws.append(str(value))
            return f"\x00RAW{len(raws) - 1}\x00"
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, list):
            return [mark(v) for v in value]
        return value

    text = json.dumps(mark(data), ensure_ascii=ensure_ascii, allow_nan=True)
    for i, raw in enumerate(raws):
        text = text.replace(json.dumps(f"\x00RAW{i}\x00", ensure_ascii=ensure_ascii), raw, 1)
    return text


@st.composite
def mutated_json(draw: st.DrawFn, seeds: Sequence[Any], max_size: int = 1024 * 1024) -> str:
    """A parsed JSON seed with one to four tree edits, serialised with raw fragments pasted in."""
    data = copy.deepcopy(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        data = _mutate_tree(draw, data, _json_leaf(), max_size)
    return dump_json(data, ensure_ascii=draw(st.booleans()))[:max_size]


def json_file(
    seeds: Sequence[Any], texts: Sequence[str], max_size: int = 256 * 1024
) -> st.SearchStrategy[bytes]:
    """Bytes of a JSON file: a tree mutation, a text mutation of a seed's text, or both."""
    tree = mutated_json(seeds, max_size)
    text = mutated_text(texts, max_size)
    both = tree.flatmap(lambda t: mutated_text([t], max_size))
    return encoded(tree | text | both, max_size)


@st.composite
def mutated_bytes(draw: st.DrawFn, seeds: Sequence[bytes], max_size: int = 1024 * 1024) -> bytes:
    """A binary seed with byte flips, insertions, overwrites, deletions or truncation."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(("flip", "set", "insert", "delete", "cut", "int")))
        pos = draw(st.integers(0, len(data)))
        if op == "flip" and pos < len(data):
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and pos < len(data):
            data[pos] = draw(st.sampled_from((0, 0x7F, 0x80, 0xFF, ord("{"), ord("["))))
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=32))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 64))]
        elif op == "cut":
            del data[pos:]
        else:  # a little-endian integer field overwritten with an extreme value
            value = draw(st.sampled_from((0, 1, 2**31 - 1, 2**32 - 1, 2**63 - 1, 2**64 - 1)))
            data[pos : pos + 8] = value.to_bytes(8, "little")
    return bytes(data[:max_size])
