"""Find card files and turn each into a validated `Card` or into findings that say why not."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cardkit.card.codes import CARD_SCHEMA_COMMENT, SCHEMA, SCHEMA_NOT_A_MAPPING, TODO
from cardkit.card.dump import SCHEMA_COMMENT
from cardkit.card.paths import display_path
from cardkit.card.yaml_source import SourceMap, dotted_path, load_yaml, read_text
from cardkit.core.codes import Code
from cardkit.core.findings import Finding, Severity
from cardkit.schema import Card


@dataclass
class LoadedCard:
    """A card file as read, whether or not it validated: where each field came from, and findings.

    `load_card` returns one of its two kinds: `CheckedCard` (the schema accepted it; `card` is the
    model) or `FailedLoad` (unreadable, not YAML, not a mapping, or rejected by the schema). Code
    that needs the model takes `CheckedCard`, so the type checker proves it is never handed `None`.
    """

    path: Path
    display: str
    source_map: SourceMap
    raw: Any = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return self.path.parent

    def finding(
        self,
        code: Code,
        message: str,
        field_path: tuple[str | int, ...],
        expected: Any = None,
        actual: Any = None,
        line_offset: int = 0,
        *,
        severity: Severity | None = None,
    ) -> Finding:
        """A finding located at `field_path` of this card (or its nearest existing ancestor)."""
        pos = self.source_map.locate(field_path)
        return code.finding(
            message,
            self.display,
            pos.line + line_offset if pos else None,
            pos.column if pos else None,
            dotted_path(field_path) or None,
            expected,
            actual,
            severity=severity,
        )


@dataclass
class CheckedCard(LoadedCard):
    """A card the schema accepted: `card` is its model. Its findings may still hold errors that
    validation does not catch (a duplicate YAML key, a missing schema comment)."""

    card: Card = field(kw_only=True)


@dataclass
class FailedLoad(LoadedCard):
    """A card file that did not become a `Card`; its findings say why."""


def _todo_at(raw: Any, loc: tuple[str | int, ...]) -> tuple[tuple[str | int, ...], dict[str, Any]] | None:
    """The `{TODO: hint}` mapping at `loc` or above it in the card as written, with where it is."""
    node = raw
    for depth in range(len(loc) + 1):
        if isinstance(node, dict) and list(node) == ["TODO"]:
            return loc[:depth], node
        if depth == len(loc):
            return None
        key = loc[depth]
        in_list = isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)
        if in_list or (isinstance(node, dict) and key in node):
            node = node[key]
        else:
            return None
    return None


def _schema_findings(error: ValidationError, loaded: LoadedCard) -> list[Finding]:
    findings = []
    todos: set[tuple[str | int, ...]] = set()
    for item in error.errors(include_url=False):
        loc = tuple(p for p in item["loc"] if not isinstance(p, str) or "[" not in p)  # no union tags
        actual = item.get("input")
        if (at := _todo_at(loaded.raw, loc)) is not None:  # left by `cardkit new`/`import`
            loc, actual = at
            if loc not in todos:
                todos.add(loc)
                findings.append(loaded.finding(TODO, f"TODO: {actual['TODO']}", loc))
            continue
        if isinstance(actual, dict | list):
            actual = None
        expected = (item.get("ctx") or {}).get("expected")
        findings.append(
            loaded.finding(
                SCHEMA.member(item["type"].replace("_", "-")),
                item["msg"],
                loc,
                expected=str(expected) if expected is not None else None,
                actual=actual,
            )
        )
    return findings


def load_card(path: Path) -> CheckedCard | FailedLoad:
    """Read, parse and validate one card file. Never raises for bad content: it reports."""
    display = display_path(path)
    text, findings = read_text(path, display)
    loaded = FailedLoad(path, display, SourceMap(), findings=findings)
    if text is None:
        return loaded
    parsed = load_yaml(text, display)
    loaded.source_map, loaded.raw = parsed.source_map, parsed.data
    loaded.findings += parsed.findings
    if parsed.data is None and parsed.findings:
        return loaded
    if not isinstance(parsed.data, dict):
        loaded.findings.append(
            SCHEMA_NOT_A_MAPPING.finding(
                "a card must be a YAML mapping of sections",
                display,
                1,
                1,
            )
        )
        return loaded
    if not text.startswith(SCHEMA_COMMENT):
        loaded.findings.append(
            CARD_SCHEMA_COMMENT.finding(
                f"first line should be `{SCHEMA_COMMENT}<path to card.schema.json>` for editor checks",
                display,
                1,
                1,
            )
        )
    try:
        card = Card.model_validate(parsed.data)
    except ValidationError as exc:
        loaded.findings += _schema_findings(exc, loaded)
        return loaded
    return CheckedCard(path, display, loaded.source_map, loaded.raw, loaded.findings, card=card)
