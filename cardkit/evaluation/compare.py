"""`cardkit eval diff`: line up every score of the card, a README's model-index, `.eval_results/` and
a harness results file by (dataset, subset, metric) and list each one on which they disagree.

Datasets are keyed by `hub_files.benchmark_id`, so a card's legacy `ai2_arc` and the
`allenai/ai2_arc` its `.eval_results` file names are one benchmark, and `.eval_results` is held only
to the scores `hub_files.hub_dataset` gives an entry: a paper's grouped average is in the card and
the README, never in a Hub file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cardkit.card.load import FailedLoad, load_card
from cardkit.card.paths import display_path
from cardkit.card.yaml_source import load_yaml
from cardkit.core.codes import Code
from cardkit.core.findings import Finding, Severity
from cardkit.core.safe_io import read_text_bounded
from cardkit.evaluation.codes import (
    EVAL_DIFF_FEW_SHOT,
    EVAL_DIFF_MISSING,
    EVAL_DIFF_VALUE,
    EVAL_README_NO_FRONT_MATTER,
)
from cardkit.evaluation.harness import read_harness_results
from cardkit.evaluation.hub_files import FOLDER, benchmark_id, hub_dataset, read_folder

Key = tuple[str, str, str]
PARTIAL = frozenset({"results JSON"})
"""Sources that cover only what one run measured: a score they lack is not a difference."""
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*$", re.DOTALL | re.MULTILINE)
MAX_README_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Score:
    value: float
    few_shot: int | None
    file: str
    line: int | None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


Scores = dict[Key, Score]


def _key(dataset: dict[str, Any], metric: Any) -> Key:
    return (benchmark_id(str(dataset.get("type"))), str(dataset.get("config") or "default"), str(metric))


def card_scores(path: Path) -> tuple[Scores, list[Finding]]:
    loaded = load_card(path)
    scores: Scores = {}
    if isinstance(loaded, FailedLoad) or loaded.card.evaluation is None:
        return scores, loaded.findings
    for index, result in enumerate(loaded.card.evaluation.results):
        pos = loaded.source_map.locate(("evaluation", "results", index, "metric", "value"))
        scores[_key(result.dataset.model_dump(), result.metric.type)] = Score(
            result.metric.value, result.few_shot, loaded.display, pos.line if pos else None
        )
    return scores, []


def readme_scores(path: Path) -> tuple[Scores, list[Finding]]:
    """The model-index of a README's front matter (the layout huggingface_hub writes and reads)."""
    display = display_path(path)
    match = FRONT_MATTER.match(read_text_bounded(path, MAX_README_BYTES))
    if match is None:
        message = "no YAML front matter"
        return {}, [EVAL_README_NO_FRONT_MATTER.finding(message, display, 1)]
    parsed = load_yaml(match.group(1), display)
    if parsed.findings or not isinstance(parsed.data, dict):
        return {}, parsed.findings
    scores: Scores = {}
    for m, model in enumerate(_list(parsed.data.get("model-index"))):
        for r, result in enumerate(_list(model.get("results") if isinstance(model, dict) else None)):
            dataset = result.get("dataset") if isinstance(result, dict) else None
            if not isinstance(dataset, dict):
                continue
            args = dataset.get("args")
            shots = args.get("num_few_shot") if isinstance(args, dict) else None
            for i, metric in enumerate(_list(result.get("metrics"))):
                value = metric.get("value") if isinstance(metric, dict) else None
                if isinstance(value, bool) or not isinstance(value, int | float):
                    continue
                pos = parsed.source_map.locate(("model-index", m, "results", r, "metrics", i, "value"))
                line = pos.line + 1 if pos else None  # +1: the opening `---`
                shots = shots if isinstance(shots, int) else None
                scores[_key(dataset, metric.get("type"))] = Score(float(value), shots, display, line)
    return scores, []


def eval_results_scores(folder: Path) -> tuple[Scores, list[Finding]]:
    entries, findings = read_folder(folder)
    scores = {
        (benchmark_id(e.dataset), e.task_id, e.metric or ""): Score(e.value, e.few_shot, e.file, e.line)
        for e in entries
    }
    return scores, findings


def results_json_scores(path: Path) -> tuple[Scores, list[Finding]]:
    run = read_harness_results(path)
    scores = {
        _key(r["dataset"], r["metric"]["type"]): Score(
            r["metric"]["value"], r.get("few_shot"), run.path, None
        )
        for r in run.results
    }
    return scores, [f for f in run.findings if f.severity is Severity.ERROR]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def diff_scores(sources: dict[str, Scores], report_at: Collection[str] | None = None) -> list[Finding]:
    """One finding per score that is missing from a source, or whose value or shots differ.

    `report_at` names the sources whose differences are reported (default: all): a missing score
    only when one of them lacks it, a value only when one of them is the odd one out. `cardkit
    check` compares the README with the card itself and asks here only about `.eval_results`.
    """
    at = set(sources if report_at is None else report_at)
    findings = []
    keys = sorted({key for scores in sources.values() for key in scores})
    for key in keys:
        present = {name: scores[key] for name, scores in sources.items() if key in scores}
        first = next(iter(present.values()))
        label = " ".join(key)
        said = "; ".join(f"{name} {s.value} at {s.where}" for name, s in present.items())
        missing = [name for name in sources if name not in present and _covers(name, key)]
        missing = missing if at & set(missing) else []
        values = [s.value for s in present.values()]
        shots = {s.few_shot for s in present.values() if s.few_shot is not None}
        if missing:
            message = f"{label}: not in {', '.join(missing)} ({said})"
            findings.append(_finding(EVAL_DIFF_MISSING, message, first))
        reference = _majority(values)
        for name, score in present.items():
            if name in at and not _same(score.value, reference):
                message = f"{label}: {name} says {score.value}, the rest {reference} ({said})"
                findings.append(_finding(EVAL_DIFF_VALUE, message, score, score.value))
        if len(shots) > 1:
            by = "; ".join(
                f"{name} {s.few_shot}-shot" for name, s in present.items() if s.few_shot is not None
            )
            findings.append(_finding(EVAL_DIFF_FEW_SHOT, f"{label}: {by}", first))
    return findings


def _covers(source: str, key: Key) -> bool:
    """Whether `source` should state the score `key`: a results file covers only its own run, and
    `.eval_results` only the scores of Hub benchmark datasets."""
    if source in PARTIAL:
        return False
    return source != FOLDER or hub_dataset(key[0]) is not None


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _majority(values: list[float]) -> float:
    """The value most sources agree on (the first source's on a tie): the odd one out is reported."""
    return max(values, key=lambda v: sum(_same(v, other) for other in values))


def _finding(code: Code, message: str, at: Score, actual: Any = None) -> Finding:
    return code.finding(message, at.file, at.line, actual=actual)


def diff_sources(
    card: Path | None = None,
    readme: Path | None = None,
    eval_results: Path | None = None,
    results: Path | None = None,
) -> list[Finding]:
    """Read each given source and compare; a source that cannot be read is reported, not compared."""
    return diff_sources_at(None, card, readme, eval_results, results)


def diff_sources_at(
    report_at: Collection[str] | None,
    card: Path | None = None,
    readme: Path | None = None,
    eval_results: Path | None = None,
    results: Path | None = None,
) -> list[Finding]:
    """`diff_sources`, reporting only the differences of the sources named in `report_at`."""
    readers = (
        ("card", card, card_scores),
        ("README", readme, readme_scores),
        (FOLDER, eval_results, eval_results_scores),
        ("results JSON", results, results_json_scores),
    )
    sources: dict[str, Scores] = {}
    findings: list[Finding] = []
    for name, path, reader in readers:
        if path is not None:
            scores, problems = reader(path)
            findings += problems
            if not problems:
                sources[name] = scores
    return findings + diff_scores(sources, report_at)
