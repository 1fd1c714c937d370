"""Render, check or write the READMEs of many cards, and say what happened as findings.

A README that cardkit writes ends with `<!-- cardkit:sha256=... -->`, the hash of everything above
it. That is how a later run tells its own output (safe to replace) from a README someone edited by
hand or wrote without cardkit (whose changes would be lost): those are refused unless `--force`.
Files are written atomically, so an interrupted run leaves the old README or the new one.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cardkit.atomic import write_text_atomic
from cardkit.card_file import load_card
from cardkit.card_paths import discover, display_path
from cardkit.errors import UsageError
from cardkit.findings import Finding, Severity
from cardkit.render.engine import DEFAULT_LAYOUTS, LAYOUTS, Layout, recorded_hash_matches, render_layouts

Status = Literal["written", "unchanged", "current", "stale", "missing", "refused", "invalid"]

CARD_INVALID = "render-card-invalid"
STALE = "render-stale"
MISSING = "render-missing"
HAND_EDITED = "render-hand-edited"
NOT_GENERATED = "render-not-generated"


@dataclass
class RenderResult:
    """One README (or one card that could not be rendered): what render did or found."""

    card: str
    path: str
    layout: str
    status: Status
    findings: list[Finding] = field(default_factory=list)
    diff: str = ""

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)


def layouts_for(langs: Sequence[str] | None) -> list[Layout]:
    """The layouts asked for, refusing two that would write the same file."""
    names = list(dict.fromkeys(langs or DEFAULT_LAYOUTS))
    unknown = [name for name in names if name not in LAYOUTS]
    if unknown:
        raise UsageError(f"unknown --lang {', '.join(unknown)}; choose from {', '.join(LAYOUTS)}")
    chosen = [LAYOUTS[name] for name in names]
    by_file: dict[str, str] = {}
    for layout in chosen:
        if layout.filename in by_file:
            raise UsageError(
                f"--lang {by_file[layout.filename]} and --lang {layout.name} both write {layout.filename}"
            )
        by_file[layout.filename] = layout.name
    return chosen


def _read(path: Path) -> str | None:
    """The README on disk, byte for byte (no newline translation), or None when there is none."""
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return None


def _diff(old: str | None, new: str, display: str) -> str:
    lines = difflib.unified_diff(
        (old or "").splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"{display} (on disk)" if old is not None else "/dev/null",
        tofile=f"{display} (rendered from card.yaml)",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _error(code: str, message: str, display: str) -> Finding:
    return Finding(code, Severity.ERROR, message, display)


def check_file(target: Path, text: str, result: RenderResult) -> RenderResult:
    """`--check`: compare in memory; a missing or different README is an error with a diff."""
    existing = _read(target)
    if existing == text:
        result.status = "current"
        return result
    result.diff = _diff(existing, text, result.path)
    if existing is None:
        result.status = "missing"
        result.findings.append(_error(MISSING, "README is missing; run `cardkit render`", result.path))
        return result
    edited = " (and was edited by hand)" if recorded_hash_matches(existing) is False else ""
    result.status = "stale"
    result.findings.append(
        _error(
            STALE, f"README differs from what card.yaml renders to{edited}; run `cardkit render`", result.path
        )
    )
    return result


def _refusal(existing: str, display: str) -> Finding | None:
    """Why an existing README must not be replaced without --force, or None when it is ours."""
    state = recorded_hash_matches(existing)
    if state is True:
        return None
    if state is None:
        code, why = NOT_GENERATED, "was not written by cardkit (no cardkit hash marker)"
    else:
        code, why = (
            HAND_EDITED,
            "was edited by hand since cardkit wrote it (its hash marker no longer matches)",
        )
    return _error(code, f"README {why}; move the edits into card.yaml, or use --force to overwrite", display)


def write_file(target: Path, text: str, result: RenderResult, force: bool) -> RenderResult:
    """Write `text` unless the README is current, or is not cardkit's own output and not forced."""
    existing = _read(target)
    if existing == text:
        result.status = "unchanged"
        return result
    refusal = None if existing is None or force else _refusal(existing, result.path)
    if refusal is not None:
        result.status = "refused"
        result.findings.append(refusal)
        return result
    write_text_atomic(target, text)
    result.status = "written"
    return result


def _invalid(card_path: Path, findings: list[Finding]) -> RenderResult:
    display = display_path(card_path)
    first = next((f for f in findings if f.severity is Severity.ERROR), None)
    detail = f": {first.code} {first.message}" if first else ""
    finding = Finding(
        CARD_INVALID,
        Severity.ERROR,
        f"card does not validate, so no README was rendered{detail}; run `cardkit validate`",
        display,
        first.line if first else None,
        first.column if first else None,
        first.field if first else None,
    )
    return RenderResult(display, display, "", "invalid", [finding])


def render_paths(
    paths: Iterable[str | Path] = ("cards",),
    langs: Sequence[str] | None = None,
    out: str | Path | None = None,
    check: bool = False,
    force: bool = False,
) -> list[RenderResult]:
    """Render every card under `paths` in every layout of `langs` (default: en and zh).

    READMEs go next to each card, or to `out/<card folder name>/`. With `check`, nothing is
    written: each README is compared with what the card renders to.
    """
    layouts = layouts_for(langs)
    results: list[RenderResult] = []
    for card_path in discover(paths):
        loaded = load_card(card_path)
        if loaded.card is None or any(f.severity is Severity.ERROR for f in loaded.findings):
            results.append(_invalid(card_path, loaded.findings))
            continue
        folder = Path(out) / card_path.parent.name if out is not None else card_path.parent
        texts = render_layouts(loaded.card, [layout.name for layout in layouts])
        for layout in layouts:
            target = folder / layout.filename
            result = RenderResult(loaded.display, display_path(target), layout.name, "current")
            text = texts[layout.name]
            results.append(
                check_file(target, text, result) if check else write_file(target, text, result, force)
            )
    return results


def format_results(results: list[RenderResult], check: bool) -> str:
    """One line per README (`path: written`) or per finding (`path: error [render-...] ...`)."""
    lines: list[str] = []
    for result in results:
        if result.diff:
            lines.append(result.diff.rstrip("\n"))
        for f in result.findings:
            where = f"{f.file}:{f.line}" if f.line is not None else f.file
            lines.append(f"{where}: {f.severity.value} [{f.code}] {f.message}")
        if not result.findings:
            lines.append(f"{result.path}: {result.status}")
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in counts.items())
    lines.append(f"{len(results)} README(s){' checked' if check else ''}: {summary}")
    return "\n".join(line for line in lines if line) + "\n"


def exit_code(results: list[RenderResult]) -> int:
    return 1 if any(result.has_errors for result in results) else 0
