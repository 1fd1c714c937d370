"""The Hub's per-benchmark `.eval_results/<benchmark>.yaml` files, through huggingface_hub's own types.

An entry names a dataset and a task within it and holds one value; it has no field for the metric
or the shots, so cardkit writes them into `notes` (`metric acc_norm; 5-shot`) and reads them back
from there, which is what lets a card round-trip through these files.

Each file cardkit writes ends with `# cardkit:sha256=...`, the hash of the YAML above it (a comment:
the Hub reads the same entries). A file cardkit wrote and nobody edited holds only what a card said,
so it may be replaced; any other file is replaced only when it holds no score the card does not
state (`other_scores`), or with `--force`.

An entry's `dataset.id` is a Hub dataset repo (`cais/mmlu`, `Idavidrein/gpqa`): the Hub links the
score to that benchmark's page. `hub_dataset` is the one rule for which results get an entry, and
render, `eval import --eval-results`, `eval diff` and `check` all ask it: the card's `dataset.type`
must be an `owner/name` repo id valid on the Hub, after `LEGACY_DATASETS` maps the old canonical
ids that model-index still uses (`ai2_arc`) to the repos the Hub moved them to
(`allenai/ai2_arc`). Anything else (`llama2-grouped-code`, a paper's grouped average; a local
harness task) is no Hub dataset and has no `.eval_results` entry; it stays in the card and the
README's model-index.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from huggingface_hub import EvalResultEntry, eval_result_entries_to_yaml, parse_eval_result_entries

from cardkit.card.paths import display_path
from cardkit.card.yaml_source import load_yaml
from cardkit.core.atomic import write_text_atomic
from cardkit.core.codes import Code
from cardkit.core.findings import Finding
from cardkit.core.isolation import unreadable
from cardkit.core.safe_io import UnreadableFile, read_text_bounded
from cardkit.evaluation.codes import EVAL_HUB_FILE_SHAPE, EVAL_HUB_TOO_MANY_FILES, EVAL_IMPORT_CONFLICT
from cardkit.schema import Card
from cardkit.schema.evaluation import EvalResult

MAX_FILE_BYTES = 1024 * 1024
MAX_FILES = 1000
"""Files of one `.eval_results` folder read (one per benchmark: a few dozen in practice)."""
NOTES = re.compile(r"metric (?P<metric>[^;\s]+)(?:; (?P<shots>\d+)-shot)?")
_HUB_NAME = r"\w(?:[\w.-]{0,94}\w)?"
HUB_REPO_ID = re.compile(rf"(?!.*(?:--|\.\.))(?!.*\.git\Z){_HUB_NAME}/{_HUB_NAME}\Z", re.ASCII)
"""`owner/name` as huggingface_hub's `validate_repo_id` accepts it (ASCII word characters, `-` and
`.` inside, at most 96 each, no `--`, `..` or trailing `.git`), with the owner required."""
MARKER = "# cardkit:sha256="
"""Starts the last line of every `.eval_results` file cardkit writes (see `with_marker`)."""
FOLDER = ".eval_results"
"""The folder the Hub reads, at the root of the model repo (next to README.md)."""

LEGACY_DATASETS: dict[str, str] = {
    "ai2_arc": "allenai/ai2_arc",
    "boolq": "google/boolq",
    "gsm8k": "openai/gsm8k",
    "hellaswag": "Rowan/hellaswag",
    "hendrycks_test": "cais/mmlu",
    "openbookqa": "allenai/openbookqa",
    "piqa": "ybisk/piqa",
    "truthful_qa": "truthfulqa/truthful_qa",
    "winogrande": "allenai/winogrande",
}
"""Canonical dataset ids from before the Hub required an owner -> the repo the Hub redirects them to.

Only benchmarks whose move is certain are listed; an unlisted id without an owner gets no entry.
"""


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


def benchmark_id(dataset_type: str) -> str:
    """The id a score's dataset is known by in every source: a legacy id as its current Hub repo."""
    return LEGACY_DATASETS.get(dataset_type, dataset_type)


def hub_dataset(dataset_type: str) -> str | None:
    """The Hub benchmark dataset repo a result's `dataset.type` names, or None when it names none."""
    repo = benchmark_id(dataset_type)
    return repo if HUB_REPO_ID.match(repo) else None


def hub_results(card: Card) -> list[EvalResult]:
    """The card's results that name a Hub benchmark dataset: those `.eval_results` holds."""
    results = card.evaluation.results if card.evaluation else []
    return [result for result in results if hub_dataset(result.dataset.type) is not None]


def other_results(card: Card) -> list[EvalResult]:
    """The card's results that name no Hub dataset (no `.eval_results` entry is written for them)."""
    hub = {id(result) for result in hub_results(card)}
    return [r for r in (card.evaluation.results if card.evaluation else []) if id(r) not in hub]


def entry_for(result: EvalResult) -> EvalResultEntry:
    shots = f"; {result.few_shot}-shot" if result.few_shot is not None else ""
    notes = f"metric {result.metric.type}{shots}"
    source = result.source if result.source is not None and result.source.url else None
    return EvalResultEntry(
        dataset_id=benchmark_id(result.dataset.type),
        task_id=result.dataset.config or "default",
        value=result.metric.value,
        dataset_revision=result.dataset.revision,
        source_url=source.url if source else None,
        source_name=source.name if source else None,
        notes=notes,
    )


def files_for(card: Card) -> dict[str, str]:
    """File name -> YAML text of every `.eval_results` file the card's Hub-dataset results make."""
    grouped: dict[str, list[EvalResultEntry]] = {}
    for result in hub_results(card):
        grouped.setdefault(benchmark_file(benchmark_id(result.dataset.type)), []).append(entry_for(result))
    return {name: with_marker(_dump(entries)) for name, entries in sorted(grouped.items())}


def _dump(entries: list[EvalResultEntry]) -> str:
    return yaml.safe_dump(eval_result_entries_to_yaml(entries), sort_keys=False, allow_unicode=True)


def with_marker(text: str) -> str:
    """`text` with cardkit's last line, `# cardkit:sha256=<hash of the text above>`: a YAML comment,
    so the Hub reads the same entries, and how a later run tells its own file from an edited one."""
    return f"{text}{MARKER}{hashlib.sha256(text.encode('utf-8')).hexdigest()}\n"


def written_unedited(text: str) -> bool:
    """The file is one cardkit wrote and nobody edited since: its marker matches what is above it."""
    body, sep, digest = text.rpartition(MARKER)
    return bool(sep) and digest == f"{hashlib.sha256(body.encode('utf-8')).hexdigest()}\n"


def _well_typed(entry: EvalResultEntry) -> bool:
    """What cardkit compares must be text and finite numbers; anything else makes the file a finding."""
    value = entry.value
    number = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    texts = isinstance(entry.dataset_id, str) and isinstance(entry.task_id, str)
    return number and texts and isinstance(entry.notes, str | None)


def read_file(path: Path) -> tuple[list[HubScore], list[Finding]]:
    """Every entry of one `.eval_results` file; a file that is not entry-shaped is a finding."""
    display = display_path(path)
    try:
        text = read_text_bounded(path, MAX_FILE_BYTES)
    except UnreadableFile as exc:  # a folder, a FIFO, a file past the bound: its finding, not the run's
        return [], [unreadable(path, exc.reason)]
    parsed = load_yaml(text, display)
    if parsed.findings:
        return [], parsed.findings
    data = parsed.data if isinstance(parsed.data, list) else None
    try:
        entries = parse_eval_result_entries(data) if data is not None else None
    except (KeyError, TypeError, AttributeError, ValueError):
        entries = None
    if entries is None or len(entries) != len(data or ()) or not all(map(_well_typed, entries)):
        message = "not a list of `.eval_results` entries (text dataset.id and task_id, a finite value)"
        return [], [EVAL_HUB_FILE_SHAPE.finding(message, display, 1, 1)]
    scores = []
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
    return scores, []


def read_folder(folder: Path) -> tuple[list[HubScore], list[Finding]]:
    """Every entry of every `*.yaml` in `folder`; a file that is not entry-shaped is a finding."""
    scores: list[HubScore] = []
    findings: list[Finding] = []
    paths = sorted(folder.glob("*.yaml"))
    if len(paths) > MAX_FILES:
        message = f"{len(paths)} files; only the first {MAX_FILES} by name are read"
        findings.append(EVAL_HUB_TOO_MANY_FILES.finding(message, display_path(folder)))
    for path in paths[:MAX_FILES]:
        found, problems = read_file(path)
        scores += found
        findings += problems
    return scores, findings


def card_key(result: EvalResult) -> tuple[str, str, str]:
    """What identifies a score in every source: benchmark dataset, task (subset) within it, metric."""
    return (benchmark_id(result.dataset.type), result.dataset.config or "default", result.metric.type)


def other_scores(scores: list[HubScore], card: Card, code: Code, fix: str) -> list[Finding]:
    """A finding (`code`) per score the card does not state as it is: a file holding one of them is
    someone's data, replaced only when the user says so (`fix` tells how)."""
    results = {card_key(r): r for r in hub_results(card)}
    findings = []
    for old in scores:
        result = results.get((old.dataset, old.task_id, old.metric or ""))
        if result is None or result.metric.value != old.value:
            said = f"{result.metric.value} in the card" if result else "not in the card"
            findings.append(
                code.finding(
                    f"{old.dataset} {old.task_id} {old.metric or '(no metric in notes)'} is {old.value} here "
                    f"but {said}; {fix}",
                    old.file,
                    old.line,
                    field="value",
                    expected=result.metric.value if result else None,
                    actual=old.value,
                )
            )
    return findings


def _text(path: Path) -> str | None:
    """The file's text, or None when there is no readable text file there (read_folder says why)."""
    try:
        return read_text_bounded(path, MAX_FILE_BYTES) if path.is_file() else None
    except UnreadableFile:
        return None


def _replaceable(path: Path) -> bool:
    """A file cardkit wrote and nobody edited: what it holds came from the card, so it may go."""
    text = _text(path)
    return text is not None and written_unedited(text)


def write_folder(folder: Path, card: Card, *, force: bool = False) -> tuple[list[str], list[Finding]]:
    """Write the card's `.eval_results` files; a file holding other scores is replaced only with `force`.

    Nothing is written (no folder made) when the card has no Hub-dataset result.
    """
    existing, findings = read_folder(folder) if folder.is_dir() else ([], [])
    planned = files_for(card)
    if force:  # the files it replaces need not be readable; the others still must be
        findings = [f for f in findings if Path(f.file).name not in planned]
    else:
        kept = {name for name in planned if not _replaceable(folder / name)}
        ours = [old for old in existing if Path(old.file).name in kept]
        findings += other_scores(ours, card, EVAL_IMPORT_CONFLICT, "pass --force to replace the file")
    if findings:
        return [], findings
    written = []
    for name, text in planned.items():
        path = folder / name
        if _text(path) != text:
            write_text_atomic(path, text)
            written.append(display_path(path))
    return written, findings
