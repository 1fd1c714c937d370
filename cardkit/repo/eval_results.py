"""`cardkit check`: the folder's `.eval_results/`, the README's model-index and the card agree.

The folder is checked when it exists or when the card has a result on a Hub benchmark dataset
(`cardkit.evaluation.hub_files.hub_dataset`, the rule render writes by). The three sources are
lined up by `cardkit.evaluation.compare.diff_sources_at`, each disagreement a finding at the file and
line of the odd score; a difference between the README and the card alone is left to check's own
`check-readme-card-mismatch`, so one edit is reported once.
"""

from __future__ import annotations

import os
from pathlib import Path

from cardkit.card.paths import display_path
from cardkit.core.findings import Finding
from cardkit.evaluation.compare import diff_sources_at
from cardkit.evaluation.hub_files import FOLDER, hub_results
from cardkit.repo.codes import CHECK_EVAL_RESULTS_MISSING
from cardkit.schema import Card

CARD = "card"
"""The name `diff_sources` gives the card among its sources."""


def eval_results_agree(card_path: Path, card: Card, folder: Path, readme: Path | None) -> list[Finding]:
    """Findings where `.eval_results/` (in `folder`) disagrees with the card or with `readme`'s
    model-index (None: the README has no front matter to compare, reported elsewhere)."""
    hub = folder / FOLDER
    if hub.is_dir():
        return diff_sources_at({CARD, FOLDER}, card_path, readme, hub)
    names = sorted({result.dataset.type for result in hub_results(card)})
    if os.path.lexists(hub):
        message = f"{FOLDER} is not a folder, so the Hub reads no evaluation results from it"
    elif names:
        listed = ", ".join(names)
        message = f"no {FOLDER}/ for the card's Hub benchmark results ({listed}); run `cardkit render`"
    else:
        return []
    return [CHECK_EVAL_RESULTS_MISSING.finding(message, display_path(hub))]
