"""`parse`: a README read into a `Document`, Markdown or a plain-text scrape alike.

Its own module because it joins the two readers: `cardkit.readme.document` (Markdown blocks, front
matter, the patterns) and `cardkit.readme.scrape`, which builds on document's blocks; neither of
them imports this one.
"""

from __future__ import annotations

from typing import Any

from cardkit.core.facts import ConfigReading
from cardkit.readme.document import Document, looks_like_markdown, read_front_matter_into, scan_markdown
from cardkit.readme.identity import read_identity
from cardkit.readme.scrape import scan_plain
from cardkit.readme.tables import pipe_tables, space_tables


def parse(
    text: str,
    path: str,
    config: dict[str, Any] | None = None,
    repo_id: str | None = None,
    family: bool = False,
    reading: ConfigReading | None = None,
) -> Document:
    """Split a README into the parts rules look at; never raises on odd input. `family` declares a
    README that describes several repos (one is recognised without it when it names three or more);
    `reading` is what transformers says about `config` (cardkit.validate.facts_cache.reading_for)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    doc = Document(path, text, lines, markdown=False, config=config, reading=reading or ConfigReading())
    read_front_matter_into(doc)
    doc.markdown = bool(doc.front_matter_lines) or looks_like_markdown(lines)
    if doc.markdown:
        scan_markdown(doc)
    else:
        scan_plain(doc)
    doc.tables = list(pipe_tables(doc)) + list(space_tables(doc))
    read_identity(doc, repo_id, family)
    return doc
