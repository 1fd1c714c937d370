"""Evaluation results between lm-evaluation-harness, the card, the README's model-index and the Hub.

`harness` reads the harness's results JSON, `merge` writes results into a card's text, `hub_files`
reads and writes `.eval_results/`, `compare` lists the scores on which sources disagree. None of
them imports lm_eval, torch or transformers: the results are plain JSON.
"""

from __future__ import annotations
