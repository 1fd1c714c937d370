"""Finding codes of `cardkit render` (and `render --check`).

Declared once in `cardkit.core.codes`' registry; `cardkit explain CODE` prints the explanation.
"""

from __future__ import annotations

from cardkit.core.codes import ERROR, declare

RENDER_STALE = declare(
    "render-stale",
    ERROR,
    "`--check`: the README differs from what card.yaml renders to (diff printed)",
    """
    `cardkit render --check` renders in memory and compares: this README is not what its card
    renders to now, so it says something the checked card does not (the card changed, or the
    README was edited). The unified diff is printed. Run `cardkit render` (and move any hand edit
    into card.yaml first).
    """,
)
RENDER_MISSING = declare(
    "render-missing",
    ERROR,
    "`--check`: the README does not exist",
    """
    The README this card renders to has not been written. Run `cardkit render`.
    """,
)
RENDER_HAND_EDITED = declare(
    "render-hand-edited",
    ERROR,
    "the README was edited since cardkit wrote it; not overwritten without `--force`",
    """
    Each README render writes ends with `<!-- cardkit:sha256=... -->`, the hash of everything above
    it. This README's hash no longer matches (text edited, text added after the marker, converted
    line endings), so render will not overwrite the edit. Move the edit into card.yaml, or pass
    `--force` to overwrite.
    """,
)
RENDER_NOT_GENERATED = declare(
    "render-not-generated",
    ERROR,
    "the README has no cardkit hash marker, so cardkit did not write it; not overwritten",
    """
    The file render would write exists and was not written by cardkit (no hash marker), so it is
    left alone: it may be the only copy of a hand-written card. Import what it says with
    `cardkit import`, then pass `--force` to replace it.
    """,
)
RENDER_CARD_INVALID = declare(
    "render-card-invalid",
    ERROR,
    "the card does not load or fails its schema, so nothing was rendered",
    """
    render works only from a card that loads and passes its schema; the message names the first
    error. Run `cardkit validate` on the card and fix what it reports.
    """,
)
RENDER_EVAL_RESULTS_STALE = declare(
    "render-eval-results-stale",
    ERROR,
    "`--check`: an `.eval_results` file differs from what card.yaml renders to (diff printed)",
    """
    render writes the Hub's `.eval_results/<dataset>.yaml` beside the README for every result
    that names a Hub benchmark dataset. `--check` found this file other than what the card makes
    now (a score changed in the card, or the file was edited). Run `cardkit render` (and move a
    score edited in the file into card.yaml first).
    """,
)
RENDER_EVAL_RESULTS_MISSING = declare(
    "render-eval-results-missing",
    ERROR,
    "`--check`: an `.eval_results` file the card's results make does not exist",
    """
    The card has results for this Hub benchmark dataset, but `.eval_results/` beside the README
    lacks its file, so the Hub would not show them on the benchmark's page. Run `cardkit render`.
    """,
)
RENDER_EVAL_RESULTS_OTHER_SCORES = declare(
    "render-eval-results-other-scores",
    ERROR,
    "an `.eval_results` file holds scores the card does not; not overwritten without `--force`",
    """
    A YAML file carries no hash marker, so render tells its own `.eval_results` file from
    someone's by what it holds: this one states a score the card does not (another value, a
    result the card lacks) or is not a list of entries cardkit can read. Overwriting it would lose
    that data. Put the score into card.yaml (or `cardkit eval import` it), or pass `--force`.
    """,
)
