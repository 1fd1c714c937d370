"""Rules over a card's evaluation: values on their stated scale, summaries that add up.

`RULES` lists them; `cardkit.validate.card_rules` adds them to its table. This module imports nothing
of validate, so the two never import each other.
"""

from __future__ import annotations

from collections.abc import Iterator

from cardkit.card.load import CheckedCard
from cardkit.core.findings import Finding
from cardkit.core.rounding import tolerance as _tolerance
from cardkit.evaluation.codes import (
    EVAL_AVERAGE_MISMATCH,
    EVAL_DUPLICATE_ID,
    EVAL_SUMMARY_MIXED_DIRECTION,
    EVAL_SUMMARY_MIXED_SCALES,
    EVAL_SUMMARY_WEIGHTS,
    EVAL_UNKNOWN_RESULT,
    EVAL_VALUE_OUT_OF_SCALE,
)
from cardkit.schema.evaluation import EvalResult

SCALE_BOUNDS = {"percent": 100.0, "fraction": 1.0}


def evaluation_values_fit_scale(loaded: CheckedCard) -> Iterator[Finding]:
    """A fraction above 1 (or a percent above 100) is a figure copied in the other unit."""
    evaluation = loaded.card.evaluation
    for index, result in enumerate(evaluation.results if evaluation else ()):
        bound = SCALE_BOUNDS.get(result.metric.scale)
        if bound is not None and not 0 <= result.metric.value <= bound:
            yield loaded.finding(
                EVAL_VALUE_OUT_OF_SCALE,
                f"{result.id!r} is on the {result.metric.scale} scale (0 to {bound:g}) but states "
                f"{result.metric.value}; set metric.scale to what the value is in",
                ("evaluation", "results", index, "metric", "value"),
                expected=f"0..{bound:g}",
                actual=result.metric.value,
            )


def _summary_mixes(
    loaded: CheckedCard, index: int, name: str, members: list[EvalResult]
) -> Iterator[Finding]:
    """An average over percent and fraction figures, or over scores and error rates, means nothing."""
    checks = (("scale", EVAL_SUMMARY_MIXED_SCALES), ("higher_is_better", EVAL_SUMMARY_MIXED_DIRECTION))
    for attribute, code in checks:
        seen = {getattr(member.metric, attribute) for member in members}
        if len(seen) > 1:
            by_value = {
                str(value): [m.id for m in members if getattr(m.metric, attribute) == value]
                for value in sorted(seen, key=str)
            }
            yield loaded.finding(
                code,
                f"{name!r} averages results with different metric.{attribute}: {by_value}",
                ("evaluation", "summaries", index, "of"),
                actual=by_value,
            )


def evaluation_summaries(loaded: CheckedCard) -> Iterator[Finding]:
    evaluation = loaded.card.evaluation
    if evaluation is None:
        return
    results: dict[str, EvalResult] = {}
    for index, result in enumerate(evaluation.results):
        if result.id in results:
            yield loaded.finding(
                EVAL_DUPLICATE_ID,
                f"result id {result.id!r} is used twice",
                ("evaluation", "results", index, "id"),
                actual=result.id,
            )
        results[result.id] = result
    for index, summary in enumerate(evaluation.summaries):
        missing = [rid for rid in summary.of if rid not in results]
        if missing:
            yield loaded.finding(
                EVAL_UNKNOWN_RESULT,
                f"{summary.name!r} refers to unknown results {missing}",
                ("evaluation", "summaries", index, "of"),
                actual=missing,
            )
            continue
        members = [results[rid] for rid in summary.of]
        mixes = list(_summary_mixes(loaded, index, summary.name, members))
        yield from mixes
        weights = summary.weights or [1.0] * len(members)
        if len(weights) != len(members) or not sum(weights):
            yield loaded.finding(
                EVAL_SUMMARY_WEIGHTS,
                f"{summary.name!r} has {len(weights)} weights (sum {sum(weights):g}) for {len(members)} "
                "results; give one positive weight per result",
                ("evaluation", "summaries", index, "weights"),
                expected=len(members),
                actual=len(weights),
            )
            continue
        if mixes:
            continue
        mean = sum(w * m.metric.value for w, m in zip(weights, members, strict=True)) / sum(weights)
        if abs(mean - summary.value) > _tolerance(summary.decimals):
            kind = "weighted mean" if summary.weights else "mean"
            yield loaded.finding(
                EVAL_AVERAGE_MISMATCH,
                f"{summary.name!r} states {summary.value} but the {kind} of its {len(summary.of)} results "
                f"is {mean:.{summary.decimals + 2}f} ({mean:.{summary.decimals}f})",
                ("evaluation", "summaries", index, "value"),
                expected=round(mean, summary.decimals),
                actual=summary.value,
            )


RULES = (evaluation_values_fit_scale, evaluation_summaries)
"""The evaluation rules, in the order their findings are reported."""
