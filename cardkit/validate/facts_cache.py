"""Remember what transformers and the meta device said about a config, keyed by its content.

Building the architecture is deterministic given the config mapping, cardkit's code and the
library versions, and it is the slow part of validate (importing torch and transformers' modelling
code takes seconds). A pre-commit hook re-validates unchanged configs on every commit, so the facts
are cached: one entry per key in `cardkit.core.cache` (`<cache root>/facts/<key>.json`), whose key
covers the config mapping as parsed (key order and whitespace do not matter), cardkit's source and
the installed libraries. Each part read back is type-checked against `ArchitectureFacts` (plain
JSON data keyed by fact path); an entry that does not fit is recomputed.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from cardkit.core import cache as cache_store
from cardkit.core.facts import ArchitectureFacts
from cardkit.core.findings import Finding
from cardkit.validate.report_cache import finding_from_dict

KIND = "facts"

CacheEntry = tuple[ArchitectureFacts, list[Finding]]


def cache_key(config: dict[str, Any]) -> str:
    """Same key for the same config content, cardkit source and library versions."""
    content = json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return cache_store.entry_key(KIND, content)


def _json_value(value: Any, depth: int = 0) -> bool:
    """True for plain JSON data (what `ArchitectureFacts` holds) nested at most a few levels."""
    if value is None or type(value) in (str, int, float, bool):
        return True
    if depth > 8:
        return False
    if type(value) is list:
        return all(_json_value(item, depth + 1) for item in value)
    if type(value) is dict:
        return all(type(k) is str and _json_value(v, depth + 1) for k, v in value.items())
    return False


def _facts(data: Any) -> ArchitectureFacts:
    """`ArchitectureFacts` from its stored form, every part type-checked; ValueError when malformed."""
    if not isinstance(data, dict) or set(data) != {"values", "undetermined"}:
        raise ValueError("not architecture facts")
    values, undetermined = data["values"], data["undetermined"]
    if type(values) is not dict or not all(type(k) is str and _json_value(v) for k, v in values.items()):
        raise ValueError("facts values are not plain data keyed by path")
    if type(undetermined) is not dict or not all(
        type(k) is str and type(v) is str for k, v in undetermined.items()
    ):
        raise ValueError("undetermined facts are not reasons keyed by path")
    return ArchitectureFacts(dict(values), dict(undetermined))


def load(key: str, display: str) -> CacheEntry | None:
    """The cached facts for `key`, with findings re-pointed at this config's display path."""
    entry = cache_store.read_entry(KIND, key)
    if not isinstance(entry, dict) or set(entry) != {"facts", "findings"}:
        return None
    try:
        if not isinstance(entry["findings"], list):
            return None
        findings = [finding_from_dict(f, file=display) for f in entry["findings"]]
        return _facts(entry["facts"]), findings
    except (KeyError, ValueError):
        return None


def store(key: str, facts: ArchitectureFacts, findings: list[Finding]) -> None:
    """Best effort: a cache that cannot be written only costs time, never a wrong answer."""
    payload = {"facts": asdict(facts), "findings": [f.to_dict() for f in findings]}
    cache_store.write_entry(KIND, key, payload)
