"""Build the architecture on PyTorch's meta device: exact shapes and counts, no weights allocated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cardkit.core.dependencies import require


@dataclass(frozen=True)
class MetaFacts:
    """What only the instantiated module tree can tell: exact counts and the layers actually built."""

    parameters: int
    normalization: str
    tied_embeddings: bool


def build_meta_model(config: Any) -> Any:
    """The causal-LM module tree for `config`, every tensor on the meta device."""
    torch = require("torch")  # lazy: heavy; only model checks need it
    auto = require("transformers").AutoModelForCausalLM
    with torch.device("meta"):
        return auto.from_config(config, trust_remote_code=False)


def count_parameters(model: Any) -> int:
    """Parameters counted once each, so tied input/output embeddings are not counted twice."""
    return sum(p.numel() for p in model.parameters())


def meta_facts(config: Any) -> MetaFacts:
    model = build_meta_model(config)
    norm_kinds = {type(m).__name__.lower() for m in model.modules() if "norm" in type(m).__name__.lower()}
    output = model.get_output_embeddings()
    tied = output is not None and output.weight is model.get_input_embeddings().weight
    return MetaFacts(
        parameters=count_parameters(model),
        normalization="rmsnorm" if any("rms" in kind for kind in norm_kinds) else "layernorm",
        tied_embeddings=tied,
    )
