"""How blocks are wired, read from a meta-device forward pass: residual wrappers, blocks whose
feed-forward linears sit in the block itself, multimodal models with a second stack, families whose
forward needs data.

Each expectation is the family's documented layout (BERT and BART are post-norm, OPT and XLM-R XL
pre-norm, CPM-Ant pre-norm inside its `SelfAttentionBlock`/`FFNBlock` wrappers), written out here,
never read back from cardkit.
"""

from __future__ import annotations

from typing import Any

import pytest

transformers = pytest.importorskip("transformers")
import torch  # noqa: E402
from transformers.models.auto.configuration_auto import CONFIG_MAPPING  # noqa: E402

from cardkit.model import block_trace  # noqa: E402
from cardkit.model.architecture_facts import facts_for_config  # noqa: E402
from cardkit.model.architecture_modules import attention_module, decoder_layers, mlp_module  # noqa: E402

BERT_SMALL = {
    "hidden_size": 32,
    "num_attention_heads": 2,
    "intermediate_size": 64,
    "num_hidden_layers": 2,
    "vocab_size": 128,
    "is_decoder": True,
}
BART_SMALL = {
    "d_model": 32,
    "encoder_attention_heads": 2,
    "decoder_attention_heads": 2,
    "encoder_ffn_dim": 64,
    "decoder_ffn_dim": 64,
    "encoder_layers": 1,
    "decoder_layers": 2,
    "vocab_size": 128,
}
OPT_SMALL = {"hidden_size": 32, "num_attention_heads": 2, "ffn_dim": 64, "num_hidden_layers": 2}
OPT_SMALL["vocab_size"] = 128
CPMANT_SMALL = {"hidden_size": 32, "num_attention_heads": 2, "dim_head": 16, "dim_ff": 64}
CPMANT_SMALL["num_hidden_layers"] = 2

WIRING: dict[str, tuple[str, dict[str, Any], str]] = {
    "bert (post-norm, norm inside BertAttention)": ("bert", BERT_SMALL, "post"),
    "roberta-prelayernorm (pre-norm inside the wrapper)": ("roberta-prelayernorm", BERT_SMALL, "pre"),
    "xlm-roberta-xl (pre-norm)": ("xlm-roberta-xl", BERT_SMALL, "pre"),
    "bart (post-norm, fc1/fc2 in the block)": ("bart", BART_SMALL, "post"),
    "opt (pre-norm, fc1/fc2 in the block)": ("opt", OPT_SMALL, "pre"),
    "opt post-norm (do_layer_norm_before off)": ("opt", {**OPT_SMALL, "do_layer_norm_before": False}, "post"),
    "cpmant (pre-norm inside residual wrappers)": ("cpmant", CPMANT_SMALL, "pre"),
}


def facts_of(model_type: str, values: dict[str, Any]) -> Any:
    return facts_for_config(CONFIG_MAPPING[model_type](**values))


def build(model_type: str, values: dict[str, Any]) -> Any:
    from transformers import AutoModelForCausalLM

    with torch.device("meta"):
        return AutoModelForCausalLM.from_config(CONFIG_MAPPING[model_type](**values))


@pytest.mark.parametrize("case", list(WIRING))
def test_sequential_blocks_state_their_norm_placement(case: str) -> None:
    model_type, values, placement = WIRING[case]
    facts = facts_of(model_type, values)
    assert facts.values.get("parallel_residual") is False, facts.undetermined
    assert facts.values.get("norm_placement") == placement, facts.undetermined


@pytest.mark.parametrize("model_type", ["bert", "roberta-prelayernorm", "cpmant"])
def test_a_norm_beside_the_attention_in_its_wrapper_is_not_a_qk_norm(model_type: str) -> None:
    values = CPMANT_SMALL if model_type == "cpmant" else BERT_SMALL
    facts = facts_of(model_type, values)
    assert facts.values["qk_normalization"] is False
    assert facts.values["normalization"] == "layernorm"


def test_bert_output_projection_is_read_from_the_wrapper() -> None:
    facts = facts_of("bert", BERT_SMALL)
    assert facts.values["linear_biases.attention_output"] is True
    facts = facts_of("cpmant", CPMANT_SMALL)
    assert facts.values["linear_biases.attention_output"] is False


def test_wrappers_are_unwrapped_but_a_moe_block_with_a_norm_stays_whole() -> None:
    layer = decoder_layers(build("cpmant", CPMANT_SMALL))[0]
    assert type(attention_module(layer)).__name__ == "CpmAntAttention"
    assert type(mlp_module(layer)).__name__ == "CpmAntFeedForward"
    axk = {"hidden_size": 32, "intermediate_size": 64, "moe_intermediate_size": 16, "num_attention_heads": 2}
    axk |= {"num_key_value_heads": 2, "num_hidden_layers": 2, "vocab_size": 128, "n_routed_experts": 4}
    axk |= {"num_experts_per_tok": 2, "first_k_dense_replace": 1, "q_lora_rank": 16, "kv_lora_rank": 16}
    axk |= {"qk_rope_head_dim": 8, "qk_nope_head_dim": 8, "v_head_dim": 8}
    if "axk1" not in CONFIG_MAPPING:
        pytest.skip("this transformers has no AXK1")
    facts = facts_of("axk1", axk)
    assert facts.values["moe.num_experts"] == 4
    assert facts.values["moe.experts_per_token"] == 2


def test_a_multimodal_model_is_described_by_its_text_stack() -> None:
    """GIT's vision encoder has more layers than its text decoder, and another activation."""
    vision = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 4, "num_attention_heads": 2}
    vision |= {"image_size": 32, "patch_size": 16, "hidden_act": "quick_gelu"}
    config = {**BERT_SMALL, "hidden_act": "gelu", "vision_config": vision}
    config.pop("is_decoder")
    facts = facts_of("git", config)
    assert facts.values["num_layers"] == 2
    assert facts.values["activation"] == "gelu"
    assert len(decoder_layers(build("git", config))) == 2


def test_a_forward_that_needs_data_leaves_the_wiring_undetermined_and_the_compiler_flag_restored() -> None:
    """JetMoE sizes its experts from the router's output (`.tolist()`): a meta tensor has no values."""
    values = {"hidden_size": 32, "num_attention_heads": 2, "num_key_value_heads": 1, "kv_channels": 16}
    values |= {"intermediate_size": 64, "num_hidden_layers": 2, "vocab_size": 128, "num_local_experts": 4}
    facts = facts_of("jetmoe", values)
    assert "parallel_residual" not in facts.values
    assert "traced" in facts.undetermined["parallel_residual"]
    assert torch.compiler.is_compiling() is False


def test_the_compiler_flag_is_restored_when_the_pass_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    class Boom(torch.nn.Module):
        def forward(self, **kwargs: Any) -> None:
            assert torch.compiler.is_compiling() is True
            raise RuntimeError("planted")

    with pytest.raises(RuntimeError, match="planted"):
        block_trace._run_on_meta(Boom(), with_mask=False)
    assert torch.compiler.is_compiling() is False


def test_a_module_named_attention_that_projects_nothing_is_not_the_attention() -> None:
    """Inkling 2's `BlockAttentionResidual` (a weightless norm mixing earlier blocks) comes first in
    the block and says attention; the attention is the module with the projections. XLNet's
    attention keeps its projections as bare parameters and is still found."""
    if "inkling2_text" not in CONFIG_MAPPING:
        pytest.skip("this transformers has no Inkling 2")
    config = CONFIG_MAPPING["inkling2_text"]()
    layer = decoder_layers(build("inkling2_text", {}))[0]
    assert type(attention_module(layer)).__name__ == "Inkling2SlidingAttention"
    facts = facts_for_config(config)
    assert facts.values["num_kv_heads"] == config.num_key_value_heads != config.num_attention_heads
    assert facts.values["norm_placement"] == "pre"
    xlnet = facts_of("xlnet", {"d_model": 32, "n_head": 2, "d_inner": 64, "n_layer": 2, "vocab_size": 128})
    assert xlnet.values["num_attention_heads"] == 2
    assert xlnet.values.get("positional_embedding.type") != "none"
