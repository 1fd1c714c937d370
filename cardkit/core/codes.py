"""The one registry of finding codes: each declared once, with its severity and what it means.

Like pylint's message table and ruff's rule registry, a code is data: an id, a default severity, a
one-line summary (the README's table) and an explanation (`cardkit explain CODE`: what it means, why
it matters, how to fix it). Each package that emits findings declares its codes in its own
`codes.py` (lint rules through `lint_rule`, which declares here too) and creates findings only
through them (`CONFIG_MISMATCH.finding(message, file, ...)`), so a severity is never chosen at a
call site and an undeclared code cannot be emitted. A duplicate id is refused at import time.

A renamed code keeps working: `redirect(old, new)` makes the old id resolve to the new one wherever
a user names a code (`cardkit explain`, lint's disable comments). Pydantic's error types are one
family, `schema-*`: `SCHEMA.member("missing")` is `schema-missing`.

Standard library only and cheap to import: lint and cached validate runs load it.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Iterable, Iterator
from typing import Any

from cardkit.core.findings import Finding, Severity

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

CATALOGUE_MODULES = (
    "cardkit.core.codes",
    "cardkit.card.codes",
    "cardkit.validate.codes",
    "cardkit.evaluation.codes",
    "cardkit.model.codes",
    "cardkit.render.codes",
    "cardkit.repo.codes",
    "cardkit.lint",
)
"""Every module that declares codes, imported by `load_catalogue` (explain, the README table)."""


def cleandoc(text: str) -> str:
    """A docstring's text without its indentation (what `inspect.cleandoc` does, without inspect)."""
    first, _, rest = text.strip("\n").partition("\n")
    return "\n".join(part for part in (first.strip(), textwrap.dedent(rest).strip()) if part)


class Code(str):
    """A declared finding code. It *is* its id (compares, hashes and serialises as the string), and
    carries its severity, summary and explanation; `finding(...)` is the only way to emit it.

    Copies and pickles are the plain id string, so a Finding never holds more than its code.
    """

    severity: Severity
    severities: frozenset[Severity]
    summary: str
    explanation: str
    family: Code | None
    module: str

    def __new__(
        cls,
        code_id: str,
        severity: Severity,
        summary: str,
        explanation: str,
        also: Iterable[Severity] = (),
        family: Code | None = None,
        module: str = "",
    ) -> Code:
        self = super().__new__(cls, code_id)
        object.__setattr__(self, "severity", severity)
        object.__setattr__(self, "severities", frozenset((severity, *also)))
        object.__setattr__(self, "summary", summary)
        object.__setattr__(self, "explanation", cleandoc(explanation))
        object.__setattr__(self, "family", family)
        object.__setattr__(self, "module", module)
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a declared code is immutable")

    def __reduce__(self) -> tuple[type[str], tuple[str]]:
        return str, (str(self),)

    @property
    def id(self) -> str:
        return str(self)

    @property
    def is_family(self) -> bool:
        return self.endswith("-*")

    def member(self, suffix: str) -> Code:
        """The code `<prefix>-<suffix>` of a family such as `schema-*` (Pydantic's error types)."""
        if not self.is_family:
            raise ValueError(f"{self} is not a family of codes")
        kin = (self.severity, self.summary, self.explanation, self.severities, self, self.module)
        return Code(self[:-1] + suffix, *kin)

    def finding(
        self,
        message: str,
        file: str,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        expected: Any = None,
        actual: Any = None,
        *,
        severity: Severity | None = None,
    ) -> Finding:
        """A finding of this code at its declared severity (another only if the declaration allows it)."""
        if self.is_family:
            raise ValueError(f"{self} is a family; emit one of its members")
        if severity is None:
            severity = self.severity
        elif severity not in self.severities:
            raise ValueError(f"{self} is not declared with severity {severity.value}")
        return Finding(str(self), severity, message, file, line, column, field, expected, actual)


class Registry:
    """Codes by id, and the redirects of renamed ids to their current ones."""

    def __init__(self) -> None:
        self.codes: dict[str, Code] = {}
        self.redirects: dict[str, str] = {}

    def declare(
        self,
        code_id: str,
        severity: Severity,
        summary: str,
        explanation: str,
        *,
        also: Iterable[Severity] = (),
        module: str | None = None,
    ) -> Code:
        """Declare `code_id` once; a second declaration (or one reusing a redirected id) is refused.
        `module` is where it is declared (default: the caller's module), for the order of listings."""
        if code_id in self.codes or code_id in self.redirects:
            raise ValueError(f"finding code {code_id!r} is declared twice")
        if not summary.strip() or "\n" in summary.strip() or not explanation.strip():
            raise ValueError(f"finding code {code_id!r} needs a one-line summary and an explanation")
        if module is None:
            module = sys._getframe(1).f_globals.get("__name__", "")
        code = Code(code_id, severity, summary.strip(), explanation, also, module=module)
        self.codes[code_id] = code
        return code

    def redirect(self, old: str, new: str) -> None:
        """`old` was renamed to `new`: wherever a user names `old`, it means `new`."""
        if old in self.codes or old in self.redirects:
            raise ValueError(f"finding code {old!r} is declared twice")
        self.redirects[old] = new

    def resolve(self, code_id: str) -> str:
        """The current id for `code_id` (itself unless it was renamed)."""
        seen = {code_id}
        while code_id in self.redirects:
            code_id = self.redirects[code_id]
            if code_id in seen:
                raise ValueError(f"redirects of {code_id!r} form a loop")
            seen.add(code_id)
        return code_id

    def get(self, code_id: str) -> Code | None:
        """The declared code `code_id` names (through redirects and families), or None."""
        current = self.resolve(code_id)
        if current in self.codes:
            return self.codes[current]
        families = [c for c in self.codes.values() if c.is_family and current.startswith(c[:-1])]
        family = max(families, key=len, default=None)
        if family is None or len(current) < len(family):
            return None
        return family.member(current[len(family) - 1 :])

    def lookup(self, code_id: str) -> Code:
        """The declared code `code_id` names; KeyError (with close matches) for an undeclared one."""
        code = self.get(code_id)
        if code is None:
            hint = self.close_matches(code_id)
            suggestion = f"; did you mean {', '.join(hint)}?" if hint else ""
            raise KeyError(f"undeclared finding code {code_id!r}{suggestion}")
        return code

    def close_matches(self, code_id: str) -> list[str]:
        import difflib  # lazy: only for an unknown code

        return difflib.get_close_matches(code_id, [*self.codes, *self.redirects], n=3, cutoff=0.6)

    def __iter__(self) -> Iterator[Code]:
        return iter(sorted(self.codes.values()))

    def in_catalogue_order(self) -> list[Code]:
        """Codes by declaring module in `CATALOGUE_MODULES` order, then as each module declares them:
        the same order whichever module happened to be imported first."""

        def rank(code: Code) -> int:
            parents = [i for i, m in enumerate(CATALOGUE_MODULES) if f"{code.module}.".startswith(f"{m}.")]
            return parents[0] if parents else len(CATALOGUE_MODULES)

        position = {code_id: index for index, code_id in enumerate(self.codes)}
        return sorted(self.codes.values(), key=lambda code: (rank(code), position[code]))


REGISTRY = Registry()
declare = REGISTRY.declare
redirect = REGISTRY.redirect
resolve = REGISTRY.resolve
lookup = REGISTRY.lookup


def load_catalogue() -> Registry:
    """The registry with every declaring module imported (none of them imports torch)."""
    for name in CATALOGUE_MODULES:
        importlib.import_module(name)
    return REGISTRY


# The codes of core itself: one input's failure kept to its own finding (`cardkit.core.isolation`).

INTERNAL_ERROR = declare(
    "internal-error",
    ERROR,
    "cardkit itself failed on this input (a bug to report); the other inputs were still checked",
    """
    An exception cardkit did not expect was raised while it worked on this file. It says nothing
    about the file: it is a bug in cardkit, kept to this input so that every other card, folder or
    README in the run is still checked and reported. Rerun with `CARDKIT_DEBUG=1` to see the
    traceback, and report it with the input that caused it.
    """,
)
INPUT_ERROR = declare(
    "input-error",
    ERROR,
    "cardkit refused one input of many (the message says why); the others were still checked",
    """
    One of several inputs could not be used, for a reason that would have been a usage error
    (exit 2) had it been the only one (a path or option that cannot be used for this input). The
    message is that usage error; the rest of the run went on. Fix the input and rerun.
    """,
)
IO_ERROR = declare(
    "io-error",
    ERROR,
    "the system refused a read or write (permission, disk full)",
    """
    The operating system refused an operation on this file: permission denied, disk full, a file
    removed while cardkit read it. The file named is the one the system named. Nothing was written
    half way (writes are atomic). Fix the permission or free the space and rerun.
    """,
)
FILE_UNREADABLE = declare(
    "file-unreadable",
    ERROR,
    "a named card or README is not a regular file (a folder, FIFO or device), so it is never read",
    """
    cardkit reads only regular files, bounded in size: a folder, a FIFO (which could block the run
    for ever), a device or a broken link named as an input is refused without being read, as is a
    file the system will not open (permission denied) and a README render would have to overwrite
    that is not a regular file. Name the file itself, or replace the special file with a regular
    one.
    """,
)
