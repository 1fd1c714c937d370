"""The lint rule registry: every rule has an id, a severity and a one-line reason, kept in one place.

Rules yield `Hit`s (where and what); the engine turns them into `Finding`s with the rule's code and
severity, so a rule can never report under another rule's id. `lint_rule` declares each id in the
one registry of finding codes (`cardkit.core.codes`), with the rule's docstring as its explanation
(`cardkit explain lint-...`), so the README table of rules is generated from it like every other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from cardkit.core.codes import Code, declare
from cardkit.core.findings import Severity
from cardkit.readme.document import Document


@dataclass(frozen=True)
class Hit:
    """One place a rule objects to; `line` is None only for things missing from the whole file."""

    line: int | None
    message: str
    column: int | None = None
    expected: Any = None
    actual: Any = None


Check = Callable[[Document], Iterator[Hit]]


@dataclass(frozen=True)
class LintRule:
    id: str
    severity: Severity
    summary: str
    check: Check
    code: Code


RULES: dict[str, LintRule] = {}


def lint_rule(rule_id: str, severity: Severity, summary: str) -> Callable[[Check], Check]:
    """Register `check` under `rule_id`; ids are unique and start with `lint-`, and the check's
    docstring (what it finds, why it matters, how to fix it) is the code's explanation."""

    def register(check: Check) -> Check:
        if not rule_id.startswith("lint-") or rule_id in RULES:
            raise ValueError(f"bad or duplicate lint rule id {rule_id!r}")
        code = declare(rule_id, severity, summary, check.__doc__ or "", module=check.__module__)
        RULES[rule_id] = LintRule(rule_id, severity, summary, check, code)
        return check

    return register
