"""How far apart two published figures may be before rounding cannot explain it.

Shared by the card rules (`cardkit.validate.card_rules`: table totals) and the evaluation rules
(`cardkit.evaluation.checks`: summaries against their results), so both forgive the same amount.
"""

from __future__ import annotations


def tolerance(decimals: int, terms: int = 1) -> float:
    """Largest gap rounding can explain: half a unit in the last place for each rounded term."""
    return terms * 0.5 * 10.0**-decimals + 1e-9
