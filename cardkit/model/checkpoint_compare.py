"""The inventory of a checkpoint against the state dict the architecture expects.

Missing, unexpected, wrong-shape and wrong-dtype tensors, compared under the names transformers
loads them with and with its own ignore patterns (`cardkit.model.expected_state`), and the
parameters the headers add up to. The verdict on that count against the card's is
`cardkit.validate.parameters`'; this module only counts.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from cardkit.card.paths import display_path
from cardkit.core.findings import Finding
from cardkit.model.checkpoint_inventory import Inventory, TensorRecord, checkpoint_error
from cardkit.model.codes import (
    CHECKPOINT_DTYPE_MISMATCH,
    CHECKPOINT_MISSING_TENSOR,
    CHECKPOINT_MIXED_DTYPES,
    CHECKPOINT_SHAPE_MISMATCH,
    CHECKPOINT_UNEXPECTED_TENSOR,
)
from cardkit.model.expected_state import ExpectedState, ExpectedTensor
from cardkit.model.safetensors_header import FLOATING_DTYPES


def compare(inventory: Inventory, expected: ExpectedState) -> list[Finding]:
    """Missing, unexpected, wrong-shape and wrong-dtype tensors (the count is `stored_parameters`)."""
    findings: list[Finding] = []
    default_file = display_path(_main_file(inventory))
    stored = _by_model_name(inventory, expected)
    for group in expected.aliases:
        present = [name for name in group if name in stored]
        if not present and not _missing_ignored(group, expected):
            shape = list(expected.tensors[group[0]].shape)
            findings.append(
                checkpoint_error(
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
    return findings


def _main_file(inventory: Inventory) -> Path:
    return inventory.main_file or inventory.folder


def _compare_shape(record: TensorRecord, want: ExpectedTensor) -> list[Finding]:
    if record.shape == want.shape:
        return []
    message = f"stored as {list(record.shape)}; the architecture needs {list(want.shape)}"
    return [
        checkpoint_error(
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
        checkpoint_error(
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
            checkpoint_error(
                CHECKPOINT_DTYPE_MISMATCH,
                message,
                display_path(_main_file(inventory)),
                expected=want,
                actual=wrong[0].dtype,
            )
        )
        return findings
    findings += [
        checkpoint_error(
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
    """Elements stored in the checkpoint, less buffers and the stale names transformers ignores.

    Tied weights count once, as the meta-device build and the loaded model count them: a checkpoint
    that stores both `embed_tokens.weight` and a tied `lm_head.weight` holds one parameter twice
    (transformers loads one and ties the other to it). Several stored tensors merged into one model
    tensor by a converter (fused experts) all count: together they are that tensor.
    """
    group_of = {name: index for index, group in enumerate(expected.aliases) for name in group}
    counted: dict[int, str] = {}  # alias group -> the one model name counted for it
    total = 0
    for record in inventory.tensors.values():
        target = expected.target(record.name)[0]
        spec = expected.tensors.get(target)
        if _is_ignored(record.name, expected) or (spec is not None and not spec.is_parameter):
            continue
        group = group_of.get(target)
        if group is not None and counted.setdefault(group, target) != target:
            continue
        total += record.numel
    return total
