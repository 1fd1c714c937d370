"""Checkpoint surfaces of the fuzz harness: safetensors headers, sharded indexes, `.bin` files.

Every example is a checkpoint folder (file name -> bytes) derived from the tiny StableLM of
tests/fuzz_seeds.py: its safetensors header tree-mutated or its length prefix and data broken, an
index over two shards with the index mutated, a `.bin` flipped, truncated or holding a deflate
bomb. The target is `check_checkpoint`, the inventory and its comparison with the architecture.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from cardkit.core.errors import CardkitError
from tests import fuzz_seeds as seeds
from tests.fuzz_mutations import dump_json, json_file, mutated_bytes, mutated_json

ALLOWED: tuple[type[BaseException], ...] = (CardkitError,)
"""Exceptions a library entry point may raise on bad input: the documented typed errors."""


@st.composite
def _safetensors_file(draw: st.DrawFn, max_size: int) -> bytes:
    """A tiny model.safetensors with its header tree-mutated, its length prefix or data broken."""
    header, data = seeds.split_safetensors(seeds.tiny().safetensors)
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return draw(mutated_bytes([seeds.tiny().safetensors], max_size))
    text = draw(mutated_json([header], max_size)) if choice < 3 else dump_json(header)
    raw = text.encode("utf-8", "surrogatepass")
    length = draw(st.sampled_from((None, None, 0, 7, len(raw) + 1, len(raw) - 1, 2**63, 2**64 - 1)))
    cut = draw(st.sampled_from((len(data), len(data), 0, len(data) // 2, len(data) + 64)))
    body = data[:cut] + b"\0" * max(0, cut - len(data))
    return seeds.join_safetensors(raw, body, length)


def safetensors_strategy(max_size: int) -> st.SearchStrategy[dict[str, bytes]]:
    return _safetensors_file(max_size).map(lambda blob: {"model.safetensors": blob})


@st.composite
def _index_checkpoint(draw: st.DrawFn, max_size: int, fmt: str) -> dict[str, bytes]:
    """Two shards and an index naming them, the index tree-mutated and the shards sometimes broken."""
    header, data = seeds.split_safetensors(seeds.tiny().safetensors)
    names = sorted(k for k in header if k != "__metadata__")
    half = len(names) // 2
    ext = "safetensors" if fmt == "st" else "bin"
    index_name = "model.safetensors.index.json" if fmt == "st" else "pytorch_model.bin.index.json"
    shards = {f"model-0000{i}-of-00002.{ext}": part for i, part in ((1, names[:half]), (2, names[half:]))}
    weight_map = {name: shard for shard, part in shards.items() for name in part}
    files: dict[str, bytes] = {}
    for shard, part in shards.items():
        files[shard] = _shard_bytes(header, data, part) if fmt == "st" else seeds.tiny().bin
    index = {"metadata": {"total_size": len(data)}, "weight_map": weight_map}
    files[index_name] = draw(json_file([index], [json.dumps(index, indent=2)], max_size))
    if draw(st.booleans()):
        victim = draw(st.sampled_from(sorted(shards)))
        files[victim] = draw(mutated_bytes([files[victim]], max_size))
    if draw(st.integers(0, 4)) == 0:  # the single file next to the index (transformers prefers it)
        files["model.safetensors" if fmt == "st" else "pytorch_model.bin"] = files[sorted(shards)[0]]
    return files


def _shard_bytes(header: dict[str, Any], data: bytes, names: list[str]) -> bytes:
    part: dict[str, Any] = {}
    chunks, offset = [], 0
    for name in names:
        start, end = header[name]["data_offsets"]
        chunks.append(data[start:end])
        part[name] = {**header[name], "data_offsets": [offset, offset + end - start]}
        offset += end - start
    return seeds.join_safetensors(json.dumps(part).encode(), b"".join(chunks))


def index_strategy(max_size: int) -> st.SearchStrategy[dict[str, bytes]]:
    return _index_checkpoint(max_size, "st")


@st.composite
def _bin_checkpoint(draw: st.DrawFn, max_size: int) -> dict[str, bytes]:
    tiny = seeds.tiny()
    choice = draw(st.integers(0, 5))
    if choice == 0:
        return draw(_index_checkpoint(max_size, "bin"))
    if choice == 1:  # a deflate bomb inside the zip: small file, large inflated storage
        blob = seeds.bomb_zip(tiny.bin, draw(st.sampled_from((1 << 20, 16 << 20, 64 << 20))))
    elif choice == 2:
        blob = draw(mutated_bytes([tiny.bin_legacy], max_size))
    else:
        blob = draw(mutated_bytes([tiny.bin], max_size))
    return {"pytorch_model.bin": blob}


def bin_strategy(max_size: int) -> st.SearchStrategy[dict[str, bytes]]:
    return _bin_checkpoint(max_size)


def checkpoint_target(example: dict[str, bytes]) -> None:
    """The inventory of a fuzzed checkpoint folder, compared with the tiny model's architecture."""
    from cardkit.card.load import load_card
    from cardkit.model.checkpoint import check_checkpoint
    from cardkit.validate.parameters import compare_checkpoint

    tiny = seeds.tiny()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "weights"
        folder.mkdir()
        seeds.write_tree(folder, example)
        try:
            card = load_card(tiny.card)
            result = check_checkpoint(folder, tiny.config_data, lambda: tiny.config, use_cache=False)
            if result is not None and result.stored_parameters is not None:
                compare_checkpoint(card, result.stored_parameters)
        except ALLOWED:
            return
