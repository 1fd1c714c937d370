"""The inventory of a checkpoint folder: every tensor's name, dtype and shape, from headers alone.

It reads exactly the files from_pretrained would load (`cardkit.model.checkpoint_files`): the
safetensors headers of every shard (`cardkit.model.safetensors_header`) or a pickle's description of
its tensors (`cardkit.model.bin_checkpoint`), never the tensor data, so an 80 GB checkpoint is read in
well under a second. Shards must resolve inside the folder (or its Hub cache entry's blobs).
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cardkit.card.paths import display_path
from cardkit.core.codes import Code
from cardkit.core.findings import Finding, Severity
from cardkit.core.safe_io import UnreadableFile
from cardkit.model.bin_checkpoint import BinRefused, read_bin
from cardkit.model.checkpoint_files import choose_weights, read_index
from cardkit.model.codes import (
    CHECKPOINT_BIN_INVALID,
    CHECKPOINT_DUPLICATE_TENSOR,
    CHECKPOINT_EMPTY,
    CHECKPOINT_HEADER_INVALID,
    CHECKPOINT_INDEX_MISMATCH,
    CHECKPOINT_NOT_FOUND,
    CHECKPOINT_OUTSIDE_FOLDER,
    CHECKPOINT_SHARD_MISSING,
    CHECKPOINT_SHARD_UNREADABLE,
    CHECKPOINT_TOO_MANY_TENSORS,
)
from cardkit.model.expected_state import TORCH_DTYPES
from cardkit.model.safetensors_header import HeaderError, read_header


@dataclass(frozen=True)
class TensorRecord:
    """A tensor as the checkpoint stores it, and the file (display path) that stores it."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    file: str

    @property
    def numel(self) -> int:
        return math.prod(self.shape)


@dataclass
class Inventory:
    """Every tensor of a checkpoint folder, read from headers, plus what could not be read."""

    folder: Path
    format: str = "safetensors"
    shards: list[Path] = field(default_factory=list)
    tensors: dict[str, TensorRecord] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    header_bytes: int = 0
    data_bytes: int = 0
    seconds: float = 0.0
    main_file: Path | None = None
    """The file from_pretrained resolves (the index of a sharded checkpoint); None when none."""

    @property
    def display(self) -> str:
        return display_path(self.folder)


def checkpoint_error(code: Code, message: str, file: str, tensor: str | None = None, **kw: Any) -> Finding:
    """An error about a checkpoint file; `tensor` names the tensor it is about, when there is one."""
    return code.finding(message, file, field=tensor, **kw)


def allowed_roots(folder: Path) -> list[Path]:
    """Where shard files may live: the folder, and for a Hub cache snapshot its repository's blobs.

    `huggingface_hub` stores `snapshots/<rev>/model.safetensors` as a symlink to `../../blobs/<sha>`;
    that link leaves the snapshot folder but not the repository's cache entry.
    """
    root = folder.resolve()
    roots = [root]
    if root.parent.name == "snapshots" and root.parent.parent.name.startswith("models--"):
        roots.append(root.parent.parent / "blobs")
    return roots


def _inside(path: Path, roots: list[Path]) -> bool:
    resolved = path.resolve()
    return any(resolved.is_relative_to(root) for root in roots)


def read_inventory(
    folder: Path, config_data: dict[str, Any] | None = None, names: list[tuple[str, bool, str]] | None = None
) -> Inventory:
    """Every tensor's name, dtype and shape in the files from_pretrained(folder) would load.

    `config_data` is the card's config.json, whose `transformers_weights` names the file when set;
    `names` are transformers' weight file names when already known (`checkpoint_files.choose_weights`).
    """
    start = time.perf_counter()
    inventory = Inventory(folder)
    if not folder.is_dir():
        inventory.findings.append(
            checkpoint_error(CHECKPOINT_NOT_FOUND, "checkpoint folder does not exist", inventory.display)
        )
        return inventory
    choice = choose_weights(folder, config_data or {}, names)
    inventory.findings += choice.findings
    inventory.main_file = choice.path
    inventory.format = choice.format
    reader = _read_bin if choice.format == "pytorch" else _read_safetensors
    if choice.path is not None and choice.sharded:
        _read_index(inventory, choice.path, reader)
    elif choice.path is not None:
        _read_shard(inventory, choice.path, None, reader)
    if choice.path is not None and not inventory.tensors and not _errors(inventory):
        message = "the checkpoint stores no tensors; every weight would be left at random initialisation"
        inventory.findings.append(checkpoint_error(CHECKPOINT_EMPTY, message, display_path(choice.path)))
    inventory.seconds = time.perf_counter() - start
    return inventory


def _errors(inventory: Inventory) -> list[Finding]:
    return [finding for finding in inventory.findings if finding.severity is Severity.ERROR]


def _read_index(inventory: Inventory, index_path: Path, reader: Any) -> None:
    display = display_path(index_path)
    if not _inside(index_path, allowed_roots(inventory.folder)):
        inventory.findings.append(
            checkpoint_error(
                CHECKPOINT_OUTSIDE_FOLDER, "index resolves outside the checkpoint folder", display
            )
        )
        return
    weight_map, refusal = read_index(index_path)
    if refusal is not None or weight_map is None:
        inventory.findings += [refusal] if refusal else []
        return
    by_shard: dict[str, set[str]] = {}
    for tensor, shard in weight_map.items():
        by_shard.setdefault(shard, set()).add(tensor)
    for shard, names in sorted(by_shard.items()):  # transformers: sorted(set(weight_map.values()))
        _read_shard(inventory, index_path.parent / shard, names, reader)


def _read_shard(inventory: Inventory, path: Path, indexed: set[str] | None, reader: Any) -> None:
    """Read one shard's tensors; `indexed` are the names the index places in it (None: no index)."""
    display = display_path(path)
    if not _inside(path, allowed_roots(inventory.folder)):
        message = f"shard resolves to {path.resolve()}, outside the checkpoint folder; it is not read"
        inventory.findings.append(
            checkpoint_error(CHECKPOINT_OUTSIDE_FOLDER, message, display, actual=str(path.resolve()))
        )
        return
    if not os.path.lexists(path):
        inventory.findings.append(
            checkpoint_error(
                CHECKPOINT_SHARD_MISSING, "the index names this shard but it does not exist", display
            )
        )
        return
    if len(inventory.tensors) >= MAX_TENSORS:
        message = f"not read: the shards before it already hold {MAX_TENSORS:,} tensors, the limit"
        inventory.findings.append(checkpoint_error(CHECKPOINT_TOO_MANY_TENSORS, message, display))
        return
    tensors = reader(inventory, path, display)
    if tensors is None:
        return
    inventory.shards.append(path)
    _check_against_index(inventory, tensors, indexed, display)
    for record in tensors:
        if record.name in inventory.tensors:
            first = inventory.tensors[record.name].file
            inventory.findings.append(
                checkpoint_error(
                    CHECKPOINT_DUPLICATE_TENSOR, f"also stored in {first}", display, record.name
                )
            )
            continue
        inventory.tensors[record.name] = record


MAX_TENSORS = 1_000_000
"""Tensors a whole checkpoint may hold; the largest public ones (MoE models) have about 100,000."""
MAX_LISTED = 20
"""Index mismatches listed one by one per shard; the rest are counted in one more finding."""


def _check_against_index(
    inventory: Inventory, tensors: list[TensorRecord], indexed: set[str] | None, display: str
) -> None:
    if indexed is None:
        return
    stored = {record.name for record in tensors}
    for names, message, expected, actual in (
        (indexed - stored, "the index places this tensor in the shard; it is not there", "present", "absent"),
        (stored - indexed, "the shard stores this tensor; the index does not list it", "absent", "present"),
    ):
        ordered = sorted(names)
        inventory.findings += [
            checkpoint_error(
                CHECKPOINT_INDEX_MISMATCH, message, display, name, expected=expected, actual=actual
            )
            for name in ordered[:MAX_LISTED]
        ]
        if len(ordered) > MAX_LISTED:
            more = f"{len(ordered) - MAX_LISTED:,} more tensors like the ones above: {message}"
            inventory.findings.append(checkpoint_error(CHECKPOINT_INDEX_MISMATCH, more, display))


def _read_safetensors(inventory: Inventory, path: Path, display: str) -> list[TensorRecord] | None:
    try:
        header = read_header(path)
    except HeaderError as exc:
        inventory.findings.append(
            checkpoint_error(CHECKPOINT_HEADER_INVALID, exc.reason, display, exc.tensor)
        )
        return None
    except UnreadableFile as exc:
        inventory.findings.append(checkpoint_error(CHECKPOINT_SHARD_UNREADABLE, exc.reason, display))
        return None
    inventory.header_bytes += header.header_bytes
    inventory.data_bytes += header.data_bytes
    return [TensorRecord(t.name, t.dtype, t.shape, display) for t in header.tensors.values()]


def _read_bin(inventory: Inventory, path: Path, display: str) -> list[TensorRecord] | None:
    """A pickle checkpoint, its archive checked first (`cardkit.model.bin_checkpoint`), no data read."""
    try:
        tensors = read_bin(path)
    except BinRefused as exc:
        inventory.findings.append(checkpoint_error(CHECKPOINT_BIN_INVALID, str(exc), display))
        return None
    except UnreadableFile as exc:
        inventory.findings.append(checkpoint_error(CHECKPOINT_SHARD_UNREADABLE, exc.reason, display))
        return None
    inventory.data_bytes += path.stat().st_size
    return [
        TensorRecord(name, TORCH_DTYPES.get(dtype, dtype), shape, display) for name, dtype, shape in tensors
    ]
