"""The tokenizer the model ships with."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cardkit.schema.common import NonEmpty, PositiveInt, Strict


class SpecialTokens(Strict):
    bos: str | None = Field(default=None, description="Beginning-of-sequence token text.")
    eos: str | None = Field(default=None, description="End-of-sequence token text.")
    unk: str | None = Field(default=None, description="Unknown-token text.")
    pad: str | None = Field(default=None, description="Padding token text.")
    additional: list[NonEmpty] = Field(default_factory=list, description="Other special tokens (chat roles).")


class Tokenizer(Strict):
    name: NonEmpty = Field(description="What the tokenizer is known as, e.g. `GPT-NeoX`, `Arcade100k`.")
    type: Literal["bpe", "byte-level-bpe", "sentencepiece-bpe", "sentencepiece-unigram", "wordpiece"] = Field(
        description="Tokenization algorithm."
    )
    vocab_size: PositiveInt = Field(description="Tokens the tokenizer can emit, special tokens included.")
    special_tokens: SpecialTokens = Field(default_factory=SpecialTokens)
