"""The training datasets a README's dataset table lists (`| Dataset | Tokens | Description |`, as
`cardkit render` writes it): each row's name, its Hub id when the name links to a Hub dataset, and
the tokens, examples and description its cells state. A cell that does not read stays out."""

from __future__ import annotations

import html
import re

from cardkit.importing.draft import Draft, todo
from cardkit.importing.labelled_values import as_count_text
from cardkit.readme.claims import is_chinese
from cardkit.readme.document import Document
from cardkit.readme.labels import label_key

DATASET_HEADER = frozenset({"dataset", "datasets", "数据集"})
COLUMNS = {"tokens": "tokens", "token 数": "tokens", "examples": "examples", "样本数": "examples",
           "description": "description", "说明": "description"}  # fmt: skip
HUB_DATASET = re.compile(
    r"^\[([^\[\]]{1,200})\]\(<?https://huggingface\.co/datasets/([\w.-]{1,96}/[\w.-]{1,96})>?\)$"
)
MAX_CELL = 2000


def dataset_table(doc: Document) -> list[Draft]:
    """The rows of the first table whose first column is `Dataset` (`数据集`) and whose other columns
    are all tokens, examples or description, in order."""
    for table in doc.tables:
        if not table.header or label_key(table.header[0]) not in DATASET_HEADER:
            continue
        columns = {i: COLUMNS[key] for i, h in enumerate(table.header) if (key := label_key(h)) in COLUMNS}
        if len(columns) != len(table.header) - 1:
            continue  # `| Dataset | Llama-3-8B | GLM-4-9B |`: scores per dataset, not training data
        rows: list[Draft] = []
        for _, row in table.rows:
            cell = row[0].strip()
            if not cell or len(cell) > MAX_CELL:
                continue
            entry: Draft = {}
            if match := HUB_DATASET.match(cell):
                entry["id"], entry["name"] = match.group(2), html.unescape(match.group(1)).strip()
            elif "](" not in cell:
                entry["name"] = html.unescape(cell.replace("**", "")).strip()
            else:
                continue  # a link to somewhere else: its name alone would lose the address
            for index, key in columns.items():
                value = row[index].strip() if index < len(row) else ""
                if not value or len(value) > MAX_CELL:
                    continue
                if key in ("tokens", "examples") and (count := as_count_text(value)) is not None:
                    entry[key] = count
                elif key == "description":
                    text = html.unescape(value)
                    lang, other = ("zh", "en") if is_chinese(text) else ("en", "zh")
                    entry["description"] = {lang: text, other: todo(f"dataset description ({other})")}
            rows.append(entry)
        if rows:
            return rows
    return []
