"""Turn any value a finding can carry into one that `json.dumps` always accepts.

A finding's `expected` and `actual` may hold whatever a card's YAML held: `!!binary` bytes, a
`!!set`, dates, non-string keys, NaN, an integer of 5,000 digits (which `str()` refuses), a
structure that contains itself (YAML anchors allow it), or an alias bomb that shares one list a
billion times. `json_safe` keeps what JSON can say as it is and spells the rest as short strings,
with a bound on depth and on the number of values visited, so a report is always printed whole.
"""

from __future__ import annotations

import base64
import datetime
import enum
import json
import math
import re
from typing import Any

MAX_DEPTH = 64
"""Nesting below this is cut to `TRUNCATED`: no check needs to show a value deeper than that."""
MAX_VALUES = 100_000
"""Values visited per call: past it, the rest is `TRUNCATED` (an alias bomb shares few values many times)."""
MAX_INT_BITS = 14_000
"""About 4,200 decimal digits: below Python's 4,300-digit limit on int-to-str conversion."""
MAX_BYTES_SHOWN = 64
TRUNCATED = "…"

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _text(value: str) -> str:
    """A lone surrogate (YAML's `"\\ud800"`) cannot be encoded as UTF-8: spell it as an escape."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", value) if _SURROGATE.search(value) else value


def _scalar(value: Any) -> tuple[bool, Any]:
    """(True, JSON value) for a value that has no children, else (False, None)."""
    if value is None or isinstance(value, bool):
        return True, value
    if isinstance(value, enum.Enum):
        return _scalar(value.value) if isinstance(value.value, str | int | float) else (True, value.name)
    if isinstance(value, str):
        return True, _text(value)
    if isinstance(value, int):
        if value.bit_length() > MAX_INT_BITS:
            return True, f"<integer of {value.bit_length():,} bits>"
        return True, int(value)
    if isinstance(value, float):
        return True, float(value) if math.isfinite(value) else str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        shown = base64.b64encode(data[:MAX_BYTES_SHOWN]).decode("ascii")
        more = TRUNCATED if len(data) > MAX_BYTES_SHOWN else ""
        return True, f"<{len(data):,} bytes, base64 {shown}{more}>"
    if isinstance(value, datetime.date | datetime.time):
        return True, value.isoformat()
    if isinstance(value, dict | list | tuple | set | frozenset):
        return False, None
    return True, f"<{type(value).__name__}>"


class _Converter:
    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.active: set[int] = set()

    def convert(self, value: Any, depth: int) -> Any:
        self.budget -= 1
        done, result = _scalar(value)
        if done:
            return result
        if self.budget < 0 or depth >= MAX_DEPTH or id(value) in self.active:
            return TRUNCATED
        self.active.add(id(value))
        try:
            if isinstance(value, dict):
                return self._mapping(value, depth)
            items = self._items(value, depth)
            if isinstance(value, set | frozenset):
                items.sort(key=lambda item: json.dumps(item, ensure_ascii=False))
            return items
        finally:
            self.active.discard(id(value))

    def _items(self, values: Any, depth: int) -> list[Any]:
        items: list[Any] = []
        for item in values:
            if self.budget <= 0:
                items.append(TRUNCATED)
                break
            items.append(self.convert(item, depth + 1))
        return items

    def _mapping(self, mapping: dict[Any, Any], depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, item in mapping.items():
            if self.budget <= 0:
                result[TRUNCATED] = TRUNCATED
                break
            converted = self.convert(key, depth + 1)
            name = converted if isinstance(converted, str) else json.dumps(converted, ensure_ascii=False)
            result[name] = self.convert(item, depth + 1)
        return result


def json_safe(value: Any, budget: int = MAX_VALUES) -> Any:
    """`value` as plain JSON data (dict with str keys, list, str, int, finite float, bool, None)."""
    return _Converter(budget).convert(value, 0)
