"""`cardkit new` and the facts behind it, on configs shaped like the public models the issue names."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from cardkit.card.dump import SCHEMA_LINE
from cardkit.cli import main
from cardkit.core.findings import Severity
from cardkit.validate import ValidateOptions, validate_card
from tests.helpers import ROOT

pytest.importorskip("transformers")

FALCON_7B = {  # the keys of tiiuae/falcon-7b's config.json that decide its attention
    "model_type": "falcon",
    "hidden_size": 4544,
    "num_attention_heads": 71,
    "num_kv_heads": 71,  # ignored by transformers: multi_query without new_decoder_architecture
    "multi_query": True,
    "new_decoder_architecture": False,
    "parallel_attn": True,
    "num_hidden_layers": 2,
    "vocab_size": 65024,
    "alibi": False,
    "bias": False,
}


def _new(folder: Path, config: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CARDKIT_CACHE_DIR", str(folder / "cache"))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    card = folder / "card.yaml"
    assert main(["new", "--config", str(folder / "config.json"), "--out", str(card)]) == 0
    return card


def _architecture(card: Path) -> dict[str, Any]:
    return yaml.safe_load(card.read_text(encoding="utf-8"))["architecture"]


def test_new_reads_falcon_7b_as_multi_query_with_one_shared_norm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    arch = _architecture(_new(tmp_path / "falcon", FALCON_7B, monkeypatch))
    assert (arch["num_attention_heads"], arch["num_kv_heads"], arch["head_dim"]) == (71, 1, 64)
    assert (arch["parallel_residual"], arch["parallel_norms"]) == (True, "shared")
    assert arch["linear_biases"] == {"qkv": False, "attention_output": False, "mlp": False, "lm_head": False}


@pytest.mark.parametrize("model", [True, False], ids=["full", "no-model"])
def test_a_truthful_multi_query_card_passes_both_modes(
    model: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, card_copy: Callable[[str], Path]
) -> None:
    """Was, with --no-model: `card says 1, config.json says 71` from an alias table."""
    arch = _architecture(_new(tmp_path / "draft", FALCON_7B, monkeypatch))
    arch["parameters"]["label"] = "40B"  # the copied card's name says 40b
    card = card_copy("falcon-40b-instruct")
    data = yaml.safe_load(card.read_text(encoding="utf-8"))
    data["architecture"] = arch
    card.write_text(SCHEMA_LINE + yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    (card.parent / "config.json").write_text(json.dumps(FALCON_7B), encoding="utf-8")
    report = validate_card(card, ValidateOptions(model=model))
    assert [f.code for f in report.findings if f.severity is not Severity.INFO] == []
    if not model:
        notes = [f for f in report.findings if f.code == "config-not-interpreted"]
        assert [n.field for n in notes] == ["architecture.num_kv_heads"]


def test_new_says_what_gpt2_and_phi_and_mixtral_are(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gpt2 = _architecture(_new(tmp_path / "gpt2", {"model_type": "gpt2", "n_layer": 2}, monkeypatch))
    assert gpt2["positional_embedding"] == {"type": "learned"}
    assert (gpt2["activation"], gpt2["parallel_residual"]) == ("gelu_new", False)
    assert gpt2["linear_biases"]["qkv"] is True
    phi = _architecture(_new(tmp_path / "phi", {"model_type": "phi", "num_hidden_layers": 2}, monkeypatch))
    assert (phi["parallel_residual"], phi["parallel_norms"]) == (True, "shared")
    assert phi["positional_embedding"]["rotary_fraction"] == 0.5
    mixtral = {"model_type": "mixtral", "num_hidden_layers": 2, "hidden_size": 64, "intermediate_size": 128}
    moe = _architecture(_new(tmp_path / "mixtral", mixtral, monkeypatch))
    assert moe["moe"] == {"num_experts": 8, "experts_per_token": 2, "shared_experts": 0}
    experts = 2 * 8 * 3 * 64 * 128  # layers x experts x (gate, up, down) x hidden x intermediate
    assert moe["parameters"]["count"] - moe["parameters"]["active"] == experts * 6 // 8
    mistral = {"model_type": "mistral", "num_hidden_layers": 2, "sliding_window": 4096}
    assert _architecture(_new(tmp_path / "mistral", mistral, monkeypatch))["sliding_window"] == {
        "tokens": 4096,
        "layers": "all",  # Mistral windows every layer
    }


def test_schema_line_is_relative_to_where_the_card_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = _new(tmp_path / "a" / "b", {"model_type": "gpt2", "n_layer": 1}, monkeypatch)
    first = card.read_text(encoding="utf-8").splitlines()[0]
    target = first.split("$schema=", 1)[1]
    assert (card.parent / target).resolve() == (ROOT / "schemas" / "card.schema.json").resolve()


def test_new_refuses_to_overwrite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    card = _new(tmp_path, {"model_type": "gpt2", "n_layer": 1}, monkeypatch)
    before = card.read_text(encoding="utf-8")
    assert main(["new", "--config", str(tmp_path / "config.json"), "--out", str(card)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert card.read_text(encoding="utf-8") == before


def test_every_todo_is_reported_at_its_line_with_the_todo_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = _new(tmp_path, {"model_type": "gpt2", "n_layer": 1}, monkeypatch)
    lines = card.read_text(encoding="utf-8").splitlines()
    todo_lines = {i + 1 for i, line in enumerate(lines) if line.strip().startswith("TODO:")}
    report = validate_card(card, ValidateOptions(model=False))
    assert {f.code for f in report.findings} == {"todo"}
    assert {f.line + 1 for f in report.findings} == todo_lines  # the key's line, the hint below it


def test_a_config_outside_the_cards_folder_is_a_usage_error(tmp_path: Path, capsys: Any) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "gpt2"}), encoding="utf-8")
    out = tmp_path / "sub" / "card.yaml"
    out.parent.mkdir()
    assert main(["new", "--config", str(tmp_path / "config.json"), "--out", str(out)]) == 2
    assert not out.exists()


def test_a_remote_code_config_is_checked_from_its_keys_alone(card_copy: Callable[[str], Path]) -> None:
    card = card_copy("stablelm-3b-4e1t")
    config = json.loads((card.parent / "config.json").read_text(encoding="utf-8"))
    config.update(model_type="my_remote_lm", auto_map={"AutoConfig": "configuration_my.MyConfig"})
    (card.parent / "config.json").write_text(json.dumps(config), encoding="utf-8")
    text = card.read_text(encoding="utf-8").replace("model_type: stablelm", "model_type: my_remote_lm")
    card.write_text(text, encoding="utf-8")
    report = validate_card(card, ValidateOptions(model=True))
    assert [f.code for f in report.findings if f.severity is not Severity.INFO] == []
    note = next(f for f in report.findings if f.code == "config-remote-code")
    assert "--trust-remote-code" in note.message
    card.write_text(text.replace("hidden_size: 2560", "hidden_size: 2048"), encoding="utf-8")
    wrong = validate_card(card, ValidateOptions(model=True))
    assert [f.field for f in wrong.findings if f.severity is Severity.ERROR] == ["architecture.hidden_size"]


def test_from_readme_takes_the_human_facts_and_keeps_the_architecture(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARDKIT_CACHE_DIR", str(tmp_path / "cache"))
    slug = ROOT / "cards" / "stablelm-3b-4e1t"
    (tmp_path / "config.json").write_bytes((slug / "config.json").read_bytes())
    out = tmp_path / "card.yaml"
    assert (
        main(
            [
                "new",
                "--config",
                str(tmp_path / "config.json"),
                "--from",
                str(slug / "README.md"),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    shipped = yaml.safe_load((slug / "card.yaml").read_text(encoding="utf-8"))
    assert data["identity"]["repo_id"] == shipped["identity"]["repo_id"]
    assert data["license"]["id"] == shipped["license"]["id"]
    for key in ("num_kv_heads", "head_dim", "linear_biases", "positional_embedding"):
        assert data["architecture"][key] == shipped["architecture"][key], key
    for key in ("count", "label"):
        assert data["architecture"]["parameters"][key] == shipped["architecture"]["parameters"][key], key


def test_new_says_what_deepseek_v3_is_dense_layers_then_experts_through_a_latent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first layers are dense (`first_k_dense_replace`): experts are read from the routed layers,
    and keys/values pass a low-rank latent whose norms are not query/key norms."""
    config = {
        "model_type": "deepseek_v3", "num_hidden_layers": 3, "first_k_dense_replace": 1,
        "hidden_size": 64, "intermediate_size": 96, "moe_intermediate_size": 32, "vocab_size": 128,
        "num_attention_heads": 4, "num_key_value_heads": 4, "n_routed_experts": 8, "num_experts_per_tok": 2,
        "n_shared_experts": 1, "n_group": 1, "topk_group": 1, "kv_lora_rank": 16, "q_lora_rank": 24,
        "qk_rope_head_dim": 8, "qk_nope_head_dim": 8, "v_head_dim": 8,
    }  # fmt: skip
    arch = _architecture(_new(tmp_path / "deepseek", config, monkeypatch))
    assert arch["moe"] == {"num_experts": 8, "experts_per_token": 2, "shared_experts": 1}
    assert arch["intermediate_size"] == 96  # the dense layer's width
    assert arch["latent_attention"] == {"kv_rank": 16, "query_rank": 24}
    assert arch["qk_normalization"] is False
    unused = 2 * 6 * 3 * 64 * 32  # routed layers x experts not used x (gate, up, down) x hidden x width
    assert arch["parameters"]["count"] - arch["parameters"]["active"] == unused
