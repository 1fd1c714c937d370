"""Speed of the commit path (issue: pre-publish gate), as ratios measured in one run.

Each command runs in a fresh interpreter, best of N, so import costs are counted as a hook pays
them. Targets: `validate --no-model` within 1.5x `import pydantic, yaml, jinja2`; full validate
within 1.5 x `import torch, transformers` + 1 s. Each is reported cold (empty caches: every card
is checked from scratch) and for unchanged cards (the report cache answers, as on most commits).

    python bench/bench_gate.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def best_of(command: list[str], repeat: int, env: dict[str, str], fresh_cache: bool = False) -> float:
    times = []
    for _ in range(repeat):
        run_env = dict(env)
        if fresh_cache:
            run_env["CARDKIT_CACHE_DIR"] = tempfile.mkdtemp(prefix="cardkit-bench-")
        start = time.perf_counter()
        subprocess.run(
            command, cwd=ROOT, env=run_env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    py = sys.executable
    env = {**os.environ, "CARDKIT_CACHE_DIR": tempfile.mkdtemp(prefix="cardkit-bench-warm-")}
    cardkit = [py, "-m", "cardkit", "validate"]
    subprocess.run(cardkit, cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL)  # warm the cache

    light = best_of([py, "-c", "import pydantic, yaml, jinja2"], args.repeat, env)
    heavy = best_of([py, "-c", "import torch, transformers"], args.repeat, env)
    no_model_cold = best_of([*cardkit, "--no-model"], args.repeat, env, fresh_cache=True)
    subprocess.run([*cardkit, "--no-model"], cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL)
    no_model_warm = best_of([*cardkit, "--no-model"], args.repeat, env)
    full_cold = best_of(cardkit, args.repeat, env, fresh_cache=True)
    full_warm = best_of(cardkit, args.repeat, env)

    light_budget, heavy_budget = 1.5 * light, 1.5 * heavy + 1
    rows = [
        ("import pydantic, yaml, jinja2", light, None),
        ("validate --no-model, cold caches", no_model_cold, light_budget),
        ("validate --no-model, unchanged cards", no_model_warm, light_budget),
        ("import torch, transformers", heavy, None),
        ("validate (full), cold caches", full_cold, heavy_budget),
        ("validate (full), unchanged cards", full_warm, heavy_budget),
    ]
    print(f"{'command':42} {'seconds':>8} {'budget':>8} {'ratio':>6}")
    for name, seconds, budget in rows:
        if budget is None:
            print(f"{name:42} {seconds:8.3f}")
        else:
            verdict = "ok" if seconds <= budget else "MISSED"
            print(f"{name:42} {seconds:8.3f} {budget:8.3f} {seconds / budget:6.2f} {verdict}")
    print("budget: 1.5 x light imports for --no-model; 1.5 x heavy imports + 1 s for the full check")


if __name__ == "__main__":
    main()
