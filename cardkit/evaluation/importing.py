"""`cardkit eval import` as a library call: results file -> card (and optionally `.eval_results/`)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from cardkit.card.load import CheckedCard, load_card
from cardkit.card.paths import display_path
from cardkit.card.yaml_source import FieldPath, dotted_path
from cardkit.core.atomic import write_text_atomic
from cardkit.core.findings import Finding, Severity
from cardkit.evaluation.codes import EVAL_HUB_NOT_A_DATASET
from cardkit.evaluation.harness import read_harness_results
from cardkit.evaluation.hub_files import FOLDER, other_results, write_folder
from cardkit.evaluation.merge import Merge, merge_run
from cardkit.validate import ValidateOptions, validate_card


def _evaluation_errors(card: Path, text: str) -> list[Finding]:
    """Errors in the evaluation of the card as it would be, located in the card (not the staged copy).

    Errors elsewhere were there before the import and are validate's business, not a reason to refuse.
    """
    staged = card.with_name(f".{card.name}.import-check.yaml")
    try:
        write_text_atomic(staged, text)
        found = validate_card(staged, ValidateOptions(model=False, cache=False)).findings
    finally:
        staged.unlink(missing_ok=True)
    display = display_path(card)
    return [
        replace(f, file=display)
        for f in found
        if f.severity is Severity.ERROR and (f.field or "").startswith("evaluation")
    ]


@dataclass
class ImportReport:
    merge: Merge = field(default_factory=Merge)
    findings: list[Finding] = field(default_factory=list)
    written: list[str] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)


def import_results(
    results: Path, card: Path, eval_results: Path | None = None, *, force: bool = False
) -> ImportReport:
    """Merge a harness run into `card`, validate the outcome, then write it (and the Hub files).

    Nothing is written when the run has errors, a result conflicts without `force`, or the merged
    card would not validate: the card on disk is then the card as it was.
    """
    report = ImportReport()
    run = read_harness_results(results)
    report.findings += run.findings
    if any(f.severity is Severity.ERROR for f in run.findings):
        return report
    report.merge = merge_run(card, run, force=force)
    report.findings += report.merge.conflicts if not force else []
    if report.has_errors:
        return report
    if report.merge.text is not None:
        problems = _evaluation_errors(card, report.merge.text)
        if problems:
            report.findings += problems
            return report
        write_text_atomic(card, report.merge.text)
        report.written.append(display_path(card))
    if eval_results is not None:
        loaded = load_card(card)
        if isinstance(loaded, CheckedCard):
            written, findings = write_folder(eval_results, loaded.card, force=force)
            report.written += written
            report.findings += findings + _not_written(loaded)
    return report


def _not_written(loaded: CheckedCard) -> list[Finding]:
    """One note per dataset the user asked `.eval_results` for that names no Hub dataset: the
    request is answered, not silently narrowed."""
    others = {id(result) for result in other_results(loaded.card)}
    seen: dict[str, int] = {}
    for index, result in enumerate(loaded.card.evaluation.results if loaded.card.evaluation else []):
        if id(result) in others:
            seen.setdefault(result.dataset.type, index)
    findings = []
    for dataset, index in seen.items():
        path: FieldPath = ("evaluation", "results", index, "dataset", "type")
        pos = loaded.source_map.locate(path)
        message = f"{dataset!r} is not a Hub dataset repo id (owner/name): its results get no {FOLDER} entry"
        findings.append(
            EVAL_HUB_NOT_A_DATASET.finding(
                message, loaded.display, pos.line if pos else None, pos.column if pos else None,
                dotted_path(path), actual=dataset,
            )
        )
    return findings
