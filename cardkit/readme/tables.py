"""Tables in a README: GitHub pipe tables (outer pipes optional) and the space-separated tables a
scrape leaves when it strips the pipes, as rows of cells with the file line of each row."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cardkit.readme.document import Document


@dataclass
class Table:
    """A table as rows of cells with their file lines; the header row may be absent (space tables)."""

    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]]


SEPARATOR = re.compile(r"^\s*+\|?\s*+:?-{2,}+:?\s*+(?:\|\s*+:?-{2,}+:?\s*+)*+\|?\s*+$")
"""Possessive throughout: spaces, an optional pipe, spaces could split one run of spaces n ways
before failing, which made a line of spaces cost quadratic time."""
NUMBER = re.compile(r"^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
"""GitHub tables split cells at pipes; `\\|` is a pipe inside a cell (`<\\|endoftext\\|>`)."""


def cells(line: str) -> list[str]:
    """A table row's cells, split at unescaped pipes; never empty (a lone `|` is one empty cell),
    so rules can read `row[0]`."""
    parts = [part.strip() for part in UNESCAPED_PIPE.split(line.strip())]
    if parts and parts[0] == "" and line.strip().startswith("|"):
        parts = parts[1:]
    if parts and parts[-1] == "":
        parts = parts[:-1]
    return parts or [""]


def pipe_tables(doc: Document) -> Iterator[Table]:
    """GitHub tables, with or without outer pipes (scrapes often drop the leading one)."""
    number = 2
    while number <= len(doc.lines):
        if (
            SEPARATOR.match(doc.line(number))
            and "|" in doc.line(number - 1)
            and number not in doc.code_lines
            and "-" in doc.line(number)
        ):
            table = Table(cells(doc.line(number - 1)), number - 1, [])
            row = number + 1
            while row <= len(doc.lines) and "|" in doc.line(row) and doc.line(row).strip():
                table.rows.append((row, cells(doc.line(row))))
                row += 1
            yield table
            number = row
        else:
            number += 1


def trailing_numbers(line: str) -> tuple[str, list[str]]:
    """Split `Llama 2 7B 184320 400 31.22` into its label and the numbers that end it."""
    words = line.split()
    numbers: list[str] = []
    while words and NUMBER.match(words[-1]):
        numbers.append(words.pop())
    return " ".join(words), numbers[::-1]


def space_tables(doc: Document) -> Iterator[Table]:
    """Tables whose pipes a scrape removed: runs of lines that each end in two or more numbers."""
    run: list[tuple[int, list[str]]] = []
    for number in range(1, len(doc.lines) + 2):
        line = doc.line(number) if number <= len(doc.lines) else ""
        label, numbers = trailing_numbers(line)
        if line.strip() and "|" not in line and number not in doc.code_lines and len(numbers) >= 2 and label:
            run.append((number, [label, *numbers]))
            continue
        if len(run) >= 2:
            yield Table([], run[0][0] - 1, run)
        run = []


def as_number(text: str) -> float | None:
    """A table cell as a number (`2,795,443,200`, `4k` = 4096), or None for anything else."""
    value = text.strip().replace(" ", "")
    if match := re.fullmatch(r"(\d+(?:\.\d+)?)[kK]", value):
        return float(match.group(1)) * 1024
    if NUMBER.match(value):
        return float(value.replace(",", ""))
    return None
