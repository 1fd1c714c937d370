"""Draft fields from rows that state them for this model: the licence row (`[Name](<url>) (`id`)`,
or a publisher's sentence naming a custom licence) and a model-zoo table's row for this model
(its Hub link and release date). Only TODO or absent fields are filled."""

from __future__ import annotations

import re

from cardkit.core.hub_ids import HUB_LICENSE_IDS
from cardkit.importing.draft import Draft, fill_field, is_todo
from cardkit.importing.labelled_values import as_date
from cardkit.readme.claims import display_name, is_model_row, model_keys
from cardkit.readme.document import Document
from cardkit.readme.labels import label_key, values_for

HUB_LINK = re.compile(
    r"\[[^\[\]\w]{0,4}([\w.-]{1,96}/[\w.-]{1,96})\]\(<?https://huggingface\.co/([\w.-]{1,96}/[\w.-]{1,96})>?\)"
)
RELEASE_HEADER = re.compile(r"^(?:release date|发布日期|发布时间)$", re.I)


def fill_from_model_row(doc: Document, draft: Draft) -> None:
    """A model-zoo table's row for this model (`| **InternLM 7B** | [🤗internlm/internlm-7b](...) |
    ... | 2023-07-06 |`): its Hub link (text and address agreeing) and its release date."""
    keys = model_keys(doc, display_name(doc))
    rows = [
        (t, row) for t in doc.tables if t.header for _, row in t.rows if keys and is_model_row(row[0], keys)
    ]
    repos = {
        m.group(1)
        for _, row in rows
        for cell in row[1:]
        for m in HUB_LINK.finditer(cell)
        if m.group(1) == m.group(2)
    }
    if len(repos) == 1:
        fill_field(draft, ("identity", "repo_id"), repos.pop())
    dates = {
        date
        for table, row in rows
        for index, header in enumerate(table.header)
        if RELEASE_HEADER.match(label_key(header)) and index < len(row) and (date := as_date(row[index]))
    }
    if len(dates) == 1:
        fill_field(draft, ("identity", "release_date"), dates.pop())


LICENCE_ROW = re.compile(
    r"^\[([^\[\]]{1,200})\]\(<?(https://[^\s<>()]{1,500})>?\)\s*[(（]`([\w.-]{1,80})`[)）]$"
)
LICENCE_PLAIN = re.compile(r"^([^\[\]()`]{1,200}?)\s*[(（]`([\w.-]{1,80})`[)）]$")
CUSTOM_LICENCE = re.compile(
    r"\b([A-Z](?:[\w.]{0,40}\s)(?:[A-Z0-9][\w.]{0,40}\s){0,5}(?:Community|Research|Open)\s"
    r"(?:[A-Z][\w-]{0,40}\s){0,3}Licen[cs]e(?:\sAgreement)?)"
)
"""Words of at most 40 characters, tried only in a licence row of at most `MAX_ROW` characters."""
MAX_ROW = 1000
LINK_URL = re.compile(r"\]\(<?(https://[^\s<>()]{1,500})>?\)")


def fill_licence(doc: Document, draft: Draft) -> None:
    """The licence row: `[Name](<url>) (`id`)` as cardkit renders it, or a publisher's sentence
    naming a custom licence ("the Llama 3.3 Community License Agreement, is available at: [url]")."""
    rows = values_for(doc, frozenset({"license", "licence", "许可证"}))
    licence = draft["license"]
    for item in (row for row in rows if len(row.value) <= MAX_ROW):
        if match := LICENCE_ROW.match(item.value):
            name, url, stated_id = match.groups()
        elif match := LICENCE_PLAIN.match(item.value):
            (name, stated_id), url = match.groups(), None
        elif (custom := CUSTOM_LICENCE.search(item.value)) and len(rows) == 1:
            name, stated_id = custom.group(1), None
            url = link.group(1) if (link := LINK_URL.search(item.value)) else None
        else:
            continue
        if stated_id is not None and stated_id not in HUB_LICENSE_IDS:
            continue
        if stated_id is not None and is_todo(licence.get("id")):
            licence["id"] = stated_id
        if stated_id is not None and licence.get("id") != stated_id:
            continue  # the row names another licence than the front matter's: not this one's name
        fill_field(draft, ("license", "name"), name.strip())
        if url and "url" not in licence:
            licence["url"] = url
        return
