"""`cardkit validate`: a card checked against its schema, config.json, architecture and weights.

Layer: may import `cardkit.core`, `cardkit.card`, `cardkit.schema` and `cardkit.evaluation`'s
card rules (`checks`, which import none of validate); `cardkit.model` (torch, transformers) only
inside functions, where a check needs it, and only for counts and facts: verdicts are made here.
Never imports lint, import, render or the commands.

- `options`: what a run is asked to do (a leaf).
- `pipeline`: the light entry points (discovery, the report cache, isolation); importing this
  package loads only them, so a cached card costs a few file reads.
- `checks`: one card's checks in order; `card_rules`: what the card says against itself;
  `fact_check`, `raw_facts`: the card against config.json and the meta-device build;
  `parameters`: the one verdict on a parameter count, for the architecture, a checkpoint and a
  loaded model alike (`cardkit.model` only counts); `report_cache`, `facts_cache`: what an unchanged
  input need not recompute.
"""

from __future__ import annotations

from cardkit.validate.options import ValidateOptions
from cardkit.validate.pipeline import exit_code, validate_card, validate_paths

__all__ = ["ValidateOptions", "exit_code", "validate_card", "validate_paths"]
