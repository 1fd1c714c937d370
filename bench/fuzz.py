"""Fuzz every input surface with at least 10,000 examples each, under a time bound per surface.

The strategies and targets are the test suite's (tests/fuzz_targets.py); the test runs 200
examples per surface, this runs many more with larger inputs. Each surface runs in its own child
process, so its peak RSS is its own and a hard crash or a hang in one surface does not take the
others down. Prints per surface: examples run, crashes (must be 0), distinct crash classes, the
slowest input (size and seconds) and the child's peak RSS; then each crash class with its first
input's size and message. `--save DIR` writes the first input of each class there, and the
slowest input when it took over a second.

    python bench/fuzz.py [--examples 10000] [--time-bound 300] [--surface card-yaml ...] [--seed 0]
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MAX_SIZE = 256 * 1024
GRACE_SECONDS = 120
"""Time a child gets past its bound to stop, report and exit (an example in flight finishes first)."""


class TimeUp(BaseException):
    """Raised inside the Hypothesis test to stop generating; a BaseException so it is not a 'crash'."""


def _dump_input(example: Any) -> bytes:
    if isinstance(example, bytes):
        return example
    if isinstance(example, tuple):
        return example[1]
    if isinstance(example, dict):
        return json.dumps({k: v.decode("latin-1") for k, v in example.items()}).encode()
    return repr(example).encode("utf-8", "backslashreplace")


def run_surface(name: str, examples: int, bound: float, seed: int, status: Path, save: Path | None) -> None:
    """The child: run one surface, rewriting `status` (JSON) as it goes so a killed child still reports."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    cache = tempfile.mkdtemp(prefix="cardkit-fuzz-cache-")
    atexit.register(shutil.rmtree, cache, True)
    os.environ["CARDKIT_CACHE_DIR"] = cache
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    from tests.fuzz_targets import SURFACES, crash_site

    surface = SURFACES[name]
    state: dict[str, Any] = {"surface": name, "examples": 0, "crashes": 0, "classes": {}}
    state.update(slowest=[0, 0.0], in_flight=None)
    last_write = [0.0]

    def write(force: bool = False) -> None:
        now = time.monotonic()
        if force or now - last_write[0] > 1:
            state["peak_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            status.write_text(json.dumps(state))
            last_write[0] = now

    start = time.monotonic()

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis_seed(seed)
    @given(surface.strategy(MAX_SIZE))
    def fuzz(example: Any) -> None:
        if time.monotonic() - start > bound:
            raise TimeUp
        size = surface.size(example)
        state["in_flight"] = [size, time.time()]
        write()
        began = time.perf_counter()
        try:
            surface.target(example)
        except Exception as exc:
            site = crash_site(exc)
            state["crashes"] += 1
            first = {"count": 0, "size": size, "message": str(exc)[:300]}
            entry = state["classes"].setdefault(site, first)
            entry["count"] += 1
            if save is not None and entry["count"] == 1:
                safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in site)
                (save / f"fuzz_{name}_{safe}.txt").write_bytes(_dump_input(example))
        seconds = time.perf_counter() - began
        state["examples"] += 1
        state["in_flight"] = None
        if seconds > state["slowest"][1]:
            state["slowest"] = [size, seconds]
            if save is not None and seconds > 1:
                (save / f"fuzz_{name}_slowest.txt").write_bytes(_dump_input(example))

    try:
        fuzz()
    except TimeUp:
        state["timed_out"] = True
    state["seconds"] = time.monotonic() - start
    write(force=True)


def _row(result: dict[str, Any]) -> str:
    size, seconds = result.get("slowest", [0, 0.0])
    flight = result.get("in_flight")
    note = ""
    if result.get("killed"):
        note = f" killed after {result['killed']:.0f} s"
        if flight:
            note += f" with a {flight[0]:,}-byte input running {time.time() - flight[1]:.0f} s"
    elif result.get("timed_out"):
        note = " (time bound)"
    return (
        f"| {result['surface']} | {result.get('examples', 0):,} | {result.get('crashes', 0):,} | "
        f"{len(result.get('classes', {}))} | {size:,} B, {seconds:.2f} s | "
        f"{result.get('peak_rss_kib', 0) / 1024:,.0f} MiB | {result.get('seconds', 0):.0f} s{note} |"
    )


def main() -> int:
    from tests.fuzz_targets import SURFACES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000, help="examples per surface")
    parser.add_argument("--time-bound", type=float, default=300, help="seconds per surface")
    parser.add_argument("--surface", action="append", choices=sorted(SURFACES), help="default: all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", type=Path, help="write the first input of each crash class here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--status", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
    if args.child:
        run_surface(args.child, args.examples, args.time_bound, args.seed, args.status, args.save)
        return 0

    results = []
    print("| surface | examples | crashes | classes | slowest input | peak RSS | time |")
    print("|---|---:|---:|---:|---|---:|---|")
    for name in args.surface or list(SURFACES):
        with tempfile.TemporaryDirectory() as tmp:
            status = Path(tmp) / "status.json"
            command = [sys.executable, __file__, "--child", name, "--status", str(status)]
            command += ["--examples", str(args.examples), "--time-bound", str(args.time_bound)]
            command += ["--seed", str(args.seed)]
            command += ["--save", str(args.save)] if args.save else []
            began = time.monotonic()
            try:
                limit = args.time_bound + GRACE_SECONDS
                subprocess.run(command, cwd=ROOT, timeout=limit, capture_output=True, check=False)
                killed = None
            except subprocess.TimeoutExpired:
                killed = time.monotonic() - began
            result = json.loads(status.read_text()) if status.exists() else {"surface": name}
        if killed:
            result["killed"] = killed
            result["crashes"] = result.get("crashes", 0) + 1
            result.setdefault("classes", {})["hang (child killed)"] = {"count": 1, "size": 0, "message": ""}
        results.append(result)
        print(_row(result), flush=True)
    print()
    for result in results:
        for site, entry in sorted(result.get("classes", {}).items()):
            message = entry["message"].replace("\n", " ")[:160]
            first = f"first input {entry['size']:,} B"
            print(f"{result['surface']}: {entry['count']} x {site} ({first}): {message}")
    return 1 if any(r.get("crashes") for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
