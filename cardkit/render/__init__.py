"""`cardkit render`: the README of each card, generated from card.yaml in English and Chinese.

Library first: `render_card(card, lang)` returns the text of one README; `render_paths(...)` renders,
checks or writes the READMEs of many cards and reports what it did as `RenderResult`s carrying
findings (`render-*` codes). The command module only parses arguments and prints.

The card folder's `.eval_results/` (the Hub's per-benchmark files) is rendered with the READMEs
(`eval_files`), once per folder, under the same `--check` and `--force` policies.

Layer: imports `cardkit.core`, `cardkit.card` and `cardkit.schema`, and `cardkit.evaluation`'s
`hub_files` alone (which imports only those three) for `.eval_results`; never torch or
transformers, never validate, lint, import or the commands.
"""

from __future__ import annotations

from pathlib import Path

from cardkit.card.paths import display_path
from cardkit.core.findings import Finding
from cardkit.render.engine import (
    DEFAULT_LAYOUTS,
    LAYOUTS,
    SECTIONS,
    Layout,
    recorded_hash_matches,
    render_card,
    render_layouts,
    warm_up,
)
from cardkit.render.files import (
    check_file,
    edit_state,
    exit_code,
    format_results,
    layouts_for,
    render_paths,
)
from cardkit.render.results import RenderResult

__all__ = [
    "DEFAULT_LAYOUTS",
    "LAYOUTS",
    "SECTIONS",
    "Layout",
    "RenderResult",
    "check_readme",
    "exit_code",
    "format_results",
    "layouts_for",
    "recorded_hash_matches",
    "render_card",
    "render_layouts",
    "render_paths",
    "warm_up",
    "written_by_cardkit",
]


def written_by_cardkit(text: str) -> bool:
    """The README carries cardkit's hash marker, whether or not it was edited since."""
    return edit_state(text) is not None


def check_readme(target: Path, rendered: str, layout: str) -> list[Finding]:
    """`cardkit render --check` for one README: findings (render-stale with its diff, render-missing)
    when `target` is not `rendered`, the text `layout` renders to; none when it is."""
    display = display_path(target)
    return check_file(target, rendered, RenderResult(display, display, layout, "current")).findings
