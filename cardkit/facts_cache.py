"""Remember what transformers and the meta device said about a config.json, keyed by its bytes.

Building the architecture is deterministic given the config file and the library versions, and
it is the slow part of validate (importing torch and transformers' modelling code takes seconds).
A pre-commit hook re-validates unchanged configs on every commit, so the facts are cached; any
change to the file, to transformers, torch or cardkit makes a new key.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any

from cardkit import __version__
from cardkit.architecture_facts import ArchitectureFacts
from cardkit.atomic import write_text_atomic
from cardkit.findings import Finding, Severity

CacheEntry = tuple[ArchitectureFacts, list[Finding]]


def cache_file() -> Path:
    if explicit := os.environ.get("CARDKIT_CACHE_DIR"):
        return Path(explicit) / "model-facts.json"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cardkit" / "model-facts.json"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def cache_key(config: dict[str, Any]) -> str:
    """Same key for the same config content (key order and whitespace do not matter) and versions."""
    versions = f"cardkit={__version__};facts=2;transformers={_version('transformers')}"
    versions += f";torch={_version('torch')}"
    content = json.dumps(config, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{versions}\0{content}".encode()).hexdigest()


def _read_all() -> dict[str, Any]:
    try:
        data = json.loads(cache_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def load(key: str, display: str) -> CacheEntry | None:
    """The cached facts for `key`, with findings re-pointed at this config's display path."""
    entry = _read_all().get(key)
    if not isinstance(entry, dict):
        return None
    try:
        findings = [
            Finding(**{**f, "severity": Severity(f["severity"]), "file": display}) for f in entry["findings"]
        ]
        facts = ArchitectureFacts(dict(entry["facts"]["values"]), dict(entry["facts"]["undetermined"]))
        return facts, findings
    except (KeyError, TypeError, ValueError):
        return None


def store(key: str, facts: ArchitectureFacts, findings: list[Finding]) -> None:
    """Best effort: a cache that cannot be written only costs time, never a wrong answer."""
    data = _read_all()
    data[key] = {
        "facts": asdict(facts),
        "findings": [f.to_dict() for f in findings],
    }
    with contextlib.suppress(OSError):
        write_text_atomic(cache_file(), json.dumps(data, indent=1, sort_keys=True) + "\n")
