"""One verdict on a parameter count, whichever surface observed it: the architecture built on the
meta device, the checkpoint's headers (`--checkpoint`) and the loaded model (`--load`).

The surfaces used to judge by different rules: the architecture limited an acknowledged gap to 0.1%,
the checkpoint and the loaded model accepted any acknowledged amount, and the checkpoint counted a
tied head stored beside its embedding twice. Each case here runs all three on the same card and
checkpoint and asks them to agree.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from safetensors.torch import load_file, save_file

from cardkit.core.findings import CardReport, Severity
from cardkit.validate import ValidateOptions, validate_card
from cardkit.validate.parameters import Verdict, verdict, within_limit
from tests.tiny_models import TinyModel, copy_tiny, replace_in

SURFACES = {
    "architecture": "param-count-mismatch",
    "checkpoint": "checkpoint-param-count-mismatch",
    "load": "load-param-count-mismatch",
}


def test_the_limit_is_exact_at_the_boundary() -> None:
    assert within_limit(1_000_000, 1_000) and within_limit(1_000_000, -1_000)
    assert not within_limit(1_000_000, 1_001) and not within_limit(1_000_000, -1_001)
    # near the schema's largest count a float ratio could round; integers cannot
    assert within_limit(10**14, 10**11) and not within_limit(10**14, 10**11 + 1)


@pytest.mark.parametrize(
    ("claimed", "observed", "acknowledged", "expected"),
    [
        (1_000_000, 1_000_000, None, Verdict.EXACT),
        (1_000_000, 1_000_000, 5, Verdict.EXACT),  # stale: the architecture surface warns
        (1_000_000, 1_001_000, 1_000, Verdict.ACKNOWLEDGED),
        (1_000_000, 999_000, -1_000, Verdict.ACKNOWLEDGED),
        (1_000_000, 1_001_001, 1_001, Verdict.OVER_LIMIT),
        (1_000_000, 1_000_200, 201, Verdict.MISMATCH),  # an acknowledgement of another amount
        (1_000_000, 1_000_001, None, Verdict.MISMATCH),
        (7_000_000_000, 6_738_415_616, -261_584_384, Verdict.OVER_LIMIT),  # "7B" is a label
    ],
)
def test_verdict(claimed: int, observed: int, acknowledged: int | None, expected: Verdict) -> None:
    assert verdict(claimed, observed, acknowledged) is expected


def _claim(tiny: TinyModel, claimed: int, acknowledged: int | None) -> None:
    """Rewrite the tiny card's count (and acknowledgement) without touching the checkpoint."""
    ack = ""
    if acknowledged is not None:
        ack = (
            f"\n    acknowledged_difference:\n      amount: {acknowledged}\n"
            "      reason: {en: rounded upstream, zh: 上游取整}"
        )
    replace_in(tiny.card, rf"^    count: {tiny.parameters}$", f"    count: {claimed}{ack}")


def _verdicts(report: CardReport) -> dict[str, bool]:
    """Per surface: whether it rejected the count."""
    codes = {finding.code for finding in report.findings}
    assert "load-failed" not in codes and "load-skipped" not in codes, report.findings
    return {surface: code in codes for surface, code in SURFACES.items()}


def _validate(tiny: TinyModel) -> CardReport:
    return validate_card(tiny.card, ValidateOptions(checkpoint=tiny.checkpoint, load=True))


@pytest.mark.parametrize(
    ("case", "rejected"),
    [("just inside", False), ("just outside", True), ("rounded like 7B", True), ("unacknowledged", True)],
)
def test_every_surface_gives_the_same_verdict(
    case: str, rejected: bool, tmp_path: Path, tiny_zoo: dict[str, TinyModel]
) -> None:
    tiny = copy_tiny(tiny_zoo["stablelm-3b-4e1t"], tmp_path)
    total = tiny.parameters
    if case == "rounded like 7B":  # one significant figure, the way a size label is written
        claimed = round(total, -(len(str(total)) - 1))
        assert not within_limit(claimed, total - claimed)
    else:
        gap = total // 1001 + (case != "just inside")  # 1001 * gap <= total: within 0.1% of the claim
        claimed = total - gap
    acknowledged = None if case == "unacknowledged" else total - claimed
    _claim(tiny, claimed, acknowledged)
    report = _validate(tiny)
    assert _verdicts(report) == dict.fromkeys(SURFACES, rejected)
    acknowledgements = [f for f in report.findings if f.code == "param-count-acknowledged"]
    assert len(acknowledgements) == (0 if rejected else 1)  # reported once, by the architecture
    if rejected and acknowledged is not None:
        for finding in report.findings:
            if finding.code in SURFACES.values():
                assert finding.message.endswith("more than 0.1% cannot be acknowledged")
                assert finding.severity is Severity.ERROR


def test_a_tied_head_stored_beside_its_embedding_counts_once(
    tmp_path: Path, tiny_zoo: dict[str, TinyModel]
) -> None:
    """transformers loads one of the two and ties the other to it: the model has one matrix."""
    tiny = copy_tiny(tiny_zoo["falcon-40b-instruct"], tmp_path)
    path = tiny.checkpoint / "model.safetensors"
    state = load_file(path)
    embedding = next(name for name in state if name.endswith("word_embeddings.weight"))
    assert "lm_head.weight" not in state  # tied: save_pretrained stores it once
    state["lm_head.weight"] = state[embedding].clone()
    save_file(state, path, metadata={"format": "pt"})
    report = _validate(tiny)
    assert _verdicts(report) == dict.fromkeys(SURFACES, False)
    assert report.runtime is not None
    assert report.runtime["checkpoint"]["parameters"] == tiny.parameters
    assert report.runtime["load"]["parameters"] == tiny.parameters
    # and a claim off by one is rejected by all three alike
    _claim(tiny, tiny.parameters + 1, None)
    assert _verdicts(_validate(tiny)) == dict.fromkeys(SURFACES, True)
