"""Reuse a card's whole validate report while nothing it was computed from has changed.

`pre-commit run --all-files`, a commit that only touches a README, or a second run over a folder
re-validates cards that did not change; building the Pydantic schema alone costs more than Python's
start-up, so such a card gets its previous report back without importing pydantic, yaml or torch.

The key covers the card's bytes, its path as named and as resolved, its folder as resolved, the
options, cardkit's source and the installed libraries (`cardkit.core.cache`). The entry also
records each file the checks read besides the card (config.json) as it was read: the path as
named, the path it resolved to, whether that lies inside the card's folder, and the bytes' digest.
A hit re-resolves and re-reads each one and re-applies the inside-the-folder rule; any difference
misses. A dependency is recorded from a snapshot taken before the checks read it and is stored only
if it is the same afterwards, so an edit during a run cannot pair new bytes with an old report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cardkit.core import cache as cache_store
from cardkit.core.codes import INTERNAL_ERROR
from cardkit.core.findings import CardReport, Finding, ParameterCount, Severity

KIND = "reports"


@dataclass(frozen=True)
class Dependency:
    """A file a report was computed from, as it was read through the path the card names."""

    path: str
    """Absolute, not resolved: symlinks along it are followed again on every lookup."""
    resolved: str
    inside: bool
    """Whether `resolved` lies inside the card's resolved folder (the rule config.json must meet)."""
    sha256: str


Dependencies = list[Dependency] | None
"""None: something the report depends on could not be snapshotted, so the report is not cached."""


def snapshot(path: Path, folder: Path) -> Dependency | None:
    """`path` as it reads now; None when it is missing, not a regular file or too large."""
    try:
        resolved = path.resolve()
        inside = resolved.is_relative_to(folder.resolve())
    except (OSError, RuntimeError, ValueError):
        return None
    digest = cache_store.input_digest(path)
    if digest is None:
        return None
    return Dependency(str(path.absolute()), str(resolved), inside, digest)


def entry_key(card: Path, display: str, options: Iterable[Any], card_digest: str) -> str:
    where: list[str | None]
    try:
        where = [str(card.absolute()), str(card.resolve()), str(card.parent.resolve()), display]
    except (OSError, RuntimeError):
        where = [str(card.absolute()), None, None, display]
    return cache_store.entry_key(KIND, where, [str(o) for o in options], card_digest)


def _typed(value: Any, *types: type) -> Any:
    """`value` if it is exactly one of `types` (a bool is not an int here); ValueError otherwise."""
    if type(value) not in types:
        raise ValueError(f"expected {' or '.join(t.__name__ for t in types)}, got {type(value).__name__}")
    return value


def _optional_int(value: Any) -> int | None:
    checked: int | None = _typed(value, int, type(None))
    return checked


def finding_from_dict(data: Any, file: str | None = None) -> Finding:
    """A finding from its `to_dict()` form, every field type-checked; ValueError when malformed."""
    if not isinstance(data, dict) or set(data) != set(Finding.__dataclass_fields__):
        raise ValueError("not a finding")
    return Finding(
        code=_typed(data["code"], str),
        severity=Severity(_typed(data["severity"], str)),
        message=_typed(data["message"], str),
        file=_typed(data["file"], str) if file is None else file,
        line=_optional_int(data["line"]),
        column=_optional_int(data["column"]),
        field=_typed(data["field"], str, type(None)),
        expected=data["expected"],
        actual=data["actual"],
    )


def report_from_dict(data: Any) -> CardReport:
    """A report from its `to_dict()` form, every field type-checked; ValueError when malformed."""
    if not isinstance(data, dict) or set(data) != {"path", "model_id", "parameters", "findings"}:
        raise ValueError("not a report")
    counts = data["parameters"]
    if not isinstance(counts, dict) or set(counts) != {"claimed", "computed"}:
        raise ValueError("not a parameter count")
    parameters = ParameterCount(_optional_int(counts["claimed"]), _optional_int(counts["computed"]))
    findings = [finding_from_dict(f) for f in _typed(data["findings"], list)]
    model_id = _typed(data["model_id"], str, type(None))
    return CardReport(_typed(data["path"], str), model_id, parameters, findings)


def _dependency(data: Any) -> Dependency:
    if not isinstance(data, dict) or set(data) != set(Dependency.__dataclass_fields__):
        raise ValueError("not a dependency")
    path, resolved, digest = (_typed(data[k], str) for k in ("path", "resolved", "sha256"))
    return Dependency(path, resolved, _typed(data["inside"], bool), digest)


def lookup(key: str, card: Path, display: str, card_digest: str) -> CardReport | None:
    """The stored report, if the entry is well-formed and every dependency reads as it did."""
    entry = cache_store.read_entry(KIND, key)
    try:
        if not isinstance(entry, dict) or set(entry) != {"card_sha256", "dependencies", "report"}:
            return None
        if entry["card_sha256"] != card_digest:
            return None
        dependencies = [_dependency(d) for d in _typed(entry["dependencies"], list)]
        report = report_from_dict(entry["report"])
    except ValueError:
        return None  # malformed: validate again
    if report.path != display:
        return None
    if any(snapshot(Path(d.path), card.parent) != d for d in dependencies):
        return None  # edited, retargeted, moved outside the folder, or gone
    return report


def store(key: str, card_digest: str, report: CardReport, dependencies: list[Dependency]) -> None:
    payload = {
        "card_sha256": card_digest,
        "dependencies": [asdict(d) for d in dependencies],
        "report": report.to_dict(),
    }
    cache_store.write_entry(KIND, key, payload)


def _crashed(report: CardReport) -> bool:
    """An internal error may be transient (memory, a signal): its report is never kept."""
    return any(f.code == INTERNAL_ERROR for f in report.findings)


def cached(
    card: Path,
    display: str,
    options: Iterable[Any],
    compute: Callable[[], tuple[CardReport, Dependencies]],
) -> CardReport:
    """`compute()` returns the report and snapshots, taken before reading, of the other files it read."""
    options = list(options)
    card_digest = cache_store.input_digest(card)
    if card_digest is None:
        return compute()[0]  # such a card is never cached; its report says why
    key = entry_key(card, display, options, card_digest)
    if (report := lookup(key, card, display, card_digest)) is not None:
        return report
    report, dependencies = compute()
    if dependencies is None or report.runtime is not None or _crashed(report):
        return report
    unchanged = cache_store.input_digest(card) == card_digest and all(
        snapshot(Path(d.path), card.parent) == d for d in dependencies
    )
    if unchanged:
        store(key, card_digest, report, dependencies)
    return report
