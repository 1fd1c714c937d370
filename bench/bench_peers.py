"""cardkit against the tools a publisher would run instead on the same work (issue 17), side by side.

Every row runs cardkit and its peer as whole processes, in interleaved rounds (cardkit, peer, then
peer, cardkit in the next round, so drift in machine load hits both alike), and prints the min and
median wall time of each, the median CPU time (user + system, which a machine shared with other
work sways less), the ratio of the medians (the verdict) and of the minima and CPU times, and for
the checkpoint rows the peak RSS (the child's own high-water mark, from wait4). Nothing is
installed here: the peers come from the `test` extra (check-jsonschema) and the `model` extra
(torch, transformers, safetensors), plus huggingface_hub, which cardkit depends on.

Rows and targets (ratio = cardkit median / peer median):
  one card    `cardkit validate --no-model --no-cache` vs `check-jsonschema --schemafile`   <= 0.5
  six cards   the same on the six shipped cards
  ckpt cold   Falcon-40B full-size sparse shell, `validate --checkpoint --no-cache` vs a by-hand
              meta-model build + name/shape comparison                                       <= 0.8
              and vs a plain `safetensors.safe_open` listing of every tensor (for reference)
  ckpt warm   the same check with the facts and tensor-inventory caches filled, vs the plain
              listing                                              <= 0.5, no more peak RSS
  warm<=cold  the checkpoint check with both caches filled, and with only the facts cache filled
  facts-only  (a plain validate ran before), against no cache: never slower              <= 1.0
  counts      exact parameter counts of the six configs, cold, vs a by-hand meta-device script
  render      24 READMEs (four layouts, two processes) vs huggingface_hub ModelCard.from_template
              writing 6, compared per README written; cardkit's cache filled by the untimed run
              (compiled templates, Traditional Chinese conversions), as on any re-render   <= 0.5
  render-cold the same with cardkit's cache emptied before each timed unit (a fresh CI runner)

    python bench/bench_peers.py [--rounds 5] [--only ROW ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CARDS = sorted((ROOT / "cards").glob("*/card.yaml"))
FALCON = ROOT / "cards" / "falcon-40b-instruct"
SCHEMA = ROOT / "schemas" / "card.schema.json"

SHELL_CHILD = """
import sys
from pathlib import Path
from tests.shells import state_entries_for, write_shell
write_shell(Path(sys.argv[1]), list(state_entries_for("falcon-40b-instruct")))
"""

LISTING_PEER = """
import sys
from pathlib import Path
from safetensors import safe_open
count = 0
for path in sorted(Path(sys.argv[1]).glob("*.safetensors")):
    with safe_open(str(path), framework="pt") as handle:
        for name in handle.keys():
            piece = handle.get_slice(name)
            piece.get_shape(), piece.get_dtype()
            count += 1
print(count, "tensors")
"""

CHECKPOINT_PEER = """
import sys
from pathlib import Path
import torch
from safetensors import safe_open
from transformers import AutoConfig, AutoModelForCausalLM
card, folder = Path(sys.argv[1]), Path(sys.argv[2])
config = AutoConfig.from_pretrained(card)
with torch.device("meta"):
    model = AutoModelForCausalLM.from_config(config)
expected = {name: tuple(t.shape) for name, t in model.state_dict().items()}
stored = {}
for path in sorted(folder.glob("*.safetensors")):
    with safe_open(str(path), framework="pt") as handle:
        for name in handle.keys():
            stored[name] = tuple(handle.get_slice(name).get_shape())
missing = [n for n in expected if n not in stored and not n.endswith("lm_head.weight")]
unexpected = [n for n in stored if n not in expected]
wrong = [n for n in stored if n in expected and stored[n] != expected[n]]
print(len(stored), "stored", len(missing), "missing", len(unexpected), "unexpected", len(wrong), "wrong")
"""

COUNTS_PEER = """
import json, sys
import torch
from transformers import AutoConfig, AutoModelForCausalLM
for path in sys.argv[1:]:
    data = json.load(open(path))
    config = AutoConfig.for_model(**data)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    print(path, sum(p.numel() for p in model.parameters()))
"""

RENDER_PEER = """
import sys
from pathlib import Path
import yaml
from huggingface_hub import ModelCard, ModelCardData
out = Path(sys.argv[1])
for path in sys.argv[2:]:
    card = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    identity = card["identity"]
    data = ModelCardData(
        language=identity.get("languages"), license=str(card.get("license", {}).get("id", "other")),
        base_model=identity.get("base_model"), library_name="transformers", pipeline_tag="text-generation",
    )
    rendered = ModelCard.from_template(
        data, model_id=identity["repo_id"], developers=identity.get("developer"),
        model_type=card["architecture"]["model_type"], language=", ".join(identity.get("languages", [])),
    )
    folder = out / Path(path).parent.name
    folder.mkdir(parents=True, exist_ok=True)
    rendered.save(folder / "README.md")
"""


@dataclass
class Side:
    """One side of a row: the commands of one timed unit (run back to back), and what it measured."""

    name: str
    commands: list[list[str]]
    env: dict[str, str] = field(default_factory=dict)
    prepare: object = None
    """Called before each timed unit (outside the timing): empties an output folder, a cache."""
    per: int = 1
    """Units of work (READMEs written) one timed unit does; times are divided by it."""
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    """User + system CPU seconds of the children (wait4), per unit: less swayed by a loaded machine."""
    rss: list[int] = field(default_factory=list)


def run_timed(side: Side) -> None:
    if callable(side.prepare):
        side.prepare()
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", **side.env)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode cached, as pip does for the peers
    total, cpu, peak = 0.0, 0.0, 0
    for command in side.commands:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        output = child.stdout.read() if child.stdout else b""
        _, status, usage = os.wait4(child.pid, 0)
        total += time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode not in (0, 1):
            raise SystemExit(f"{side.name} failed ({child.returncode}):\n{output.decode()[-3000:]}")
        peak = max(peak, usage.ru_maxrss * 1024)
        cpu += usage.ru_utime + usage.ru_stime
    side.seconds.append(total / side.per)
    side.cpu.append(cpu / side.per)
    side.rss.append(peak)


def interleave(rows: list[tuple[str, Side, Side, float | None]], rounds: int) -> None:
    for number in range(rounds):
        for _, ours, peer, _ in rows:
            for side in (ours, peer) if number % 2 == 0 else (peer, ours):
                run_timed(side)


def report(rows: list[tuple[str, Side, Side, float | None]], rss_rows: set[str]) -> None:
    print(f"{'row':12} {'side':52} {'min':>8} {'median':>8} {'cpu med':>8} {'peak RSS':>9}")
    for label, ours, peer, target in rows:
        for side in (ours, peer):
            rss = f"{max(side.rss) / 2**20:7.0f}MB" if label in rss_rows else ""
            print(
                f"{label:12} {side.name:52} {min(side.seconds):7.3f}s "
                f"{statistics.median(side.seconds):7.3f}s {statistics.median(side.cpu):7.3f}s {rss:>9}"
            )
        ratio = statistics.median(ours.seconds) / statistics.median(peer.seconds)
        verdict = "" if target is None else f"(target <= {target}: {'met' if ratio <= target else 'MISSED'})"
        memory = ""
        if label in rss_rows:
            memory = f", peak RSS {max(ours.rss) / max(peer.rss):.2f}x"
        best = min(ours.seconds) / min(peer.seconds)
        cpu = statistics.median(ours.cpu) / statistics.median(peer.cpu)
        others = f"; of minima {best:.2f}, of CPU {cpu:.2f}"
        print(f"{'':12} ratio of medians {ratio:.2f}{memory} {verdict}{others}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", nargs="*", help="row labels to run (default: all)")
    args = parser.parse_args()
    missing = [name for name in ("cardkit", "check-jsonschema") if not (BIN / name).exists()]
    if missing:
        raise SystemExit(f"not installed next to {sys.executable}: {missing}; pip install -e '.[test,model]'")
    work = Path(tempfile.mkdtemp(prefix="cardkit-peers-"))
    try:
        rows = build_rows(work)
        if args.only:
            rows = [row for row in rows if row[0] in args.only]
        for _, ours, peer, _ in rows:  # one untimed run each: page cache, .pyc files, the cache fill
            run_timed(ours)
            run_timed(peer)
            for side in (ours, peer):
                side.seconds.clear(), side.cpu.clear(), side.rss.clear()
        interleave(rows, args.rounds)
        python = sys.version.split()[0]
        print(f"{args.rounds} interleaved rounds, whole processes, Python {python}, bytecode cached")
        report(rows, {"ckpt-cold", "ckpt-list", "ckpt-warm", "warm<=cold", "facts-only"})
    finally:
        shutil.rmtree(work, ignore_errors=True)


def build_rows(work: Path) -> list[tuple[str, Side, Side, float | None]]:
    cardkit, python = str(BIN / "cardkit"), sys.executable
    one, six = [str(CARDS[0])], [str(path) for path in CARDS]
    jsonschema = [str(BIN / "check-jsonschema"), "--schemafile", str(SCHEMA)]
    shell = work / "falcon-shell"
    subprocess.run(
        [python, "-c", SHELL_CHILD, str(shell)],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        check=True,
    )
    falcon_card = str(FALCON / "card.yaml")
    check = [cardkit, "validate", falcon_card, "--checkpoint", str(shell)]
    private = {"XDG_STATE_HOME": str(work / "state")}  # the cache key of this bench, not the user's
    cold_cache = {"CARDKIT_CACHE_DIR": str(work / "cold-cache"), **private}
    warm_cache = {"CARDKIT_CACHE_DIR": str(work / "warm-cache"), **private}
    half_cache = {"CARDKIT_CACHE_DIR": str(work / "half-cache"), **private}
    listing = Side("safe_open listing of every tensor", [[python, "-c", LISTING_PEER, str(shell)]])
    by_hand = Side(
        "by hand: meta model + names and shapes", [[python, "-c", CHECKPOINT_PEER, str(FALCON), str(shell)]]
    )
    configs = [str(path.parent / "config.json") for path in CARDS]
    renders = work / "render-ours"
    hub = work / "render-hub"
    layouts = (["--lang", "en", "--lang", "zh"], ["--lang", "zh-Hant", "--lang", "en+zh"])
    render_cache = {"CARDKIT_CACHE_DIR": str(work / "render-cache"), **private}
    cold_render = work / "render-cold-cache"
    cold_render_cache = {"CARDKIT_CACHE_DIR": str(cold_render), **private}

    def hub_side() -> Side:
        return Side(
            "ModelCard.from_template + save (per README)",
            [[python, "-c", RENDER_PEER, str(hub), *[str(p) for p in CARDS]]],
            per=len(CARDS),
        )

    render_cmds = [
        [cardkit, "render", "--force", "--out", str(renders / str(n)), *lang, *[str(p.parent) for p in CARDS]]
        for n, lang in enumerate(layouts)
    ]
    return [
        (
            "one-card",
            Side(
                "cardkit validate --no-model --no-cache (1 card)",
                [[cardkit, "validate", "--no-model", "--no-cache", *one]],
            ),
            Side("check-jsonschema --schemafile (1 card)", [[*jsonschema, *one]]),
            0.5,
        ),
        (
            "six-cards",
            Side(
                "cardkit validate --no-model --no-cache (6 cards)",
                [[cardkit, "validate", "--no-model", "--no-cache", *six]],
            ),
            Side("check-jsonschema --schemafile (6 cards)", [[*jsonschema, *six]]),
            None,
        ),
        (
            "ckpt-cold",
            Side("cardkit validate --checkpoint --no-cache", [[*check, "--no-cache"]], cold_cache),
            by_hand,
            0.8,
        ),
        (
            "ckpt-list",
            Side("cardkit validate --checkpoint --no-cache", [[*check, "--no-cache"]], cold_cache),
            listing,
            None,
        ),
        (
            "ckpt-warm",
            Side("cardkit validate --checkpoint, caches filled", [check], warm_cache),
            Side("safe_open listing of every tensor", [[python, "-c", LISTING_PEER, str(shell)]]),
            0.5,
        ),
        (
            "warm<=cold",
            Side("cardkit --checkpoint, caches filled", [check], warm_cache),
            Side("cardkit --checkpoint --no-cache", [[*check, "--no-cache"]], cold_cache),
            1.0,
        ),
        (
            "facts-only",
            Side(
                "cardkit --checkpoint, facts cached, inventory not",
                [check],
                half_cache,
                prepare=lambda: shutil.rmtree(work / "half-cache" / "expected", ignore_errors=True),
            ),
            Side("cardkit --checkpoint --no-cache", [[*check, "--no-cache"]], cold_cache),
            1.0,
        ),
        (
            "counts",
            Side(
                "cardkit validate --no-cache (6 cards, meta build)",
                [[cardkit, "validate", "--no-cache", *six]],
            ),
            Side("by hand: meta model, sum of numel (6 configs)", [[python, "-c", COUNTS_PEER, *configs]]),
            None,
        ),
        (
            "render",
            Side(
                "cardkit render, 4 layouts, 2 processes (per README)",
                render_cmds,
                render_cache,
                per=24,
                prepare=lambda: shutil.rmtree(renders, ignore_errors=True),
            ),
            hub_side(),
            0.5,
        ),
        (
            "render-cold",
            Side(
                "cardkit render, as above, caches emptied each time",
                render_cmds,
                cold_render_cache,
                per=24,
                prepare=lambda: [shutil.rmtree(path, ignore_errors=True) for path in (renders, cold_render)],
            ),
            hub_side(),
            None,
        ),
    ]


if __name__ == "__main__":
    main()
