"""A linear pre-scan of YAML text: cardkit's nesting and alias limits, enforced before any parser runs.

The limits must not depend on which parser PyYAML was built with: libyaml's C parser refuses deep
nesting itself (with its own message), the pure-Python composer recurses per level and would hit
Python's recursion limit, and both share nodes for aliases that cardkit's walks would then expand.
So cardkit reads the raw text once, the way the YAML scanner tokenizes it (flow brackets, block
indentation, quoted and block scalars, comments), and refuses an alias or a nesting level past the
limit with the line and column where it starts. Each character is looked at a bounded number of
times, mostly by compiled regular expressions that match whole runs, so the pass is linear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cardkit.card.codes import YAML_ALIAS, YAML_TOO_DEEP
from cardkit.core.codes import Code

_BREAK = re.compile(r"\r\n|[\r\x85\u2028\u2029]")
"""YAML's line breaks besides `\\n`; the scan normalises them so a line is always `\\n`-terminated."""
_BLANKS = ("", " ", "\t", "\n")
_SPACES = re.compile(r"[ \t]*")
_INDENT = re.compile(r" *")
_COMMENT = re.compile(r"#[^\n]*")
_BLOCK_CHUNK = re.compile(r"(?:[^ \t\n:]|:(?![ \t\n]|\Z))+")
_FLOW_CHUNK = re.compile(r"(?:[^ \t\n:,?\[\]{}]|:(?![ \t\n,\[\]{}]|\Z))+")
_SINGLE = re.compile(r"'[^']*(?:''[^']*)*'")
_DOUBLE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_PROPERTY = re.compile(r"!<[^>\n]*>|[!&][^ \t\n,\[\]{}]*")
_BLOCK_HEADER = re.compile(r"[|>](?:[+-]([1-9])?|([1-9])[+-]?)?[ \t]*(?:#[^\n]*)?")
_LEADING_BLANKS = re.compile(r"[ \n]*")
_DOCUMENT_MARKER = re.compile(r"(?:---|\.\.\.)(?=[ \t\n]|\Z)")
_SIMPLE_VALUE = (
    r"""(?:(?:[^\s\-?:,\[\]{}#&*!|>'"%@`]|[-?:](?=\S))[^\n:#]*+(?::(?![ \n])[^\n:#]*+)*+"""
    r"""|"[^"\\\n]*+"|'[^'\n]*+')"""
)
_SIMPLE_KEY = r"[A-Za-z_][\w-]*+:(?= |\n)"
_SIMPLE_LINE = re.compile(rf"( *+)(?:(-)(?:( ++){_SIMPLE_KEY})?|{_SIMPLE_KEY})( ++{_SIMPLE_VALUE})? *+\n")
"""The lines most of a card is made of (`key: value`, `- item`, `- key: value`), taken in one match."""


def _end(pattern: re.Pattern[str], text: str, pos: int) -> int:
    """Where the run of `pattern` at `pos` ends, for the patterns that always match there: those that
    match the empty string, and `#`/`!`/`&` runs the caller has seen the first character of."""
    match = pattern.match(text, pos)
    assert match is not None, pattern.pattern
    return match.end()


@dataclass
class _FlowLevel:
    """An open `[` or `{`, and the deepest level reached inside it: overall, and in the current entry."""

    sequence: bool
    peak: int
    entry_peak: int
    pair: bool = False


@dataclass(frozen=True)
class Refusal:
    """Why the text is refused unparsed, and where (1-based line and column)."""

    code: Code
    message: str
    line: int
    column: int


def prescan(text: str, max_depth: int) -> Refusal | None:
    """The first alias or nesting level past `max_depth` in `text`, or None when there is neither."""
    return _Scanner(_BREAK.sub("\n", text), max_depth).run()


class _Scanner:
    """The block-indentation and flow-level bookkeeping of the YAML scanner, without building tokens.

    Depth counts what the parser will open: every block and flow collection, an indentless sequence
    (`key:` followed by `- item` at the key's column), and the single-pair mapping that `[a: b]` makes.
    A mapping opened by a simple key encloses the key itself, so a key that is a flow collection
    (`[[x]]: y`) counts one level deeper than it looked while it was read.
    """

    def __init__(self, text: str, max_depth: int) -> None:
        self.text = text
        self.max_depth = max_depth
        self.pos = 0
        self.line_start = 0
        self.indents: list[int] = []  # columns of the open block collections
        self.kinds: list[str] = []  # "map", "seq", or "iseq": a sequence at its mapping's column
        self.levels: list[_FlowLevel] = []  # the open flow collections, outermost first
        self.pairs = 0  # single-pair mappings open in flow sequences
        self.key_column: int | None = None  # where a node that could be a simple key began on this line
        self.key_peak = 0  # deepest level reached inside that node

    @property
    def depth(self) -> int:
        return len(self.indents) + len(self.levels) + self.pairs

    def run(self) -> Refusal | None:
        text, size = self.text, len(self.text)
        if (refusal := self._simple_lines()) is not None:
            return refusal
        while True:
            self.pos = _end(_SPACES, text, self.pos)
            if self.pos >= size:
                return None
            char = text[self.pos]
            if char == "#":
                self.pos = _end(_COMMENT, text, self.pos)
                continue
            if char == "\n":
                self.pos += 1
                self.line_start = self.pos
                if not self.levels:
                    self.key_column = None
                    if (refusal := self._simple_lines()) is not None:
                        return refusal
                continue
            column = self.pos - self.line_start
            if column == 0 and char in "-.%" and self._directive_or_marker(char):
                continue
            following = text[self.pos + 1 : self.pos + 2]
            entry = char == "-" and following in _BLANKS
            if not self.levels:
                self._unwind(column, entry)
            refusal = self._token(char, following, column, entry)
            if refusal is not None:
                return refusal

    def _simple_lines(self) -> Refusal | None:
        """From a line start: take common lines whole, until one needs the token-by-token scan."""
        while True:
            taken = self._simple_line()
            if taken is not True:
                return taken or None

    def _simple_line(self) -> bool | Refusal:
        """Take a whole common line at once, with the same bookkeeping as token by token."""
        text = self.text
        line = _SIMPLE_LINE.match(text, self.pos)
        if line is None:
            return False
        indent, dash, item_key_spaces, value = line.groups()
        column = len(indent)
        if value is not None and value.lstrip()[0] not in "'\"":  # a plain value may go on below
            below = _end(_LEADING_BLANKS, text, line.end())
            below_column = below - (text.rfind("\n", 0, below) + 1)
            open_column = column + 1 + len(item_key_spaces) if item_key_spaces else column
            if below < len(text) and (
                text[below] == "\t" or (text[below] != "#" and below_column > open_column)
            ):
                return False
        self._unwind(column, dash is not None)
        refusal = None
        if dash:
            if not self.indents or self.indents[-1] < column:
                refusal = self._push(column, "seq", self.depth + 1)
            elif self.indents[-1] == column and self.kinds[-1] == "map":
                refusal = self._push(column, "iseq", self.depth + 1)
            if item_key_spaces:
                refusal = refusal or self._push(column + 1 + len(item_key_spaces), "map", self.depth + 1)
        elif not self.indents or self.indents[-1] < column:
            refusal = self._push(column, "map", self.depth + 1)
        if refusal is not None:
            return refusal
        self.pos = line.end()
        self.line_start = self.pos
        self.key_column = None
        return True

    def _directive_or_marker(self, char: str) -> bool:
        """Skip a `%` directive line or a `---`/`...` document marker; a new document starts afresh."""
        if char == "%" and not self.levels:
            end = self.text.find("\n", self.pos)
            self.pos = len(self.text) if end < 0 else end
            return True
        if char in "-." and _DOCUMENT_MARKER.match(self.text, self.pos):
            self.indents.clear()
            self.kinds.clear()
            self.levels.clear()
            self.pairs, self.pos, self.key_column = 0, self.pos + 3, None
            return True
        return False

    def _token(self, char: str, following: str, column: int, entry: bool) -> Refusal | None:
        """Consume the token at `self.pos`; a refusal when it is an alias or nests too deep."""
        if char in "[{":
            self._start_node(column)
            self.levels.append(_FlowLevel(char == "[", self.depth + 1, self.depth + 1))
            self.pos += 1
            return self._check_depth(self.depth, column)
        if char in "]},":
            self.pos += 1
            if self.levels:
                self._end_entry(self.levels[-1])
                if char != ",":
                    self._close_level()
            return None
        if entry and not self.levels:
            self.pos += 1
            self.key_column = None
            if not self.indents or self.indents[-1] < column:
                return self._push(column, "seq", self.depth + 1)
            if self.indents[-1] == column and self.kinds[-1] == "map":
                return self._push(column, "iseq", self.depth + 1)
            return None
        if char in "?:" and (following in _BLANKS or self.levels):
            self.pos += 1
            if self.levels:
                return self._flow_pair(self.levels[-1], column)
            return self._block_key(char, column)
        if char == "*":
            message = "YAML anchors and aliases are not allowed in cards; write the value out"
            return self._refusal(YAML_ALIAS, message, column)
        self._start_node(column)
        self._scalar_or_property(char)
        return None

    def _scalar_or_property(self, char: str) -> None:
        if char in "!&":
            self.pos = _end(_PROPERTY, self.text, self.pos)
        elif char in "|>" and not self.levels:
            self._block_scalar()
            self.key_column = None  # it ends at a line start
        elif char in "'\"":
            quoted = (_SINGLE if char == "'" else _DOUBLE).match(self.text, self.pos)
            if quoted is None:
                self.pos = len(self.text)  # unclosed: the parser reports it
            else:
                self._advance_to(quoted.end())
        else:
            self._plain()

    def _block_key(self, char: str, column: int) -> Refusal | None:
        """`? ` or `: ` in block context: a mapping starts at the key's column unless one is open there."""
        start, self.key_column = (self.key_column if char == ":" else None), None
        where = column if start is None else start
        if self.indents and self.indents[-1] >= where:
            return None
        peak = self.key_peak + 1 if start is not None else self.depth + 1
        return self._push(where, "map", max(self.depth + 1, peak))

    def _unwind(self, column: int, entry: bool) -> None:
        """Close the block collections a token at `column` ends, as the YAML scanner does."""
        while self.indents and self.indents[-1] > column:
            self.indents.pop()
            self.kinds.pop()
        if self.kinds and self.kinds[-1] == "iseq" and self.indents[-1] == column and not entry:
            self.indents.pop()
            self.kinds.pop()

    def _push(self, column: int, kind: str, depth: int) -> Refusal | None:
        self.indents.append(column)
        self.kinds.append(kind)
        return self._check_depth(depth, column)

    def _start_node(self, column: int) -> None:
        """A node starts at `column`: in block context it may be the key of a mapping to come."""
        if not self.levels and self.key_column is None:
            self.key_column, self.key_peak = column, self.depth

    def _flow_pair(self, level: _FlowLevel, column: int) -> Refusal | None:
        """`?` or `:` in a flow sequence's entry opens a single-pair mapping around the entry so far."""
        if not level.sequence or level.pair:
            return None
        level.pair = True
        self.pairs += 1
        return self._check_depth(max(level.entry_peak + 1, self.depth), column)

    def _end_entry(self, level: _FlowLevel) -> None:
        if level.pair:
            level.pair = False
            self.pairs -= 1
        level.entry_peak = self.depth

    def _close_level(self) -> None:
        closed = self.levels.pop()
        if self.levels:
            parent = self.levels[-1]
            parent.entry_peak = max(parent.entry_peak, closed.peak)
            parent.peak = max(parent.peak, closed.peak)
        else:
            self.key_peak = max(self.key_peak, closed.peak)

    def _check_depth(self, depth: int, column: int) -> Refusal | None:
        if self.levels:
            level = self.levels[-1]
            level.entry_peak = max(level.entry_peak, depth)
            level.peak = max(level.peak, depth)
        if depth <= self.max_depth:
            return None
        return self._refusal(YAML_TOO_DEEP, f"nesting deeper than {self.max_depth} levels", column)

    def _refusal(self, code: Code, message: str, column: int) -> Refusal:
        line = self.text.count("\n", 0, self.line_start) + 1
        return Refusal(code, message, line, column + 1)

    def _advance_to(self, end: int) -> None:
        last_break = self.text.rfind("\n", self.pos, end)
        if last_break >= 0:
            self.line_start = last_break + 1
            if not self.levels:
                self.key_column = None  # a key spanning lines is no simple key
        self.pos = end

    def _plain(self) -> None:
        """A plain scalar: chunks separated by spaces, continued on lines indented past the block."""
        text, size = self.text, len(self.text)
        chunk = _FLOW_CHUNK if self.levels else _BLOCK_CHUNK
        indent = (self.indents[-1] if self.indents else -1) + 1
        match = chunk.match(text, self.pos)
        if match is None:  # an indicator that cannot start a token here: the parser reports it
            self.pos += 1
            return
        while match is not None:
            self.pos = match.end()
            after = _end(_SPACES, text, self.pos)
            if after == self.pos and (after >= size or text[after] != "\n"):
                return
            if after < size and text[after] == "\n":
                blanks_end = _end(_LEADING_BLANKS, text, after)
                line_start = text.rfind("\n", after, blanks_end) + 1
                column = blanks_end - line_start
                if blanks_end >= size or text[blanks_end] == "#" or (not self.levels and column < indent):
                    return
                if column == 0 and _DOCUMENT_MARKER.match(text, blanks_end):
                    return
                self.pos, self.line_start = blanks_end, line_start
                if not self.levels:
                    self.key_column = None  # a key spanning lines is no simple key
            elif after >= size or text[after] == "#":
                return
            else:
                self.pos = after
            match = chunk.match(text, self.pos)

    def _block_scalar(self) -> None:
        """Skip a `|` or `>` scalar's lines exactly as far as the YAML scanner takes them as content."""
        text, size = self.text, len(self.text)
        header = _BLOCK_HEADER.match(text, self.pos)
        assert header is not None  # the indicator itself always matches
        self.pos = header.end()
        if self.pos < size and text[self.pos] != "\n":
            return  # text after the header: the parser reports it
        minimum = max((self.indents[-1] if self.indents else -1) + 1, 1)
        increment = header.group(1) or header.group(2)
        start = min(self.pos + 1, size)
        blanks_end = _end(_LEADING_BLANKS, text, start)
        line_start = text.rfind("\n", start - 1, blanks_end) + 1
        if increment:
            indent = minimum + int(increment) - 1
        else:
            indent = max(minimum, max(len(line) for line in text[start:blanks_end].split("\n")))
        if blanks_end >= size or blanks_end - line_start < indent:
            self.pos, self.line_start = blanks_end, line_start
            return
        position = blanks_end
        while True:
            end = text.find("\n", position)
            if end < 0:
                self.pos = size
                return
            line_start = end + 1
            spaces_end = _end(_INDENT, text, line_start)
            if spaces_end - line_start >= indent:
                position = line_start + indent
            elif spaces_end < size and text[spaces_end] == "\n":
                position = spaces_end
            else:
                self.pos, self.line_start = spaces_end, line_start
                return
