"""`cardkit lint`: find what is wrong with an existing README before it becomes a card.

Rules live in one module per group (text damage, numbers, code) and register themselves in
`cardkit.lint.registry.RULES`; importing this package loads them all.

Layer: imports `cardkit.core`, `cardkit.readme` and `cardkit.schema` (the licence table); never
torch or transformers, never validate, import, render or the commands.
"""

from __future__ import annotations

from cardkit.lint import rules_code, rules_compute, rules_numbers, rules_prose, rules_sections, rules_text
from cardkit.lint.registry import RULES, LintRule

__all__ = [
    "RULES",
    "LintRule",
    "rules_code",
    "rules_compute",
    "rules_numbers",
    "rules_prose",
    "rules_sections",
    "rules_text",
]
