"""Read a pickle (`pytorch_model.bin`) checkpoint's names, dtypes and shapes with bounded work.

`torch.save` writes a zip archive: `data.pkl` (the pickle describing every tensor), a few small
records, and one `data/N` member per storage, all stored uncompressed. `torch.load` reads the
pickle and small records whole, so a 2 MB file whose `data.pkl` deflates to 2 GiB would take 2 GiB.
The archive's directory is checked before torch sees the file: no member may inflate beyond
`MAX_EXPANSION` times its stored size, the records torch reads whole stay within
`MAX_RECORD_BYTES`, and the directory itself within `MAX_MEMBERS` entries. Then the pickle is
opened with `weights_only=True` (no code runs) onto the meta device (no tensor data is read).
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path
from typing import IO, Any

from cardkit.core.safe_io import open_regular_binary

MAX_MEMBERS = 200_000
"""Archive entries: one per storage plus five; a real checkpoint has at most a few thousand."""
MAX_RECORD_BYTES = 64 * 1024 * 1024
"""Inflated bytes of the members torch reads whole (data.pkl, version, byteorder...); a real
data.pkl is about 100 bytes per tensor."""
MAX_EXPANSION = 16
"""How far a member may inflate beyond its stored size; torch stores members uncompressed (1x)."""
MAX_TENSORS = 100_000
"""Tensors one pickle may describe, as for a safetensors header."""

EOCD = b"PK\x05\x06"
ZIP64_LOCATOR = b"PK\x06\x07"


class BinRefused(ValueError):
    """The archive is refused before torch.load: `reason` says which bound it breaks."""


def _directory_entries(handle: IO[bytes], size: int) -> int:
    """Entries the end-of-central-directory record announces (zip64 included), read from the tail
    only, so a directory of millions of entries is refused before zipfile builds one object each."""
    tail_start = max(0, size - 65_557)
    handle.seek(tail_start)
    tail = handle.read()
    position = tail.rfind(EOCD)
    if position < 0 or len(tail) < position + 22:
        raise BinRefused("not a zip-format torch checkpoint (torch.save since 1.6 writes one)")
    entries: int = struct.unpack_from("<H", tail, position + 10)[0]
    locator = position - 20
    if entries == 0xFFFF and locator >= 0 and tail[locator : locator + 4] == ZIP64_LOCATOR:
        record = struct.unpack_from("<Q", tail, locator + 8)[0]
        if record + 56 > size:
            raise BinRefused("the zip64 directory record lies past the end of the file")
        handle.seek(record)
        zip64 = handle.read(56)
        entries = struct.unpack_from("<Q", zip64, 32)[0] if len(zip64) == 56 else entries
    return entries


def check_archive(handle: IO[bytes], size: int) -> None:
    """Raise BinRefused when the zip would make torch.load inflate or hold more than the bounds allow."""
    entries = _directory_entries(handle, size)
    if entries > MAX_MEMBERS:
        raise BinRefused(f"the archive lists {entries:,} members; the limit is {MAX_MEMBERS:,}")
    handle.seek(0)
    try:
        members = zipfile.ZipFile(handle).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise BinRefused(f"not a readable zip archive: {str(exc)[:200]}") from exc
    if len(members) > MAX_MEMBERS:
        raise BinRefused(f"the archive lists {len(members):,} members; the limit is {MAX_MEMBERS:,}")
    whole = 0
    for member in members:
        if member.file_size > max(member.compress_size, 1) * MAX_EXPANSION:
            raise BinRefused(
                f"member {member.filename[:80]!r} inflates from {member.compress_size:,} to "
                f"{member.file_size:,} bytes (over {MAX_EXPANSION}x): a deflate bomb"
            )
        if "/data/" not in f"/{member.filename}":
            whole += member.file_size
    if whole > MAX_RECORD_BYTES:
        raise BinRefused(
            f"the pickle and records torch reads whole inflate to {whole:,} bytes; "
            f"the limit is {MAX_RECORD_BYTES:,}"
        )


def read_bin(path: Path) -> list[tuple[str, str, tuple[int, ...]]]:
    """(name, torch dtype, shape) of every tensor, never reading tensor data.

    Raises BinRefused, or `cardkit.core.safe_io.UnreadableFile` for a path that is not a regular file.
    """
    import torch  # lazy: only pickle checkpoints need it

    with open_regular_binary(path) as handle:
        size = handle.seek(0, 2)
        check_archive(handle, size)
        handle.seek(0)
        try:
            state: Any = torch.load(handle, map_location="meta", weights_only=True)
        except Exception as exc:  # torch raises many types for a corrupt or hostile pickle
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise BinRefused(f"torch.load(weights_only=True) refuses it: {first[:300]}") from exc
    if not isinstance(state, dict) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()
    ):
        raise BinRefused("the file is not a state dict of named tensors")
    if len(state) > MAX_TENSORS:
        raise BinRefused(f"the file holds {len(state):,} tensors; the limit is {MAX_TENSORS:,}")
    return [(name, str(t.dtype), tuple(t.shape)) for name, t in state.items()]

