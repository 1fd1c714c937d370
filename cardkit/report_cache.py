"""Reuse a card's whole validate report while nothing it was computed from has changed.

The commit path runs validate on every commit, and nearly every commit leaves nearly every card as
it was. Building the Pydantic schema alone costs more than Python's start-up, so a card whose bytes,
config.json, cardkit code and installed libraries are all unchanged gets its previous report back
without importing pydantic, yaml or torch. Anything else — an edited card, a touched config, a new
cardkit or transformers — misses and validates from scratch. Like `cardkit.facts_cache`, it lives in
`$CARDKIT_CACHE_DIR` (default `~/.cache/cardkit`) and `--no-cache` bypasses it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from cardkit.atomic import write_text_atomic
from cardkit.findings import CardReport, Finding, ParameterCount, Severity

FORMAT = 1
"""Bumped when the entry layout changes, so old entries are simply never matched."""

LIBRARIES = (
    "pydantic",
    "pydantic_core",
    "pyyaml",
    "bibtexparser",
    "transformers",
    "torch",
    "huggingface_hub",
)
"""Installed distributions whose version can change a report; their dist-info names carry it."""


def cache_dir() -> Path:
    root = os.environ.get("CARDKIT_CACHE_DIR") or Path.home() / ".cache" / "cardkit"
    return Path(root) / "reports"


@functools.cache
def code_digest() -> str:
    """Hash of cardkit's own source: an edited rule must not be answered by an old report."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".j2", ".po", ".json"}:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.cache
def environment_digest() -> str:
    """Python version plus the dist-info names (name-version) of the libraries checks go through."""
    prefixes = tuple(name.lower().replace("-", "_") + "-" for name in LIBRARIES)
    found = set()
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        found.update(n for n in names if n.endswith(".dist-info") and n.lower().startswith(prefixes))
    return hashlib.sha256(json.dumps([sys.version, sorted(found)]).encode()).hexdigest()


def _file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def entry_key(card: Path, display: str, options: Iterable[Any]) -> str | None:
    """None when the card cannot be read: such a card is never cached, its report says why."""
    card_digest = _file_digest(card)
    if card_digest is None:
        return None
    where = [str(card.resolve()), display]
    parts = [FORMAT, code_digest(), environment_digest(), *where, [str(o) for o in options], card_digest]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def lookup(key: str) -> CardReport | None:
    """The stored report, if every file it was computed from still has the same content."""
    try:
        entry = json.loads((cache_dir() / f"{key}.json").read_text(encoding="utf-8"))
        if any(_file_digest(Path(path)) != digest for path, digest in entry["dependencies"].items()):
            return None
        return report_from_dict(entry["report"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no entry, or a damaged one: validate again


def store(key: str, report: CardReport, dependencies: Iterable[Path]) -> None:
    """Best effort: a read-only or full cache directory must never fail a validation."""
    entry = {
        "dependencies": {str(p.resolve()): _file_digest(p) for p in dependencies},
        "report": report.to_dict(),
    }
    with contextlib.suppress(OSError):
        write_text_atomic(cache_dir() / f"{key}.json", json.dumps(entry, ensure_ascii=False))


def report_from_dict(data: dict[str, Any]) -> CardReport:
    findings = [Finding(**{**f, "severity": Severity(f["severity"])}) for f in data["findings"]]
    parameters = ParameterCount(**data["parameters"])
    return CardReport(data["path"], data["model_id"], parameters, findings)


def cached(
    card: Path,
    display: str,
    options: Iterable[Any],
    compute: Callable[[], tuple[CardReport, list[Path]]],
) -> CardReport:
    """`compute()` returns the report and the files besides the card it read (config.json)."""
    key = entry_key(card, display, options)
    if key is not None and (report := lookup(key)) is not None:
        return report
    report, dependencies = compute()
    if key is not None:
        store(key, report, [card, *dependencies])
    return report
