"""Speed after the re-layout (issue 12: "speed kept or better"), every figure in one run.

Each command runs in a fresh interpreter through the CLI's own entry point, wrapped only to count
the collector's full (generation-2) collections (`gc.callbacks`) and read the peak RSS (VmHWM) of
that process; a figure is the fastest of `--rounds` runs, rounds interleaved so every case sees the
same machine conditions (the spread, slowest / fastest, is printed beside it: a shared 2-core VM is
noisy), with the least CPU time (user + system) of the runs beside it, which other processes move less.

- `validate --no-model --no-cache` on one card, and lint's start-up (one small README);
- a full `validate --no-cache` of the six shipped cards, cold (empty cache directory);
- `validate --no-model --no-cache` on `--cards` copies of the shipped cards (distinct repo ids);
- the marginal cost of one more distinct config.json in a full `--no-cache` run: 6 cards against
  6 + K cards, every card with its own small (2-layer) config of the six families (ms per extra
  config), and 6 + K cards that repeat the six configs (ms per extra card whose config was seen);
- `validate --checkpoint` of a falcon-40b-style shell (full-size headers, sparse data;
  `tests/shells.py`): the report's "headers read in" figure, whose own reading takes milliseconds.

Targets (issue 12): 1,000 cards `--no-model --no-cache` <= 2.5 s; each extra distinct config <= 30 ms.

    python bench/bench_layout.py [--rounds 5] [--cards 1000] [--extra 24] [--tree DIR ...] [--profile]

`--tree DIR` times that checkout's code; given twice (e.g. the commit before a change and this one)
each case runs on both back to back in every round, so before and after share the machine's state;
`--profile` prints cProfile's top entries of the 1,000-card and the marginal-config runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKPOINT_SLUG = "falcon-40b-instruct"

CHILD = """
import gc, json, os, sys, time
stats = {"full": 0, "full_s": 0.0}
started = [0.0]
def count(phase, info):
    if info["generation"] == 2:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            stats["full"] += 1
            stats["full_s"] += time.perf_counter() - started[0]
gc.callbacks.append(count)
sys.argv = ["cardkit", *sys.argv[1:]]
if os.environ.get("BENCH_PROFILE"):
    import cProfile, pstats
    from cardkit.cli import main
    profile = cProfile.Profile()
    rc = profile.runcall(main)
    pstats.Stats(profile, stream=sys.stderr).sort_stats("tottime").print_stats(18)
else:
    from cardkit.cli import entry_point
    rc = entry_point()
gc.callbacks.remove(count)
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        stats["peak_rss"] = int(line.split()[1]) * 1024
with open(os.environ["BENCH_STATS"], "w") as handle:
    json.dump(stats, handle)
raise SystemExit(rc)
"""
"""`cardkit ARGS` as the console script runs it, plus the full collections and peak RSS it had."""


@dataclass
class Case:
    name: str
    args: list[str]
    ok: tuple[int, ...] = (0,)
    """Exit codes that mean the run did its work (1: some card has an error, as the small configs do)."""
    rounds: int | None = None
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    """User + system CPU seconds of each run: less moved by other processes on the machine than wall time."""
    stats: dict = field(default_factory=dict)


def run_once(case: Case, tree: Path, scratch: Path, profile: bool = False) -> str:
    stats_file = scratch / "stats.json"
    env = dict(
        os.environ,
        PYTHONPATH=str(tree),
        BENCH_STATS=str(stats_file),
        CARDKIT_CACHE_DIR=tempfile.mkdtemp(prefix="cache-", dir=scratch),  # cold, whatever the flags
        HF_HUB_OFFLINE="1",
    )
    if profile:
        env["BENCH_PROFILE"] = "1"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *case.args], cwd=tree, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if done.returncode not in case.ok or "internal-error" in done.stdout:
        raise SystemExit(f"{case.name}: exit {done.returncode}\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    if profile:
        return done.stderr
    case.times.append(seconds)
    case.cpu.append(cpu)
    stats = json.loads(stats_file.read_text())
    if not case.stats or seconds <= min(case.times):
        case.stats = stats
    case.stats["max_rss"] = max(case.stats.get("max_rss", 0), stats.get("peak_rss", 0))
    return done.stdout


def numbered_cards(scratch: Path, count: int, name: str) -> Path:
    """`count` copies of the shipped cards (cycling), each with its own repo id and folder."""
    root = scratch / name
    slugs = sorted(p.name for p in (ROOT / "cards").iterdir() if (p / "card.yaml").is_file())
    for number in range(count):
        slug = slugs[number % len(slugs)]
        folder = root / f"{number:05d}-{slug}"
        folder.mkdir(parents=True)
        text = (ROOT / "cards" / slug / "card.yaml").read_text(encoding="utf-8")
        repo_id = next(x for x in text.splitlines() if x.strip().startswith("repo_id:")).split(":", 1)[1]
        text = text.replace(repo_id.strip(), f"{repo_id.strip()}-copy{number}")  # snippets name it too
        (folder / "card.yaml").write_text(text, encoding="utf-8")
        shutil.copy(ROOT / "cards" / slug / "config.json", folder / "config.json")
    return root


def small_config_cards(scratch: Path, count: int, distinct: bool, name: str) -> Path:
    """`count` cards whose config.json is a 2-layer config of their family; with `distinct`, every
    config differs (vocab_size), otherwise the six family configs repeat."""
    root = numbered_cards(scratch, count, name)
    for number, folder in enumerate(sorted(root.iterdir())):
        data = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        data["num_hidden_layers"] = 2
        data["vocab_size"] = int(data["vocab_size"]) + (64 * number if distinct else 0)
        (folder / "config.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    return root


def checkpoint_shell(scratch: Path) -> Path:
    from tests.shells import state_entries_for, write_shell  # lazy: imports torch (shell layout only)

    folder = scratch / "shell-40b"
    write_shell(folder, list(state_entries_for(CHECKPOINT_SLUG)))
    return folder


def spread(times: list[float]) -> str:
    return f"x{max(times) / min(times):.2f}" if len(times) > 1 else "-"


def make_cases(scratch: Path, cards: int, extra: int, heavy: int) -> list[Case]:
    readme = scratch / "lint" / "README.md"
    readme.parent.mkdir()
    readme.write_text("# Tiny model\n\nA small causal language model.\n", encoding="utf-8")
    one = str(ROOT / "cards" / "stablelm-3b-4e1t" / "card.yaml")
    many = str(numbered_cards(scratch, cards, "many"))
    six = str(small_config_cards(scratch, 6, True, "six"))
    distinct = str(small_config_cards(scratch, 6 + extra, True, "distinct"))
    repeated = str(small_config_cards(scratch, 6 + extra, False, "repeated"))
    shell = str(checkpoint_shell(scratch))
    falcon = str(ROOT / "cards" / CHECKPOINT_SLUG)
    return [
        Case("validate --no-model, one card", ["validate", "--no-model", "--no-cache", one]),
        Case("lint start-up, one small README", ["lint", str(readme)]),
        Case("validate six cards, cold", ["validate", "--no-cache", str(ROOT / "cards")], rounds=heavy),
        Case(f"--no-model, {cards} cards", ["validate", "--no-model", "--no-cache", many], rounds=heavy),
        Case("6 small configs", ["validate", "--no-cache", six], (0, 1), heavy),
        Case(f"{6 + extra} distinct configs", ["validate", "--no-cache", distinct], (0, 1), heavy),
        Case(f"{6 + extra} cards, 6 configs", ["validate", "--no-cache", repeated], (0, 1), heavy),
        Case(
            "checkpoint 40B shell",
            ["validate", "--no-cache", "--format", "json", falcon, "--checkpoint", shell],
            rounds=heavy,
        ),
    ]


def report(tree: Path, cases: list[Case], header_read: list[float], extra: int) -> None:
    print(f"\ncardkit at {tree} (python {sys.version.split()[0]}, {os.cpu_count()} cores)")
    print(
        f"{'case':34} {'best':>8} {'spread':>7} {'CPU':>7} {'runs':>4} "
        f"{'full GCs':>8} {'GC s':>6} {'peak RSS':>9}"
    )
    for case in cases:
        s = case.stats
        print(
            f"{case.name:34} {min(case.times):7.3f}s {spread(case.times):>7} {min(case.cpu):6.2f}s "
            f"{len(case.times):>4} {s['full']:>8} {s['full_s']:6.2f} {s['max_rss'] / 2**20:7.0f}MB"
        )
    best = [min(case.times) for case in cases]
    cpu = [min(case.cpu) for case in cases]
    print(
        f"marginal distinct config: {(best[5] - best[4]) / extra * 1000:.1f} ms wall, "
        f"{(cpu[5] - cpu[4]) / extra * 1000:.1f} ms CPU each (target <= 30 ms)"
    )
    print(
        f"marginal card with a config already seen: {(best[6] - best[4]) / extra * 1000:.1f} ms wall, "
        f"{(cpu[6] - cpu[4]) / extra * 1000:.1f} ms CPU each"
    )
    print(
        f"40B shell 'headers read in': best {min(header_read) * 1000:.1f} ms, "
        f"worst {max(header_read) * 1000:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--extra", type=int, default=24, help="extra distinct configs (K)")
    parser.add_argument(
        "--tree", type=Path, action="append", help="checkout whose cardkit is timed (repeatable: interleaved)"
    )
    parser.add_argument("--profile", action="store_true")
    options = parser.parse_args()
    trees = [tree.resolve() for tree in options.tree or [ROOT]]
    sys.path.insert(0, str(ROOT))
    scratch = Path(tempfile.mkdtemp(prefix="bench-layout-"))
    try:
        heavy = max(2, min(options.rounds, 3))
        cases = make_cases(scratch, options.cards, options.extra, heavy)
        per_tree = {tree: [replace(case, times=[], cpu=[], stats={}) for case in cases] for tree in trees}
        header_read: dict[Path, list[float]] = {tree: [] for tree in trees}
        for round_number in range(options.rounds):
            for index in range(len(cases)):
                for tree in trees:  # each case on every tree back to back: the same machine conditions
                    case = per_tree[tree][index]
                    if round_number < (case.rounds or options.rounds):
                        out = run_once(case, tree, scratch)
                        if case.name.startswith("checkpoint"):
                            figures = json.loads(out)["cards"][0]["runtime"]["checkpoint"]
                            header_read[tree].append(figures["seconds"])
        for tree in trees:
            report(tree, per_tree[tree], header_read[tree], options.extra)
        if options.profile:
            for case in (cases[3], cases[5]):
                print(f"\n--- cProfile (tottime), {case.name}, {trees[0]}")
                print("\n".join(run_once(case, trees[0], scratch, profile=True).splitlines()[:40]))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
