"""Parse a card's or README's Python snippet without letting the snippet crash or stall the parser.

`ast.parse` raises more than `SyntaxError`: deep expressions (`x = ------1`, `1+1+...+1`) raise
`RecursionError` or `MemoryError` from the C parser, NUL bytes raise `ValueError` (or `SyntaxError`,
by version). A snippet is a few dozen lines, so cardkit refuses one that is too large or nested too
deeply before parsing it, and turns every parser failure into a `SnippetError` with a line, which
the card rules and lint report as a finding like any syntax error.
"""

from __future__ import annotations

import ast
import functools
import re

MAX_SNIPPET_CHARS = 100_000
"""A usage snippet is a few kilobytes; 100,000 characters is far past any real one."""
MAX_SNIPPET_NESTING = 100
"""Brackets deeper than this are not a snippet a reader copies (Python itself stops at 200)."""
MAX_OPERATOR_RUN = 100
"""`-------1` or `not not not ... x`: the parser recurses once per unary operator."""

OPERATOR_RUN = re.compile(rf"(?:[-+~]\s*+|\bnot\s++|\bawait\s++|\blambda\s*+:\s*+){{{MAX_OPERATOR_RUN},}}")
"""Possessive spaces: each try consumes its run once, so a near-miss costs at most 100 steps a start."""


class SnippetError(Exception):
    """Why a snippet could not be parsed, and the 1-based line of the snippet to look at."""

    def __init__(self, message: str, line: int = 1, syntax: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.syntax = syntax
        """True for a plain syntax error; False when a bound or the parser's own limits stopped it."""


def max_bracket_depth(code: str) -> int:
    """Deepest bracket nesting in `code` (strings not excluded: an over-estimate is safe here)."""
    depth = deepest = 0
    for char in re.findall(r"[()\[\]{}]", code):
        depth = depth + 1 if char in "([{" else max(0, depth - 1)
        deepest = max(deepest, depth)
    return deepest


@functools.lru_cache(maxsize=64)
def parse_snippet(code: str, mode: str = "exec") -> ast.AST:
    """`ast.parse(code)` within cardkit's bounds; every failure is a `SnippetError`, never another
    exception. Bounds are checked first, in one linear pass each, so nothing huge reaches the parser.

    Several rules read the same snippet, so the tree is parsed once (a failure is not cached and
    is raised again); callers only read the tree, never change it."""
    if len(code) > MAX_SNIPPET_CHARS:
        raise SnippetError(
            f"snippet is {len(code):,} characters; cardkit checks snippets up to {MAX_SNIPPET_CHARS:,}"
        )
    if "\0" in code:
        raise SnippetError("snippet contains a NUL byte", code.count("\n", 0, code.index("\0")) + 1)
    if max_bracket_depth(code) > MAX_SNIPPET_NESTING:
        raise SnippetError(f"brackets nested deeper than {MAX_SNIPPET_NESTING} levels")
    if run := OPERATOR_RUN.search(code):
        raise SnippetError(
            f"more than {MAX_OPERATOR_RUN} operators in a row", code.count("\n", 0, run.start()) + 1
        )
    try:
        return ast.parse(code, mode=mode)
    except SyntaxError as exc:
        raise SnippetError(exc.msg, exc.lineno or 1, syntax=True) from None
    except (RecursionError, MemoryError) as exc:  # the C parser's own depth limits, raised cleanly
        raise SnippetError(f"expression too deeply nested to parse ({type(exc).__name__})") from None
    except ValueError as exc:
        raise SnippetError(str(exc)) from None
