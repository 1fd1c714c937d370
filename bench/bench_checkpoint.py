"""Speed and memory of `validate --checkpoint/--load/--generate` (issue: checkpoint checks), one run.

(a) header inventory of each card's full-size checkpoint shell (real headers, sparse data) in a fresh
    interpreter, time and peak RSS, against reading the same bytes naively (a bounded 1 GiB sample,
    extrapolated; the sample comes from a sparse file, i.e. from page-cache zeros, so the naive
    figure is a lower bound on a real disk);
(b) meta-device validation per card with the facts cache disabled;
(c) with CUDA: load, time to first token and tokens/s for a random-weight full-size StableLM 2 12B
    (from_config, no download) through cardkit's smoke test vs plain `generate`; skipped otherwise.

Targets: 40B inventory < 0.5 s and < 300 MB peak RSS; meta validation of all six cards < 10 s.

    python bench/bench_checkpoint.py [--dry-run]   # --dry-run: run (c) on a tiny CPU model
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SAMPLE_BYTES = 2**30
INVENTORY_CHILD = """
import json, sys, time
from pathlib import Path
from cardkit.model.checkpoint import read_inventory

def peak_rss():
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork+exec
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return None

start = time.perf_counter()
inventory = read_inventory(Path(sys.argv[1]))
seconds = time.perf_counter() - start
assert not inventory.findings, inventory.findings
print(json.dumps({"seconds": seconds, "tensors": len(inventory.tensors), "shards": len(inventory.shards),
                  "data_bytes": inventory.data_bytes, "header_bytes": inventory.header_bytes,
                  "peak_rss": peak_rss(),
                  "heavy": [m for m in ("torch", "transformers") if m in sys.modules]}))
"""


def naive_read_seconds(path: Path, limit: int = SAMPLE_BYTES, repeat: int = 3) -> tuple[float, int]:
    """Best of `repeat` timings of reading up to `limit` bytes in 16 MiB chunks, and the bytes read."""
    best, done = float("inf"), 0
    for _ in range(repeat):
        done = 0
        start = time.perf_counter()
        with open(path, "rb", buffering=0) as handle:
            while done < limit and (chunk := handle.read(min(16 * 2**20, limit - done))):
                done += len(chunk)
        best = min(best, time.perf_counter() - start)
    return best, done


def cli_seconds(card: Path, folder: Path) -> float:
    """Wall time of a cold `cardkit validate CARD --checkpoint DIR` (imports, meta build, inventory)."""
    env = dict(os.environ, CARDKIT_CACHE_DIR=tempfile.mkdtemp(prefix="cardkit-bench-cache-"))
    start = time.perf_counter()
    command = [sys.executable, "-m", "cardkit", "validate", str(card), "--checkpoint", str(folder)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return time.perf_counter() - start


def bench_inventory(root: Path) -> None:
    from tests.helpers import SLUGS
    from tests.shells import state_entries_for, write_shell

    print("(a) header inventory of full-size shells (fresh interpreter each) vs naive read")
    print(
        f"    {'card':26} {'shards':>6} {'tensors':>7} {'data':>9} {'inventory':>10} {'peak RSS':>9} "
        f"{'naive read':>11} {'ratio':>9} {'cold CLI':>9}"
    )
    for slug in SLUGS:
        folder = root / slug
        write_shell(folder, list(state_entries_for(slug)))
        out = subprocess.run(
            [sys.executable, "-c", INVENTORY_CHILD, str(folder)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        assert result["heavy"] == [], "the inventory must not import torch"
        sample_s, sampled = naive_read_seconds(
            max(folder.glob("*.safetensors"), key=lambda p: p.stat().st_size)
        )
        naive = sample_s * result["data_bytes"] / sampled
        print(
            f"    {slug:26} {result['shards']:>6} {result['tensors']:>7} "
            f"{result['data_bytes'] / 1e9:>7.1f}GB {result['seconds'] * 1000:>8.1f}ms "
            f"{result['peak_rss'] / 2**20:>7.0f}MB {naive:>10.1f}s {naive / result['seconds']:>8.0f}x "
            f"{cli_seconds(ROOT / 'cards' / slug / 'card.yaml', folder):>8.2f}s"
        )
        shutil.rmtree(folder)
    print(f"    naive read: {SAMPLE_BYTES / 2**30:.0f} GiB sample of the largest shard, extrapolated to the")
    print("    data size (best of 3); the shell is sparse, so this reads holes, not disk: a lower bound for")
    print("    real storage. cold CLI: `python -m cardkit validate CARD --checkpoint DIR` end to end, with")
    print("    interpreter start, torch/transformers import and the meta-device build.")


META_CHILD = """
import sys, time
start = time.perf_counter()
import torch, transformers
print(f"    import torch + transformers: {time.perf_counter() - start:.2f} s (paid once, not counted below)")
from cardkit.validate import ValidateOptions, validate_card
from tests.helpers import CARD_PATHS
total = 0.0
for path in CARD_PATHS:
    start = time.perf_counter()
    report = validate_card(path, ValidateOptions(cache=False))
    seconds = time.perf_counter() - start
    total += seconds
    print(f"    {path.parent.name:26} {seconds:6.2f} s  ({report.parameters.computed:,} parameters)")
print(f"    all {len(CARD_PATHS)} cards: {total:.2f} s (target < 10 s)")
"""


def bench_meta() -> None:
    """In a fresh interpreter: the first card pays transformers' lazy model-class imports, as a user would."""
    print("(b) meta-device validation per card, facts cache disabled (fresh interpreter)")
    env = dict(os.environ, CARDKIT_CACHE_DIR=tempfile.mkdtemp(prefix="cardkit-bench-cache-"))
    out = subprocess.run(
        [sys.executable, "-c", META_CHILD], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    print(out.stdout, end="")


def bench_generate(dry_run: bool = False) -> None:
    import torch

    print("(c) full-size StableLM 2 12B, random weights, cardkit smoke test vs plain generate")
    if not torch.cuda.is_available() and not dry_run:
        print("    skipped: no CUDA device on this machine")
        return
    slug = "stablelm-2-12b"
    data = json.loads((ROOT / "cards" / slug / "config.json").read_text())
    if dry_run:  # exercise this code path on a CPU with a 2-layer model; the figures mean nothing
        data.update(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=1)
        data.update(intermediate_size=128, vocab_size=512, bos_token_id=0, eos_token_id=0)
        print("    --dry-run: tiny CPU model, to check the benchmark itself; figures are not meaningful")
    compare_generation(slug, data, "cpu" if dry_run else "cuda")


def _sync(device: str) -> None:
    import torch

    if device == "cuda":
        torch.cuda.synchronize()


def compare_generation(slug: str, data: dict, device: str) -> None:
    """Build from config (random weights), then time cardkit's smoke test and plain `generate`."""
    import torch
    from transformers import AutoModelForCausalLM
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    from cardkit.card.load import load_card
    from cardkit.model.smoke_test import SEED, build_prompt, generation_kwargs, load_tokenizer, run_smoke_test
    from tests.tiny_models import card_data, train_tokenizer

    config = CONFIG_MAPPING[data["model_type"]].from_dict(data)
    start = time.perf_counter()
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16).eval()
    _sync(device)
    peak = torch.cuda.max_memory_allocated() / 2**30 if device == "cuda" else 0.0
    print(
        f"    build on {device} (from_config, random bf16): {time.perf_counter() - start:.1f} s, "
        f"peak {peak:.1f} GiB"
    )
    folder = Path(tempfile.mkdtemp(prefix="bench-tokenizer-"))
    train_tokenizer(card_data(slug)).save_pretrained(folder)  # Arcade100k is not available offline
    loaded = load_card(ROOT / "cards" / slug / "card.yaml")
    start = time.perf_counter()
    _, figures = run_smoke_test(loaded, folder, model)
    smoke_s = time.perf_counter() - start
    tokenizer = load_tokenizer(folder, False)
    inputs = tokenizer(build_prompt(loaded, tokenizer), return_tensors="pt").to(device)
    kwargs = generation_kwargs(loaded, [tokenizer.eos_token_id], tokenizer)
    plain_first, plain_s, new = _plain_generate(model, inputs, kwargs, SEED, device)
    print(
        f"    cardkit generate: {figures['new_tokens']} tokens, "
        f"TTFT {figures['time_to_first_token_s']:.3f} s, {figures['tokens_per_s']} tokens/s, "
        f"{figures['seconds']:.2f} s"
    )
    print(
        f"    plain generate:   {new} tokens, TTFT {plain_first:.3f} s (max_new_tokens=1), "
        f"{(new - 1) / max(plain_s - plain_first, 1e-9):.1f} tokens/s, {plain_s:.2f} s"
    )
    print(
        f"    overhead ratio (cardkit generate / plain generate): {figures['seconds'] / plain_s:.2f}x; whole "
        f"smoke test incl. logits check and one forced-stop probe per stop token: {smoke_s:.2f} s"
    )
    shutil.rmtree(folder)


def _plain_generate(
    model: object, inputs: dict, kwargs: dict, seed: int, device: str
) -> tuple[float, float, int]:
    """Plain transformers: TTFT as a one-token generate, then the card's full generate, same seed."""
    import torch

    with torch.no_grad():
        torch.manual_seed(seed)
        start = time.perf_counter()
        model.generate(**inputs, **dict(kwargs, max_new_tokens=1))
        _sync(device)
        first = time.perf_counter() - start
        torch.manual_seed(seed)
        start = time.perf_counter()
        out = model.generate(**inputs, **kwargs)
        _sync(device)
    return first, time.perf_counter() - start, out.shape[-1] - inputs["input_ids"].shape[-1]


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="cardkit-shells-"))
    try:
        bench_inventory(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    bench_meta()
    bench_generate(dry_run="--dry-run" in sys.argv)


if __name__ == "__main__":
    main()
