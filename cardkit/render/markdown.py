"""Escape card text for the Markdown context it lands in.

Card text is data, never template: it reaches Markdown only through these filters. Prose may use
Markdown (emphasis, links, code spans), so it is kept, but what changes the document's structure
rather than the text is neutralised: raw HTML (a `<script>` would run on any renderer that allows
HTML), lines that are only dashes or equals signs (a thematic break or a setext underline, and a
`---` line is how front matter ends), `#` headings (they would break the outline), code fences (an
unclosed one swallows the rest of the README) and, in table cells, pipes and newlines (they split
or end the row).
"""

from __future__ import annotations

import re

_AUTOLINK = re.compile(r"<(https?://[^\s<>]+)>")
_CJK_PUNCTUATION = "\u3000-\u303f\uff00-\uffef\u2018\u2019\u201c\u201d\u2026"
"""Ideographic and full-width punctuation (。，、；：「」（）…): never part of a URL."""
_BARE_URL = re.compile(rf"https?://[^\s<>{_CJK_PUNCTUATION}]+")
"""A URL typed without angle brackets; it ends at a space, `<` or CJK punctuation (GFM's own
autolink extension would run on through "。" and make it part of the link)."""
_URL_TRAILING = ".,:;!?*_~'\""
_URL_OPENERS = frozenset("[\"'=/")
"""A URL after these (or after `](`) is link text, a destination or other syntax, not bare text."""
_CONTAINER = re.compile(r"[ \t]*(?:>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+)")
"""One blockquote or list marker: a heading, fence or rule after them still renders as one."""
_OPENER = re.compile(r"[ \t]*(?:`{3,}|~{3,}|#{1,6}(?:[ \t]|$))")
"""A code fence (an unclosed one swallows the rest of the README) or an ATX heading."""
_RULE_MARKS = " \t-=_*"
"""A line left with only these is a thematic break or setext underline (and `---` ends front matter)."""
_BACKTICK_RUN = re.compile(r"`+")
_PIPE = re.compile(r"(\\*)\|")
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_INERT = re.compile(r"[^\\`<>&h]*(?:h(?!ttps?://)[^\\`<>&h]*)*")
"""A run the scanner copies as it is: no backslash, backtick, `<`, `>` or `&`, and no `h` that starts
`http://` or `https://` (everything that can begin an escape, a code span, an autolink, an entity
or a bare URL)."""


def _entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _closing_run(line: str, start: int, length: int) -> int | None:
    """Index of the next run of exactly `length` backticks on this line, as CommonMark pairs them."""
    for match in _BACKTICK_RUN.finditer(line, start):
        if len(match.group(0)) == length:
            return match.start()
    return None


def _bare_url(line: str, start: int) -> str | None:
    """The bare URL at `start`, without trailing punctuation or an unbalanced `)`, as GFM trims it."""
    match = _BARE_URL.match(line, start)
    if match is None:
        return None
    url = match.group(0)
    end, opened, closed = len(url), url.count("("), url.count(")")
    # Linear: one pass from the end, with the bracket balance kept as counts (not recounted).
    while end and (url[end - 1] in _URL_TRAILING or (url[end - 1] == ")" and closed > opened)):
        closed -= url[end - 1] == ")"
        end -= 1
    url = url[:end]
    return url if "://" in url and not url.endswith("://") else None


def _bare_start(line: str, i: int) -> bool:
    return i == 0 or (line[i - 1] not in _URL_OPENERS and line[max(0, i - 2) : i] != "](")


def _inert_end(line: str, start: int) -> int:
    """Where the inert run from `start` ends (`start` itself when the character there is special)."""
    match = _INERT.match(line, start)
    return match.end() if match else start


def _escape_line(line: str, closable: frozenset[int] = frozenset()) -> str:
    """`<`, `>`, `&` as entities outside code spans and autolinks, scanning as CommonMark does.

    Left to right, like the inline parser: a backslash escape is kept as typed (so an escaped
    backtick opens nothing), a backtick run is a code span only if the same run closes it on the
    same line (otherwise it is literal and what follows is escaped), and code spans and `<https://…>`
    autolinks are kept verbatim because inside them `<` is already literal. A bare URL becomes an
    explicit `<…>` autolink that ends where the URL does, whatever punctuation follows it. A span that would
    continue onto another line is not trusted: an HTML block can interrupt a paragraph there, and a
    run left open here could pair with one on a later line (CommonMark pairs code spans across the
    lines of a paragraph) and expose that line's `<` as HTML, so an unclosed run whose length
    appears on a later line (`closable`) is backslashed.
    """
    if _INERT.fullmatch(line):
        return line  # most lines of prose: nothing to escape, nothing to pair
    out: list[str] = []
    i = 0
    while i < len(line):
        if (inert := _inert_end(line, i)) > i:
            out.append(line[i:inert])  # copied in one piece, not character by character
            i = inert
            continue
        char = line[i]
        if char == "\\" and i + 1 < len(line) and line[i + 1] in _PUNCTUATION:
            out.append(line[i : i + 2])  # `\<` is already a literal `<`
            i += 2
        elif char == "`":
            length = len(line) - i - len(line[i:].lstrip("`"))
            close = _closing_run(line, i + length, length)
            if close is None and length in closable:  # a later line could close it: escaped
                out.append("\\`" * length)
                i += length
            elif close is None:
                out.append(line[i : i + length])
                i += length
            else:
                out.append(line[i : close + length])
                i = close + length
        elif char == "<" and (link := _AUTOLINK.match(line, i)):
            out.append(link.group(0))
            i = link.end()
        elif char == "h" and _bare_start(line, i) and (url := _bare_url(line, i)):
            out.append(f"<{url}>")
            i += len(url)
        else:
            out.append(_entities(char))
            i += 1
    return "".join(out)


_BACKTICK_RUN = re.compile(r"`+")


def _outside_code(text: str) -> str:
    """Escape raw HTML everywhere except code spans and autolinks, line by line."""
    lines = text.split("\n")
    later: list[frozenset[int]] = [frozenset()] * len(lines)
    seen: set[int] = set()
    for index in range(len(lines) - 1, -1, -1):  # the backtick run lengths below each line
        later[index] = frozenset(seen)
        seen.update(len(run) for run in _BACKTICK_RUN.findall(lines[index]))
    return "\n".join(_escape_line(line, closable) for line, closable in zip(lines, later, strict=True))


def _escape_at(line: str, start: int) -> str:
    mark = start + len(line[start:]) - len(line[start:].lstrip(" \t"))
    return line[:mark] + "\\" + line[mark:]


def _neutralise_line(line: str) -> str:
    """Backslash the first mark of a rule, fence or heading, also behind blockquote/list markers.

    Linear in the line: each position tried is the end of one more marker, and a rule is only
    possible in the trailing run of rule marks, found once.
    """
    rule_from = len(line.rstrip(_RULE_MARKS))
    start = 0
    while True:
        if (start >= rule_from and line[start:].strip()) or _OPENER.match(line, start):
            return _escape_at(line, start)
        marker = _CONTAINER.match(line, start)
        if marker is None:
            return line
        start = marker.end()


def prose(text: str) -> str:
    """A block of card prose: Markdown kept; HTML, rules, headings and fences neutralised."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    # Block marks first: the backslash they add must be seen when code spans are paired.
    return _outside_code("\n".join(_neutralise_line(line) for line in text.split("\n"))).rstrip()


def inline(text: str) -> str:
    """A single line of card text (a heading, a list item): prose on one line."""
    return " ".join(prose(text).split("\n"))


def cell(text: object) -> str:
    """A table cell from Markdown already escaped by `inline`/`prose`/`code` (or a catalog label):
    one line, every pipe escaped (GFM un-escapes them, even inside code spans).

    It does not escape again: `&amp;` run through `prose` twice is shown as "&amp;" on the page.
    A pipe is escaped when an odd number of backslashes precede it; `\\|` is an escaped backslash
    and a cell delimiter to GitHub's parser, so such a pipe gets one more backslash.
    """
    value = str(text).replace("\r\n", "\n").replace("\r", "\n")
    value = "<br>".join(line.strip() for line in value.split("\n") if line.strip())
    return _PIPE.sub(lambda m: m.group(0) if len(m.group(1)) % 2 else f"{m.group(1)}\\|", value)


def code(text: object) -> str:
    """A code span holding `text` literally, whatever backticks it contains."""
    value = " ".join(str(text).replace("\r", "\n").split("\n"))
    longest = max((len(run) for run in _BACKTICK_RUN.findall(value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or value.startswith(" ") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def fence(text: str) -> str:
    """The backtick fence for a code block: longer than any backtick run that starts a line in it."""
    longest = max((len(run) for run in re.findall(r"^[ \t]*(`+)", text, re.MULTILINE)), default=0)
    return "`" * max(3, longest + 1)


FILTERS = {"prose": prose, "inline": inline, "cell": cell, "code": code, "fence": fence}
"""Jinja filters by name; every piece of card text in a template goes through one of them."""
