"""Read lm-evaluation-harness results JSON into card results and summaries, as plain YAML-ready data.

The harness writes `results` ({task: {"metric,filter": value, "metric_stderr,filter": err | "N/A"}}),
`groups` (the aggregated groups, also present in `results`), `group_subtasks`, `configs` (each task's
YAML: dataset_path, dataset_name, test_split...), `n-shot`, `higher_is_better`, `versions`, `config`
(model and model_args) and `lm_eval_version`. Only the JSON is read: lm_eval is never imported.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cardkit.card.paths import display_path
from cardkit.core.codes import Code
from cardkit.core.findings import Finding
from cardkit.core.safe_io import read_text_bounded
from cardkit.evaluation.codes import (
    EVAL_GROUP_EMPTY,
    EVAL_GROUP_UNEXPLAINED,
    EVAL_RESULTS_EMPTY,
    EVAL_RESULTS_JSON,
    EVAL_RESULTS_NOT_A_NUMBER,
    EVAL_RESULTS_SHAPE,
)

MAX_RESULTS_BYTES = 64 * 1024 * 1024
"""Aggregated results are kilobytes; a file logged with every sample can reach tens of megabytes."""

RAW_METRICS = frozenset({"perplexity", "word_perplexity", "byte_perplexity", "bits_per_byte"})
"""Metrics in their own unit, not a share of anything."""
PERCENT_METRICS = frozenset({"bleu", "chrf", "ter"})
"""sacrebleu's scores, which the harness reports on 0-100; everything else it reports as 0-1."""
METRIC_NAMES = {
    "acc": "accuracy",
    "acc_norm": "normalized accuracy",
    "exact_match": "exact match",
    "mcc": "Matthews correlation",
    "f1": "F1",
}
LOCAL_BUILDERS = frozenset({"json", "csv", "parquet", "text", "arrow"})
"""`dataset_path` values that name a file format, not a dataset: the task name identifies those."""


@dataclass
class HarnessRun:
    """What one results file says, as card data (`results`, `summaries`) and findings about the file."""

    path: str
    source: dict[str, Any]
    results: list[dict[str, Any]] = field(default_factory=list)
    summaries: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def result_id(task: str, metric: str, filter_name: str) -> str:
    """`arc_easy` + `acc_norm` -> `arc_easy-acc_norm`; a filter other than `none` is appended."""
    text = f"{task}-{metric}" + ("" if filter_name == "none" else f"-{filter_name}")
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-_") or "result"


def _unique(rid: str, taken: set[str]) -> str:
    """`a.b` and `a-b` both slug to `a-b`: the second becomes `a-b-2` instead of a duplicate id."""
    if rid not in taken:
        return rid
    return next(f"{rid}-{n}" for n in range(2, len(taken) + 3) if f"{rid}-{n}" not in taken)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _model_args(config: Any) -> str | None:
    args = config.get("model_args") if isinstance(config, dict) else None
    if isinstance(args, dict):
        return ",".join(f"{key}={value}" for key, value in args.items()) or None
    return args if isinstance(args, str) and args else None


def _scale(metric: str, value: float) -> str:
    if metric in RAW_METRICS:
        return "raw"
    if metric in PERCENT_METRICS:
        return "percent"
    return "fraction" if 0 <= value <= 1 else "raw"


def _leaves(name: str, subtasks: dict[str, list[str]]) -> list[str]:
    """Leaf tasks under a group, in the harness's order; iterative, and a cycle is walked once."""
    leaves: list[str] = []
    stack, seen = [name], set()
    while stack:
        current = stack.pop()
        children = subtasks.get(current)
        if not children:
            leaves.append(current)
        elif current not in seen:
            seen.add(current)
            stack.extend(reversed(children))
    return leaves


class _Reader:
    """One pass over a loaded results mapping; kept as a class so helpers share the tables."""

    def __init__(self, data: dict[str, Any], run: HarnessRun) -> None:
        self.data, self.run = data, run
        self.subtasks = {
            name: [child for child in children if isinstance(child, str)]
            for name, children in _mapping(data, "group_subtasks").items()
            if isinstance(children, list)
        }
        self.ids: dict[tuple[str, str], str] = {}
        self.sizes: dict[str, float] = {}

    def warn(self, code: Code, message: str) -> None:
        self.run.findings.append(code.finding(message, self.run.path))

    def task_results(self, task: str, metrics: dict[str, Any]) -> None:
        config = _mapping(_mapping(self.data, "configs"), task)
        shots = _mapping(self.data, "n-shot").get(task)
        directions = _mapping(_mapping(self.data, "higher_is_better"), task)
        self.sizes[task] = _number(metrics.get("sample_len")) or 0.0
        for key, raw in metrics.items():
            metric, _, filter_name = str(key).partition(",")
            if not filter_name or metric.endswith("_stderr"):
                continue
            value = _number(raw)
            if value is None:
                self.warn(EVAL_RESULTS_NOT_A_NUMBER, f"{task} {key}: {raw!r} is not a number; skipped")
                continue
            stderr = _number(metrics.get(f"{metric}_stderr,{filter_name}"))
            metric_entry: dict[str, Any] = {
                "type": metric if filter_name == "none" else f"{metric},{filter_name}",
                "value": value,
            }
            if name := METRIC_NAMES.get(metric):
                metric_entry["name"] = name
            metric_entry["scale"] = _scale(metric, value)
            metric_entry["higher_is_better"] = directions.get(metric) is not False
            if stderr is not None and stderr >= 0:
                metric_entry["stderr"] = stderr
            rid = _unique(result_id(task, metric, filter_name), set(self.ids.values()))
            self.ids[(task, key)] = rid
            entry = {
                "id": rid,
                "dataset": _dataset(task, metrics, config),
                **({"few_shot": shots} if _is_count(shots) else {}),
                "metric": metric_entry,
                "harness_task": task,
                "source": dict(self.run.source),
            }
            self.run.results.append(entry)

    def group_summaries(self, group: str, metrics: dict[str, Any]) -> None:
        leaves = _leaves(group, self.subtasks)
        alias = _alias(group, metrics)
        for key, raw in metrics.items():
            metric, _, filter_name = str(key).partition(",")
            value = _number(raw)
            if not filter_name or metric.endswith("_stderr") or value is None:
                continue
            members = [leaf for leaf in leaves if (leaf, key) in self.ids]
            if not members:
                self.warn(EVAL_GROUP_EMPTY, f"group {group!r} {key}: none of its tasks report it; skipped")
                continue
            summary: dict[str, Any] = {
                "name": f"{alias} ({metric if filter_name == 'none' else key})",
                "of": [self.ids[(leaf, key)] for leaf in members],
                "value": value,
                "decimals": 6,
            }
            weights = _weights(members, self.sizes, [self._value(leaf, key) for leaf in members], value)
            if weights is None:
                self.warn(
                    EVAL_GROUP_UNEXPLAINED,
                    f"group {group!r} {key} = {value} is neither the mean nor the size-weighted mean of "
                    f"its {len(members)} tasks; validate will report it",
                )
            elif weights:
                summary["weights"] = weights
            self.run.summaries.append(summary)

    def _value(self, task: str, key: str) -> float:
        return float(_mapping(self.data, "results")[task][key])


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _mapping(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _alias(task: str, metrics: dict[str, Any]) -> str:
    """The harness prefixes subtask aliases with ` - ` for its table; the card wants the name."""
    alias = metrics.get("alias")
    return alias.strip().lstrip("-").strip() or task if isinstance(alias, str) else task


def _dataset(task: str, metrics: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    path, name = config.get("dataset_path"), config.get("dataset_name")
    dataset: dict[str, Any] = {"name": _alias(task, metrics)}
    dataset["type"] = path if isinstance(path, str) and path and path not in LOCAL_BUILDERS else task
    if isinstance(name, str) and name:
        dataset["config"] = name
    split = config.get("test_split") or config.get("validation_split")
    if isinstance(split, str) and split:
        dataset["split"] = split
    return dataset


def _weights(
    tasks: list[str], sizes: dict[str, float], values: list[float], stated: float
) -> list[float] | None:
    """[] for a plain mean, the sample counts for a size-weighted one, None when neither gives `stated`.

    The harness weights by size unless a group says `weight_by_size: false`, and its results file
    does not record which: the figure itself tells.
    """

    def close(mean: float) -> bool:
        return abs(mean - stated) <= 1e-9 * max(1.0, abs(stated))

    if close(sum(values) / len(values)):
        return []
    counts = [sizes.get(task, 0.0) for task in tasks]
    if sum(counts) and close(sum(c * v for c, v in zip(counts, values, strict=True)) / sum(counts)):
        return counts
    return None


def read_harness_results(path: Path) -> HarnessRun:
    """Parse one results file; never raises for bad content (findings say what is wrong)."""
    display = display_path(path)
    text = read_text_bounded(path, MAX_RESULTS_BYTES)
    run = HarnessRun(display, {})
    try:
        data = json.loads(text)
    except RecursionError:
        message = "JSON nested too deeply to be harness output"
        run.findings.append(EVAL_RESULTS_JSON.finding(message, display, 1, 1))
        return run
    except json.JSONDecodeError as exc:
        run.findings.append(
            EVAL_RESULTS_JSON.finding(
                f"not JSON: {exc.msg}", display, exc.lineno, exc.colno
            )
        )
        return run
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        message = "not lm-evaluation-harness output: no `results` mapping at the top level"
        run.findings.append(EVAL_RESULTS_SHAPE.finding(message, display, 1, 1))
        return run
    version = data.get("lm_eval_version") if isinstance(data.get("lm_eval_version"), str) else None
    run.source = {"name": f"lm-evaluation-harness {version}" if version else "lm-evaluation-harness"}
    if args := _model_args(data.get("config")):
        run.source["model_args"] = args
    reader = _Reader(data, run)
    groups = {name for name, children in reader.subtasks.items() if children}
    for task, metrics in data["results"].items():
        if isinstance(metrics, dict) and task not in groups:
            reader.task_results(task, metrics)
    for group, metrics in _mapping(data, "groups").items():
        if isinstance(metrics, dict):
            reader.group_summaries(group, metrics)
    if not run.results:
        run.findings.append(EVAL_RESULTS_EMPTY.finding("no task scores", display, 1, 1))
    return run
