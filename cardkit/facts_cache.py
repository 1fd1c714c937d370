"""Remember what transformers and the meta device said about a config, keyed by its content.

Building the architecture is deterministic given the config mapping, cardkit's code and the
library versions, and it is the slow part of validate (importing torch and transformers' modelling
code takes seconds). A pre-commit hook re-validates unchanged configs on every commit, so the facts
are cached: one entry per key in `cardkit.cache_store` (`<cache root>/facts/<key>.json`), whose key
covers the config mapping as parsed (key order and whitespace do not matter), cardkit's source and
the installed libraries. Each field read back is type-checked against `ConfigFacts`/`MetaFacts`;
an entry that does not fit is recomputed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any

from cardkit import cache_store
from cardkit.findings import Finding
from cardkit.meta_model import MetaFacts
from cardkit.model_config import ConfigFacts
from cardkit.report_cache import finding_from_dict

KIND = "facts"

CacheEntry = tuple[ConfigFacts, MetaFacts, list[Finding]]

_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "str": (str,),
    "bool": (bool,),
    "float": (float, int),  # JSON writes 10000.0 back as a float, but a config may hold 10000
    "None": (type(None),),
}


def cache_key(config: dict[str, Any]) -> str:
    """Same key for the same config content, cardkit source and library versions."""
    content = json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return cache_store.entry_key(KIND, content)


def _typed_dataclass(cls: Any, data: Any) -> Any:
    """`cls(**data)` when `data` has exactly its fields, each of its declared type (bool is no int)."""
    declared = {f.name: str(f.type) for f in fields(cls)}
    if not isinstance(data, dict) or set(data) != set(declared):
        raise ValueError(f"not a {cls.__name__}")
    for name, annotation in declared.items():
        allowed = tuple(t for part in annotation.split("|") for t in _TYPES[part.strip()])
        if type(data[name]) not in allowed:
            raise ValueError(f"{cls.__name__}.{name}: {type(data[name]).__name__} is not {annotation}")
    return cls(**data)


def load(key: str, display: str) -> CacheEntry | None:
    """The cached facts for `key`, with findings re-pointed at this config's display path."""
    entry = cache_store.read_entry(KIND, key)
    if not isinstance(entry, dict) or set(entry) != {"config", "meta", "findings"}:
        return None
    try:
        if not isinstance(entry["findings"], list):
            return None
        findings = [finding_from_dict(f, file=display) for f in entry["findings"]]
        config = _typed_dataclass(ConfigFacts, entry["config"])
        return config, _typed_dataclass(MetaFacts, entry["meta"]), findings
    except (KeyError, ValueError):
        return None


def store(key: str, config_facts: ConfigFacts, meta_facts: MetaFacts, findings: list[Finding]) -> None:
    """Best effort: a cache that cannot be written only costs time, never a wrong answer."""
    payload = {
        "config": asdict(config_facts),
        "meta": asdict(meta_facts),
        "findings": [f.to_dict() for f in findings],
    }
    cache_store.write_entry(KIND, key, payload)
