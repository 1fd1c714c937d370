"""The inventory reads the files from_pretrained loads, bounded: transformers itself is the oracle.

Each preference case builds a folder with some of transformers' four weight names and asks
transformers' own resolver (`_get_resolved_checkpoint_files`) which files it would load; cardkit
must pick the same. Hostile inputs (empty checkpoints, deflate bombs, a million tensors, FIFOs,
NUL bytes) must each give a located finding without a traceback or gigabytes of memory.
"""

from __future__ import annotations

import itertools
import json
import os
import tracemalloc
import zipfile
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file
from transformers import GPT2Config, GPT2LMHeadModel
from transformers.modeling_utils import _get_resolved_checkpoint_files

import cardkit.model.bin_checkpoint as bin_checkpoint
import cardkit.model.checkpoint_files as checkpoint_files
from cardkit.model.checkpoint import expected_state, read_inventory, stored_parameters
from cardkit.model.checkpoint_files import choose_weights, read_index
from cardkit.model.safetensors_header import MAX_HEADER_TENSORS, HeaderError, read_header
from tests.shells import write_raw

NAMES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)


def _write_candidate(folder: Path, name: str) -> None:
    if name.endswith(".index.json"):
        shard = "shard.safetensors" if "safetensors" in name else "shard.bin"
        index = {"metadata": {}, "weight_map": {"w": shard}}
        (folder / name).write_text(json.dumps(index), encoding="utf-8")
    else:
        (folder / name).write_bytes(b"")


def _transformers_files(folder: Path, config_data: dict | None = None) -> list[str]:
    files, _ = _get_resolved_checkpoint_files(
        str(folder),
        variant=None,
        gguf_file=None,
        use_safetensors=None,
        user_agent=None,
        is_remote_code=False,
        transformers_explicit_filename=(config_data or {}).get("transformers_weights"),
    )
    return [Path(f).name for f in files or []]


def _cardkit_files(folder: Path, config_data: dict | None = None) -> list[str]:
    choice = choose_weights(folder, config_data or {})
    assert choice.path is not None
    if not choice.sharded:
        return [choice.path.name]
    weight_map, refusal = read_index(choice.path)
    assert refusal is None and weight_map is not None
    return sorted(set(weight_map.values()))


SUBSETS = [c for n in range(1, 5) for c in itertools.combinations(NAMES, n)]


SUBSET_IDS = ["+".join(str(NAMES.index(name)) for name in subset) for subset in SUBSETS]


@pytest.mark.parametrize("present", SUBSETS, ids=SUBSET_IDS)
def test_preference_order_is_transformers_own(present: tuple[str, ...], tmp_path: Path) -> None:
    for name in present:
        _write_candidate(tmp_path, name)
    assert _cardkit_files(tmp_path) == _transformers_files(tmp_path)
    ignored = [f.file for f in choose_weights(tmp_path, {}).findings if f.code == "checkpoint-file-ignored"]
    assert [Path(f).name for f in ignored] == list(present[1:])


def test_a_fifo_named_model_safetensors_is_passed_over_like_transformers(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "model.safetensors")  # opening it would block forever
    _write_candidate(tmp_path, "model.safetensors.index.json")
    assert _cardkit_files(tmp_path) == _transformers_files(tmp_path) == ["shard.safetensors"]
    assert "checkpoint-file-skipped" in [f.code for f in choose_weights(tmp_path, {}).findings]


def test_config_transformers_weights_names_the_file(tmp_path: Path) -> None:
    _write_candidate(tmp_path, "model.safetensors")
    (tmp_path / "custom.safetensors").write_bytes(b"")
    config = {"transformers_weights": "custom.safetensors"}
    assert _cardkit_files(tmp_path, config) == _transformers_files(tmp_path, config) == ["custom.safetensors"]
    for bad in ("weights.pt", "../outside.safetensors"):
        with pytest.raises(ValueError):
            _transformers_files(tmp_path, {"transformers_weights": bad})
        assert choose_weights(tmp_path, {"transformers_weights": bad}).path is None


def test_variant_files_alone_are_not_found_and_named(tmp_path: Path) -> None:
    (tmp_path / "model.fp16.safetensors").write_bytes(b"")
    with pytest.raises(OSError):
        _transformers_files(tmp_path)
    (finding,) = choose_weights(tmp_path, {}).findings
    assert finding.code == "checkpoint-not-found" and "model.fp16.safetensors" in finding.message


# --- empty and partial checkpoints --------------------------------------------------------------


def _codes(folder: Path) -> list[str]:
    return sorted(f.code for f in read_inventory(folder).findings)


def test_checkpoints_that_store_no_tensors_fail(tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        (tmp_path / name).mkdir()
    (tmp_path / "a" / "model.safetensors").write_bytes(b"\x02" + b"\0" * 7 + b"{}")
    torch.save({}, tmp_path / "b" / "pytorch_model.bin")
    (tmp_path / "c" / "model.safetensors.index.json").write_text('{"metadata": {}, "weight_map": {}}')
    for name in ("a", "b", "c"):
        assert _codes(tmp_path / name) == ["checkpoint-empty"], name


def test_index_without_metadata_fails_as_in_transformers(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors.index.json").write_text('{"weight_map": {}}')
    with pytest.raises(KeyError):
        _transformers_files(tmp_path)
    assert _codes(tmp_path) == ["checkpoint-index-invalid"]


# --- load-ignore patterns -----------------------------------------------------------------------


def test_gpt2_ignore_patterns_apply_only_to_unexpected_keys(tmp_path: Path) -> None:
    """GPT-2 ignores `attn.bias` on load; `re.search` also matches `h.0.attn.c_attn.bias`, a real
    parameter, so applying the pattern to stored keys dropped every c_attn bias from the count."""
    config = GPT2Config(n_embd=32, n_layer=2, n_head=2, vocab_size=64, n_positions=16)
    model = GPT2LMHeadModel(config)
    model.save_pretrained(tmp_path)
    data = json.loads((tmp_path / "config.json").read_text())
    inventory = read_inventory(tmp_path)
    expected = expected_state(config, data)
    assert "transformer.h.0.attn.c_attn.bias" in inventory.tensors
    assert stored_parameters(inventory, expected) == sum(p.numel() for p in model.parameters())
    state = {name: t.contiguous() for name, t in model.state_dict().items() if name != "lm_head.weight"}
    state["transformer.h.0.attn.bias"] = torch.ones(1, 1, 16, 16)  # an old checkpoint's mask buffer
    save_file(state, tmp_path / "model.safetensors", metadata={"format": "pt"})
    inventory = read_inventory(tmp_path)
    assert stored_parameters(inventory, expected) == sum(p.numel() for p in model.parameters())


# --- bounded work -------------------------------------------------------------------------------


def _header_file(path: Path, header: bytes, data: int = 2) -> Path:
    write_raw(path, header, data)
    return path


def test_a_header_of_a_million_tensors_stops_at_the_limit(tmp_path: Path) -> None:
    entry = '"t%d":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}'
    header = ("{" + ",".join(entry % i for i in range(1_000_000)) + "}").encode()
    path = _header_file(tmp_path / "model.safetensors", header, 0)
    del header
    tracemalloc.start()
    with pytest.raises(HeaderError, match=f"more than {MAX_HEADER_TENSORS:,} tensors"):
        read_header(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 400 * 2**20  # the 57 MB header itself, and a tenth of its entries


@pytest.mark.parametrize(
    "shape",
    [[int("9" * 3000), int("9" * 3000)], [2**63, 4096], [2**40] * 16],
    ids=["6000-digits", "2^63-rows", "16-dims"],
)
def test_huge_shape_products_are_refused_in_one_short_line(tmp_path: Path, shape: list[int]) -> None:
    header = json.dumps({"a": {"dtype": "BF16", "shape": shape, "data_offsets": [0, 2]}}).encode()
    with pytest.raises(HeaderError, match=r"needs more than 2\^64 bytes") as info:
        read_header(_header_file(tmp_path / "model.safetensors", header))
    assert len(info.value.reason) < 400 and "\n" not in info.value.reason


def test_index_over_its_size_limit_is_refused_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checkpoint_files, "MAX_INDEX_BYTES", 100)
    index = {"metadata": {}, "weight_map": {f"t{i}": "s.safetensors" for i in range(20)}}
    (tmp_path / "model.safetensors.index.json").write_text(json.dumps(index))
    (finding,) = read_inventory(tmp_path).findings
    assert finding.code == "checkpoint-index-invalid" and "the limit is 100" in finding.message


def test_nul_byte_in_an_index_file_name_is_located(tmp_path: Path) -> None:
    index = {"metadata": {}, "weight_map": {"a": "model\0.safetensors"}}
    (tmp_path / "model.safetensors.index.json").write_text(json.dumps(index))
    (finding,) = read_inventory(tmp_path).findings
    assert (finding.code, finding.field) == ("checkpoint-index-invalid", "a")
    assert "NUL" in finding.message


def test_a_fifo_named_as_a_shard_is_refused_without_blocking(tmp_path: Path) -> None:
    index = {"metadata": {}, "weight_map": {"a": "model-1.safetensors"}}
    (tmp_path / "model.safetensors.index.json").write_text(json.dumps(index))
    os.mkfifo(tmp_path / "model-1.safetensors")
    (finding,) = read_inventory(tmp_path).findings
    assert finding.code == "checkpoint-shard-unreadable" and "not a regular file" in finding.message


def _bomb(path: Path, inflated: int) -> None:
    """A torch zip whose data.pkl is a tiny pickle followed by `inflated` zero bytes, deflated."""
    scratch = path.with_suffix(".tmp")
    torch.save({"a": torch.zeros(2)}, scratch)
    with zipfile.ZipFile(scratch) as source:
        members = {name: source.read(name) for name in source.namelist()}
    scratch.unlink()
    with zipfile.ZipFile(path, "w") as archive:
        for name, body in members.items():
            if not name.endswith("data.pkl"):
                archive.writestr(name, body)
                continue
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as handle:
                handle.write(body)
                for _ in range(inflated // 2**20):
                    handle.write(b"\0" * 2**20)


def test_deflate_bomb_bin_is_refused_before_torch_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _bomb(tmp_path / "pytorch_model.bin", 64 * 2**20)
    assert (tmp_path / "pytorch_model.bin").stat().st_size < 2**20

    def no_load(*args: object, **kwargs: object) -> None:
        raise AssertionError("torch.load must not see a deflate bomb")

    monkeypatch.setattr(torch, "load", no_load)
    (finding,) = read_inventory(tmp_path).findings
    assert finding.code == "checkpoint-bin-invalid" and "deflate bomb" in finding.message
    assert finding.file.endswith("pytorch_model.bin")


def test_bin_archive_bounds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    torch.save({"a": torch.zeros(2), "b": torch.ones(3)}, tmp_path / "pytorch_model.bin")
    assert sorted(read_inventory(tmp_path).tensors) == ["a", "b"]
    monkeypatch.setattr(bin_checkpoint, "MAX_MEMBERS", 3)
    assert "members; the limit is 3" in read_inventory(tmp_path).findings[0].message
    monkeypatch.setattr(bin_checkpoint, "MAX_MEMBERS", 1000)
    monkeypatch.setattr(bin_checkpoint, "MAX_RECORD_BYTES", 10)
    assert "inflate to" in read_inventory(tmp_path).findings[0].message
    (tmp_path / "pytorch_model.bin").write_bytes(b"\x80\x02}q\x00.")  # a bare pickle, not a zip
    assert "not a zip-format" in read_inventory(tmp_path).findings[0].message


def test_index_mismatches_are_listed_up_to_a_bound_then_counted(tmp_path: Path) -> None:
    """An index naming 1,000 tensors its shard lacks gives 21 findings, not 1,000."""
    save_file({"kept": torch.zeros(1)}, tmp_path / "s.safetensors", metadata={"format": "pt"})
    weight_map = {"kept": "s.safetensors"} | {f"ghost.{i}": "s.safetensors" for i in range(1000)}
    index = {"metadata": {}, "weight_map": weight_map}
    (tmp_path / "model.safetensors.index.json").write_text(json.dumps(index))
    findings = read_inventory(tmp_path).findings
    assert [f.code for f in findings] == ["checkpoint-index-mismatch"] * 21
    assert findings[-1].field is None and findings[-1].message.startswith("980 more tensors")


def test_shards_past_the_checkpoint_tensor_limit_are_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cardkit.model.checkpoint_inventory

    monkeypatch.setattr(cardkit.model.checkpoint_inventory, "MAX_TENSORS", 2)
    weight_map = {}
    for number in range(3):
        names = [f"s{number}.a", f"s{number}.b"]
        save_file({n: torch.zeros(1) for n in names}, tmp_path / f"s{number}.safetensors")
        weight_map |= {n: f"s{number}.safetensors" for n in names}
    index = {"metadata": {}, "weight_map": weight_map}
    (tmp_path / "model.safetensors.index.json").write_text(json.dumps(index))
    inventory = read_inventory(tmp_path)
    assert len(inventory.tensors) == 2
    assert [(f.code, Path(f.file).name) for f in inventory.findings] == [
        ("checkpoint-too-many-tensors", "s1.safetensors"),
        ("checkpoint-too-many-tensors", "s2.safetensors"),
    ]
