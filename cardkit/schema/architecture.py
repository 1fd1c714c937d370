"""What the network is: every figure here is checked against config.json and the meta-device build."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, ValidationInfo, field_validator

from cardkit.schema.common import LocalizedText, NonEmpty, PositiveInt, Strict

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
    active: PositiveInt | None = Field(
        default=None, le=10**14, description="Mixture of experts: parameters one token uses, exactly."
    )
    source: str | None = Field(default=None, description="Where the claimed figure was published.")
    acknowledged_difference: AcknowledgedDifference | None = Field(
        default=None,
        description="Set only when the claim is a published figure that differs slightly from the "
        "architecture; validate then warns instead of failing.",
    )
    note: LocalizedText | None = Field(
        default=None, description="Anything a reader should know about the count or the size label."
    )


class RopeScaling(Strict):
    type: NonEmpty = Field(
        description="transformers `rope_type` of the scaling, e.g. `linear`, `yarn`, `llama3`."
    )
    factor: float | None = Field(default=None, gt=0, description="Context extension factor.")


class PositionalEmbedding(Strict):
    type: Literal["rotary", "alibi", "learned", "sinusoidal", "relative", "none"] = Field(
        description="How positions are encoded: `learned` absolute (GPT-2), `rotary` (RoPE), `alibi`, "
        "fixed `sinusoidal`, `relative` attention biases, or `none` (no attention layers)."
    )
    rotary_fraction: float | None = Field(
        default=None, gt=0, le=1, description="Share of each head's dimensions that rotary embedding rotates."
    )
    rope_theta: float | None = Field(default=None, gt=0, description="Rotary base frequency.")
    scaling: RopeScaling | None = Field(default=None, description="Rotary scaling for longer contexts.")


LayerIndex = Annotated[int, Field(ge=0, lt=16_777_216)]
"""A decoder layer, counted from 0 as transformers counts them (`model.layers[i]`)."""
MAX_LAYER_LIST = 65_536
"""Longest list of layer indices a card may give (the stack's own limit is far above any network)."""


class LayerPattern(Strict):
    """A block of `period` layers repeated down the stack, the last repeat possibly cut short:
    layer `i` uses the window when `i % period` is one of `sliding` (Gemma 3: period 6, sliding
    0-4, one full-attention layer in every six)."""

    period: Dimension = Field(description="Layers in the repeating block.")
    sliding: list[LayerIndex] = Field(
        min_length=1,
        max_length=MAX_LAYER_LIST,
        description="Positions in each block (from 0) whose layer uses the sliding window.",
    )

    @field_validator("sliding")
    @classmethod
    def _within_period(cls, value: list[int], info: ValidationInfo) -> list[int]:
        period = info.data.get("period")
        if value != sorted(set(value)):
            raise ValueError("positions must be increasing, each once")
        if isinstance(period, int) and value[-1] >= period:
            raise ValueError(f"position {value[-1]} is outside a block of {period} layers (positions from 0)")
        return value


LayerList = Annotated[list[LayerIndex], Field(min_length=1, max_length=MAX_LAYER_LIST)]
SlidingLayers = Literal["all"] | LayerList | LayerPattern


def sliding_layers(layers: str | list[int] | LayerPattern | dict[str, Any], num_layers: int) -> list[int]:
    """The 0-based indices of the layers `layers` names in a stack of `num_layers` (the card's
    `sliding_window.layers` or the same spelling as plain data, as the architecture facts give it)."""
    if layers == "all":
        return list(range(num_layers))
    if isinstance(layers, dict):
        try:
            layers = LayerPattern.model_validate(layers)
        except ValueError:  # not a pattern (a damaged facts cache entry): it names no layer
            return []
    if isinstance(layers, LayerPattern):
        positions = set(layers.sliding)
        return [i for i in range(num_layers) if i % layers.period in positions]
    return sorted(set(layers)) if isinstance(layers, list) else []


class SlidingWindow(Strict):
    tokens: Dimension = Field(description="Keys each query attends to in a sliding-window layer.")
    layers: SlidingLayers = Field(
        description="Which layers use the window (the rest attend fully): `all`, a list of layer "
        "indices from 0, or a repeating pattern `{period, sliding}`."
    )

    @field_validator("layers", mode="before")
    @classmethod
    def _not_a_count(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            raise ValueError(
                "a count of layers (schema_version 2) does not say which layers slide: state `all`, "
                "a list of layer indices from 0, or a pattern `{period, sliding}`"
            )
        return value

    def layer_indices(self, num_layers: int) -> list[int]:
        """The 0-based layers that use the window, in a stack of `num_layers`."""
        return sliding_layers(self.layers, num_layers)

    def layer_count(self, num_layers: int) -> int:
        """How many of `num_layers` use the window, counted without listing them (a card may
        state 16 million layers; the memory estimate must not build a list that long)."""
        if self.layers == "all":
            return num_layers
        if isinstance(self.layers, LayerPattern):
            blocks, rest = divmod(num_layers, self.layers.period)
            return blocks * len(self.layers.sliding) + sum(1 for p in self.layers.sliding if p < rest)
        return sum(1 for i in self.layers if i < num_layers)


class LatentAttention(Strict):
    """Multi-head latent attention (DeepSeek-V2/V3): projections through a low-rank latent."""

    kv_rank: Dimension | None = Field(
        default=None, description="Width of the latent keys and values are projected through, if any."
    )
    query_rank: Dimension | None = Field(
        default=None, description="Width of the latent queries are projected through, if any."
    )


class LinearBiases(Strict):
    """Which linear layers add a bias; an architecture without the layer leaves the key out."""

    qkv: bool | None = Field(default=None, description="Query, key and value projections.")
    attention_output: bool | None = Field(default=None, description="Attention output projection.")
    mlp: bool | None = Field(default=None, description="Feed-forward projections.")
    lm_head: bool | None = Field(default=None, description="Output (language-model head) projection.")


class MixtureOfExperts(Strict):
    num_experts: Dimension = Field(description="Routed experts per mixture-of-experts layer.")
    experts_per_token: Dimension = Field(description="Routed experts each token is sent to.")
    shared_experts: int | None = Field(
        default=None, ge=0, le=1024, description="Experts every token passes through besides the routed ones."
    )


class Architecture(Strict):
    """Every fact is compared with what transformers builds from config.json on the meta device.

    A fact the architecture does not have (heads of a state-space model, an MLP bias of a model
    without MLP) is left out; validate reports a stated fact the built model contradicts at its line.
    """

    model_type: str = Field(min_length=1, description="transformers `model_type` (`llama`, `falcon`, ...).")
    parameters: Parameters
    hidden_size: Dimension = Field(description="Width of the residual stream (d_model).")
    num_layers: Dimension = Field(description="Number of decoder blocks.")
    layer_types: dict[NonEmpty, Dimension] | None = Field(
        default=None,
        description="For hybrid stacks: how many layers of each kind (transformers' layer type or "
        "block class).",
    )
    num_attention_heads: Dimension | None = Field(
        default=None, description="Query heads per attention layer."
    )
    num_kv_heads: Dimension | None = Field(
        default=None,
        description="Key/value heads per layer; equal to the query heads unless GQA (fewer) or MQA (1).",
    )
    head_dim: Dimension | None = Field(default=None, description="Width of one attention head.")
    latent_attention: LatentAttention | None = Field(
        default=None, description="Multi-head latent attention ranks, if keys and values pass a latent."
    )
    sliding_window: SlidingWindow | None = Field(
        default=None, description="Sliding-window attention, if any."
    )

    intermediate_size: Dimension | None = Field(
        default=None, description="Hidden width of the dense feed-forward block."
    )
    gated_mlp: bool | None = Field(default=None, description="Feed-forward block is gated (SwiGLU, GeGLU).")
    moe: MixtureOfExperts | None = Field(default=None, description="Mixture of experts, if the model routes.")
    vocab_size: Dimension = Field(
        description="Rows of the embedding matrix; may exceed the tokenizer's vocabulary (padding)."
    )
    max_position_embeddings: Dimension | None = Field(
        default=None, description="Position limit of the architecture (config `max_position_embeddings`)."
    )
    context_length: Dimension | None = Field(
        default=None, description="Context length as the developers publish it, if they do."
    )
    positional_embedding: PositionalEmbedding | None = Field(
        default=None, description="Position encoding; leave out only when cardkit cannot determine it."
    )
    normalization: NonEmpty | None = Field(
        default=None, description="Normalisation layer type: `layernorm`, `rmsnorm`, or the class name."
    )
    norm_placement: Literal["pre", "post"] | None = Field(
        default=None, description="Norm before each sublayer (`pre`) or after the residual sum (`post`)."
    )
    qk_normalization: bool | None = Field(
        default=None, description="Whether queries and keys are normalised."
    )
    activation: NonEmpty | None = Field(
        default=None, description="Feed-forward activation, as transformers names it (`silu`, `gelu_new`)."
    )
    parallel_residual: bool | None = Field(
        default=None, description="Attention and MLP computed in parallel from the same input."
    )
    parallel_norms: Literal["shared", "separate"] | None = Field(
        default=None, description="In a parallel block: one norm feeds both branches, or one each."
    )
    linear_biases: LinearBiases | None = Field(default=None, description="Which linear layers carry a bias.")
    tied_embeddings: bool = Field(description="Input embedding and output projection share one matrix.")

    @field_validator("sliding_window")
    @classmethod
    def _layers_in_stack(cls, value: SlidingWindow | None, info: ValidationInfo) -> SlidingWindow | None:
        """The window's layers exist in this stack: an index past `num_layers` (counted from 0) is
        an off-by-one or a copied card, and would otherwise pass `--no-model` silently."""
        layers = info.data.get("num_layers")
        if value is None or not isinstance(layers, int):
            return value
        if isinstance(value.layers, list):
            if value.layers != sorted(set(value.layers)):
                raise ValueError("sliding_window.layers must be increasing, each layer once")
            if value.layers[-1] >= layers:
                raise ValueError(
                    f"sliding_window.layers names layer {value.layers[-1]}, but layers count from 0 "
                    f"and num_layers is {layers}"
                )
        elif isinstance(value.layers, LayerPattern) and not value.layer_count(layers):
            raise ValueError(f"sliding_window.layers names no layer of a stack of {layers}")
        return value
