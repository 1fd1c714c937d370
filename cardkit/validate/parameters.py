"""The one verdict on a parameter count: the card's claim against a count cardkit observed.

Three surfaces observe a count, each exact and each counting tied weights once: the architecture
built from config.json on the meta device (`fact_check`), the tensors a checkpoint's headers add up
to (`--checkpoint`), and the module tree transformers loads (`--load`). `cardkit.model` only counts;
the verdict is given here, by one rule, so a gap one surface accepts no other surface rejects:

- the observed count equals `parameters.count`: silent;
- the gap (observed minus claimed) equals `acknowledged_difference.amount` and is at most 0.1% of
  the claim: acknowledged (a warning where the architecture is compared, silent elsewhere, so the
  gap is reported once);
- anything else is an error: an unacknowledged gap, an acknowledgement of another amount, or an
  acknowledged gap over 0.1% (a rounded `7B`-style figure is a size label, not a count).

The limit is compared in integers (`|gap| * 1000 <= claim`), never through a float ratio. Torch-free.
"""

from __future__ import annotations

from enum import Enum

from cardkit.card.load import CheckedCard
from cardkit.core.codes import Code
from cardkit.core.findings import Finding
from cardkit.validate.codes import (
    CHECKPOINT_PARAM_COUNT_MISMATCH,
    LOAD_PARAM_COUNT_MISMATCH,
    PARAM_ACK_STALE,
    PARAM_COUNT_ACKNOWLEDGED,
    PARAM_COUNT_MISMATCH,
)

ACKNOWLEDGE_PER_MILLE = 1
"""Largest gap a card may acknowledge instead of fixing, in thousandths of the claimed count (0.1%)."""
COUNT_PATH = ("architecture", "parameters", "count")


class Verdict(Enum):
    EXACT = "exact"
    ACKNOWLEDGED = "acknowledged"
    OVER_LIMIT = "over-limit"
    """The card acknowledges exactly this gap, but it is larger than a card may acknowledge."""
    MISMATCH = "mismatch"


def within_limit(claimed: int, gap: int) -> bool:
    """Whether `gap` is at most 0.1% of `claimed`, exactly (no float rounding at the boundary)."""
    return abs(gap) * 1000 <= ACKNOWLEDGE_PER_MILLE * claimed


def verdict(claimed: int, observed: int, acknowledged: int | None) -> Verdict:
    """The rule every surface applies; `acknowledged` is `acknowledged_difference.amount` (or None)."""
    gap = observed - claimed
    if gap == 0:
        return Verdict.EXACT
    if acknowledged != gap:
        return Verdict.MISMATCH
    return Verdict.ACKNOWLEDGED if within_limit(claimed, gap) else Verdict.OVER_LIMIT


def _limit_text() -> str:
    return f"more than {ACKNOWLEDGE_PER_MILLE / 10:.1f}% cannot be acknowledged"


def compare_architecture(loaded: CheckedCard, computed: int) -> list[Finding]:
    """The meta-device count: the one surface that reports an acknowledged gap, and a stale one."""
    assert loaded.card is not None
    params = loaded.card.architecture.parameters
    claimed, ack = params.count, params.acknowledged_difference
    amount = ack.amount if ack is not None else None
    result = verdict(claimed, computed, amount)
    if result is Verdict.EXACT:
        if ack is None:
            return []
        message = "claimed count now matches the architecture exactly; remove acknowledged_difference"
        where = ("architecture", "parameters", "acknowledged_difference")
        return [loaded.finding(PARAM_ACK_STALE, message, where)]
    diff = computed - claimed
    summary = (
        f"card claims {claimed:,} parameters; the architecture built from config.json has "
        f"{computed:,} ({diff:+,}, {diff / claimed:+.4%})"
    )
    if result is Verdict.ACKNOWLEDGED:
        assert ack is not None
        code = PARAM_COUNT_ACKNOWLEDGED
        message = f"{summary}; acknowledged: {ack.reason.en}"
    elif result is Verdict.OVER_LIMIT:
        code, message = PARAM_COUNT_MISMATCH, f"{summary}; {_limit_text()}"
    else:
        hint = f"; acknowledged_difference says {amount:+,}" if amount is not None else ""
        code, message = PARAM_COUNT_MISMATCH, summary + hint
    return [loaded.finding(code, message, COUNT_PATH, expected=computed, actual=claimed)]


def compare_observed(loaded: CheckedCard, observed: int, code: Code, what: str) -> list[Finding]:
    """A checkpoint's or a loaded model's count: an error unless the verdict accepts it (an
    acknowledged gap is the architecture's finding, not repeated here). `what` names the surface:
    "the checkpoint stores", "the loaded model has"."""
    params = loaded.card.architecture.parameters
    ack = params.acknowledged_difference
    result = verdict(params.count, observed, ack.amount if ack is not None else None)
    if result in (Verdict.EXACT, Verdict.ACKNOWLEDGED):
        return []
    diff = observed - params.count
    message = f"{what} {observed:,} parameters; the card claims {params.count:,} ({diff:+,})"
    if result is Verdict.OVER_LIMIT:
        message += f"; {_limit_text()}"
    return [loaded.finding(code, message, COUNT_PATH, expected=observed, actual=params.count)]


def compare_checkpoint(loaded: CheckedCard, stored: int) -> list[Finding]:
    """The parameters a checkpoint's headers add up to (`cardkit.model.checkpoint_compare`)."""
    return compare_observed(loaded, stored, CHECKPOINT_PARAM_COUNT_MISMATCH, "the checkpoint stores")


def compare_loaded(loaded: CheckedCard, parameters: int) -> list[Finding]:
    """The parameters of the module tree transformers loaded (`cardkit.model.loaded_model`)."""
    return compare_observed(loaded, parameters, LOAD_PARAM_COUNT_MISMATCH, "the loaded model has")
