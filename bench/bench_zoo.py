"""Architecture facts for every causal-LM type transformers ships, against a bare meta-device build.

For each type's default config: the bare loop builds the model on the meta device and sums its
parameters; the facts loop builds it the same way and reads every architecture fact (config class,
module tree, the meta-tensor trace of one block). Both loops run in this process, interleaved per
type (bare first, so import costs land on it), best of --repeat. Target: facts <= 1.3x bare.
Types that do not build are listed with transformers' own error.

    python bench/bench_zoo.py [--repeat 2] [--per-type]
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _first_line(exc: Exception) -> str:
    """The first line of transformers' message that says something (an ImportError's starts blank)."""
    return next((line.strip() for line in str(exc).splitlines() if line.strip()), "")


def _build(model_type: str) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForCausalLM
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    config = CONFIG_MAPPING[model_type]()
    with torch.device("meta"):
        return config, AutoModelForCausalLM.from_config(config)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--per-type", action="store_true", help="print each type's times")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    logging.disable(logging.ERROR)
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES

    from cardkit.model.architecture_facts import read_facts

    bare_total = facts_total = 0.0
    failed: dict[str, str] = {}
    rows = []
    for model_type in sorted(MODEL_FOR_CAUSAL_LM_MAPPING_NAMES):
        bare = facts = float("inf")
        try:
            for _ in range(args.repeat):
                start = time.perf_counter()
                _, model = _build(model_type)
                sum(p.numel() for p in model.parameters())
                bare = min(bare, time.perf_counter() - start)
                start = time.perf_counter()
                config, model = _build(model_type)
                read_facts(config, model)
                facts = min(facts, time.perf_counter() - start)
        except Exception as exc:
            failed[model_type] = f"{type(exc).__name__}: {_first_line(exc)}"[:160]
            continue
        bare_total += bare
        facts_total += facts
        rows.append((model_type, bare, facts))
    if args.per_type:
        for model_type, bare, facts in rows:
            print(f"{model_type:32} bare {bare * 1000:8.1f} ms   facts {facts * 1000:8.1f} ms")
    print(f"{len(rows)} types built, {len(failed)} did not:")
    for model_type, error in failed.items():
        print(f"  {model_type}: {error}")
    ratio = facts_total / bare_total if bare_total else float("nan")
    print(f"bare meta build: {bare_total:.2f} s; with every fact: {facts_total:.2f} s", end=" ")
    print(f"({ratio:.2f}x, target 1.3x)")


if __name__ == "__main__":
    main()
