"""Check a checkpoint folder against the architecture the card describes, from headers alone.

The inventory reads exactly the files from_pretrained would load (`cardkit.model.checkpoint_files`): the
safetensors headers of every shard (`cardkit.model.safetensors_header`) or a pickle's description of its
tensors (`cardkit.model.bin_checkpoint`), never the tensor data, so an 80 GB checkpoint is checked in well
under a second. The expected state
dict comes from the card's config.json built on the meta device, the same build that gives the exact
parameter count, so the checkpoint, the architecture and the card are compared on one footing.
"""

from __future__ import annotations

import math
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cardkit.card.load import LoadedCard
from cardkit.card.paths import display_path
from cardkit.core.codes import Code
from cardkit.core.findings import Finding, Severity
from cardkit.core.gc_policy import full_collections_paused
from cardkit.core.safe_io import UnreadableFile
from cardkit.model.bin_checkpoint import BinRefused, read_bin
from cardkit.model.checkpoint_files import candidates, choose_weights, read_index
from cardkit.model.codes import (
    CHECKPOINT_BIN_INVALID,
    CHECKPOINT_DTYPE_MISMATCH,
    CHECKPOINT_DUPLICATE_TENSOR,
    CHECKPOINT_EMPTY,
    CHECKPOINT_HEADER_INVALID,
    CHECKPOINT_INDEX_MISMATCH,
    CHECKPOINT_MISSING_TENSOR,
    CHECKPOINT_MIXED_DTYPES,
    CHECKPOINT_NOT_FOUND,
    CHECKPOINT_OUTSIDE_FOLDER,
    CHECKPOINT_PARAM_COUNT_MISMATCH,
    CHECKPOINT_SHAPE_MISMATCH,
    CHECKPOINT_SHARD_MISSING,
    CHECKPOINT_SHARD_UNREADABLE,
    CHECKPOINT_TOO_MANY_TENSORS,
    CHECKPOINT_UNEXPECTED_TENSOR,
)
from cardkit.model.expected_state import (
    TORCH_DTYPES,
    ExpectedState,
    ExpectedTensor,
    cached_state,
    expected_for,
)
from cardkit.model.expected_state import config_dtype as config_dtype
from cardkit.model.expected_state import expected_state as expected_state
from cardkit.model.safetensors_header import FLOATING_DTYPES, HeaderError, read_header


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




# --- reading the folder -------------------------------------------------------------------------


def _error(code: Code, message: str, file: str, tensor: str | None = None, **kw: Any) -> Finding:
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
            _error(CHECKPOINT_NOT_FOUND, "checkpoint folder does not exist", inventory.display)
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
        inventory.findings.append(_error(CHECKPOINT_EMPTY, message, display_path(choice.path)))
    inventory.seconds = time.perf_counter() - start
    return inventory


def _errors(inventory: Inventory) -> list[Finding]:
    return [finding for finding in inventory.findings if finding.severity is Severity.ERROR]


def _read_index(inventory: Inventory, index_path: Path, reader: Any) -> None:
    display = display_path(index_path)
    if not _inside(index_path, allowed_roots(inventory.folder)):
        inventory.findings.append(
            _error(CHECKPOINT_OUTSIDE_FOLDER, "index resolves outside the checkpoint folder", display)
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
            _error(CHECKPOINT_OUTSIDE_FOLDER, message, display, actual=str(path.resolve()))
        )
        return
    if not os.path.lexists(path):
        inventory.findings.append(
            _error(CHECKPOINT_SHARD_MISSING, "the index names this shard but it does not exist", display)
        )
        return
    if len(inventory.tensors) >= MAX_TENSORS:
        message = f"not read: the shards before it already hold {MAX_TENSORS:,} tensors, the limit"
        inventory.findings.append(_error(CHECKPOINT_TOO_MANY_TENSORS, message, display))
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
                _error(CHECKPOINT_DUPLICATE_TENSOR, f"also stored in {first}", display, record.name)
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
            _error(CHECKPOINT_INDEX_MISMATCH, message, display, name, expected=expected, actual=actual)
            for name in ordered[:MAX_LISTED]
        ]
        if len(ordered) > MAX_LISTED:
            more = f"{len(ordered) - MAX_LISTED:,} more tensors like the ones above: {message}"
            inventory.findings.append(_error(CHECKPOINT_INDEX_MISMATCH, more, display))


def _read_safetensors(inventory: Inventory, path: Path, display: str) -> list[TensorRecord] | None:
    try:
        header = read_header(path)
    except HeaderError as exc:
        inventory.findings.append(_error(CHECKPOINT_HEADER_INVALID, exc.reason, display, exc.tensor))
        return None
    except UnreadableFile as exc:
        inventory.findings.append(_error(CHECKPOINT_SHARD_UNREADABLE, exc.reason, display))
        return None
    inventory.header_bytes += header.header_bytes
    inventory.data_bytes += header.data_bytes
    return [TensorRecord(t.name, t.dtype, t.shape, display) for t in header.tensors.values()]


def _read_bin(inventory: Inventory, path: Path, display: str) -> list[TensorRecord] | None:
    """A pickle checkpoint, its archive checked first (`cardkit.model.bin_checkpoint`), no data read."""
    try:
        tensors = read_bin(path)
    except BinRefused as exc:
        inventory.findings.append(_error(CHECKPOINT_BIN_INVALID, str(exc), display))
        return None
    except UnreadableFile as exc:
        inventory.findings.append(_error(CHECKPOINT_SHARD_UNREADABLE, exc.reason, display))
        return None
    inventory.data_bytes += path.stat().st_size
    return [
        TensorRecord(name, TORCH_DTYPES.get(dtype, dtype), shape, display) for name, dtype, shape in tensors
    ]


# --- the comparison -----------------------------------------------------------------------------


def compare(loaded: LoadedCard, inventory: Inventory, expected: ExpectedState) -> list[Finding]:
    """Missing, unexpected, wrong-shape and wrong-dtype tensors, and the parameter count."""
    findings: list[Finding] = []
    default_file = display_path(_main_file(inventory))
    stored = _by_model_name(inventory, expected)
    for group in expected.aliases:
        present = [name for name in group if name in stored]
        if not present and not _missing_ignored(group, expected):
            shape = list(expected.tensors[group[0]].shape)
            findings.append(
                _error(
                    CHECKPOINT_MISSING_TENSOR,
                    "the architecture needs this tensor; no shard stores it",
                    default_file,
                    group[0],
                    expected=shape,
                    actual=None,
                )
            )
        for name in present:
            findings += [
                finding
                for record, converted in stored[name]
                if not converted
                for finding in _compare_shape(record, expected.tensors[name])
            ]
    findings += _unexpected(inventory, expected, stored)
    findings += _compare_dtypes(inventory, expected)
    findings += _compare_count(loaded, inventory, expected)
    return findings


def _main_file(inventory: Inventory) -> Path:
    return inventory.main_file or inventory.folder


def _compare_shape(record: TensorRecord, want: ExpectedTensor) -> list[Finding]:
    if record.shape == want.shape:
        return []
    message = f"stored as {list(record.shape)}; the architecture needs {list(want.shape)}"
    return [
        _error(
            CHECKPOINT_SHAPE_MISMATCH,
            message,
            record.file,
            record.name,
            expected=list(want.shape),
            actual=list(record.shape),
        )
    ]


def _is_ignored(name: str, expected: ExpectedState) -> bool:
    """A stored tensor transformers drops: unexpected (no such model tensor) and matching a pattern."""
    pattern = expected.ignore_unexpected
    return (
        pattern is not None
        and expected.target(name)[0] not in expected.tensors
        and pattern.search(name) is not None
    )


def _missing_ignored(group: tuple[str, ...], expected: ExpectedState) -> bool:
    pattern = expected.ignore_missing
    return pattern is not None and any(pattern.search(name) for name in group)


def _by_model_name(
    inventory: Inventory, expected: ExpectedState
) -> dict[str, list[tuple[TensorRecord, bool]]]:
    """Stored tensors under the names the model gives them once transformers has renamed them."""
    stored: dict[str, list[tuple[TensorRecord, bool]]] = {}
    for record in inventory.tensors.values():
        target, converted = expected.target(record.name)
        stored.setdefault(target, []).append((record, converted))
    return stored


def _unexpected(
    inventory: Inventory, expected: ExpectedState, stored: dict[str, list[tuple[TensorRecord, bool]]]
) -> list[Finding]:
    return [
        _error(
            CHECKPOINT_UNEXPECTED_TENSOR,
            "stored in the checkpoint; the architecture has no such tensor",
            record.file,
            record.name,
            expected=None,
            actual=list(record.shape),
        )
        for target, records in stored.items()
        if target not in expected.tensors
        for record, _ in records
        if not _is_ignored(record.name, expected)
    ]


def _floating_records(inventory: Inventory, expected: ExpectedState) -> list[TensorRecord]:
    """Stored tensors that should carry the model's dtype: the architecture's floating tensors."""
    return [
        record
        for record in inventory.tensors.values()
        if (spec := expected.tensors.get(expected.target(record.name)[0])) and spec.dtype in FLOATING_DTYPES
    ]


def _compare_dtypes(inventory: Inventory, expected: ExpectedState) -> list[Finding]:
    records = _floating_records(inventory, expected)
    counts = Counter(record.dtype for record in records)
    findings: list[Finding] = []
    if len(counts) > 1:
        findings.append(
            CHECKPOINT_MIXED_DTYPES.finding(
                f"floating tensors are stored in {len(counts)} dtypes: {dict(counts.most_common())}",
                display_path(_main_file(inventory)),
                expected=expected.dtype,
                actual=dict(counts),
            )
        )
    want = expected.dtype
    wrong = [record for record in records if record.dtype != want]
    if want is None or not wrong:
        return findings
    if len(counts) == 1:
        message = f"all {len(records)} tensors are {wrong[0].dtype}; config.json declares {want}"
        findings.append(
            _error(
                CHECKPOINT_DTYPE_MISMATCH,
                message,
                display_path(_main_file(inventory)),
                expected=want,
                actual=wrong[0].dtype,
            )
        )
        return findings
    findings += [
        _error(
            CHECKPOINT_DTYPE_MISMATCH,
            f"stored as {r.dtype}; config.json declares {want}",
            r.file,
            r.name,
            expected=want,
            actual=r.dtype,
        )
        for r in wrong
    ]
    return findings


def stored_parameters(inventory: Inventory, expected: ExpectedState) -> int:
    """Elements stored in the checkpoint, less buffers and the stale names transformers ignores."""
    total = 0
    for record in inventory.tensors.values():
        spec = expected.tensors.get(expected.target(record.name)[0])
        if not _is_ignored(record.name, expected) and (spec is None or spec.is_parameter):
            total += record.numel
    return total


def _compare_count(loaded: LoadedCard, inventory: Inventory, expected: ExpectedState) -> list[Finding]:
    """The headers' parameter total against the card; a gap the card acknowledges is not repeated."""
    if inventory.findings:
        return []  # an unreadable shard makes any total meaningless; its finding says why
    params = loaded.card.architecture.parameters
    stored = stored_parameters(inventory, expected)
    diff = stored - params.count
    if diff == 0 or (params.acknowledged_difference and params.acknowledged_difference.amount == diff):
        return []
    message = f"the checkpoint stores {stored:,} parameters; the card claims {params.count:,} ({diff:+,})"
    return [
        loaded.finding(
            CHECKPOINT_PARAM_COUNT_MISMATCH,
            message,
            ("architecture", "parameters", "count"),
            expected=stored,
            actual=params.count,
        )
    ]


def summary(inventory: Inventory, expected: ExpectedState | None) -> dict[str, Any]:
    """Figures for the report: what was read, how fast, and the parameters the headers add up to."""
    counts = Counter(record.dtype for record in inventory.tensors.values())
    return {
        "format": inventory.format,
        "shards": len(inventory.shards),
        "tensors": len(inventory.tensors),
        "parameters": stored_parameters(inventory, expected) if expected else None,
        "dtypes": dict(counts.most_common()),
        "header_bytes": inventory.header_bytes,
        "data_bytes": inventory.data_bytes,
        "seconds": round(inventory.seconds, 4),
    }


def check_checkpoint(
    loaded: LoadedCard,
    folder: Path,
    config_data: dict[str, Any],
    build_config: Callable[[], Any],
    use_cache: bool = True,
) -> tuple[list[Finding], dict[str, Any]] | None:
    """Findings about the checkpoint in `folder` and the report's figures; None when the config
    does not build (`build_config()` returns None; the config stage has already said why).

    The architecture is built only when the expected state for this config is not cached
    (`cardkit.model.expected_state.cached_expected_state`); full collections are paused throughout, since
    a first build imports torch and transformers and their objects would be rescanned for nothing.
    """
    with full_collections_paused():
        key, cached = cached_state(config_data, use_cache)
        names = cached.weights if cached else candidates()  # imports transformers: not in the timing
        inventory = read_inventory(folder, config_data, names)
        if not inventory.tensors:  # refused, absent or empty: the inventory's findings say which
            if cached is None and build_config() is None:
                return None
            return inventory.findings, summary(inventory, None)
        expected = expected_for(config_data, inventory.tensors, build_config, key, cached)
        if expected is None:
            return None
        return inventory.findings + compare(loaded, inventory, expected), summary(inventory, expected)
