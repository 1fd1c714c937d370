"""A README as lint sees it: lines, front matter, code blocks, tables and the prose between them.

Hub cards come in two shapes: Markdown (fenced code, `#` headings, optional YAML front matter) and
plain-text scrapes where a mirror site stripped every tag, so code sits between prose lines and is
sometimes run together onto one line. Both are reduced to the same `Document` so that every rule
works on either, and every finding can name the line a reader has to fix.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt

from cardkit.core.citation import bibtex_entries
from cardkit.core.facts import ConfigReading
from cardkit.core.python_snippet import SnippetError, parse_snippet
from cardkit.readme.frontmatter import read_front_matter
from cardkit.readme.identity import Identity
from cardkit.readme.tables import Table, as_number, cells, trailing_numbers

__all__ = [
    "CodeBlock",
    "Document",
    "Segment",
    "Table",
    "as_number",
    "bibtex_entries",
    "cells",
    "trailing_numbers",
]

MAX_README_BYTES = 1024 * 1024
"""A README is tens of kilobytes; the largest Hub cards are a few hundred. Past 1 MiB lint, import and
check refuse the file; below it every scan is linear in the text (tests/test_linear_time.py), and the
worst case, a mebibyte of one-word lines, lints in about 5 s."""
MAX_CODE_PIECES_PER_LINE = 20
"""Snippets glued onto one line of a scrape (`f()import x`): real lines have two or three; past this
bound the rest of the line is prose, so a crafted line cannot cost pieces x length."""

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)")
ATX_HEADING = re.compile(r"^ {0,3}#{1,6}\s+\S")
CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CODE_START = re.compile(r"^\s*(?:from\s+[\w.]+\s+import\s+\w|import\s+[\w.]+\s*(?:$|as\s|,|\s))")
SHELL_START = re.compile(r"^\s*(?:git|pip3?|cd|python3?|bash|sh|export|huggingface-cli|[A-Z_]+=\S*)\s")
CODE_LINE = re.compile(
    r"""^(\s+\S|\#|@\w|[\w.\[\]'"]+\s*[+\-*/]?=[^=]|[\w.]+\(|\)|\]|\*\*|(for|if|elif|else|while|with|def|"""
    r"""class|return|try|except|print|import|from)\b)"""
)
CODE_RUNS_ON = re.compile(rf"\)(?=from\s|import\s|[A-Z][a-z]|[{CJK}])")
"""A call's closing parenthesis glued to the next statement or to prose: two blocks lost their break."""
IMPORT_WORD = re.compile(r"\bimport\b")
STATEMENT_AFTER = re.compile(r"\s(?:import\s|def\s|class\s|for\s|[\w.]++\s*+=\s*+\S)")
"""A statement after an import on the same line. Searched once from the first `import` (a later
`import` can only have fewer statements after it), not from every one: that was quadratic."""
SIZE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?[bB](?![a-zA-Z0-9])")


@dataclass
class CodeBlock:
    """Code with the file line of its first line; `flattened` when a scrape put it all on one line."""

    start: int
    lines: list[str]
    language: str
    flattened: bool = False
    transcript: bool = False
    """A REPL session (`>>> ` prompts and printed output): `lines` hold only its source, with each
    output line blank, so line numbers still match the file."""

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Segment:
    """Prose on one line; `column` is where it starts (a line may begin with code run on from above)."""

    line: int
    column: int
    text: str


@dataclass
class Document:
    path: str
    text: str
    lines: list[str]
    markdown: bool
    front_matter: dict[str, Any] | None = None
    front_matter_lines: int = 0
    code_blocks: list[CodeBlock] = field(default_factory=list)
    code_lines: set[int] = field(default_factory=set)
    prose: list[Segment] = field(default_factory=list)
    headings: list[tuple[int, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    config: dict[str, Any] | None = None
    reading: ConfigReading = field(default_factory=ConfigReading)
    """What transformers says about `config` (exact facts, whether it implements the model_type),
    computed by the caller; by default nothing, so only config.json's literal keys are read."""
    repo_id: str | None = None
    identity: Identity = field(default_factory=Identity)
    """Repo ids the README names and, for a family card, its members (cardkit.readme.identity)."""
    code_breaks: list[tuple[int, int]] = field(default_factory=list)
    front_matter_problem: tuple[int, str] | None = None
    """(README line, message) when the `---` block does not load as a YAML mapping."""
    memo: dict[str, Any] = field(default_factory=dict, repr=False)
    """Views several rules share (lines with inline code blanked), computed once per document."""
    _newlines: list[int] | None = field(default=None, repr=False)
    _next_nonblank: list[int] | None = field(default=None, repr=False)

    def line(self, number: int) -> str:
        return self.lines[number - 1]

    def line_of(self, offset: int) -> int:
        """1-based line of a character offset in `text`, by binary search (not a count per call)."""
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_left(self._newlines, offset) + 1

    def next_nonblank(self, number: int) -> int | None:
        """The first non-blank line after `number`, from one table built backwards in one pass."""
        if self._next_nonblank is None:
            table = [0] * (len(self.lines) + 2)
            following = 0
            for n in range(len(self.lines), 0, -1):
                table[n] = following
                if self.lines[n - 1].strip():
                    following = n
            self._next_nonblank = table
        found = self._next_nonblank[number] if number <= len(self.lines) else 0
        return found or None

    @property
    def model_type(self) -> str | None:
        value = (self.config or {}).get("model_type")
        return value if isinstance(value, str) else None

    @property
    def size_billions(self) -> float | None:
        """The size the model is known by: from its repo id, else from the card's first title line.
        Computed once: rules ask for it per table, and the lines it reads may be long."""
        if "size_billions" not in self.memo:
            self.memo["size_billions"] = self._size_billions()
        size: float | None = self.memo["size_billions"]
        return size

    def _size_billions(self) -> float | None:
        candidates = [self.repo_id or ""]
        candidates += [text for _, text in self.headings[:2]]
        candidates += [s.text for s in self.prose[:3]]
        for text in candidates:
            if match := SIZE.search(text.replace("_", "-")):
                return float(match.group(1))
        return None


def looks_like_markdown(lines: list[str]) -> bool:
    """Markdown has fences, `---` front matter or an early heading; scrapes have none of them (a
    `# Generate` deep in a scrape is a Python comment whose code block lost its fence)."""
    if lines and lines[0].strip() == "---":
        return True
    early = [line for line in lines if line.strip()][:20]
    return any(FENCE.match(line) for line in lines) or any(ATX_HEADING.match(line) for line in early)


def read_front_matter_into(doc: Document) -> None:
    """The front matter the Hub reads (cardkit.readme.frontmatter); a block that does not load as a
    mapping is recorded as `front_matter_problem` with its README line, never raised."""
    if (front_matter := read_front_matter(doc.text, doc.path)) is None:
        return
    doc.front_matter_lines = front_matter.block.lines
    doc.front_matter = front_matter.data
    doc.front_matter_problem = front_matter.problem


_BLOCK_PARSER = MarkdownIt("commonmark").disable("inline")
"""Only block structure is used (fences, code blocks, headings): inline parsing, where Markdown
parsers keep their super-linear corner cases (nested brackets, emphasis runs), is switched off."""


def scan_markdown(doc: Document) -> None:
    """Fences and headings from markdown-it token maps; everything else outside them is prose."""
    body_start = doc.front_matter_lines
    body = "\n".join(doc.lines[body_start:])
    for token in _BLOCK_PARSER.parse(body):
        if token.map is None:
            continue
        first, last = token.map[0] + body_start + 1, token.map[1] + body_start
        if token.type == "fence":
            info = (token.info or "").strip().split(" ")[0].lower()
            _add_block(doc, first + 1, token.content.rstrip("\n").split("\n"), info)
            doc.code_lines.update(range(first, last + 1))
        elif token.type == "code_block":
            doc.code_lines.update(range(first, last + 1))
        elif token.type == "heading_open":
            doc.headings.append((first, doc.line(first).lstrip("# ").strip()))
    for number in range(body_start + 1, len(doc.lines) + 1):
        if number not in doc.code_lines:
            doc.prose.append(Segment(number, 1, doc.line(number)))


def _language(info: str, code: str) -> str:
    if info in ("python", "py", "python3"):
        return "python"
    if info in ("bash", "sh", "shell", "console", "zsh"):
        return "bash"
    if not info and any(CODE_START.match(line) for line in code.split("\n")):
        return "python"
    return info or "text"


PROMPT = re.compile(r"^\s*(?:>>>|\.\.\.)(?: |$)")


def transcript_source(lines: list[str]) -> list[str] | None:
    """The source of a Python REPL transcript (prompts removed, output lines blanked), or None when
    the block is not one: its first non-blank line must be a `>>> ` prompt."""
    first = next((line for line in lines if line.strip()), "")
    if not first.lstrip().startswith(">>>"):
        return None
    return [line.lstrip()[4:] if PROMPT.match(line) else "" for line in lines]


def _add_block(doc: Document, start: int, lines: list[str], info: str) -> None:
    source = transcript_source(lines) if info in ("", "python", "py", "python3", "pycon", "text") else None
    if source is not None:
        doc.code_blocks.append(CodeBlock(start, source, "python", transcript=True))
        return
    language = _language(info, "\n".join(lines))
    flattened = language == "python" and len(lines) == 1 and is_flattened(lines[0])
    doc.code_blocks.append(CodeBlock(start, lines, language, flattened))


def is_flattened(line: str) -> bool:
    """Several statements on one line that no longer parse: newlines lost in a scrape. A line too
    large or deep to parse is not called flattened; lint-snippet-syntax reports why it was not read."""
    if not CODE_START.match(line) or not (first := IMPORT_WORD.search(line)):
        return False
    if not STATEMENT_AFTER.search(line, first.end()):
        return False
    try:
        parse_snippet(line.strip())
    except SnippetError as exc:
        return exc.syntax
    return False
