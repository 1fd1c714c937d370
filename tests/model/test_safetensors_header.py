"""The bounded header parser: real files parse exactly, hostile ones are refused without allocating."""

from __future__ import annotations

import json
import resource
import struct
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors.torch import save_file

from cardkit.model.safetensors_header import HeaderError, read_header
from tests.shells import Entry, header_bytes, write_raw


def test_matches_what_safetensors_itself_wrote(tmp_path: Path) -> None:
    tensors = {
        "a": torch.zeros(3, 5, dtype=torch.bfloat16),
        "b": torch.zeros(7, dtype=torch.float32),
        "c": torch.zeros(2, 2, 2, dtype=torch.int64),
        "empty": torch.zeros(0, 4, dtype=torch.float16),
    }
    path = tmp_path / "real.safetensors"
    save_file(tensors, path, metadata={"format": "pt"})
    header = read_header(path)
    assert {n: (t.dtype, t.shape) for n, t in header.tensors.items()} == {
        "a": ("BF16", (3, 5)),
        "b": ("F32", (7,)),
        "c": ("I64", (2, 2, 2)),
        "empty": ("F16", (0, 4)),
    }
    assert header.metadata == {"format": "pt"}
    assert header.data_bytes == 3 * 5 * 2 + 7 * 4 + 8 * 8
    assert header.file_bytes == path.stat().st_size


def _entries() -> list[Entry]:
    return [Entry("w", "F16", (4, 4)), Entry("b", "F16", (4,))]


def _hostile(tmp_path: Path, header: bytes, data: int = 40, declared: int | None = None) -> Path:
    path = tmp_path / "hostile.safetensors"
    write_raw(path, header, data, declared)
    return path


def test_absurd_length_is_refused_before_any_allocation(tmp_path: Path) -> None:
    path = _hostile(tmp_path, b"{}", declared=2**60)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(HeaderError, match="over the 104,857,600-byte limit"):
        read_header(path)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024  # KiB


def test_length_past_end_of_file_is_refused(tmp_path: Path) -> None:
    path = _hostile(tmp_path, b"{}", data=0, declared=1000)
    with pytest.raises(HeaderError, match="past the end"):
        read_header(path)


def test_file_shorter_than_the_length_prefix(tmp_path: Path) -> None:
    path = tmp_path / "short.safetensors"
    path.write_bytes(b"\x01\x02")
    with pytest.raises(HeaderError, match="8-byte length"):
        read_header(path)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"not json at all", "not valid JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[1, 2]", "not an object"),
        (b'{"w": {"dtype": "F16", "shape": [1], "data_offsets": [0, 2]}, "w": {}}', "names 'w' twice"),
        (b'{"w": {"dtype": "Q4", "shape": [1], "data_offsets": [0, 1]}}', "unknown dtype 'Q4'"),
        (b'{"w": {"dtype": "F16", "shape": [-1], "data_offsets": [0, 2]}}', "non-negative integers"),
        (b'{"w": {"dtype": "F16", "shape": [true], "data_offsets": [0, 2]}}', "non-negative integers"),
        (b'{"w": {"dtype": "F16", "shape": [2], "data_offsets": [4, 0]}}', "not an ordered"),
        (b'{"w": {"dtype": "F16", "shape": [2]}}', "exactly dtype, shape and data_offsets"),
        (b'{"__metadata__": {"a": 1}}', "__metadata__"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_malformed_headers_are_refused(tmp_path: Path, raw: bytes, message: str) -> None:
    with pytest.raises(HeaderError, match=message):
        read_header(_hostile(tmp_path, raw, data=2))


def test_overlapping_offsets_name_the_tensor(tmp_path: Path) -> None:
    header = {
        "a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
        "b": {"dtype": "F32", "shape": [4], "data_offsets": [8, 24]},
    }
    with pytest.raises(HeaderError, match="overlap tensor 'a'") as info:
        read_header(_hostile(tmp_path, json.dumps(header).encode(), data=24))
    assert info.value.tensor == "b"


def test_offsets_past_the_end_of_file(tmp_path: Path) -> None:
    raw, data = header_bytes(_entries())
    with pytest.raises(HeaderError, match="past end of file") as info:
        read_header(_hostile(tmp_path, raw, data=data - 1))
    assert info.value.tensor == "b"


def test_size_must_equal_numel_times_itemsize(tmp_path: Path) -> None:
    header = {"w": {"dtype": "BF16", "shape": [3, 3], "data_offsets": [0, 9]}}
    with pytest.raises(HeaderError, match="needs 18"):
        read_header(_hostile(tmp_path, json.dumps(header).encode(), data=9))


def test_unused_bytes_are_refused(tmp_path: Path) -> None:
    raw, data = header_bytes(_entries())
    with pytest.raises(HeaderError, match="belong to no tensor"):
        read_header(_hostile(tmp_path, raw, data=data + 16))


def test_sparse_full_size_file_reads_only_the_header(tmp_path: Path) -> None:
    """A 40 GiB data region parses instantly: nothing past the header is touched."""
    entries = [Entry(f"layer.{i}", "BF16", (8192, 8192)) for i in range(320)]
    raw, data = header_bytes(entries)
    path = tmp_path / "big.safetensors"
    write_raw(path, raw, data)
    header = read_header(path)
    assert header.data_bytes == 320 * 8192 * 8192 * 2
    assert len(header.tensors) == 320
    with open(path, "rb") as handle:
        assert struct.unpack("<Q", handle.read(8))[0] == header.header_bytes == len(raw)
    path.unlink()  # 40 GiB apparent size: do not leave it to pytest's retention of old runs


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
ENTRIES = st.fixed_dictionaries(
    {
        "dtype": st.sampled_from(["F16", "BF16", "U8", "I64", "X9"]) | JSON_VALUES,
        "shape": st.lists(st.integers(-2, 2**70), max_size=18) | JSON_VALUES,
        "data_offsets": st.lists(st.integers(-2, 2**65), min_size=2, max_size=2) | JSON_VALUES,
    }
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.dictionaries(st.text(max_size=6), ENTRIES | JSON_VALUES, max_size=5),
    data=st.integers(0, 64),
    declared_delta=st.integers(-4, 4),
)
def test_any_header_is_parsed_or_refused_with_a_header_error(
    tmp_path: Path, header: dict, data: int, declared_delta: int
) -> None:
    """Fuzz: whatever the JSON says, read_header returns or raises HeaderError with a short reason."""
    raw = json.dumps(header).encode()
    path = tmp_path / "fuzz.safetensors"
    write_raw(path, raw, data, declared_length=max(0, len(raw) + declared_delta))
    try:
        parsed = read_header(path)
    except HeaderError as exc:
        assert 0 < len(exc.reason) <= 400 and "\n" not in exc.reason
    else:
        assert sum(t.end - t.start for t in parsed.tensors.values()) == parsed.data_bytes
