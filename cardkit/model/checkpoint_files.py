"""Which weight files `from_pretrained` loads from a local folder, and bounded reads of the indexes.

The inventory must vouch for the files transformers will actually load, not for others lying next
to them. transformers 5 (`modeling_utils._get_resolved_checkpoint_files`, local folder, no variant)
takes config.json's `transformers_weights` when it is set; otherwise the first of
model.safetensors, model.safetensors.index.json, pytorch_model.bin, pytorch_model.bin.index.json
for which `os.path.isfile` is true (a directory or FIFO of that name is passed over). A sharded
index must hold a `metadata` object and a `weight_map`; its shards are `sorted(set(values))`.
`choose_weights` mirrors exactly that order; `read_index` reads an index within `MAX_INDEX_BYTES`.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cardkit.card.paths import display_path
from cardkit.core.codes import Code
from cardkit.core.findings import Finding
from cardkit.core.safe_io import UnreadableFile, is_regular_file, read_text_bounded
from cardkit.model.codes import (
    CHECKPOINT_FILE_IGNORED,
    CHECKPOINT_FILE_SKIPPED,
    CHECKPOINT_INDEX_INVALID,
    CHECKPOINT_NOT_FOUND,
    CHECKPOINT_OUTSIDE_FOLDER,
)

MAX_INDEX_BYTES = 32 * 1024 * 1024
"""A real index (one line per tensor) is under 10 MB even for 90,000 tensors."""
MAX_SHARDS = 10_000
"""Shards one index may name; the largest public checkpoints have a few hundred."""
WEIGHTS_KEY = "transformers_weights"
"""The config attribute from_pretrained passes as `transformers_explicit_filename`."""
VARIANT = re.compile(r"^(model|pytorch_model)\.[\w-]+\.(safetensors|bin)$|^.+\.index\.[\w-]+\.json$")
"""Names `_add_variant` gives (model.fp16.safetensors): loaded only with `variant=`, which cardkit
never passes, so they are named in the not-found message rather than read."""


@dataclass
class WeightsChoice:
    """The file from_pretrained resolves, whether it is an index, its format, and what was passed over."""

    path: Path | None = None
    sharded: bool = False
    format: str = "safetensors"
    findings: list[Finding] = field(default_factory=list)


def candidates() -> list[tuple[str, bool, str]]:
    """transformers' own names, in its order of preference: (name, is an index, format)."""
    from transformers.utils import (  # lazy: no torch; only --checkpoint needs it
        SAFE_WEIGHTS_INDEX_NAME,
        SAFE_WEIGHTS_NAME,
        WEIGHTS_INDEX_NAME,
        WEIGHTS_NAME,
    )

    return [
        (SAFE_WEIGHTS_NAME, False, "safetensors"),
        (SAFE_WEIGHTS_INDEX_NAME, True, "safetensors"),
        (WEIGHTS_NAME, False, "pytorch"),
        (WEIGHTS_INDEX_NAME, True, "pytorch"),
    ]


def _finding(code: Code, message: str, file: str, **kw: Any) -> Finding:
    return code.finding(message, file, **kw)


def choose_weights(
    folder: Path, config_data: dict[str, Any], names: list[tuple[str, bool, str]] | None = None
) -> WeightsChoice:
    """The weights file from_pretrained(folder) would resolve, with findings for what it passes over.

    `names` is `candidates()` as this transformers gave it before (from a cache entry whose key
    covers its version), so a cached check need not import transformers.
    """
    names = candidates() if names is None else names
    explicit = config_data.get(WEIGHTS_KEY)
    if explicit is not None:
        return _explicit(folder, explicit)
    choice = WeightsChoice()
    for name, sharded, kind in names:
        path = folder / name
        if choice.path is None and is_regular_file(path):
            choice.path, choice.sharded, choice.format = path, sharded, kind
        elif choice.path is None and os.path.lexists(path):
            message = f"not a regular file; transformers passes over it and {name} is not read"
            choice.findings.append(_finding(CHECKPOINT_FILE_SKIPPED, message, display_path(path)))
        elif choice.path is not None and os.path.lexists(path):
            message = f"present, but transformers loads {choice.path.name} first; this file is not read"
            choice.findings.append(
                _finding(CHECKPOINT_FILE_IGNORED, message, display_path(path))
            )
    if choice.path is None:
        listed = ", ".join(name for name, _, _ in names)
        variants = _variants(folder)
        hint = f"; {', '.join(variants)} load only with variant=" if variants else ""
        message = f"none of {listed} is a regular file in the folder{hint}"
        choice.findings.append(_finding(CHECKPOINT_NOT_FOUND, message, display_path(folder)))
    return choice


def _explicit(folder: Path, name: Any) -> WeightsChoice:
    """config.json's `transformers_weights`, refused where transformers refuses it."""
    choice = WeightsChoice()
    display = display_path(folder)
    valid = isinstance(name, str) and (
        name.endswith((".safetensors", ".safetensors.index.json")) or name == "adapter_model.bin"
    )
    if not valid or "\0" in name:
        message = f"config.json's transformers_weights {str(name)[:80]!r} is not a safetensors file or index"
        choice.findings.append(_finding(CHECKPOINT_NOT_FOUND, message, display, field=WEIGHTS_KEY))
        return choice
    base = os.path.abspath(folder)
    if os.path.commonpath([base, os.path.abspath(folder / name)]) != base:
        message = f"config.json's transformers_weights {name[:80]!r} is outside the folder"
        choice.findings.append(_finding(CHECKPOINT_OUTSIDE_FOLDER, message, display, field=WEIGHTS_KEY))
        return choice
    choice.path = folder / name
    choice.sharded = name.endswith(".safetensors.index.json")
    choice.format = "pytorch" if name.endswith(".bin") else "safetensors"
    return choice


def _variants(folder: Path, limit: int = 10_000) -> list[str]:
    """Variant weight files in the folder (the first `limit` entries are looked at, sorted by name)."""
    found: list[str] = []
    try:
        with os.scandir(folder) as entries:
            for number, entry in enumerate(entries):
                if number >= limit:
                    break
                if VARIANT.match(entry.name):
                    found.append(entry.name)
    except OSError:
        return []
    return sorted(found)[:5]


def read_index(path: Path) -> tuple[dict[str, str] | None, Finding | None]:
    """The index's weight_map, checked as transformers uses it, or the finding that says why not."""
    display = display_path(path)

    def refuse(reason: str, tensor: str | None = None) -> tuple[None, Finding]:
        message = f"cannot use the index: {reason}"
        return None, _finding(CHECKPOINT_INDEX_INVALID, message, display, field=tensor)

    try:
        data = json.loads(read_text_bounded(path, MAX_INDEX_BYTES))
    except UnreadableFile as exc:
        return refuse(exc.reason)
    except RecursionError:
        return refuse("JSON nested too deeply")
    except ValueError as exc:  # JSONDecodeError, or an integer too long to convert
        return refuse(f"not valid JSON: {str(exc)[:200]}")
    if not isinstance(data, dict):
        return refuse(f"a JSON {type(data).__name__}, not an object")
    weight_map = data.get("weight_map")
    if not isinstance(weight_map, dict):
        return refuse("no `weight_map` object mapping tensor names to file names")
    for tensor, shard in weight_map.items():
        if not isinstance(shard, str) or not shard:
            return refuse("the file name is not a non-empty string", tensor)
        if "\0" in shard or "\0" in tensor:
            return refuse("a name contains a NUL byte", tensor.replace("\0", "\\0"))
    if len(set(weight_map.values())) > MAX_SHARDS:
        return refuse(f"it names more than {MAX_SHARDS:,} shard files")
    if not isinstance(data.get("metadata"), dict):
        return refuse("no `metadata` object (transformers reads index['metadata'] and fails without it)")
    return weight_map, None
