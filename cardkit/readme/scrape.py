"""Code in a plain-text scrape: a mirror site stripped every tag, so snippets sit between prose lines
without fences, and are sometimes glued onto one line with the next snippet or sentence.

Python is found from its imports and followed while lines read as code (brackets balanced, strings
skipped), shell from its commands; what is left is prose. Every scan here is linear in the line's
length (tests/test_linear_time.py), since a scrape is untrusted text.
"""

from __future__ import annotations

import re

from cardkit.readme.document import (
    CJK,
    CODE_LINE,
    CODE_RUNS_ON,
    CODE_START,
    MAX_CODE_PIECES_PER_LINE,
    SHELL_START,
    CodeBlock,
    Document,
    Segment,
    is_flattened,
)


def scan_plain(doc: Document) -> None:
    """Find code between prose lines of a scrape: Python from its imports, shell from its commands."""
    number = doc.front_matter_lines + 1
    while number <= len(doc.lines):
        line = doc.line(number)
        if CODE_START.match(line):
            taken, column, pieces = _take_python(doc, number, 0), 0, 1
            while isinstance(taken, tuple):  # the line goes on with another glued snippet
                number, column = taken
                pieces += 1
                if pieces > MAX_CODE_PIECES_PER_LINE:
                    doc.prose.append(Segment(number, column + 1, doc.line(number)[column:]))
                    taken = number + 1
                    break
                taken = _take_python(doc, number, column)
            number = taken
        elif SHELL_START.match(line) and not re.search(f"[{CJK}]", line):
            number = _take_shell(doc, number)
        else:
            doc.prose.append(Segment(number, 1, line))
            number += 1


STRING_BODY = {'"': re.compile(r'"(?:\\.|[^"\\\n])*+"'), "'": re.compile(r"'(?:\\.|[^'\\\n])*+'")}


def _without_strings(text: str) -> str:
    """`text` with its simple string literals removed, in one pass.

    The one-regex version retried an unclosed literal from every later quote (quadratic on `"\\"\\"...`).
    Here a quote that does not close retires its kind: every later quote of that kind would be read
    the same way up to the end, so none of them can close either (the scans meet after an escape).
    """
    text = re.sub(r"\"\"\"|'''", "", text)
    out: list[str] = []
    position, live = 0, {'"': text.find('"'), "'": text.find("'")}
    while True:
        for kind, found in live.items():
            if 0 <= found < position:
                live[kind] = text.find(kind, position)
        candidates = [found for found in live.values() if found >= 0]
        if not candidates:
            break
        start = min(candidates)
        kind = text[start]
        if match := STRING_BODY[kind].match(text, start):
            out.append(text[position:start])
            position = match.end()
        else:
            live[kind] = -1
    out.append(text[position:])
    return "".join(out)


def _depth(text: str) -> int:
    """Bracket balance of a code line, ignoring brackets inside simple string literals."""
    stripped = _without_strings(text)
    return sum(stripped.count(c) for c in "([{") - sum(stripped.count(c) for c in ")]}")


def _take_python(doc: Document, number: int, column: int) -> int | tuple[int, int]:
    """Collect one Python block starting at `number` (from `column`); return the next line to scan,
    or (line, column) when another snippet is glued on after this one (the caller bounds how many)."""
    first = doc.line(number)[column:]
    if is_flattened(first):
        doc.code_blocks.append(CodeBlock(number, [first], "python", flattened=True))
        doc.code_lines.add(number)
        return number + 1
    start, lines, depth = number, [], 0
    while number <= len(doc.lines):
        text = doc.line(number)[column:] if number == start else doc.line(number)
        if number != start and depth <= 0 and not _continues_code(doc, number):
            break
        if depth <= 0 and (glued := CODE_RUNS_ON.search(text)) and _depth(text[: glued.end()]) <= 0:
            cut = glued.end() + (column if number == start else 0)
            lines.append(text[: glued.end()])
            doc.code_lines.add(number)
            doc.code_breaks.append((number, cut))
            _finish_block(doc, start, lines)
            rest = doc.line(number)[cut:]
            if CODE_START.match(rest):
                return number, cut
            doc.prose.append(Segment(number, cut + 1, rest))
            return number + 1
        lines.append(text)
        doc.code_lines.add(number)
        depth += _depth(text)
        number += 1
    while lines and not lines[-1].strip():
        lines.pop()
        doc.code_lines.discard(start + len(lines))
    _finish_block(doc, start, lines)
    return start + len(lines)


def _continues_code(doc: Document, number: int) -> bool:
    """A line belongs to the block if it reads as code, or is blank with code right after it."""
    line = doc.line(number)
    if re.search(f"[{CJK}]", line) and not line.startswith((" ", "#", "print")):
        return False
    if not line.strip():
        after = doc.next_nonblank(number)
        following = doc.line(after) if after else ""
        return bool(following) and bool(CODE_LINE.match(following)) and not re.search(f"[{CJK}]", following)
    return bool(CODE_LINE.match(line))


def _finish_block(doc: Document, start: int, lines: list[str]) -> None:
    doc.code_blocks.append(CodeBlock(start, lines, "python"))


def _take_shell(doc: Document, number: int) -> int:
    start, lines = number, list[str]()
    while number <= len(doc.lines):
        line = doc.line(number)
        continued = bool(lines) and lines[-1].rstrip().endswith("\\")
        if not (continued or SHELL_START.match(line)) or (not line.strip() and not continued):
            break
        lines.append(line)
        doc.code_lines.add(number)
        number += 1
    while lines and not lines[-1].strip():
        lines.pop()
        doc.code_lines.discard(start + len(lines))
    doc.code_blocks.append(CodeBlock(start, lines, "bash"))
    return number if number > start else number + 1
