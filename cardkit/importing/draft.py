"""What a draft is made of: TODO placeholders, plain values read defensively, and its YAML text.

The draft is a starting point for a person, so it must never guess: every field the source does not
state is a `{TODO: "what to write here"}` mapping. A mapping is never a valid value for any field of
the schema, so `cardkit validate` reports each TODO at its line until someone fills it. The YAML is
written by the card writer's own dumper (cardkit.card.dump), so every string a card keeps, a draft
keeps (NEL, LS/PS and CR included).
"""

from __future__ import annotations

import math
import re
from typing import Any

from cardkit.card.dump import dump_yaml
from cardkit.core.text_patterns import MIRROR_HOSTS
from cardkit.readme.document import Document

TODO = "TODO"

Draft = dict[str, Any]


def todo(hint: str) -> dict[str, str]:
    """The placeholder for a value the source does not state."""
    return {TODO: hint}


def todo_text(hint: str) -> dict[str, dict[str, str]]:
    return {"en": todo(f"{hint} (English)"), "zh": todo(f"{hint} (Simplified Chinese)")}


def is_todo(value: object) -> bool:
    return isinstance(value, dict) and set(value) == {TODO}


def canonical_url(url: str) -> str:
    """Undo a mirror's rewrite of a Hub link (`cardkit lint` reports it as lint-mirror-url)."""
    for mirror, host in MIRROR_HOSTS.items():
        url = re.sub(rf"^(https?://){re.escape(mirror)}", rf"\g<1>{host}", url)
    return url


def as_mapping(value: object) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def as_items(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def as_text(value: object) -> str | None:
    """A front-matter scalar as text; None for lists, mappings, and numbers too long to print."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        try:
            return str(value)
        except ValueError:  # an integer past Python's limit on digits converted to text
            return None
    return None


def as_metric_value(value: object) -> float | int | None:
    """A score as a plain finite number (a 10,000-digit integer is not a score, and cannot be written)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int):
        return value if abs(value) < 10**15 else None
    return value if math.isfinite(value) else None


def as_count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**6 else None


def prose_text(doc: Document) -> str:
    """The card's sentences without its code: `torch_dtype=torch.bfloat16` is not training precision."""
    return "\n".join(segment.text for segment in doc.prose)


def fill_field(draft: Draft, path: tuple[str, ...], value: Any) -> None:
    """Set draft[path] to `value` where it is absent or TODO; a stated value is never overwritten."""
    node = draft
    for key in path[:-1]:
        child = node.get(key)
        if child is None or is_todo(child):
            child = node[key] = {}
        if not isinstance(child, dict):
            return
        node = child
    if path[-1] not in node or is_todo(node[path[-1]]):
        node[path[-1]] = value



def draft_yaml(draft: Draft) -> str:
    """YAML text of a draft, with the schema comment first; long lines kept whole, `|` for code."""
    return dump_yaml(draft)
