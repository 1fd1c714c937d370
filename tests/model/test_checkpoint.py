"""--checkpoint: full-size shells of all six cards pass; each kind of broken checkpoint gives its finding.

Shells carry the real headers of the full-size models with a sparse data region, so these tests
check an 82 GB Falcon-40B layout in milliseconds. Expected values come from transformers on the
meta device (tests/shells.py) or from the tiny models' own tensors, never from cardkit.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from cardkit.cli import main
from cardkit.core.findings import CardReport, Severity
from cardkit.validate import ValidateOptions, validate_card
from tests.helpers import CARDS_DIR, SLUGS, only
from tests.shells import (
    Entry,
    header_bytes,
    parameter_total,
    shard,
    state_entries_for,
    write_raw,
    write_shell,
    write_shell_file,
)
from tests.tiny_models import TinyModel, copy_tiny

LLAMA = "llama-2-13b"


def card_of(slug: str) -> Path:
    return CARDS_DIR / slug / "card.yaml"


def check(card: Path, checkpoint: Path, **options: bool) -> CardReport:
    return validate_card(card, ValidateOptions(checkpoint=checkpoint, **options))


def codes(report: CardReport, prefix: str = "checkpoint-") -> list[str]:
    return sorted(f.code for f in report.findings if f.code.startswith(prefix))


@pytest.fixture(autouse=True)
def _remove_sparse_files(tmp_path: Path) -> Iterator[None]:
    """Shells written by a test are tens of GB apparent size: remove them rather than leave them to
    pytest's keep-the-last-three-runs policy, which would confuse `du --apparent-size` and backups."""
    yield
    shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.fixture(scope="module")
def shells(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """Full-size shells of every shipped card; sparse, and removed afterwards (apparent size ~180 GB)."""
    root = tmp_path_factory.mktemp("shells")
    folders = {}
    for slug in SLUGS:
        write_shell(root / slug, list(state_entries_for(slug)))
        folders[slug] = root / slug
    yield folders
    shutil.rmtree(root)


@pytest.mark.parametrize("slug", SLUGS)
def test_full_size_shell_passes_the_inventory(slug: str, shells: dict[str, Path]) -> None:
    entries = list(state_entries_for(slug))
    report = check(card_of(slug), shells[slug])
    assert codes(report) == []
    assert [f for f in report.findings if f.severity is Severity.ERROR] == []
    figures = report.runtime["checkpoint"]
    assert figures["tensors"] == len(entries)
    assert figures["shards"] == len(shard(entries))
    assert figures["parameters"] == parameter_total(entries) == report.parameters.computed
    assert figures["data_bytes"] == sum(e.nbytes for e in entries)
    assert figures["seconds"] < 2.0


def test_shells_cover_sharding_and_tied_heads(shells: dict[str, Path]) -> None:
    falcon = {e.name for e in state_entries_for("falcon-40b-instruct")}
    assert "lm_head.weight" not in falcon, "Falcon ties its head: the shell stores the embedding only"
    assert "embed_out.weight" in {e.name for e in state_entries_for("stablelm-tuned-alpha-7b")}
    assert len(list(shells["falcon-40b-instruct"].glob("*.safetensors"))) >= 16
    apparent = sum(p.stat().st_size for p in shells["falcon-40b-instruct"].glob("*.safetensors"))
    on_disk = sum(p.stat().st_blocks * 512 for p in shells["falcon-40b-instruct"].glob("*.safetensors"))
    assert apparent > 80 * 10**9 and on_disk < 10 * 2**20


# --- broken checkpoints, built from the real Llama 2 13B layout ---------------------------------


def llama_entries() -> list[Entry]:
    return list(state_entries_for(LLAMA))


def write(tmp_path: Path, entries: list[Entry]) -> Path:
    folder = tmp_path / "checkpoint"
    write_shell(folder, entries)
    return folder


def shard_of(folder: Path, tensor: str) -> str:
    index = json.loads((folder / "model.safetensors.index.json").read_text())
    return index["weight_map"][tensor]


def test_dropped_tensor_is_missing_and_the_count_is_short(tmp_path: Path) -> None:
    entries = llama_entries()
    dropped = next(e for e in entries if e.name == "model.layers.7.mlp.down_proj.weight")
    folder = write(tmp_path, [e for e in entries if e is not dropped])
    report = check(card_of(LLAMA), folder)
    assert codes(report) == ["checkpoint-missing-tensor", "checkpoint-param-count-mismatch"]
    missing = only(report, "checkpoint-missing-tensor")
    assert (missing.field, missing.expected, missing.actual) == (dropped.name, [5120, 13824], None)
    assert missing.file.endswith("model.safetensors.index.json")
    count = only(report, "checkpoint-param-count-mismatch")
    total = parameter_total(entries)
    assert (count.expected, count.actual) == (total - 5120 * 13824, total)
    assert count.field == "architecture.parameters.count" and count.file.endswith("card.yaml")


def test_transposed_shape_names_its_shard(tmp_path: Path) -> None:
    name = "model.layers.3.mlp.up_proj.weight"
    entries = [Entry(e.name, e.dtype, e.shape[::-1]) if e.name == name else e for e in llama_entries()]
    folder = write(tmp_path, entries)
    report = check(card_of(LLAMA), folder)
    assert codes(report) == ["checkpoint-shape-mismatch"]
    finding = only(report, "checkpoint-shape-mismatch")
    assert (finding.field, finding.expected, finding.actual) == (name, [13824, 5120], [5120, 13824])
    assert finding.file.endswith(shard_of(folder, name))


def test_one_tensor_in_another_dtype(tmp_path: Path) -> None:
    name = "model.norm.weight"
    entries = [Entry(e.name, "F32", e.shape) if e.name == name else e for e in llama_entries()]
    report = check(card_of(LLAMA), write(tmp_path, entries))
    assert codes(report) == ["checkpoint-dtype-mismatch", "checkpoint-mixed-dtypes"]
    finding = only(report, "checkpoint-dtype-mismatch")
    assert (finding.field, finding.expected, finding.actual, finding.severity) == (
        name,
        "F16",
        "F32",
        Severity.ERROR,
    )
    mixed = only(report, "checkpoint-mixed-dtypes")
    assert (mixed.severity, mixed.actual) == (Severity.WARNING, {"F16": len(entries) - 1, "F32": 1})


def test_whole_checkpoint_in_another_dtype_is_one_finding(tmp_path: Path) -> None:
    entries = [Entry(e.name, "BF16", e.shape) for e in llama_entries()]
    report = check(card_of(LLAMA), write(tmp_path, entries))
    finding = only(report, "checkpoint-dtype-mismatch")
    assert (finding.field, finding.expected, finding.actual) == (None, "F16", "BF16")
    assert codes(report) == ["checkpoint-dtype-mismatch"]


def test_unexpected_tensor(tmp_path: Path) -> None:
    extra = Entry("model.layers.40.self_attn.q_proj.weight", "F16", (5120, 5120))
    report = check(card_of(LLAMA), write(tmp_path, [*llama_entries(), extra]))
    assert codes(report) == ["checkpoint-param-count-mismatch", "checkpoint-unexpected-tensor"]
    finding = only(report, "checkpoint-unexpected-tensor")
    assert (finding.field, finding.actual) == (extra.name, [5120, 5120])


def test_card_with_wrong_layer_count_against_a_correct_checkpoint(
    tmp_path: Path, shells: dict[str, Path]
) -> None:
    card = tmp_path / LLAMA / "card.yaml"
    shutil.copytree(CARDS_DIR / LLAMA, card.parent)
    card.write_text(card.read_text().replace("  num_layers: 40", "  num_layers: 41"))
    report = check(card, shells[LLAMA])
    assert codes(report) == []  # the checkpoint matches config.json; the card is what is wrong
    finding = only(report, "config-mismatch")
    assert (finding.field, finding.expected, finding.actual) == ("architecture.num_layers", 40, 41)


# --- hostile or broken files --------------------------------------------------------------------


def corrupt_first_shard(folder: Path, header: bytes, declared: int | None = None, data: int = 64) -> Path:
    first = sorted(folder.glob("model-*.safetensors"))[0]
    first.unlink()
    write_raw(first, header, data, declared)
    return first


@pytest.mark.parametrize(
    ("header", "declared", "reason"),
    [
        (b"{}", 2**60, "over the 104,857,600-byte limit"),
        (b"this is not json", None, "not valid JSON"),
        (
            json.dumps(
                {
                    "a": {"dtype": "F16", "shape": [16], "data_offsets": [0, 32]},
                    "b": {"dtype": "F16", "shape": [16], "data_offsets": [16, 48]},
                }
            ).encode(),
            None,
            "overlap tensor 'a'",
        ),
        (
            json.dumps({"a": {"dtype": "F16", "shape": [64], "data_offsets": [0, 128]}}).encode(),
            None,
            "past end",
        ),
    ],
    ids=["length-2^60", "not-json", "overlapping-offsets", "offsets-past-eof"],
)
def test_corrupt_header_is_a_finding_not_a_crash(
    tmp_path: Path, header: bytes, declared: int | None, reason: str
) -> None:
    folder = write(tmp_path, llama_entries())
    first = corrupt_first_shard(folder, header, declared)
    report = check(card_of(LLAMA), folder, load=True)
    finding = only(report, "checkpoint-header-invalid")
    assert reason in finding.message
    assert finding.file.endswith(first.name) and finding.severity is Severity.ERROR
    assert only(report, "load-skipped").severity is Severity.ERROR


def test_overlap_names_the_second_tensor(tmp_path: Path) -> None:
    folder = write(tmp_path, llama_entries())
    header = {
        "a": {"dtype": "F16", "shape": [16], "data_offsets": [0, 32]},
        "b": {"dtype": "F16", "shape": [16], "data_offsets": [16, 48]},
    }
    corrupt_first_shard(folder, json.dumps(header).encode(), data=48)
    assert only(check(card_of(LLAMA), folder), "checkpoint-header-invalid").field == "b"


def test_shard_symlink_escaping_the_folder_is_refused(tmp_path: Path) -> None:
    folder = write(tmp_path, llama_entries())
    first = sorted(folder.glob("model-*.safetensors"))[0]
    outside = tmp_path / "elsewhere.safetensors"
    first.rename(outside)
    first.symlink_to(outside)
    report = check(card_of(LLAMA), folder, load=True)
    finding = only(report, "checkpoint-outside-folder")
    assert finding.file.endswith(first.name) and finding.actual == str(outside.resolve())
    assert only(report, "load-skipped")


def test_index_entry_escaping_with_dotdot_is_refused(tmp_path: Path) -> None:
    folder = write(tmp_path, llama_entries())
    index_path = folder / "model.safetensors.index.json"
    index = json.loads(index_path.read_text())
    index["weight_map"]["model.norm.weight"] = "../../../etc/passwd"
    index_path.write_text(json.dumps(index))
    assert "checkpoint-outside-folder" in codes(check(card_of(LLAMA), folder))


def test_hub_cache_blob_symlinks_are_inside(tmp_path: Path) -> None:
    """huggingface_hub's cache links snapshots/<rev>/file to ../../blobs/<sha>; that is the same repo."""
    repo = tmp_path / "models--meta-llama--Llama-2-13b-hf"
    snapshot = repo / "snapshots" / "abc123"
    write_shell(snapshot, llama_entries())
    (repo / "blobs").mkdir()
    for path in snapshot.iterdir():
        blob = repo / "blobs" / f"sha-{path.name}"
        path.rename(blob)
        path.symlink_to(os.path.relpath(blob, snapshot))
    assert codes(check(card_of(LLAMA), snapshot)) == []


def test_missing_shard_and_bad_index(tmp_path: Path) -> None:
    folder = write(tmp_path, llama_entries())
    first = sorted(folder.glob("model-*.safetensors"))[0]
    first.unlink()
    report = check(card_of(LLAMA), folder)
    assert only(report, "checkpoint-shard-missing").file.endswith(first.name)
    (folder / "model.safetensors.index.json").write_text("{not json")
    finding = only(check(card_of(LLAMA), folder), "checkpoint-index-invalid")
    assert finding.file.endswith("model.safetensors.index.json")


def test_index_that_disagrees_with_its_shards(tmp_path: Path) -> None:
    folder = write(tmp_path, llama_entries())
    index_path = folder / "model.safetensors.index.json"
    index = json.loads(index_path.read_text())
    shards = sorted(set(index["weight_map"].values()))
    index["weight_map"]["model.norm.weight"] = shards[0]  # it lives in the last shard
    index_path.write_text(json.dumps(index))
    found = [f for f in check(card_of(LLAMA), folder).findings if f.code == "checkpoint-index-mismatch"]
    assert sorted((Path(f.file).name, f.field, f.actual) for f in found) == [
        (shards[0], "model.norm.weight", "absent"),
        (shards[-1], "model.norm.weight", "present"),
    ]


def test_tensor_stored_twice(tmp_path: Path) -> None:
    entries = llama_entries()
    folder = tmp_path / "checkpoint"
    folder.mkdir()
    write_shell_file(folder / "a.safetensors", entries[:3])
    write_shell_file(folder / "b.safetensors", entries[2:])
    weight_map = {e.name: "a.safetensors" for e in entries[:3]} | {
        e.name: "b.safetensors" for e in entries[3:]
    }
    index = {"metadata": {}, "weight_map": weight_map}
    (folder / "model.safetensors.index.json").write_text(json.dumps(index))
    report = check(card_of(LLAMA), folder)
    assert "checkpoint-duplicate-tensor" in codes(report)
    assert only(report, "checkpoint-duplicate-tensor").field == entries[2].name


def test_fifo_shard_is_refused_and_never_loaded(tmp_path: Path) -> None:
    folder = write(tmp_path, llama_entries())
    first = sorted(folder.glob("model-*.safetensors"))[0]
    first.unlink()
    os.mkfifo(first)  # opening it for reading would block until a writer comes
    report = check(card_of(LLAMA), folder, load=True)
    finding = only(report, "checkpoint-shard-unreadable")
    assert finding.file.endswith(first.name) and "not a regular file" in finding.message
    assert only(report, "load-skipped").severity is Severity.ERROR


def test_empty_checkpoint_fails_and_is_not_loaded(tmp_path: Path) -> None:
    folder = tmp_path / "checkpoint"
    folder.mkdir()
    write_shell_file(folder / "model.safetensors", [])
    report = check(card_of(LLAMA), folder, load=True)
    assert codes(report) == ["checkpoint-empty"]
    assert only(report, "checkpoint-empty").file.endswith("model.safetensors")
    assert only(report, "load-skipped").severity is Severity.ERROR


def test_single_file_wins_over_an_index_next_to_it(tmp_path: Path) -> None:
    """transformers loads model.safetensors before model.safetensors.index.json: so must the inventory."""
    folder = write(tmp_path, llama_entries())
    write_shell_file(folder / "model.safetensors", [Entry("junk", "U8", (4,))])
    report = check(card_of(LLAMA), folder)
    assert report.runtime["checkpoint"]["tensors"] == 1
    assert "checkpoint-missing-tensor" in codes(report)
    ignored = only(report, "checkpoint-file-ignored")
    assert ignored.severity is Severity.WARNING and ignored.file.endswith("model.safetensors.index.json")


def test_empty_folder(tmp_path: Path) -> None:
    finding = only(check(card_of(LLAMA), tmp_path), "checkpoint-not-found")
    assert finding.severity is Severity.ERROR


# --- real tiny checkpoints: the formats transformers writes ------------------------------------


def test_pickle_checkpoint_falls_back_to_weights_only_torch_load(
    tmp_path: Path, tiny_zoo: dict[str, TinyModel]
) -> None:
    tiny = copy_tiny(tiny_zoo["stablelm-3b-4e1t"], tmp_path)
    state = load_file(tiny.checkpoint / "model.safetensors")
    (tiny.checkpoint / "model.safetensors").unlink()
    torch.save(state, tiny.checkpoint / "pytorch_model.bin")
    report = check(tiny.card, tiny.checkpoint)
    assert codes(report) == []
    assert report.runtime["checkpoint"]["format"] == "pytorch"
    assert report.runtime["checkpoint"]["parameters"] == tiny.parameters
    (tiny.checkpoint / "pytorch_model.bin").write_bytes(b"\x80\x04not a real pickle")
    assert codes(check(tiny.card, tiny.checkpoint)) == ["checkpoint-bin-invalid"]


def test_pickle_with_code_is_refused(tmp_path: Path, tiny_zoo: dict[str, TinyModel]) -> None:
    tiny = copy_tiny(tiny_zoo["stablelm-3b-4e1t"], tmp_path)
    (tiny.checkpoint / "model.safetensors").unlink()
    torch.save({"x": torch.zeros(1), "evil": os.getcwd}, tiny.checkpoint / "pytorch_model.bin")
    assert codes(check(tiny.card, tiny.checkpoint)) == ["checkpoint-bin-invalid"]


def test_tiny_checkpoint_missing_a_tensor(tmp_path: Path, tiny_zoo: dict[str, TinyModel]) -> None:
    tiny = copy_tiny(tiny_zoo[LLAMA], tmp_path)
    state = load_file(tiny.checkpoint / "model.safetensors")
    dropped = state.pop("model.layers.1.post_attention_layernorm.weight")
    save_file(state, tiny.checkpoint / "model.safetensors", metadata={"format": "pt"})
    report = check(tiny.card, tiny.checkpoint)
    missing = only(report, "checkpoint-missing-tensor")
    assert (missing.field, missing.expected) == ("model.layers.1.post_attention_layernorm.weight", [64])
    assert only(report, "checkpoint-param-count-mismatch").expected == tiny.parameters - dropped.numel()


# --- the CLI ------------------------------------------------------------------------------------


def test_cli_prints_checkpoint_figures(shells: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    slug = "falcon-40b-instruct"
    entries = list(state_entries_for(slug))
    assert main(["validate", str(card_of(slug)), "--checkpoint", str(shells[slug])]) == 0
    out = capsys.readouterr().out
    shards = len(shard(entries))
    assert f"checkpoint: {len(entries)} tensors in {shards} safetensors shard(s), " in out
    assert f"{parameter_total(entries):,} parameters (BF16)" in out
    assert main(["validate", str(card_of(slug)), "--checkpoint", str(shells[slug]), "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["cards"][0]["runtime"]["checkpoint"]["tensors"] == len(entries)


def test_cli_checkpoint_needs_exactly_one_card(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(CARDS_DIR), "--checkpoint", str(tmp_path)]) == 2
    assert "exactly one card" in capsys.readouterr().err
    assert main(["validate", str(card_of(LLAMA)), "--load"]) == 2


def test_header_bytes_helper_round_trips() -> None:
    """The shell writer itself must produce what safetensors would: ordered, contiguous ranges."""
    raw, size = header_bytes([Entry("a", "F16", (2, 3)), Entry("b", "F32", (4,))])
    parsed = json.loads(raw)
    assert parsed["a"]["data_offsets"] == [0, 12] and parsed["b"]["data_offsets"] == [12, 28] and size == 28
    assert len(raw) % 8 == 0


def test_inventory_reads_headers_and_nothing_else(
    shells: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Count every byte the parser reads from the 82 GB Falcon shell: 8 + header length per shard."""
    import builtins

    import cardkit.model.safetensors_header as module
    from cardkit.model.checkpoint import read_inventory

    read: dict[str, int] = {}

    class Counting:
        def __init__(self, path: Path) -> None:
            self.name = str(path)
            self.handle = builtins.open(path, "rb")  # noqa: SIM115 - closed by __exit__

        def read(self, size: int = -1) -> bytes:
            assert size >= 0, "an unbounded read would pull in the data region"
            data = self.handle.read(size)
            read[self.name] = read.get(self.name, 0) + len(data)
            return data

        def fileno(self) -> int:
            return self.handle.fileno()

        def __enter__(self) -> Counting:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

    monkeypatch.setattr(module, "open_regular_binary", Counting)
    inventory = read_inventory(shells["falcon-40b-instruct"])
    assert inventory.findings == [] and len(read) == len(inventory.shards) >= 16
    for name, count in read.items():
        with builtins.open(name, "rb") as handle:
            assert count == 8 + int.from_bytes(handle.read(8), "little")
    assert sum(read.values()) < 2**20 < inventory.data_bytes
