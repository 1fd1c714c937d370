"""Read a safetensors file's header, never its tensor data, and refuse anything a loader would choke on.

A safetensors file is `u64 little-endian header length | JSON header | data region`. The header
alone names every tensor with its dtype, shape and byte range, which is all an inventory needs: an
80 GB checkpoint is checked by reading a few hundred kilobytes. The file is untrusted (it came from
the Hub or a colleague's disk), so every number is bounded before it is used: an absurd header
length is refused before any allocation, and offsets must stay inside the file and not overlap.
This module deliberately imports neither torch nor safetensors.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cardkit.core.safe_io import open_regular_binary

MAX_HEADER_BYTES = 100 * 1024 * 1024
"""The safetensors library's own limit; a real 40B model's header is under 100 KB."""

MAX_HEADER_TENSORS = 100_000
"""Tensors one file may declare; a 5 GB shard of a real model holds a few thousand at most. The
count is enforced while the JSON is parsed, so a header of a million entries stops at this many."""

MAX_DIMS = 16
"""No real tensor has more dimensions; more is corruption or an attack on numel arithmetic."""

DTYPE_SIZES: dict[str, int] = {
    "BOOL": 1,
    "U8": 1,
    "I8": 1,
    "F8_E4M3": 1,
    "F8_E5M2": 1,
    "F8_E8M0": 1,
    "I16": 2,
    "U16": 2,
    "F16": 2,
    "BF16": 2,
    "I32": 4,
    "U32": 4,
    "F32": 4,
    "I64": 8,
    "U64": 8,
    "F64": 8,
    "C64": 8,
}
"""Bytes per element of every whole-byte dtype the safetensors format names."""

MAX_TENSOR_BYTES = 2**64
"""safetensors offsets are u64: no tensor can need more, so no product is carried past it."""

FLOATING_DTYPES = frozenset({"F8_E4M3", "F8_E5M2", "F8_E8M0", "F16", "BF16", "F32", "F64"})


class HeaderError(ValueError):
    """The header cannot be trusted; `tensor` names the entry at fault when there is one."""

    def __init__(self, reason: str, tensor: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.tensor = tensor


@dataclass(frozen=True)
class TensorInfo:
    """One tensor as the header describes it; offsets are relative to the start of the data region."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    start: int
    end: int

    @property
    def numel(self) -> int:
        return math.prod(self.shape)


@dataclass(frozen=True)
class SafetensorsHeader:
    path: Path
    header_bytes: int
    file_bytes: int
    tensors: dict[str, TensorInfo]
    metadata: dict[str, str]

    @property
    def data_bytes(self) -> int:
        return self.file_bytes - 8 - self.header_bytes


def read_header(path: Path, max_header_bytes: int = MAX_HEADER_BYTES) -> SafetensorsHeader:
    """Parse and check the header of `path`; reads no tensor data.

    Raises HeaderError, or `UnreadableFile` when `path` is not a regular file (a FIFO never blocks).
    """
    with open_regular_binary(path) as handle:
        file_bytes = os.fstat(handle.fileno()).st_size
        length = _header_length(handle.read(8), file_bytes, max_header_bytes)
        raw = handle.read(length)
    if len(raw) != length:
        raise HeaderError(f"file ended after {len(raw)} of the {length} header bytes it announces")
    data_bytes = file_bytes - 8 - length
    entries, metadata = _parse_json(raw)
    tensors = {name: _tensor(name, entry, data_bytes) for name, entry in entries.items()}
    _check_layout(tensors, data_bytes)
    return SafetensorsHeader(path, length, file_bytes, tensors, metadata)


def _header_length(prefix: bytes, file_bytes: int, limit: int) -> int:
    """The announced header length, refused before anything that size is allocated."""
    if len(prefix) < 8:
        raise HeaderError(f"file is {file_bytes} bytes; a safetensors file starts with an 8-byte length")
    length = int.from_bytes(prefix, "little")
    if length > limit:
        raise HeaderError(f"header length {length:,} bytes is over the {limit:,}-byte limit")
    if length > file_bytes - 8:
        raise HeaderError(f"header length {length:,} bytes is past the end of the {file_bytes:,}-byte file")
    if length == 0:
        raise HeaderError("header length is 0")
    return length


class _ObjectBuilder:
    """json's object hook: refuses duplicate keys, and stops the parse once the header has declared
    more objects (one per tensor, plus the top level and `__metadata__`) than `MAX_HEADER_TENSORS`."""

    def __init__(self) -> None:
        self.objects = 0

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        self.objects += 1
        if self.objects > MAX_HEADER_TENSORS + 2:
            raise HeaderError(f"header declares more than {MAX_HEADER_TENSORS:,} tensors")
        result = dict(pairs)
        if len(result) != len(pairs):
            duplicate = next(key for key, count in Counter(key for key, _ in pairs).items() if count > 1)
            raise HeaderError(f"header names {brief(duplicate)} twice", duplicate)
        if len(result) > MAX_HEADER_TENSORS + 1:
            raise HeaderError(f"header declares more than {MAX_HEADER_TENSORS:,} tensors")
        return result


def brief(value: Any, limit: int = 80) -> str:
    """`repr(value)` cut to `limit` characters; an integer of thousands of digits is described, not
    printed (Python refuses to format one over 4300 digits, and a message must stay one short line)."""
    if isinstance(value, int) and value.bit_length() > 200:
        return f"<a {len(str(value)) if value.bit_length() < 14000 else 'many'}-digit integer>"
    if isinstance(value, list):
        text = "[" + ", ".join(brief(item, limit) for item in value[:MAX_DIMS + 1]) + "]"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _parse_json(raw: bytes) -> tuple[dict[str, Any], dict[str, str]]:
    try:
        data = json.loads(raw.decode("utf-8"), object_pairs_hook=_ObjectBuilder())
    except UnicodeDecodeError as exc:
        raise HeaderError(f"header is not UTF-8 (byte {exc.start})") from exc
    except RecursionError as exc:
        raise HeaderError("header JSON is nested too deeply") from exc
    except HeaderError:
        raise
    except ValueError as exc:  # JSONDecodeError, or an integer too long to convert
        raise HeaderError(f"header is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise HeaderError(f"header is a JSON {type(data).__name__}, not an object")
    metadata = data.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        raise HeaderError("__metadata__ must map strings to strings")
    return data, metadata


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _tensor(name: str, entry: Any, data_bytes: int) -> TensorInfo:
    if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
        raise HeaderError("entry must be an object with exactly dtype, shape and data_offsets", name)
    dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    if not isinstance(dtype, str) or dtype not in DTYPE_SIZES:
        raise HeaderError(f"unknown dtype {brief(dtype)}", name)
    if not isinstance(shape, list) or len(shape) > MAX_DIMS or not all(_is_int(d) and d >= 0 for d in shape):
        raise HeaderError(
            f"shape {brief(shape)} is not a list of at most {MAX_DIMS} non-negative integers", name
        )
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(_is_int(o) for o in offsets)):
        raise HeaderError(f"data_offsets {brief(offsets)} is not a pair of integers", name)
    start, end = offsets
    if not 0 <= start <= end:
        raise HeaderError(f"data_offsets {brief(offsets)} are not an ordered, non-negative range", name)
    if end > data_bytes:
        raise HeaderError(
            f"data_offsets end at byte {brief(end)} of a {data_bytes:,}-byte data region (past end of file)",
            name,
        )
    size = _byte_size(shape, DTYPE_SIZES[dtype], MAX_TENSOR_BYTES)
    if size is None:
        raise HeaderError(f"{dtype}{brief(shape)} needs more than 2^64 bytes", name)
    if end - start != size:
        message = f"data_offsets span {end - start:,} bytes but {dtype}{brief(shape)} needs {size:,}"
        raise HeaderError(message, name)
    return TensorInfo(name, dtype, tuple(shape), start, end)


def _byte_size(shape: list[int], itemsize: int, limit: int) -> int | None:
    """Bytes of a tensor of `shape`, or None once the running product passes `limit`: the product
    of sixteen 3000-digit dimensions is never computed, nor a number too long to print."""
    if 0 in shape:
        return 0
    size = itemsize
    for dim in shape:
        size *= dim
        if size > limit:
            return None
    return size


def _check_layout(tensors: dict[str, TensorInfo], data_bytes: int) -> None:
    """Byte ranges may not overlap (two tensors aliasing one buffer) and must cover the data region."""
    position, previous = 0, None
    for info in sorted(tensors.values(), key=lambda t: (t.start, t.end)):
        if info.start < position:
            raise HeaderError(f"bytes [{info.start}, {info.end}) overlap tensor {previous!r}", info.name)
        if info.start > position:
            raise HeaderError(
                f"{info.start - position:,} bytes before this tensor belong to no tensor", info.name
            )
        position, previous = info.end, info.name
    if position != data_bytes:
        raise HeaderError(f"the last {data_bytes - position:,} bytes of the data region belong to no tensor")
