"""Evaluation results between lm-evaluation-harness, the card, the README's model-index and the Hub.

`harness` reads the harness's results JSON, `merge` writes results into a card's text, `hub_files`
reads and writes `.eval_results/`, `compare` lists the scores on which sources disagree. None of
them imports lm_eval, torch or transformers: the results are plain JSON.

Layer: imports `cardkit.core`, `cardkit.card`, `cardkit.schema` and `cardkit.validate` (an import is
validated before it is written); never torch, transformers, lint, import or render. Its card rules
(`checks`) import only the first three: validate runs them.
"""

from __future__ import annotations
