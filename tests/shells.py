"""Checkpoint shells: safetensors files with a real model's full-size headers and a sparse data region.

A shell is laid out byte for byte like the checkpoint transformers would write for the card's
config.json (names, dtypes, shapes, 5 GB shards and an index), but its data region is a hole
(`truncate`), so an 80 GB model costs a few hundred kilobytes of disk. Anything that reads only
headers sees a real checkpoint; anything that reads the data would take minutes, which is the point.
The expected tensors come straight from transformers on the meta device, not from cardkit.
"""

from __future__ import annotations

import functools
import json
import struct
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM
from transformers.core_model_loading import revert_weight_conversion
from transformers.models.auto.configuration_auto import CONFIG_MAPPING

from tests.helpers import CARDS_DIR

SHARD_BYTES = 5 * 10**9
"""transformers' default `max_shard_size` ("5GB")."""

DTYPE_NAMES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}
ITEMSIZE = {"F32": 4, "F16": 2, "BF16": 2, "I64": 8, "U8": 1, "I32": 4, "F64": 8}


@dataclass(frozen=True)
class Entry:
    name: str
    dtype: str
    shape: tuple[int, ...]

    @property
    def nbytes(self) -> int:
        size = ITEMSIZE[self.dtype]
        for dim in self.shape:
            size *= dim
        return size


def config_data(slug: str) -> dict:
    return json.loads((CARDS_DIR / slug / "config.json").read_text(encoding="utf-8"))


@functools.cache
def state_entries_for(slug: str) -> tuple[Entry, ...]:
    return tuple(state_entries(config_data(slug)))


def state_entries(data: dict) -> list[Entry]:
    """The tensors `save_pretrained` would write for this config: tied weights once (first name
    kept), under the names transformers saves them with (GPT-NeoX's head is `embed_out`)."""
    config = CONFIG_MAPPING[data["model_type"]].from_dict(data)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    seen: set[int] = set()
    unique = {}
    for name, tensor in model.state_dict(keep_vars=True).items():
        if id(tensor) not in seen:
            seen.add(id(tensor))
            unique[name] = tensor.detach()
    saved = revert_weight_conversion(model, unique)
    return [Entry(name, DTYPE_NAMES[t.dtype], tuple(t.shape)) for name, t in saved.items()]


def header_bytes(entries: list[Entry], metadata: dict[str, str] | None = None) -> tuple[bytes, int]:
    """The JSON header (space-padded to 8 bytes, as safetensors writes it) and the data region size."""
    header: dict = {"__metadata__": metadata or {"format": "pt"}}
    offset = 0
    for entry in entries:
        header[entry.name] = {
            "dtype": entry.dtype,
            "shape": list(entry.shape),
            "data_offsets": [offset, offset + entry.nbytes],
        }
        offset += entry.nbytes
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    return raw, offset


def write_raw(path: Path, header: bytes, data_bytes: int, declared_length: int | None = None) -> None:
    """A file with `header` and a sparse data region of `data_bytes`; the length prefix may lie."""
    with open(path, "wb") as handle:
        handle.write(struct.pack("<Q", len(header) if declared_length is None else declared_length))
        handle.write(header)
        handle.truncate(8 + len(header) + data_bytes)


def write_shell_file(path: Path, entries: list[Entry]) -> None:
    header, data_bytes = header_bytes(entries)
    write_raw(path, header, data_bytes)


def shard(entries: list[Entry], limit: int = SHARD_BYTES) -> list[list[Entry]]:
    """Greedy, in state-dict order, like transformers' `max_shard_size`."""
    shards: list[list[Entry]] = [[]]
    size = 0
    for entry in entries:
        if shards[-1] and size + entry.nbytes > limit:
            shards.append([])
            size = 0
        shards[-1].append(entry)
        size += entry.nbytes
    return shards


def write_shell(folder: Path, entries: list[Entry], limit: int = SHARD_BYTES) -> list[Path]:
    """A sharded checkpoint folder with `model.safetensors.index.json`, or one file when it fits."""
    folder.mkdir(parents=True, exist_ok=True)
    shards = shard(entries, limit)
    if len(shards) == 1:
        path = folder / "model.safetensors"
        write_shell_file(path, shards[0])
        return [path]
    paths, weight_map = [], {}
    for number, group in enumerate(shards, 1):
        path = folder / f"model-{number:05d}-of-{len(shards):05d}.safetensors"
        write_shell_file(path, group)
        paths.append(path)
        weight_map.update({entry.name: path.name for entry in group})
    index = {"metadata": {"total_size": sum(e.nbytes for e in entries)}, "weight_map": weight_map}
    (folder / "model.safetensors.index.json").write_text(json.dumps(index, indent=2), encoding="utf-8")
    return paths


def parameter_total(entries: list[Entry]) -> int:
    total = 0
    for entry in entries:
        count = 1
        for dim in entry.shape:
            count *= dim
        total += count
    return total
