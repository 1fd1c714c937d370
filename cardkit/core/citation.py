"""BibTeX in cards is parsed, not trusted: a citation that does not parse is useless to a reader."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterator

REQUIRED_FIELDS = ("title", "year")

logging.getLogger("bibtexparser").addHandler(logging.NullHandler())
"""bibtexparser logs a warning per block it cannot parse; cardkit reports those blocks as findings,
so without a handler of the application's a README of broken entries would flood stderr."""


def bibtex_problems(text: str) -> list[str]:
    """Why `text` is not a usable BibTeX citation; empty when every entry parses and is complete."""
    import bibtexparser  # lazy: 0.1 s import, only needed when a card has a citation

    # bibtexparser ships py.typed but re-exports parse_string without `__all__` or `as`.
    library = bibtexparser.parse_string(text)  # type: ignore[attr-defined]
    problems = [
        f"cannot parse BibTeX block starting: {(block.raw or '')[:40]!r}" for block in library.failed_blocks
    ]
    if not library.entries and not problems:
        problems.append("no BibTeX entry found")
    keys = Counter(entry.key for entry in library.entries)  # one count, not a list scan per key
    problems += [f"duplicate BibTeX key {key!r}" for key in sorted(k for k, n in keys.items() if n > 1)]
    for entry in library.entries:
        missing = [name for name in REQUIRED_FIELDS if name not in entry.fields_dict]
        if "author" not in entry.fields_dict and "organization" not in entry.fields_dict:
            missing.append("author")
        if missing:
            problems.append(f"entry {entry.key!r} lacks {', '.join(missing)}")
    return problems


BIBTEX_START = re.compile(r"@(?:article|misc|inproceedings|techreport|book|online)\s*\{", re.IGNORECASE)


def bibtex_entries(text: str) -> Iterator[tuple[int, str]]:
    """(offset, entry) for each `@type{...}` with balanced braces, however a scrape wrapped its lines.

    Braces are matched in one pass, so a file of unclosed entries costs linear time, not quadratic."""
    closing: dict[int, int] = {}
    opened: list[int] = []
    for brace in re.finditer(r"[{}]", text):
        if brace.group() == "{":
            opened.append(brace.start())
        elif opened:
            closing[opened.pop()] = brace.start()
    after = 0  # an entry inside one already yielded is part of it: entries never overlap, so the
    for match in BIBTEX_START.finditer(text):  # slices add up to at most the text, not its square
        end = closing.get(match.end() - 1)
        if end is not None and match.start() >= after:
            after = end + 1
            yield match.start(), text[match.start() : end + 1]
