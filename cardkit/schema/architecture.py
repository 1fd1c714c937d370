"""What the network is: every figure here is checked against config.json and the meta-device build."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from cardkit.schema.common import LocalizedText, PositiveInt, Strict

Dimension = Annotated[int, Field(gt=0, le=16_777_216)]
"""Any width, count or length of a real network fits well below 2^24; larger is a typo or an attack."""

SizeLabel = Annotated[
    str,
    StringConstraints(pattern=r"^\d+(\.\d+)?[MB]$"),
    Field(description="The rounded size the model is known by, e.g. `3B`, `1.6B`, `410M`."),
]


class AcknowledgedDifference(Strict):
    """A published parameter figure that the architecture does not reproduce, with the reason."""

    amount: int = Field(description="Computed minus claimed parameters, exactly as validate reports it.")
    reason: LocalizedText = Field(description="Why the published figure differs from the architecture.")


class Parameters(Strict):
    count: PositiveInt = Field(
        le=10**14, description="Exact number of parameters the card claims (tied weights once)."
    )
    label: SizeLabel
    source: str | None = Field(default=None, description="Where the claimed figure was published.")
    acknowledged_difference: AcknowledgedDifference | None = Field(
        default=None,
        description="Set only when the claim is a published figure that differs slightly from the "
        "architecture; validate then warns instead of failing.",
    )
    note: LocalizedText | None = Field(
        default=None, description="Anything a reader should know about the count or the size label."
    )


class PositionalEmbedding(Strict):
    type: Literal["rotary", "alibi", "learned", "none"] = Field(description="How positions are encoded.")
    rotary_fraction: float | None = Field(
        default=None, gt=0, le=1, description="Share of each head's dimensions that rotary embedding rotates."
    )
    rope_theta: float | None = Field(default=None, gt=0, description="Rotary base frequency.")


class Architecture(Strict):
    model_type: str = Field(min_length=1, description="transformers `model_type` (`llama`, `falcon`, ...).")
    parameters: Parameters
    hidden_size: Dimension = Field(description="Width of the residual stream (d_model).")
    num_layers: Dimension = Field(description="Number of decoder blocks.")
    num_attention_heads: Dimension = Field(description="Query heads per layer.")
    num_kv_heads: Dimension = Field(
        description="Key/value heads per layer; equal to the query heads unless GQA or MQA is used."
    )
    intermediate_size: Dimension = Field(description="Hidden width of the feed-forward block.")
    vocab_size: Dimension = Field(
        description="Rows of the embedding matrix; may exceed the tokenizer's vocabulary (padding)."
    )
    max_sequence_length: Dimension = Field(description="Longest context in tokens the model was built for.")
    positional_embedding: PositionalEmbedding
    normalization: Literal["layernorm", "rmsnorm"] = Field(description="Normalisation layer type.")
    qk_normalization: bool = Field(default=False, description="Whether queries and keys are normalised.")
    activation: Literal["gelu", "gelu_new", "silu", "relu"] = Field(
        description="Activation of the feed-forward block (`silu` for SwiGLU blocks)."
    )
    parallel_residual: bool = Field(
        default=False, description="Attention and MLP computed in parallel from the same input."
    )
    tied_embeddings: bool = Field(description="Input embedding and output projection share one matrix.")
