"""Remember what transformers and the meta device said about a config, keyed by its content.

Building the architecture is deterministic given the config mapping, cardkit's code and the
library versions, and it is the slow part of validate (importing torch and transformers' modelling
code takes seconds). A pre-commit hook re-validates unchanged configs on every commit, so the facts
are cached: one entry per key in `cardkit.core.cache` (`<cache root>/facts/<key>.json`), whose key
covers the config mapping as parsed (key order and whitespace do not matter), cardkit's source and
the installed libraries. Each part read back is type-checked against `ArchitectureFacts` (plain
JSON data keyed by fact path); an entry that does not fit is recomputed. `facts_for` is the one way
validate, lint and import get a config's facts, through this cache.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from cardkit.card.config_json import ConfigFile
from cardkit.core import cache as cache_store
from cardkit.core.errors import MissingDependencyError
from cardkit.core.facts import ArchitectureFacts, ConfigReading
from cardkit.core.findings import Finding
from cardkit.core.gc_policy import full_collections_paused
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


def facts_for(source: ConfigFile, use_cache: bool = True) -> tuple[ArchitectureFacts | None, list[Finding]]:
    """The facts transformers gives for `source` (built on the meta device, or from the cache when
    this content was built before) with the config's findings; None, with the findings saying why,
    when it cannot be built (repository code, a config transformers rejects, a build that fails)."""
    assert source.data is not None
    key = cache_key(source.data) if use_cache else None
    cached = load(key, source.display) if key is not None else None
    if cached is not None:
        return cached
    from cardkit.card.codes import CONFIG_BUILD_FAILED
    from cardkit.model.architecture_facts import facts_for_config  # lazy: imports torch
    from cardkit.model.model_config import build_config, rejection

    with full_collections_paused():  # the first config imports torch and the model code
        config, findings = build_config(source.data, source.display, source)
        if config is None:
            return None, findings
        try:
            built = (facts_for_config(config), findings)
        except Exception as exc:  # torch or the model code rejecting the config's values
            return None, [rejection(source, CONFIG_BUILD_FAILED, "the model cannot be built", exc)]
    if key is not None:  # --no-cache writes no cache either
        store(key, *built)
    return built


def reading_for(source: ConfigFile, model: bool = True, use_cache: bool = True) -> ConfigReading:
    """What transformers says about `source`, for lint and import: the facts `facts_for` gives when
    the model_type is one transformers implements, else (not installed, `model` False as with
    `--no-model`, repository code, a config it rejects) literal keys only, saying why. Findings about
    the config itself are validate's to report, so none are returned."""
    if not model:
        return ConfigReading(why_literal="--no-model")
    assert source.data is not None
    if use_cache and (cached := load(cache_key(source.data), source.display)) is not None:
        return ConfigReading(facts=cached[0], native=True)  # built before, so no import of torch now
    from cardkit.model.model_config import implements  # lazy: imports transformers

    model_type = source.data.get("model_type")
    try:
        if not isinstance(model_type, str) or not implements(model_type):
            return ConfigReading(native=False, why_literal=f"model_type {model_type!r} is repository code")
        facts, findings = facts_for(source, use_cache)
    except MissingDependencyError:
        return ConfigReading(why_literal="transformers is not installed: the model extra")
    if facts is None:
        problem = findings[0].message if findings else "it cannot be built"
        return ConfigReading(native=True, why_literal=f"transformers cannot build it: {problem}")
    return ConfigReading(facts=facts, native=True)
