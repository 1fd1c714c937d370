"""Hub metadata of a README for the draft: its front matter and model-index, or a scrape's copy of
them whose `---` fences and indentation a mirror removed (keys recovered by the section they follow).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from cardkit.card.yaml_source import load_yaml
from cardkit.importing.draft import as_count, as_items, as_mapping, as_metric_value, as_text, canonical_url
from cardkit.readme.document import Document


def front_matter(doc: Document) -> dict[str, Any]:
    """Hub metadata: real front matter, or a scrape's flattened copy of it (indentation lost)."""
    if doc.front_matter:
        data = dict(doc.front_matter)
        data["results"] = list(_model_index_results(data.get("model-index")))
        return data
    lines: list[str] = []
    for line in doc.lines:
        if not re.match(r"^(?:[\w-]+:|- |\s+\S|https?://)", line):
            break
        lines.append(line)
    return _flat_front_matter(lines) if lines and re.match(r"^[\w-]+:", lines[0]) else {"results": []}

DATASET_KEYS = ("name", "type", "config", "split", "revision")


def _model_index_results(index: object) -> Iterator[dict[str, Any]]:
    """Each metric of a model-index, its fields as text or numbers; a part of the wrong type (a
    result that is a string, metrics that are a mapping) is skipped, never indexed."""
    for entry in as_items(index):
        for result in as_items(as_mapping(entry).get("results")):
            result = as_mapping(result)
            dataset, source = as_mapping(result.get("dataset")), as_mapping(result.get("source"))
            for metric in as_items(result.get("metrics")):
                metric = as_mapping(metric)
                yield {
                    "dataset": {k: as_text(dataset.get(k)) for k in DATASET_KEYS},
                    "few_shot": as_count(as_mapping(dataset.get("args")).get("num_few_shot")),
                    "metric": {
                        "type": as_text(metric.get("type")),
                        "value": as_metric_value(metric.get("value")),
                        "name": as_text(metric.get("name")),
                    },
                    "source": {k: as_text(source.get(k)) for k in ("name", "url")},
                }

SECTION_KEYS = {"task", "dataset", "args", "metrics", "source"}


def _flat_front_matter(lines: list[str]) -> dict[str, Any]:
    """Read metadata whose nesting a scrape removed: keys are recovered by the section they follow."""
    data: dict[str, Any] = {"results": []}
    key: Any = None
    section: Any = None
    result: Any = None
    pending: Any = None
    for line in lines:
        item = line[2:].strip() if line.startswith("- ") else None
        name, _, value = (item or line).partition(":")
        name, value = name.strip(), value.strip()
        if pending:
            _put(result, section, pending, canonical_url(line.strip()))
            pending = None
        elif key != "model-index" and item is not None and ":" not in item:
            if key is not None:
                existing = data.get(key)
                if not isinstance(existing, list):  # `license: mit` followed by `- item` lines
                    existing = data[key] = [] if existing is None else [existing]
                existing.append(item)
        elif key != "model-index" and name in ("language", "license", "tags", "datasets", "base_model"):
            key = name
            if value:
                data[key] = value
        elif name == "model-index":
            key = "model-index"
        elif key == "model-index" and name == "task" and item is not None:
            result = {"dataset": {}, "metric": {}, "source": {}, "few_shot": None}
            data["results"].append(result)
            section = "task"
        elif name in SECTION_KEYS and not value:
            section = name
        elif result is not None and value in (">-", "|", ">"):
            pending = name
        elif result is not None:
            _put(result, "metrics" if item is not None and section == "metrics" else section, name, value)
    return data


def _put(result: dict[str, Any] | None, section: str | None, name: str, value: str) -> None:
    if result is None or section is None:
        return
    parsed = _scalar(value)
    if section == "dataset":
        text = parsed if isinstance(parsed, str) else value  # `1e3` stays `1e3`, not `1000.0`
        result["dataset"][name] = text if parsed is not None else None
    elif section == "args" and name == "num_few_shot":
        result["few_shot"] = as_count(parsed)
    elif section == "metrics":
        result["metric"][name] = as_metric_value(parsed) if name == "value" else as_text(parsed)
    elif section == "source":
        result["source"][name] = canonical_url(value) if name == "url" else value


def _scalar(value: str) -> Any:
    """One flattened value read as YAML with the card loader's protections; text that does not load
    (an unsafe tag, an alias, a number that cannot convert) stays the text it is."""
    if not value:
        return None
    try:
        loaded = load_yaml(value, "README.md")
    except (ValueError, TypeError, OverflowError, RecursionError):
        return value
    return value if loaded.findings else loaded.data
