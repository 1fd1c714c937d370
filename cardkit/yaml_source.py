"""Load YAML safely while remembering where every value came from.

Pydantic reports errors as paths (`("architecture", "num_layers")`); users need `file:line:col`.
We compose the YAML node tree once, record the position of every key and item by its path, and
construct the Python data from the same tree, so locations and values can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cardkit.findings import Finding, Severity

MAX_CARD_BYTES = 2 * 1024 * 1024
"""A model card is a few kilobytes; anything megabytes long is a mistake or an attack."""

FieldPath = tuple[str | int, ...]


class CardLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader (libyaml's when available: ten times faster), with dates left as text.

    PyYAML turns `2023-13-45` into an exception deep in its constructor; as text, the schema parses
    the date and reports a bad one with its field path like any other value.
    """


CardLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)
SAFE_LOADER = CardLoader
MAX_DEPTH = 64
"""Cards nest a handful of levels; the composer recurses per level and would crash far below 10,000."""


def _scan_events(text: str, display: str) -> Finding | None:
    """Refuse aliases and deep nesting from the event stream, before anything expands or recurses.

    libyaml's parser is iterative, so this pass is safe on any input; the composer that follows is
    recursive (deep nesting would crash it) and expands aliases (a YAML bomb would exhaust memory).
    """
    depth = 0
    for event in yaml.parse(text, Loader=SAFE_LOADER):
        mark = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            return Finding(
                "yaml-alias",
                Severity.ERROR,
                "YAML anchors and aliases are not allowed in cards; write the value out",
                display,
                mark.line + 1,
                mark.column + 1,
            )
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return Finding(
                    "yaml-too-deep",
                    Severity.ERROR,
                    f"nesting deeper than {MAX_DEPTH} levels",
                    display,
                    mark.line + 1,
                    mark.column + 1,
                )
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1
    return None


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


def _walk(node: yaml.Node, path: FieldPath, out: SourceMap, file: str) -> Iterator[Finding]:
    """Record positions; report duplicate keys, which PyYAML accepts silently."""
    if isinstance(node, yaml.MappingNode):
        keys_seen: dict[Any, Position] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
            pos = _position(key_node.start_mark)
            if key in keys_seen:
                first = keys_seen[key]
                yield Finding(
                    "yaml-duplicate-key",
                    Severity.ERROR,
                    f"duplicate key {key!r} (first defined on line {first.line}); YAML keeps only the last",
                    file,
                    pos.line,
                    pos.column,
                    field=_dotted((*path, key)),
                )
            keys_seen[key] = pos
            out.positions[(*path, key)] = pos
            yield from _walk(value_node, (*path, key), out, file)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            out.positions[(*path, index)] = _position(item.start_mark)
            yield from _walk(item, (*path, index), out, file)


def _dotted(path: FieldPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


dotted_path = _dotted


def read_text(path: Path, display: str) -> tuple[str | None, list[Finding]]:
    """Read a card as UTF-8 text with a size bound; a byte-order mark is tolerated but reported."""
    size = path.stat().st_size
    if size > MAX_CARD_BYTES:
        return None, [
            Finding(
                "file-too-large",
                Severity.ERROR,
                f"file is {size:,} bytes; cards are limited to {MAX_CARD_BYTES:,}",
                display,
                1,
                1,
            )
        ]
    raw = path.read_bytes()
    findings: list[Finding] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        findings.append(
            Finding(
                "yaml-bom",
                Severity.ERROR,
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
            Finding(
                "file-not-utf8",
                Severity.ERROR,
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
    loader = SAFE_LOADER(text)
    try:
        if refused := _scan_events(text, display):
            return LoadedYaml(None, source_map, [refused])
        node = loader.get_single_node()
        if node is None:
            return LoadedYaml(None, source_map, [])
        source_map.positions[()] = _position(node.start_mark)
        findings = list(_walk(node, (), source_map, display))
        return LoadedYaml(loader.construct_document(node), source_map, findings)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        if isinstance(exc, yaml.constructor.ConstructorError) and "tag" in problem:
            code, problem = "yaml-unsafe-tag", f"{problem}; cards are plain data, language tags are refused"
        else:
            code, problem = "yaml-syntax", f"YAML syntax error: {problem}"
        return LoadedYaml(None, source_map, [Finding(code, Severity.ERROR, problem, display, line, column)])
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        message = f"character {exc.character!r} is not allowed in YAML: {exc.reason}"
        return LoadedYaml(
            None, source_map, [Finding("yaml-syntax", Severity.ERROR, message, display, line, column)]
        )
    except yaml.YAMLError as exc:
        return LoadedYaml(
            None, source_map, [Finding("yaml-syntax", Severity.ERROR, f"YAML error: {exc}", display, 1, 1)]
        )
    finally:
        loader.dispose()
