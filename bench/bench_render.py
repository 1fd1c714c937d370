"""Time to render all six cards in all four layouts (target: under 1 s in total).

Cold is the first pass in a fresh interpreter: it pays for loading the gettext catalogs and the
compiled templates and conversions (compiling and running OpenCC instead when cardkit's cache does
not hold them yet: the first run, or `CARDKIT_CACHE_DIR` pointed at an empty folder), which are then
kept per locale. Warm is the best of N later passes.
Importing cardkit.render and loading the cards are reported separately, since every command pays
them whatever it renders; `cardkit render --check` end to end is timed in a fresh process too.

    python bench/bench_render.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _render_all(cards: list, layouts: list[str]) -> int:
    from cardkit.render import render_layouts

    return sum(len(text) for card in cards for text in render_layouts(card, layouts).values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    start = time.perf_counter()
    from cardkit.card.load import load_card
    from cardkit.card.paths import discover
    from cardkit.render import LAYOUTS, warm_up

    imported = time.perf_counter() - start

    start = time.perf_counter()
    cards = [load_card(path).card for path in discover([ROOT / "cards"])]
    loaded = time.perf_counter() - start
    layouts = list(LAYOUTS)

    from cardkit.core.cache import cache_root

    stored = sum(1 for kind in ("jinja", "opencc") for _ in (cache_root() / kind).glob("*.json"))
    start = time.perf_counter()
    warm_up(layouts)
    setup = time.perf_counter() - start
    size = _render_all(cards, layouts)
    cold = time.perf_counter() - start

    warm = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        _render_all(cards, layouts)
        warm.append(time.perf_counter() - start)

    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "cardkit", "render", "--check", "cards"],
        cwd=ROOT,
        check=False,
        stdout=subprocess.DEVNULL,
    )
    check = time.perf_counter() - start

    renders = len(cards) * len(layouts)
    print(f"{len(cards)} cards x {len(layouts)} layouts = {renders} READMEs, {size / 1024:.0f} KiB")
    print(f"import cardkit.render:        {imported * 1000:7.1f} ms")
    print(f"load + validate cards:        {loaded * 1000:7.1f} ms")
    print(f"render all, cold (1st pass):  {cold * 1000:7.1f} ms  (of which {setup * 1000:.1f} ms loading")
    print("                                         catalogs, templates and conversions;")
    print(f"                                         {stored} entries in {cache_root()} at start)")
    best = min(warm)
    each = best / renders * 1000
    print(f"render all, warm (best of {args.repeat}): {best * 1000:7.1f} ms  ({each:.1f} ms each)")
    print(f"`cardkit render --check` (fresh process, en+zh): {check * 1000:7.1f} ms")
    print("target < 1000 ms for cold render of all:", "met" if cold < 1.0 else "MISSED")


if __name__ == "__main__":
    main()
