"""Build the architecture on PyTorch's meta device: exact shapes and counts, no weights allocated.

The one build every model check shares (`architecture_facts`, `expected_state`, `loaded_model`):
the facts read from it, the state dict a checkpoint must match and the memory a load will need.
"""

from __future__ import annotations

from typing import Any

from cardkit.core.dependencies import require


def build_meta_model(config: Any) -> Any:
    """The causal-LM module tree for `config`, every tensor on the meta device."""
    torch = require("torch")  # lazy: heavy; only model checks need it
    auto = require("transformers").AutoModelForCausalLM
    with torch.device("meta"):
        # transformers leaves from_config unannotated.
        return auto.from_config(config, trust_remote_code=False)
