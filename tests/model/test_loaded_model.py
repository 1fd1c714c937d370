"""--load on tiny real checkpoints of every family: counts from the built modules, findings when the
card or the checkpoint disagree. Expected figures are the tiny models' own (`sum(numel)` at build)."""

from __future__ import annotations

from pathlib import Path

import pytest
from safetensors.torch import load_file, save_file

from cardkit.core.findings import CardReport, Severity
from cardkit.model.loaded_model import attention_heads, decoder_layers
from cardkit.validate import ValidateOptions, validate_card
from tests.helpers import SLUGS, only
from tests.tiny_models import LAYERS, TinyModel, copy_tiny, replace_in


def load(tiny: TinyModel) -> CardReport:
    return validate_card(tiny.card, ValidateOptions(checkpoint=tiny.checkpoint, load=True))


@pytest.mark.parametrize("slug", SLUGS)
def test_every_family_loads_and_counts_match(slug: str, tiny_zoo: dict[str, TinyModel]) -> None:
    tiny = tiny_zoo[slug]
    report = load(tiny)
    assert [f for f in report.findings if f.severity is not Severity.INFO] == []
    figures = report.runtime["load"]
    assert figures["parameters"] == tiny.parameters
    assert figures["num_layers"] == LAYERS
    assert (figures["num_attention_heads"], figures["num_kv_heads"]) == (
        tiny.num_attention_heads,
        tiny.num_kv_heads,
    )
    assert figures["device"] == "cpu" and figures["seconds"] > 0
    assert figures["peak_host_rss_bytes"] > 50 * 2**20


def test_card_with_wrong_layer_count(tmp_path: Path, tiny_zoo: dict[str, TinyModel]) -> None:
    tiny = copy_tiny(tiny_zoo["stablelm-2-12b"], tmp_path)
    replace_in(tiny.card, r"^  num_layers: 2$", "  num_layers: 3")
    report = load(tiny)
    finding = only(report, "load-layers-mismatch")
    assert (finding.field, finding.expected, finding.actual) == ("architecture.num_layers", 2, 3)
    assert finding.file.endswith("card.yaml") and finding.line is not None
    assert only(report, "config-mismatch").field == "architecture.num_layers"


def test_card_with_wrong_kv_heads(tmp_path: Path, tiny_zoo: dict[str, TinyModel]) -> None:
    tiny = copy_tiny(tiny_zoo["falcon-40b-instruct"], tmp_path)
    replace_in(tiny.card, r"^  num_kv_heads: 1$", "  num_kv_heads: 2")
    finding = only(load(tiny), "load-kv-heads-mismatch")
    assert (finding.expected, finding.actual) == (1, 2)


def test_card_with_wrong_parameter_count(tmp_path: Path, tiny_zoo: dict[str, TinyModel]) -> None:
    tiny = copy_tiny(tiny_zoo["llama-2-13b"], tmp_path)
    replace_in(tiny.card, rf"^    count: {tiny.parameters}$", f"    count: {tiny.parameters + 64}")
    report = load(tiny)
    finding = only(report, "load-param-count-mismatch")
    assert (finding.expected, finding.actual) == (tiny.parameters, tiny.parameters + 64)
    assert only(report, "checkpoint-param-count-mismatch").expected == tiny.parameters


def test_weight_missing_from_the_checkpoint_is_left_random(
    tmp_path: Path, tiny_zoo: dict[str, TinyModel]
) -> None:
    tiny = copy_tiny(tiny_zoo["stablelm-3b-4e1t"], tmp_path)
    state = load_file(tiny.checkpoint / "model.safetensors")
    name = "model.layers.0.mlp.up_proj.weight"
    del state[name]
    save_file(state, tiny.checkpoint / "model.safetensors", metadata={"format": "pt"})
    report = load(tiny)
    assert only(report, "checkpoint-missing-tensor").field == name
    assert only(report, "load-missing-weights").field == name


def test_card_config_is_used_not_the_folder_copy(tmp_path: Path, tiny_zoo: dict[str, TinyModel]) -> None:
    """Without --trust-remote-code the card's config.json builds the model (auto_map never runs)."""
    tiny = copy_tiny(tiny_zoo["llama-2-13b"], tmp_path)
    (tiny.checkpoint / "tokenizer.json").unlink()
    (tiny.checkpoint / "config.json").write_text("{broken")
    state = load_file(tiny.checkpoint / "model.safetensors")
    state["model.norm.weight"] = state["model.norm.weight"].float()  # dtype the loader must cast
    save_file(state, tiny.checkpoint / "model.safetensors", metadata={"format": "pt"})
    report = load(tiny)
    # the card's own config.json is used, so a broken copy in the folder does not matter
    assert report.runtime["load"]["parameters"] == tiny.parameters
    assert only(report, "checkpoint-dtype-mismatch").field == "model.norm.weight"


def test_load_failure_is_reported(tmp_path: Path, tiny_zoo: dict[str, TinyModel]) -> None:
    tiny = copy_tiny(tiny_zoo["llama-2-13b"], tmp_path)
    report = validate_card(
        tiny.card, ValidateOptions(checkpoint=tiny.checkpoint, load=True, trust_remote_code=True)
    )
    assert report.runtime["load"]["parameters"] == tiny.parameters  # the folder's config loads too
    (tiny.checkpoint / "config.json").write_text("{broken")
    report = validate_card(
        tiny.card, ValidateOptions(checkpoint=tiny.checkpoint, load=True, trust_remote_code=True)
    )
    assert only(report, "load-failed").severity is Severity.ERROR
    assert "load" not in report.runtime


def test_module_counting_on_each_family(tiny_zoo: dict[str, TinyModel]) -> None:
    from transformers import AutoModelForCausalLM

    for tiny in tiny_zoo.values():
        model = AutoModelForCausalLM.from_pretrained(tiny.checkpoint, local_files_only=True)
        assert decoder_layers(model) == LAYERS, tiny.slug
        # wrong config head counts: the module widths must win (a fused QKV needs the KV figure)
        fused_kv = tiny.num_kv_heads != tiny.num_attention_heads
        heads = attention_heads(model, 99, tiny.num_kv_heads if fused_kv else 99)
        assert heads == (tiny.num_attention_heads, tiny.num_kv_heads), tiny.slug


def test_load_that_cannot_fit_in_host_memory_is_refused(
    tiny_zoo: dict[str, TinyModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    import cardkit.model.loaded_model

    tiny = tiny_zoo["llama-2-13b"]
    monkeypatch.setattr(cardkit.model.loaded_model, "available_host_bytes", lambda: 1000)
    report = load(tiny)
    finding = only(report, "load-skipped")
    data_bytes = (tiny.checkpoint / "model.safetensors").stat().st_size
    assert finding.actual == 1000 and 0 < finding.expected <= data_bytes
    assert "load" not in report.runtime


def test_partial_checkpoint_is_sized_by_its_architecture_not_its_files(
    tmp_path: Path, tiny_zoo: dict[str, TinyModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One stored tensor of a big architecture still makes from_pretrained build all of it."""
    import cardkit.model.loaded_model

    tiny = copy_tiny(tiny_zoo["llama-2-13b"], tmp_path)
    state = load_file(tiny.checkpoint / "model.safetensors")
    kept = "model.norm.weight"
    save_file({kept: state[kept]}, tiny.checkpoint / "model.safetensors", metadata={"format": "pt"})
    data_bytes = (tiny.checkpoint / "model.safetensors").stat().st_size
    monkeypatch.setattr(cardkit.model.loaded_model, "available_host_bytes", lambda: 4 * data_bytes)
    report = load(tiny)
    finding = only(report, "load-skipped")
    # 2 bytes a parameter (config.json's F16), plus the rotary buffers: the architecture, not the file
    assert tiny.parameters * 2 <= finding.expected < tiny.parameters * 2 + 1024
    assert "load" not in report.runtime
