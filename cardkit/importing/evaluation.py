"""The draft's evaluation results: from the model-index, else this model's row of a results table,
else the scores the README's tables state; with a published average as a summary validate recomputes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from cardkit.importing.draft import Draft, todo
from cardkit.readme.claims import display_name, table_results
from cardkit.readme.document import SIZE, Document, as_number


def draft_evaluation(doc: Document, meta: dict[str, Any]) -> Draft | None:
    results = [
        _result(r)
        for r in meta.get("results", [])
        if isinstance(r.get("metric", {}).get("value"), int | float)
    ]
    if not results:
        results = list(_table_results(doc))
    if not results:
        results = [_table_result(found) for found in table_results(doc, display_name(doc))]
    if not results:
        return None
    _unique_ids(results)
    evaluation: Draft = {"results": results}
    if summary := _average(doc, results):
        evaluation["summaries"] = [summary]
    return evaluation


def _table_result(found: dict[str, Any]) -> Draft:
    """A score a README's table states: its benchmark, shots (`Qwen-7B-Chat (5-shot)`) and the
    metric its column names (`Pass@1`); what the table does not state stays TODO."""
    shots = found["few_shot"]
    return {
        "id": _slug(found["benchmark"]) + (f"-{shots}-shot" if shots is not None else ""),
        "dataset": {"name": found["benchmark"], "type": todo("Hub dataset id or type")},
        **({"few_shot": shots} if shots is not None else {}),
        "metric": {"type": found["metric"] or todo("metric id"), "value": found["value"]},
    }


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "result"


def _result(raw: dict[str, Any]) -> Draft:
    dataset = {k: v for k, v in raw["dataset"].items() if v is not None}
    dataset.setdefault("name", todo("dataset name"))
    dataset.setdefault("type", todo("Hub dataset id or type"))
    metric = {k: v for k, v in raw["metric"].items() if v is not None}
    metric.setdefault("type", todo("metric id"))
    result: Draft = {"id": _slug(str(dataset.get("type", "result")).split("/")[-1]), "dataset": dataset}
    if isinstance(raw.get("few_shot"), int):
        result["few_shot"] = raw["few_shot"]
    result["metric"] = metric
    source = {k: v for k, v in (raw.get("source") or {}).items() if v}
    if source.get("name"):
        result["source"] = source
    return result


def _unique_ids(results: list[Draft]) -> None:
    seen: Counter[str] = Counter()
    for result in results:
        seen[result["id"]] += 1
        if seen[result["id"]] > 1:
            result["id"] = f"{result['id']}-{seen[result['id']]}"

BENCHMARKS = [
    "Commonsense Reasoning",
    "World Knowledge",
    "Reading Comprehension",
    "AGI Eval",
    "TruthfulQA",
    "Toxigen",
    "Code",
    "Math",
    "MMLU",
    "BBH",
    "HellaSwag",
    "Winogrande",
    "GSM8K",
    "ARC",
]
"""Benchmark names a space-separated results table (whose cell borders a scrape lost) can be split on."""


def _table_results(doc: Document) -> Iterator[Draft]:
    """Scores from a per-model results table: this model's row, columns named by known benchmarks."""
    for table in doc.tables:
        if table.header or table.header_line < 1:
            continue
        names = _benchmark_columns(doc.line(table.header_line))
        for _, row in table.rows:
            if names and len(row) - 1 == len(names) and _is_this_model(doc, row[0]):
                for name, cell in zip(names, row[1:], strict=True):
                    yield {
                        "id": _slug(name),
                        "dataset": {"name": name, "type": todo("Hub dataset id or type")},
                        "metric": {"type": todo("metric id"), "value": as_number(cell)},
                    }


def _benchmark_columns(header: str) -> list[str]:
    pattern = "|".join(re.escape(b) for b in BENCHMARKS)
    return re.findall(rf"(?<!\w)(?:{pattern})(?!\w)", header, re.I)


def _is_this_model(doc: Document, label: str) -> bool:
    """`Llama 2 13B` is this model's row in a `Llama-2-13b-hf` card; `Llama 1 13B`, `Llama-2-Chat` are not."""
    if not doc.repo_id:
        return False
    words = set(re.split(r"[\s_-]+", label.lower()))
    return bool(SIZE.search(label)) and words <= set(re.split(r"[\s/_-]+", doc.repo_id.lower()))


def _average(doc: Document, results: list[Draft]) -> Draft | None:
    """A published `Avg.` row, as a summary over the results (validate recomputes it)."""
    for table in doc.tables:
        for _, row in table.rows:
            if len(row) >= 2 and re.fullmatch(r"avg\.?|average", row[0].strip(), re.I):
                value = as_number(row[1])
                if value is not None:
                    decimals = len(row[1].split(".")[1]) if "." in row[1] else 0
                    return {
                        "name": row[0].strip(),
                        "of": [r["id"] for r in results],
                        "value": value,
                        "decimals": decimals,
                    }
    return None
