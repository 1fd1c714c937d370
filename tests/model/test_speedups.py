"""Every speed-up gives the findings the slow path gives (issue 17): no accuracy traded for time.

The expected-state cache (`cardkit.model.expected_state`) must answer exactly what building the
architecture answers, for good and broken checkpoints, full-size shells and tiny real ones, and a
hit must import neither torch nor transformers; validate with warm caches must equal validate with
none. Expected findings come from the uncached path, never from the cache itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from safetensors.torch import load_file, save_file

from cardkit.core import cache as cache_store
from cardkit.core.findings import CardReport
from cardkit.model import expected_state, meta_model
from cardkit.validate import ValidateOptions, validate_card, validate_paths
from tests.helpers import CARD_PATHS, CARDS_DIR, ROOT
from tests.shells import Entry, state_entries_for, write_shell
from tests.tiny_models import TinyModel, copy_tiny

LLAMA = "llama-2-13b"
NEOX = "stablelm-tuned-alpha-3b"
"""GPT-NeoX: transformers renames its stored `embed_out.weight` to the model's `lm_head.weight`."""


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARDKIT_CACHE_DIR", str(tmp_path / "cache"))


def card_of(slug: str) -> Path:
    return CARDS_DIR / slug / "card.yaml"


def outcome(report: CardReport) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Findings and checkpoint figures, less the time the header read took."""
    figures = dict((report.runtime or {}).get("checkpoint", {}))
    figures.pop("seconds", None)
    return [f.to_dict() for f in report.findings], figures


def cold(card: Path, folder: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    return outcome(validate_card(card, ValidateOptions(checkpoint=folder, cache=False)))


def warm(card: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[dict[str, Any]], dict]:
    """The check answered from the caches: building the architecture fails the test."""

    def no_build(*_: Any) -> None:
        raise AssertionError("the architecture was built although its expected state is cached")

    with monkeypatch.context() as patch:
        patch.setattr(meta_model, "build_meta_model", no_build)
        return outcome(validate_card(card, ValidateOptions(checkpoint=folder)))


def fill(card: Path, folder: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    return outcome(validate_card(card, ValidateOptions(checkpoint=folder)))


def broken(entries: list[Entry]) -> dict[str, list[Entry]]:
    """One checkpoint per kind of defect whose names the good checkpoint already has (cache hits)."""
    first = entries[3]
    second = next(e for e in entries[4:] if len(e.shape) == 2 and e.shape[0] != e.shape[1])
    return {
        "missing": [e for e in entries if e is not first],
        "transposed": [Entry(e.name, e.dtype, e.shape[::-1]) if e is second else e for e in entries],
        "one-dtype": [Entry(e.name, "F64", e.shape) if e is first else e for e in entries],
        "all-dtype": [Entry(e.name, "F64", e.shape) for e in entries],
    }


@pytest.mark.parametrize("slug", [LLAMA, NEOX])
def test_cached_inventory_gives_the_built_findings_on_shells(
    slug: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = list(state_entries_for(slug))
    good = tmp_path / "good"
    write_shell(good, entries)
    expected = cold(card_of(slug), good)
    assert fill(card_of(slug), good) == expected
    assert warm(card_of(slug), good, monkeypatch) == expected
    for defect, variant in broken(entries).items():
        folder = tmp_path / defect
        write_shell(folder, variant)
        built = cold(card_of(slug), folder)
        assert built[0], f"{defect}: the shell should have findings"
        assert warm(card_of(slug), folder, monkeypatch) == built, defect


def test_a_name_the_entry_has_not_seen_is_answered_by_transformers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = list(state_entries_for(NEOX))
    write_shell(tmp_path / "good", entries)
    fill(card_of(NEOX), tmp_path / "good")
    extra = [*entries, Entry("gpt_neox.layers.0.attention.masked_bias", "F32", (1,))]
    extra += [Entry("embed_in.weight", "BF16", entries[0].shape)]  # a base-model name: prefixed on load
    write_shell(tmp_path / "extra", extra)
    built = cold(card_of(NEOX), tmp_path / "extra")
    assert fill(card_of(NEOX), tmp_path / "extra") == built  # a miss: transformers renames the new names
    assert warm(card_of(NEOX), tmp_path / "extra", monkeypatch) == built  # now the entry knows them
    assert warm(card_of(NEOX), tmp_path / "good", monkeypatch) == cold(card_of(NEOX), tmp_path / "good")


def test_cached_inventory_on_a_tiny_real_checkpoint(
    tmp_path: Path, tiny_zoo: dict[str, TinyModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    tiny = copy_tiny(tiny_zoo[LLAMA], tmp_path)
    expected = cold(tiny.card, tiny.checkpoint)
    assert fill(tiny.card, tiny.checkpoint) == expected
    assert warm(tiny.card, tiny.checkpoint, monkeypatch) == expected
    state = load_file(tiny.checkpoint / "model.safetensors")
    state.pop("model.layers.1.post_attention_layernorm.weight")
    save_file(state, tiny.checkpoint / "model.safetensors", metadata={"format": "pt"})
    built = cold(tiny.card, tiny.checkpoint)
    assert "checkpoint-missing-tensor" in [f["code"] for f in built[0]]
    assert warm(tiny.card, tiny.checkpoint, monkeypatch) == built


def test_empty_folder_with_and_without_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_shell(tmp_path / "good", list(state_entries_for(LLAMA)))
    fill(card_of(LLAMA), tmp_path / "good")
    (tmp_path / "empty").mkdir()
    assert warm(card_of(LLAMA), tmp_path / "empty", monkeypatch) == cold(card_of(LLAMA), tmp_path / "empty")


HIT_CHILD = """
import json, sys
from pathlib import Path
from cardkit.validate import ValidateOptions, validate_card
report = validate_card(Path(sys.argv[1]), ValidateOptions(checkpoint=Path(sys.argv[2])))
print(json.dumps({"codes": sorted(f.code for f in report.findings),
                  "heavy": sorted(m for m in ("torch", "transformers") if m in sys.modules)}))
"""


def test_a_warm_check_imports_neither_torch_nor_transformers(tmp_path: Path) -> None:
    slug = "falcon-40b-instruct"
    write_shell(tmp_path / "shell", list(state_entries_for(slug)))
    command = [sys.executable, "-c", HIT_CHILD, str(card_of(slug)), str(tmp_path / "shell")]
    env = {**os.environ, "CARDKIT_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    runs = [
        json.loads(subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout)
        for _ in range(2)
    ]
    assert runs[0]["codes"] == runs[1]["codes"]
    assert runs[0]["heavy"] == ["torch", "transformers"]  # the first run builds the architecture
    assert runs[1]["heavy"] == []


def good_payload() -> dict[str, Any]:
    return {
        "tensors": [["a.weight", [2, 3], "BF16", True], ["b.weight", [2, 3], "BF16", True]],
        "aliases": [["a.weight", "b.weight"]],
        "ignore_unexpected": r"(rotary_emb\.inv_freq)",
        "ignore_missing": None,
        "renames": [["a.weight", "a.weight", False]],
        "weights": [["model.safetensors", False, "safetensors"]],
    }


@pytest.mark.parametrize(
    ("part", "value"),
    [
        ("tensors", [["a.weight", [2, -3], "BF16", True], ["b.weight", [2, 3], "BF16", True]]),
        ("tensors", [["a.weight", [2, 3], "BF16", 1], ["b.weight", [2, 3], "BF16", True]]),
        ("tensors", [["a.weight", [2, True], "BF16", True], ["b.weight", [2, 3], "BF16", True]]),
        ("aliases", [["a.weight"]]),
        ("aliases", [["a.weight", "b.weight"], ["a.weight"]]),
        ("aliases", [["a.weight", "b.weight", "c.weight"]]),
        ("ignore_unexpected", "(unclosed"),
        ("ignore_missing", 7),
        ("renames", [["a.weight", "a.weight", "no"]]),
        ("renames", {"a.weight": "a.weight"}),
        ("weights", [["../../elsewhere.safetensors", False, "safetensors"]]),
        ("weights", [["model.safetensors", False, "pickle"]]),
        ("weights", []),
    ],
)
def test_a_signed_but_malformed_entry_is_recomputed(part: str, value: Any) -> None:
    key = expected_state.cache_key({"model_type": "test", "part": part})
    assert expected_state.load(key, None) is None
    cache_store.write_entry(expected_state.KIND, key, good_payload())
    assert expected_state.load(key, None) is not None
    cache_store.write_entry(expected_state.KIND, key, {**good_payload(), part: value})
    assert expected_state.load(key, None) is None


def test_a_forged_entry_is_recomputed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry edited by hand (here: a shape changed) fails its signature and is not believed."""
    entries = list(state_entries_for(LLAMA))
    write_shell(tmp_path / "good", entries)
    expected = fill(card_of(LLAMA), tmp_path / "good")
    [path] = (tmp_path / "cache" / expected_state.KIND).glob("*.json")
    path.write_text(path.read_text().replace("[5120, 13824]", "[5120, 13825]", 1))
    assert cold(card_of(LLAMA), tmp_path / "good") == expected == fill(card_of(LLAMA), tmp_path / "good")


@pytest.mark.parametrize("model", [True, False])
def test_validate_warm_and_cold_caches_agree(model: bool) -> None:
    options = ValidateOptions(model=model)
    without = [validate_card(path, ValidateOptions(model=model, cache=False)) for path in CARD_PATHS]
    first = validate_paths(CARD_PATHS, options)
    second = validate_paths(CARD_PATHS, options)
    as_data = [[f.to_dict() for f in report.findings] for report in without]
    assert [[f.to_dict() for f in report.findings] for report in first] == as_data
    assert [[f.to_dict() for f in report.findings] for report in second] == as_data
    assert [r.parameters.computed for r in second] == [r.parameters.computed for r in without]


def test_a_run_writes_each_entry_once_and_never_the_whole_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twelve cards, six configs: one facts entry per distinct config and one report per card, each
    written once (a small file of its own); a second run over the same cards writes nothing."""
    import shutil

    for number in range(12):
        slug = CARD_PATHS[number % len(CARD_PATHS)].parent.name
        shutil.copytree(CARDS_DIR / slug, tmp_path / "cards" / f"{number:02d}-{slug}")
    writes: list[tuple[str, str, int]] = []
    real_write = cache_store.write_text_atomic

    def counted(path: Path, text: str) -> None:
        writes.append((path.parent.name, path.name, len(text.encode())))
        real_write(path, text)

    monkeypatch.setattr(cache_store, "write_text_atomic", counted)
    reports = validate_paths([tmp_path / "cards"], ValidateOptions())
    assert [r.parameters.computed for r in reports[:6]] == [r.parameters.computed for r in reports[6:]]
    kinds = [kind for kind, _, _ in writes]
    assert kinds.count("facts") == len(CARD_PATHS) and kinds.count("reports") == 12, kinds
    assert len({(kind, name) for kind, name, _ in writes}) == len(writes)  # no entry written twice
    assert max(size for _, _, size in writes) < 64 * 1024  # one entry, not the cache
    writes.clear()
    validate_paths([tmp_path / "cards"], ValidateOptions())
    assert writes == []
