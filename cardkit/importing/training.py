"""The draft's training section: datasets, precision, optimizer hyperparameters for this model's
size, hardware, and a published compute table (GPU hours, power, emissions), row by row.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from cardkit.core.python_snippet import SnippetError, parse_snippet
from cardkit.importing.datasets import dataset_table
from cardkit.importing.draft import Draft, as_items, as_text, prose_text, todo, todo_text
from cardkit.readme.claims import precision, prose_sections
from cardkit.readme.document import Document, as_number
from cardkit.readme.numbers import same_size, size_of

HYPER_HEADERS = {
    "batch_size_sequences": re.compile(r"^batch size$", re.I),
    "learning_rate": re.compile(r"^(learning rate|lr)$", re.I),
    "warmup_steps": re.compile(r"^warm-?up( steps)?$", re.I),
    "weight_decay": re.compile(r"^weight decay$", re.I),
    "betas": re.compile(r"^betas?$", re.I),
}

HARDWARE = re.compile(
    r"(?<!\d)(\d++)\s*+(?:块|个)?\s*+"
    r"((?:NVIDIA\s++)?(?:A100|H100|V100|A10G|L40S|H200)(?:[- ]\d+GB)?)\s*(?:GPU)?",
    re.I,
)


def draft_training(doc: Document, meta: dict[str, Any]) -> Draft:
    prose = prose_text(doc)
    stated_precision, candidates = precision(doc)
    training: Draft = {
        "stage": todo("pretraining | fine-tuning"),
        "summary": {**todo_text("training data and procedure"), **prose_sections(doc).get("training", {})},
        "datasets": dataset_table(doc) or _datasets(doc, meta) or [{"name": todo("training dataset")}],
        "precision": stated_precision
        or todo(f"float32 | float16 | bfloat16 | mixed-float16 | ...{candidates}"),
    }
    if optimizer := _optimizer(doc):
        training["optimizer"] = optimizer
    if hardware := HARDWARE.search(prose):
        name = hardware.group(2)
        training["hardware"] = {
            "type": name if name.upper().startswith("NVIDIA") else f"NVIDIA {name}",
            "count": int(hardware.group(1)),
        }
    if compute := _compute_table(doc):
        training["compute"] = {"table": compute}
    return training


def _datasets(doc: Document, meta: dict[str, Any]) -> list[Draft]:
    ids = [t for t in map(as_text, as_items(meta.get("datasets"))) if t]
    if not ids:  # a mirror's `数据集:` label line: `owner/name owner/name ...` before any damage
        for index, line in enumerate(doc.lines[:12]):
            if re.search(r"(?:数据集|datasets)[:：]\s*$", line) and index + 1 < len(doc.lines):
                ids = [w for w in doc.lines[index + 1].split() if re.fullmatch(r"[A-Za-z][\w.-]*/[\w.-]+", w)]
    return [{"id": i, "name": i.split("/")[-1]} for i in ids if "/" in i]


def _optimizer(doc: Document) -> Draft | None:
    """AdamW named in the text, with the hyperparameter table's row for this model's size."""
    name = "AdamW" if re.search(r"(?<![A-Za-z])AdamW(?![A-Za-z])", prose_text(doc)) else None
    values: Draft = {}
    size = doc.size_billions
    for table in doc.tables:
        columns = {k: i for i, h in enumerate(table.header) for k, p in HYPER_HEADERS.items() if p.match(h)}
        if not columns:
            continue
        rows = (
            table.rows
            if len(table.rows) == 1
            else [
                (line, row)
                for line, row in table.rows
                if size and (s := size_of(row[0])) and same_size(s, size)
            ]
        )
        for _, row in rows[:1]:
            values.update({k: v for k, i in columns.items() if i < len(row) and (v := _hyper(k, row[i]))})
    if not name and not values:
        return None
    return {"name": name or todo("optimizer name"), **values}

MAX_HYPER_CELL = 100
"""A hyperparameter cell is a number or a pair (`(0.9, 0.95)`); longer cells are not read."""


def _hyper(key: str, cell: str) -> Any:
    if len(cell.strip()) > MAX_HYPER_CELL:
        return None
    try:
        value = ast.literal_eval(parse_snippet(cell.strip(), mode="eval"))
    except (SnippetError, ValueError, TypeError, RecursionError, MemoryError):
        return None
    if key == "betas":
        return list(value) if isinstance(value, tuple) and len(value) == 2 else None
    if key in ("batch_size_sequences", "warmup_steps"):
        return value if isinstance(value, int) else None
    return float(value) if isinstance(value, int | float) else None


def _is_compute_header(header: str) -> bool:
    """`GPU hours ... Power ... Carbon` in that order, or `GPU 小时`. Three finds, where the pattern
    `GPU hours.*Power.*Carbon` retried every `Power` against every later position (quadratic)."""
    lowered = header.lower()
    hours = lowered.find("gpu hours")
    power = lowered.find("power", hours + 9) if hours >= 0 else -1
    after = power + 5
    emissions = -1 if power < 0 else max(lowered.find("carbon", after), lowered.find("emissions", after))
    return emissions >= 0 or "gpu 小时" in lowered


def _plain(value: float | None) -> float | int | None:
    """Integral figures as ints, so the YAML reads `184320`, not `184320.0`."""
    return int(value) if value is not None and value.is_integer() else value


def _compute_table(doc: Document) -> Draft | None:
    """A published compute table (GPU hours, power, tCO2eq per model, and its total), row by row."""
    for table in doc.tables:
        header = doc.line(table.header_line) if table.header_line >= 1 else ""
        if not _is_compute_header(header):
            continue
        rows, totals = [], None
        for _, row in table.rows:
            numbers = [_plain(as_number(c)) for c in row[1:]]
            if re.match(r"^total", row[0].replace("*", "").strip(), re.I):
                totals = numbers
            elif len(numbers) == 3 and None not in numbers:
                rows.append(
                    {
                        "label": row[0],
                        "gpu_hours": numbers[0],
                        "power_watts": numbers[1],
                        "co2_tonnes": numbers[2],
                    }
                )
        if not rows:
            continue
        draft: Draft = {"rows": rows}
        if totals and len(totals) == 3 and totals[1] is None:  # `| Total | hours |  | tonnes |`
            totals = [totals[0], totals[2]]
        if totals and len(totals) == 2 and None not in totals:
            draft["total_gpu_hours"], draft["total_co2_tonnes"] = totals
        return draft
    return None
