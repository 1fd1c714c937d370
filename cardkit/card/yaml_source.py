"""Load YAML safely while remembering where every value came from.

Pydantic reports errors as paths (`("architecture", "num_layers")`); users need `file:line:col`.
We compose the YAML node tree once, record the position of every key and item by its path, and
construct the Python data from the same tree, so locations and values can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cardkit.card.codes import (
    FILE_NOT_UTF8,
    FILE_TOO_LARGE,
    YAML_ALIAS,
    YAML_BAD_VALUE,
    YAML_BOM,
    YAML_DUPLICATE_KEY,
    YAML_NOT_JSON,
    YAML_NUMBER_TOO_LONG,
    YAML_SYNTAX,
    YAML_TOO_DEEP,
    YAML_UNSAFE_TAG,
)
from cardkit.card.yaml_prescan import prescan
from cardkit.core.codes import FILE_UNREADABLE, Code
from cardkit.core.findings import Finding
from cardkit.core.safe_io import UnreadableFile, read_bytes_bounded

MAX_CARD_BYTES = 2 * 1024 * 1024
"""A model card is a few kilobytes; anything megabytes long is a mistake or an attack."""

FieldPath = tuple[str | int, ...]


class PureCardLoader(yaml.SafeLoader):
    """The safe loader in pure Python, with dates left as text.

    PyYAML turns `2023-13-45` into an exception deep in its constructor; as text, the schema parses
    the date and reports a bad one with its field path like any other value.
    """


# The base is chosen at import time (libyaml is optional), so mypy sees it as Any.
class CardLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same loader on libyaml's parser when PyYAML was built with it (ten times faster)."""


# Timestamps, and the `=` value tag (a plain `=`), stay text. types-PyYAML solves add_constructor's
# type variable from the method's own class, SafeConstructor, outside its Loader bound (though every
# loader is a SafeConstructor): hence the two ignores.
for _loader in (PureCardLoader, CardLoader):
    for _tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:value"):
        _loader.add_constructor(_tag, yaml.SafeLoader.construct_yaml_str)  # type: ignore[type-var]
SAFE_LOADER: type[yaml.SafeLoader] = CardLoader
"""The loader `load_yaml` uses; tests swap in `PureCardLoader` to show the results do not depend on it."""
MAX_DEPTH = 64
"""Cards nest a handful of levels; the pure-Python composer recurses per level, and libyaml refuses
nesting past 1,000 with its own message, so cardkit's limit is checked on the raw text first."""


def _refused(text: str, display: str) -> Finding | None:
    """Aliases and deep nesting, found in the raw text before any parser reads it (`yaml_prescan`)."""
    refusal = prescan(text, MAX_DEPTH)
    if refusal is None:
        return None
    return refusal.code.finding(refusal.message, display, refusal.line, refusal.column)


@dataclass(frozen=True)
class Position:
    line: int
    column: int


@dataclass
class SourceMap:
    """Positions (1-based) of every mapping key and sequence item, by field path."""

    positions: dict[FieldPath, Position] = field(default_factory=dict)

    def locate(self, path: FieldPath) -> Position | None:
        """Position of `path`, or of its nearest ancestor that exists (for a missing field)."""
        for end in range(len(path), -1, -1):
            found = self.positions.get(tuple(path[:end]))
            if found is not None:
                return found
        return None


@dataclass
class LoadedYaml:
    data: Any
    source_map: SourceMap
    findings: list[Finding]


def _position(mark: yaml.Mark) -> Position:
    return Position(mark.line + 1, mark.column + 1)


_YAML = "tag:yaml.org,2002:"
JSON_TAGS = frozenset(
    _YAML + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "merge", "timestamp", "value")
)
"""Tags whose values are JSON data (dates and `=` are read as text, `<<` merges mappings)."""
NOT_JSON_TAGS = {_YAML + name: name for name in ("binary", "set", "omap", "pairs")}
"""Tags the safe loader would turn into bytes, sets or tuples, which a card (JSON-like data) cannot hold."""
MAX_NUMBER_CHARS = 100
"""A number in a card is a count or a measure (a 2^63 count has 19 digits); a longer one is refused
before conversion, which is quadratic for `1:2:3...` and fails past 4,300 digits."""
_REFUSING = frozenset({YAML_ALIAS, YAML_UNSAFE_TAG, YAML_NOT_JSON, YAML_NUMBER_TOO_LONG})


class _Walker:
    """One pass over the node tree: positions, duplicate keys, and every node's type, before construction.

    Refusing bad types here, where each node's position is known, gives a located finding instead of
    an exception (or a bytes value) surfacing later in the constructor, the cache or `--format json`.
    """

    def __init__(self, out: SourceMap, file: str) -> None:
        self.out, self.file = out, file
        self.findings: list[Finding] = []
        self.scalars: list[tuple[FieldPath, yaml.ScalarNode]] = []
        self.seen: set[int] = set()

    def add(self, code: Code, message: str, node: yaml.Node, path: FieldPath) -> None:
        pos = _position(node.start_mark)
        self.findings.append(
            code.finding(message, self.file, pos.line, pos.column, _dotted(path) or None)
        )

    def _check_type(self, node: yaml.Node, path: FieldPath) -> bool:
        """False (with a finding) for a node whose value would not be plain JSON data."""
        tag = node.tag
        if tag in NOT_JSON_TAGS:
            message = (
                f"`!!{NOT_JSON_TAGS[tag]}` values are not JSON data; "
                "a card holds text, numbers, true/false, null, lists and mappings"
            )
            self.add(YAML_NOT_JSON, message, node, path)
            return False
        if tag not in JSON_TAGS:
            message = f"tag {tag!r} is refused; cards are plain data, language tags are refused"
            self.add(YAML_UNSAFE_TAG, message, node, path)
            return False
        numeric = tag in (_YAML + "int", _YAML + "float")
        if numeric and isinstance(node, yaml.ScalarNode) and len(node.value) > MAX_NUMBER_CHARS:
            message = f"a number of {len(node.value):,} characters; cards allow {MAX_NUMBER_CHARS}"
            self.add(YAML_NUMBER_TOO_LONG, message, node, path)
            return False
        if isinstance(node, yaml.ScalarNode) and tag != _YAML + "str":
            self.scalars.append((path, node))
        return True

    def walk(self, node: yaml.Node, path: FieldPath) -> None:
        """Record positions; report duplicate keys, which PyYAML accepts silently."""
        if not self._check_type(node, path):
            return
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            if id(node) in self.seen:  # an alias the pre-scan missed: refuse rather than expand it
                self.add(YAML_ALIAS, "YAML aliases are not allowed in cards", node, path)
                return
            self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys_seen: dict[Any, Position] = {}
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
                pos = _position(key_node.start_mark)
                if key in keys_seen:
                    first = keys_seen[key]
                    message = (
                        f"duplicate key {key!r} (first defined on line {first.line}); "
                        "YAML keeps only the last"
                    )
                    self.add(YAML_DUPLICATE_KEY, message, key_node, (*path, key))
                keys_seen[key] = pos
                key_path = (*path, key)  # not inline: mypy takes `x[(*a, b)]` for 3.11-only `x[*a, b]`
                self.out.positions[key_path] = pos
                if self._check_type(key_node, key_path):
                    self.walk(value_node, key_path)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                item_path = (*path, index)
                self.out.positions[item_path] = _position(item.start_mark)
                self.walk(item, item_path)


_CONVERSION_ERRORS = (ValueError, TypeError, KeyError, ArithmeticError, yaml.YAMLError)


def _construct(loader: yaml.SafeLoader, node: yaml.Node, walker: _Walker) -> tuple[Any, Finding | None]:
    """The document's data; a value the constructor rejects (`!!float abc`) becomes a located finding."""
    try:
        return loader.construct_document(node), None
    except _CONVERSION_ERRORS as exc:
        failure = exc
    for path, scalar in walker.scalars:  # only on failure: find which value it was
        try:
            loader.yaml_constructors[scalar.tag](loader, scalar)
        except _CONVERSION_ERRORS as exc:
            kind = scalar.tag.removeprefix(_YAML)
            message = f"{scalar.value[:40]!r} is not a valid {kind}: {exc}"
            walker.add(YAML_BAD_VALUE, message, scalar, path)
            return None, walker.findings.pop()
    message = f"a value cannot be read: {failure}"
    return None, YAML_BAD_VALUE.finding(message, walker.file, 1, 1)


def _dotted(path: FieldPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


dotted_path = _dotted


def read_text(path: Path, display: str) -> tuple[str | None, list[Finding]]:
    """Read a card as UTF-8 text with a size bound; a byte-order mark is tolerated but reported.

    Only a regular file is read (`safe_io`): a FIFO named card.yaml is refused instead of blocking.
    """
    try:
        raw = read_bytes_bounded(path, MAX_CARD_BYTES)
    except UnreadableFile as exc:
        if "limit" in exc.reason:
            code, message = FILE_TOO_LARGE, f"{exc.reason}; cards are limited to {MAX_CARD_BYTES:,} bytes"
        else:
            code, message = FILE_UNREADABLE, f"cannot be read: {exc.reason}"
        return None, [code.finding(message, display, 1, 1)]
    findings: list[Finding] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        findings.append(
            YAML_BOM.finding(
                "file starts with a UTF-8 byte-order mark; save it without",
                display,
                1,
                1,
            )
        )
    try:
        return raw.decode("utf-8"), findings
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        findings.append(
            FILE_NOT_UTF8.finding(
                f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; save the file as UTF-8",
                display,
                line,
                column,
            )
        )
        return None, findings


def load_yaml(text: str, display: str) -> LoadedYaml:
    """Parse one YAML document with the safe loader; syntax errors become findings, not exceptions."""
    source_map = SourceMap()
    if len(text) > MAX_CARD_BYTES:  # text from a caller that did not read it through `read_text`
        message = f"{len(text):,} characters; YAML documents are limited to {MAX_CARD_BYTES:,}"
        refusal = FILE_TOO_LARGE.finding(message, display, 1, 1)
        return LoadedYaml(None, source_map, [refusal])
    if refused := _refused(text, display):
        return LoadedYaml(None, source_map, [refused])
    loader = SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return LoadedYaml(None, source_map, [])
        source_map.positions[()] = _position(node.start_mark)
        walker = _Walker(source_map, display)
        walker.walk(node, ())
        if any(f.code in _REFUSING for f in walker.findings):
            return LoadedYaml(None, source_map, walker.findings)
        data, failure = _construct(loader, node, walker)
        return LoadedYaml(data, source_map, walker.findings + ([failure] if failure else []))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        if isinstance(exc, yaml.constructor.ConstructorError) and "tag" in problem:
            code, problem = YAML_UNSAFE_TAG, f"{problem}; cards are plain data, language tags are refused"
        else:
            code, problem = YAML_SYNTAX, f"YAML syntax error: {problem}"
        return LoadedYaml(None, source_map, [code.finding(problem, display, line, column)])
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        message = f"character {exc.character!r} is not allowed in YAML: {exc.reason}"
        return LoadedYaml(
            None, source_map, [YAML_SYNTAX.finding(message, display, line, column)]
        )
    except yaml.YAMLError as exc:
        return LoadedYaml(
            None, source_map, [YAML_SYNTAX.finding(f"YAML error: {exc}", display, 1, 1)]
        )
    except RecursionError:  # only if the pre-scan and the parser ever disagree on the depth
        message = f"nesting deeper than the parser can follow (cardkit's limit is {MAX_DEPTH} levels)"
        refusal = YAML_TOO_DEEP.finding(message, display, 1, 1)
        return LoadedYaml(None, source_map, [refusal])
    finally:
        loader.dispose()
