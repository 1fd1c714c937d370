"""`cardkit render`: the README of each card, generated from card.yaml in English and Chinese.

Library first: `render_card(card, lang)` returns the text of one README; `render_paths(...)` renders,
checks or writes the READMEs of many cards and reports what it did as `RenderResult`s carrying
findings (`render-*` codes). The command module only parses arguments and prints.

Layer: imports `cardkit.core`, `cardkit.card` and `cardkit.schema`; never torch or transformers,
never validate, lint, import or the commands.
"""

from __future__ import annotations

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
from cardkit.render.files import RenderResult, exit_code, format_results, layouts_for, render_paths

__all__ = [
    "DEFAULT_LAYOUTS",
    "LAYOUTS",
    "SECTIONS",
    "Layout",
    "RenderResult",
    "exit_code",
    "format_results",
    "layouts_for",
    "recorded_hash_matches",
    "render_card",
    "render_layouts",
    "render_paths",
    "warm_up",
]
