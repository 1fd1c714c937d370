"""Render, check or write the READMEs of many cards, and say what happened as findings.

A README that cardkit writes ends with `<!-- cardkit:sha256=... -->`, the hash of everything above
it. That is how a later run tells its own output (safe to replace) from a README someone edited by
hand or wrote without cardkit (whose changes would be lost): those are refused unless `--force`.
The card folder's `.eval_results/` files are rendered with them (`eval_files`).
Files are written atomically, so an interrupted run leaves the old README or the new one; two
cards that would write the same file are refused before anything is written, and a README that
cannot be read (a folder, a FIFO) or a card cardkit fails on is a finding for it alone.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from cardkit.card.load import FailedLoad, load_card
from cardkit.card.paths import discover, display_path, path_problem
from cardkit.core import cache as cache_store
from cardkit.core.atomic import sweep_once, write_text_atomic
from cardkit.core.codes import Code
from cardkit.core.errors import UsageError
from cardkit.core.findings import Finding, Severity
from cardkit.core.isolation import isolated, unreadable
from cardkit.core.report import safe_text
from cardkit.render.codes import (
    RENDER_CARD_INVALID,
    RENDER_HAND_EDITED,
    RENDER_MISSING,
    RENDER_NOT_GENERATED,
    RENDER_STALE,
)
from cardkit.render.engine import (
    DEFAULT_LAYOUTS,
    LAYOUTS,
    MARKER_PREFIX,
    Layout,
    recorded_hash_matches,
    render_layouts,
)
from cardkit.render.eval_files import LAYOUT as EVAL_LAYOUT
from cardkit.render.eval_files import render_eval_files
from cardkit.render.results import RenderResult, read_existing, unified_diff

MAX_README_BYTES = 16 * 2**20
"""An existing README larger than this is not read (a generated one is tens of kilobytes)."""

CARD_INVALID = RENDER_CARD_INVALID
STALE = RENDER_STALE
MISSING = RENDER_MISSING
HAND_EDITED = RENDER_HAND_EDITED
NOT_GENERATED = RENDER_NOT_GENERATED


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
    return read_existing(path, MAX_README_BYTES)


def edit_state(existing: str) -> bool | None:
    """`recorded_hash_matches`, but text added after the marker counts as a hand edit (False):
    only a README without any cardkit marker is "not written by cardkit" (None)."""
    state = recorded_hash_matches(existing)
    if state is None and MARKER_PREFIX in existing:
        return False
    return state


def _error(code: Code, message: str, display: str) -> Finding:
    return code.finding(message, display)


def check_file(target: Path, text: str, result: RenderResult) -> RenderResult:
    """`--check`: compare in memory; a missing or different README is an error with a diff."""
    existing = _read(target)
    if existing == text:
        result.status = "current"
        return result
    result.diff = unified_diff(existing, text, result.path)
    if existing is None:
        result.status = "missing"
        result.findings.append(_error(MISSING, "README is missing; run `cardkit render`", result.path))
        return result
    edited = " (and was edited by hand)" if edit_state(existing) is False else ""
    result.status = "stale"
    result.findings.append(
        _error(
            STALE, f"README differs from what card.yaml renders to{edited}; run `cardkit render`", result.path
        )
    )
    return result


def _refusal(existing: str, display: str) -> Finding | None:
    """Why an existing README must not be replaced without --force, or None when it is ours."""
    state = edit_state(existing)
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
    finding = CARD_INVALID.finding(
        f"card does not validate, so no README was rendered{detail}; run `cardkit validate`",
        display,
        first.line if first else None,
        first.column if first else None,
        first.field if first else None,
    )
    return RenderResult(display, display, "", "invalid", [finding])


def _folder(card_path: Path, out: str | Path | None) -> Path:
    return Path(out) / card_path.parent.name if out is not None else card_path.parent


def _refuse_collisions(cards: list[Path], layouts: list[Layout], out: str | Path | None) -> None:
    """UsageError when two cards would write the same README (same folder name under `--out`,
    or two card files in one folder): one would silently overwrite the other."""
    writers: dict[str, Path] = {}
    for card_path in cards:
        for layout in layouts:
            target = _folder(card_path, out) / layout.filename
            key = os.path.normcase(os.path.realpath(target))
            if key in writers and writers[key] != card_path:
                raise UsageError(
                    f"{display_path(writers[key])} and {display_path(card_path)} would both write "
                    f"{display_path(target)}; render them one at a time or to different --out folders"
                )
            writers[key] = card_path


def _failed(card: str, path: str, layout: str, finding: Finding) -> RenderResult:
    return RenderResult(card, path, layout, "failed", [finding])


def _failed_all(display: str, finding: Finding) -> list[RenderResult]:
    """A card that could not be rendered at all: one failed result naming it."""
    return [_failed(display, display, "", finding)]


def _published(folder: Path, layouts: list[Layout]) -> list[str]:
    """The layouts the language switcher links: those written now and, for the files this run does
    not write, the single-language READMEs already next to the card (a switcher links what exists)."""
    writing = {layout.filename for layout in layouts}
    kept = [
        name
        for name, layout in LAYOUTS.items()
        if len(layout.locales) == 1
        and layout.filename not in writing
        and (folder / layout.filename).is_file()
    ]
    return [layout.name for layout in layouts] + kept


def _render_one(
    card_path: Path, layouts: list[Layout], out: str | Path | None, check: bool, force: bool
) -> list[RenderResult]:
    """The results for one card: one per layout, or one `invalid` when it does not validate."""
    if (problem := path_problem(card_path)) is not None:
        display = display_path(card_path)
        return [_failed(display, display, "", unreadable(card_path, problem))]
    loaded = load_card(card_path)
    if isinstance(loaded, FailedLoad) or any(f.severity is Severity.ERROR for f in loaded.findings):
        return [_invalid(card_path, loaded.findings)]
    folder = _folder(card_path, out)
    if not check:
        sweep_once(folder)  # temporary files a killed run left, even where nothing is rewritten
    names = [layout.name for layout in layouts]
    texts = render_layouts(loaded.card, names, published=_published(folder, layouts))
    results = []
    for layout in layouts:
        target = folder / layout.filename
        result = RenderResult(loaded.display, display_path(target), layout.name, "current")
        text = texts[layout.name]

        def work(target: Path = target, text: str = text, result: RenderResult = result) -> RenderResult:
            return check_file(target, text, result) if check else write_file(target, text, result, force)

        results.append(
            isolated(
                result.path,
                work,
                functools.partial(_failed, result.card, result.path, result.layout),
            )
        )
    return results + render_eval_files(loaded.card, loaded.display, folder, check, force)


def render_paths(
    paths: Iterable[str | Path] = ("cards",),
    langs: Sequence[str] | None = None,
    out: str | Path | None = None,
    check: bool = False,
    force: bool = False,
    cache: bool = True,
) -> list[RenderResult]:
    """Render every card under `paths` in every layout of `langs` (default: en and zh).

    READMEs go next to each card, or to `out/<card folder name>/`. With `check`, nothing is
    written: each README is compared with what the card renders to. Raises UsageError, before
    anything is written, when two cards would write the same README. Without `cache`, no compiled
    template, conversion, format or catalog is read from or kept in cardkit's cache store.
    """
    if not cache:
        with cache_store.turned_off():
            return render_paths(paths, langs, out, check, force)
    layouts = layouts_for(langs)
    cards = discover(paths)
    _refuse_collisions(cards, layouts, out)
    results: list[RenderResult] = []
    for card_path in cards:
        display = display_path(card_path)
        results += isolated(
            display,
            functools.partial(_render_one, card_path, layouts, out, check, force),
            functools.partial(_failed_all, display),
        )
    return results


def format_results(results: list[RenderResult], check: bool) -> str:
    """One line per README (`path: written`) or per finding (`path: error [render-...] ...`)."""
    lines: list[str] = []
    for result in results:
        if result.diff:
            lines += result.diff.rstrip("\n").split("\n")
        for f in result.findings:
            where = f"{f.file}:{f.line}" if f.line is not None else f.file
            lines.append(f"{where}: {f.severity.value} [{f.code}] {f.message}")
        if not result.findings:
            lines.append(f"{result.path}: {result.status}")
    readmes = [result for result in results if result.layout != EVAL_LAYOUT]
    summary = f"{len(readmes)} README(s){' checked' if check else ''}: {_counts(readmes)}"
    hub_files = [result for result in results if result.layout == EVAL_LAYOUT]
    if hub_files:
        summary += f"; {len(hub_files)} {EVAL_LAYOUT} file(s): {_counts(hub_files)}"
    lines.append(summary)
    return safe_text([line for line in lines if line])


def _counts(results: list[RenderResult]) -> str:
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    return ", ".join(f"{n} {status}" for status, n in counts.items())


def exit_code(results: list[RenderResult]) -> int:
    return 1 if any(result.has_errors for result in results) else 0
