"""The Hub's per-benchmark `.eval_results/<benchmark>.yaml` files, through huggingface_hub's own types.

An entry names a dataset and a task within it and holds one value; it has no field for the metric
or the shots, so cardkit writes them into `notes` (`metric acc_norm; 5-shot`) and reads them back
from there, which is what lets a card round-trip through these files.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from huggingface_hub import EvalResultEntry, eval_result_entries_to_yaml, parse_eval_result_entries

from cardkit.card.paths import display_path
from cardkit.card.yaml_source import load_yaml
from cardkit.core.atomic import write_text_atomic
from cardkit.core.findings import Finding
from cardkit.core.safe_io import read_text_bounded
from cardkit.evaluation.codes import EVAL_HUB_FILE_SHAPE, EVAL_IMPORT_CONFLICT
from cardkit.schema import Card
from cardkit.schema.evaluation import EvalResult

MAX_FILE_BYTES = 1024 * 1024
NOTES = re.compile(r"metric (?P<metric>[^;\s]+)(?:; (?P<shots>\d+)-shot)?")


@dataclass(frozen=True)
class HubScore:
    """One entry of a `.eval_results` file, with where it was read."""

    dataset: str
    task_id: str
    metric: str | None
    few_shot: int | None
    value: float
    file: str
    line: int | None


def benchmark_file(dataset: str) -> str:
    """`cais/mmlu` -> `cais__mmlu.yaml`: one file per benchmark dataset, a safe name on every system."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", dataset.replace("/", "__")).strip("._") + ".yaml"


def entry_for(result: EvalResult) -> EvalResultEntry:
    shots = f"; {result.few_shot}-shot" if result.few_shot is not None else ""
    notes = f"metric {result.metric.type}{shots}"
    source = result.source if result.source is not None and result.source.url else None
    return EvalResultEntry(
        dataset_id=result.dataset.type,
        task_id=result.dataset.config or "default",
        value=result.metric.value,
        dataset_revision=result.dataset.revision,
        source_url=source.url if source else None,
        source_name=source.name if source else None,
        notes=notes,
    )


def files_for(card: Card) -> dict[str, str]:
    """File name -> YAML text of every `.eval_results` file the card's results make."""
    grouped: dict[str, list[EvalResultEntry]] = {}
    for result in card.evaluation.results if card.evaluation else ():
        grouped.setdefault(benchmark_file(result.dataset.type), []).append(entry_for(result))
    return {
        name: yaml.safe_dump(eval_result_entries_to_yaml(entries), sort_keys=False, allow_unicode=True)
        for name, entries in sorted(grouped.items())
    }


def _well_typed(entry: EvalResultEntry) -> bool:
    """What cardkit compares must be text and finite numbers; anything else makes the file a finding."""
    value = entry.value
    number = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    texts = isinstance(entry.dataset_id, str) and isinstance(entry.task_id, str)
    return number and texts and isinstance(entry.notes, str | None)


def read_folder(folder: Path) -> tuple[list[HubScore], list[Finding]]:
    """Every entry of every `*.yaml` in `folder`; a file that is not entry-shaped is a finding."""
    scores: list[HubScore] = []
    findings: list[Finding] = []
    for path in sorted(folder.glob("*.yaml")):
        display = display_path(path)
        parsed = load_yaml(read_text_bounded(path, MAX_FILE_BYTES), display)
        findings += parsed.findings
        if parsed.findings:
            continue
        data = parsed.data if isinstance(parsed.data, list) else None
        try:
            entries = parse_eval_result_entries(data) if data is not None else None
        except (KeyError, TypeError, AttributeError, ValueError):
            entries = None
        if entries is None or len(entries) != len(data or ()) or not all(map(_well_typed, entries)):
            message = "not a list of `.eval_results` entries (text dataset.id and task_id, a finite value)"
            findings.append(EVAL_HUB_FILE_SHAPE.finding(message, display, 1, 1))
            continue
        for index, entry in enumerate(entries):
            pos = parsed.source_map.locate((index, "value"))
            match = NOTES.search(entry.notes or "")
            scores.append(
                HubScore(
                    entry.dataset_id,
                    entry.task_id,
                    match["metric"] if match else None,
                    int(match["shots"]) if match and match["shots"] else None,
                    float(entry.value),
                    display,
                    pos.line if pos else None,
                )
            )
    return scores, findings


def card_key(result: EvalResult) -> tuple[str, str, str]:
    """What identifies a score in every source: benchmark dataset, task (subset) within it, metric."""
    return (result.dataset.type, result.dataset.config or "default", result.metric.type)


def write_folder(folder: Path, card: Card, *, force: bool = False) -> tuple[list[str], list[Finding]]:
    """Write the card's `.eval_results` files; a file holding other scores is replaced only with `force`."""
    existing, findings = read_folder(folder) if folder.is_dir() else ([], [])
    results = {card_key(r): r for r in (card.evaluation.results if card.evaluation else ())}
    planned = files_for(card)
    for old in existing:
        if Path(old.file).name not in planned or force:
            continue
        result = results.get((old.dataset, old.task_id, old.metric or ""))
        if result is None or result.metric.value != old.value:
            said = f"{result.metric.value} in the card" if result else "not in the card"
            findings.append(
                EVAL_IMPORT_CONFLICT.finding(
                    f"{old.dataset} {old.task_id} {old.metric or '(no metric in notes)'} is {old.value} here "
                    f"but {said}; pass --force to replace the file",
                    old.file,
                    old.line,
                    field="value",
                    expected=result.metric.value if result else None,
                    actual=old.value,
                )
            )
    if findings:
        return [], findings
    written = []
    for name, text in planned.items():
        path = folder / name
        if not path.is_file() or read_text_bounded(path, MAX_FILE_BYTES) != text:
            write_text_atomic(path, text)
            written.append(display_path(path))
    return written, findings
