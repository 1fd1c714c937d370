"""Mixture-of-experts facts read from what transformers builds: experts per token from the router,
shared experts as the size of the shared MLP in routed experts, weighted experts only.

Expected figures are computed by hand from the tiny configs below (each expert of a SwiGLU MoE has
3 x hidden x expert width weights), never from cardkit's own reading.
"""

from __future__ import annotations

from typing import Any

import pytest

transformers = pytest.importorskip("transformers")
from transformers.models.auto.configuration_auto import CONFIG_MAPPING  # noqa: E402

from cardkit.model.architecture_facts import facts_for_config  # noqa: E402

HIDDEN, EXPERT = 64, 16
DEEPSEEK_V2: dict[str, Any] = {
    "hidden_size": HIDDEN,
    "intermediate_size": 128,
    "moe_intermediate_size": EXPERT,
    "num_hidden_layers": 3,
    "first_k_dense_replace": 1,
    "num_attention_heads": 2,
    "kv_lora_rank": 16,
    "q_lora_rank": 32,
    "qk_rope_head_dim": 8,
    "qk_nope_head_dim": 8,
    "v_head_dim": 8,
    "n_routed_experts": 8,
    "n_shared_experts": 2,
    "vocab_size": 256,
}


def test_deepseek_v2_reads_its_experts_per_token_from_the_router() -> None:
    facts = facts_for_config(CONFIG_MAPPING["deepseek_v2"](**DEEPSEEK_V2, num_experts_per_tok=3))
    assert facts.values["moe.num_experts"] == 8
    assert facts.values["moe.experts_per_token"] == 3
    assert facts.values["moe.shared_experts"] == 2  # one MLP twice an expert's width
    unused = 2 * (8 - 3) * 3 * HIDDEN * EXPERT  # two MoE layers, five experts a token skips
    assert facts.values["parameters.active"] == facts.values["parameters.count"] - unused


def test_deepseek_v2_default_config_states_no_top_k_and_says_so() -> None:
    facts = facts_for_config(CONFIG_MAPPING["deepseek_v2"](**DEEPSEEK_V2))
    assert "moe.experts_per_token" not in facts.values
    assert "num_experts_per_tok" in facts.undetermined["moe.experts_per_token"]


@pytest.mark.parametrize(("shared_width", "shared"), [(4 * EXPERT, 4), (EXPERT, 1)])
def test_qwen2_moe_shared_expert_counts_as_its_width_in_experts(shared_width: int, shared: int) -> None:
    """Qwen1.5-MoE-A2.7B publishes 4 shared experts: transformers builds one MLP 4 experts wide."""
    config = CONFIG_MAPPING["qwen2_moe"](
        hidden_size=HIDDEN,
        num_hidden_layers=2,
        num_experts=8,
        num_experts_per_tok=2,
        moe_intermediate_size=EXPERT,
        shared_expert_intermediate_size=shared_width,
        intermediate_size=128,
        num_attention_heads=2,
        num_key_value_heads=1,
        vocab_size=256,
    )
    facts = facts_for_config(config)
    assert facts.values["moe.shared_experts"] == shared
    assert facts.values["moe.experts_per_token"] == 2


def test_longcat_flash_counts_weighted_experts_and_no_fixed_active_count() -> None:
    """LongCat-Flash routes among 8 experts and 4 zero-computation (identity) ones: a token's share
    of weights depends on how many real experts it picks."""
    config = CONFIG_MAPPING["longcat_flash"](
        hidden_size=HIDDEN,
        num_layers=2,
        n_routed_experts=8,
        zero_expert_num=4,
        expert_ffn_hidden_size=EXPERT,
        moe_topk=3,
        ffn_hidden_size=128,
        num_attention_heads=2,
        kv_lora_rank=16,
        q_lora_rank=32,
        qk_rope_head_dim=8,
        qk_nope_head_dim=8,
        v_head_dim=8,
        vocab_size=256,
    )
    facts = facts_for_config(config)
    assert facts.values["moe.num_experts"] == 8
    assert facts.values["moe.experts_per_token"] == 3
    assert "parameters.active" not in facts.values
    assert "zero-computation" in facts.undetermined["parameters.active"]
