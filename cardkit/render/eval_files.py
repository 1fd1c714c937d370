"""render's `.eval_results/` folder: the Hub's per-benchmark files, written beside the README(s).

Once per card folder whatever the layouts, from `cardkit.evaluation.hub_files.files_for` (the one
rule of which results name a Hub benchmark dataset, and the entries huggingface_hub writes), under
render's own policies: `--check` compares in memory and reports a missing or different file with
its diff; a write is atomic and skips a file that is already current. A file cardkit wrote and
nobody edited (its `# cardkit:sha256=` marker matches) is replaced; any other file that holds a
score the card does not state (or that cardkit cannot read as entries) may be someone's data and
is replaced only with `--force`. A card without Hub-dataset results writes no folder, and a file the
card makes no longer is left where it is (`cardkit check` reports what disagrees).
"""

from __future__ import annotations

import functools
from pathlib import Path

from cardkit.card.paths import display_path
from cardkit.core.atomic import write_text_atomic
from cardkit.core.findings import Finding
from cardkit.core.isolation import isolated
from cardkit.evaluation.hub_files import (
    FOLDER,
    MAX_FILE_BYTES,
    files_for,
    other_scores,
    read_file,
    written_unedited,
)
from cardkit.render.codes import (
    RENDER_EVAL_RESULTS_MISSING,
    RENDER_EVAL_RESULTS_OTHER_SCORES,
    RENDER_EVAL_RESULTS_STALE,
)
from cardkit.render.results import RenderResult, read_existing, unified_diff
from cardkit.schema import Card

LAYOUT = FOLDER
"""The `layout` of an `.eval_results` file's RenderResult (READMEs carry their language layout)."""


def render_eval_files(
    card: Card, card_display: str, folder: Path, check: bool, force: bool
) -> list[RenderResult]:
    """One result per `.eval_results` file the card makes in `folder` (none without Hub results)."""
    results = []
    for name, text in files_for(card).items():
        target = folder / FOLDER / name
        result = RenderResult(card_display, display_path(target), LAYOUT, "current")
        work = _check if check else functools.partial(_write, card=card, force=force)
        results.append(
            isolated(
                result.path,
                functools.partial(work, target, text, result),
                functools.partial(_failed, result),
            )
        )
    return results


def _failed(result: RenderResult, finding: Finding) -> RenderResult:
    result.status = "failed"
    result.findings.append(finding)
    return result


def _check(target: Path, text: str, result: RenderResult) -> RenderResult:
    existing = read_existing(target, MAX_FILE_BYTES)
    if existing == text:
        return result
    result.diff = unified_diff(existing, text, result.path)
    if existing is None:
        result.status = "missing"
        message = f"{FOLDER} file is missing; run `cardkit render`"
        result.findings.append(RENDER_EVAL_RESULTS_MISSING.finding(message, result.path))
    else:
        result.status = "stale"
        message = f"{FOLDER} file differs from what card.yaml renders to; run `cardkit render`"
        result.findings.append(RENDER_EVAL_RESULTS_STALE.finding(message, result.path))
    return result


def _write(target: Path, text: str, result: RenderResult, *, card: Card, force: bool) -> RenderResult:
    existing = read_existing(target, MAX_FILE_BYTES)
    if existing == text:
        result.status = "unchanged"
        return result
    mine = existing is None or written_unedited(existing)
    refusals = [] if mine or force else _refusals(target, card)
    if refusals:
        result.status = "refused"
        result.findings += refusals
        return result
    write_text_atomic(target, text)
    result.status = "written"
    return result


def _refusals(target: Path, card: Card) -> list[Finding]:
    """Why the file on disk must not be replaced: each score in it the card does not state as it is."""
    scores, problems = read_file(target)
    fix = "move it into card.yaml, or use --force to overwrite the file"
    if problems:
        message = f"not a list of {FOLDER} entries cardkit can read, so it may hold other scores; {fix}"
        first = problems[0]
        display = display_path(target)
        return [RENDER_EVAL_RESULTS_OTHER_SCORES.finding(message, display, first.line, first.column)]
    return other_scores(scores, card, RENDER_EVAL_RESULTS_OTHER_SCORES, fix)
