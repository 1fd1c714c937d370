"""Speed of the commit path (issue: pre-publish gate), as ratios measured in one run.

Each command runs in a fresh interpreter, so import costs are counted as a hook pays them; the
figure is its fastest run over interleaved rounds. Targets: `validate --no-model` within 1.5 x
`import pydantic, yaml, jinja2`; full validate within 1.5 x `import torch, transformers` + 1 s.
Each is timed three ways:

- cold caches: all six cards checked from scratch (a fresh CI machine);
- one edited card: what the pre-commit hook runs when a commit edits one card.yaml (the hook gets
  only changed files; the card's report cannot come from the cache, the architecture facts of its
  unchanged config.json can);
- unchanged cards: all six, answered by the report cache.

The two `--no-model` cases that the report cache could serve are timed again with `--no-cache`
beside them: what the report cache costs on the edited card (a miss: hashing and writing the entry)
and what it saves on unchanged ones, the figures that decide whether it pays for its risk.

Floors are timed beside the light cases: what must be paid before a single card is read, with the
same exit as the `cardkit` command (`cardkit.core.gc_policy`). `import pydantic` is lazy, so the light
baseline never loads `pydantic.main`; one one-field BaseModel already costs about the whole light
budget, and building the card schema (30 models) more. A floor at or over 1.00 means the light
target cannot be met by any Pydantic-based check, whatever it does after the schema is built.

The full validate is timed cold with the collector settings of `cardkit.core.gc_policy`: full
collections paused while torch and transformers' model code are imported, and everything frozen at
exit. The same cold run with Python's default settings is timed beside it, to show what they save.

    python bench/bench_gate.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EDITED_CARD = "stablelm-3b-4e1t"
LIGHT_BASELINE = "import pydantic, yaml, jinja2"
HEAVY_BASELINE = "import torch, transformers"
EXIT = "\nimport gc\ngc.freeze()"
"""The floors exit as the `cardkit` command does (`cardkit.core.gc_policy.freeze_before_exit`)."""
PYDANTIC_FLOOR = "import yaml\nfrom pydantic import BaseModel\nclass Floor(BaseModel):\n    x: int" + EXIT
SCHEMA_FLOOR = "import yaml, cardkit.schema" + EXIT
DEFAULT_COLLECTOR = (
    "import contextlib, sys, cardkit.validate.checks as checks\n"
    "checks.full_collections_paused = contextlib.nullcontext\n"
    "from cardkit.cli import main\n"
    "raise SystemExit(main())"
)
"""`cardkit validate` with none of `cardkit.core.gc_policy`: no pause, no freeze at exit."""

Prepare = Callable[[dict[str, str]], None]


@dataclass(frozen=True)
class Case:
    name: str
    command: list[str]
    before: Prepare | None = None
    """Prepares each run's environment or files: empties the caches, or edits the card."""


def run_once(case: Case, env: dict[str, str]) -> float:
    run_env = dict(env)
    if case.before is not None:
        case.before(run_env)
    start = time.perf_counter()
    done = subprocess.run(case.command, cwd=ROOT, env=run_env, check=False, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:  # a command that failed early would be timed as a fast one
        raise SystemExit(f"{case.name}: exit {done.returncode}\n{done.stdout}{done.stderr}")
    return seconds


def fastest_over_rounds(cases: list[Case], rounds: int, env: dict[str, str]) -> dict[str, float]:
    """Fastest run of each case over `rounds` rounds that each run every case once.

    Interleaving puts a baseline and the commands held to it under the same machine conditions; on
    a shared VM, timing one after the other let a slow minute move a ratio by 0.15.
    """
    best = {case.name: float("inf") for case in cases}
    for _ in range(rounds):
        for case in cases:
            best[case.name] = min(best[case.name], run_once(case, env))
    return best


def empty_cache(scratch: Path) -> Prepare:
    def prepare(env: dict[str, str]) -> None:
        env["CARDKIT_CACHE_DIR"] = tempfile.mkdtemp(prefix="cache-", dir=scratch)

    return prepare


def edited_card_copy(scratch: Path) -> tuple[Path, Prepare]:
    """A copy of one card folder, and a step that edits its card.yaml anew before every run.

    Appending a comment changes the card's bytes (its report must be recomputed) but not its
    config.json, like a commit that fixes a sentence in the card.
    """
    folder = scratch / EDITED_CARD
    shutil.copytree(ROOT / "cards" / EDITED_CARD, folder)
    card = folder / "card.yaml"
    original = card.read_text(encoding="utf-8")
    edits = iter(range(1_000_000))

    def edit(_env: dict[str, str]) -> None:
        card.write_text(f"{original}# edit {next(edits)}\n", encoding="utf-8")

    return card, edit


def print_table(rows: list[tuple[str, float, float | None]]) -> None:
    print(f"{'command':50} {'seconds':>8} {'budget':>8} {'ratio':>6}")
    for name, seconds, budget in rows:
        if budget is None:
            print(f"{name:50} {seconds:8.3f}")
        else:
            verdict = "ok" if seconds <= budget else "MISSED"
            print(f"{name:50} {seconds:8.3f} {budget:8.3f} {seconds / budget:6.2f} {verdict}")
    print("budget: 1.5 x light imports for --no-model; 1.5 x heavy imports + 1 s for the full check")
    print("floor: what a Pydantic-based check pays before it reads a card (same exit as cardkit)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the heavy cases (light: 3x)")
    args = parser.parse_args()
    py = sys.executable
    scratch = Path(tempfile.mkdtemp(prefix="cardkit-bench-"))
    env = {**os.environ, "CARDKIT_CACHE_DIR": str(scratch / "warm-cache"), "XDG_STATE_HOME": str(scratch)}
    # Installed libraries come with bytecode; let cardkit's own modules be cached the same way
    # (a sandbox's PYTHONDONTWRITEBYTECODE=1 would make every run recompile them from source).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    validate = [py, "-m", "cardkit", "validate"]
    no_model = [*validate, "--no-model"]
    for warm_up in (validate, no_model):  # fills the report and facts caches, writes bytecode
        subprocess.run(warm_up, cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL)
    card, edit = edited_card_copy(scratch)
    cold = empty_cache(scratch)

    light = [
        Case(LIGHT_BASELINE, [py, "-c", LIGHT_BASELINE]),
        Case("floor: yaml + one pydantic BaseModel", [py, "-c", PYDANTIC_FLOOR]),
        Case("floor: yaml + cardkit.schema", [py, "-c", SCHEMA_FLOOR]),
        Case("validate --no-model, cold caches", no_model, cold),
        Case("validate --no-model, one edited card", [*no_model, str(card)], edit),
        Case("validate --no-model, unchanged cards", no_model),
        Case("  the same, --no-cache", [*no_model, "--no-cache"]),
        Case("validate --no-model --no-cache, one edited card", [*no_model, "--no-cache", str(card)], edit),
    ]
    heavy = [
        Case(HEAVY_BASELINE, [py, "-c", HEAVY_BASELINE]),
        Case("validate, cold caches", validate, cold),
        Case("  the same, default collector settings", [py, "-c", DEFAULT_COLLECTOR, "validate"], cold),
        Case("validate, one edited card", [*validate, str(card)], edit),
        Case("validate, unchanged cards", validate),
    ]
    try:
        light_times = fastest_over_rounds(light, 3 * args.rounds, env)
        heavy_times = fastest_over_rounds(heavy, args.rounds, env)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    light_budget = 1.5 * light_times[LIGHT_BASELINE]
    heavy_budget = 1.5 * heavy_times[HEAVY_BASELINE] + 1
    print_table(
        [(name, t, None if name == LIGHT_BASELINE else light_budget) for name, t in light_times.items()]
        + [(name, t, None if name == HEAVY_BASELINE else heavy_budget) for name, t in heavy_times.items()]
    )


if __name__ == "__main__":
    main()
