"""How to run the model: snippets, prompt format and the generation settings it was tuned for."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from cardkit.schema.common import LocalizedText, NonEmpty, PositiveInt, Strict


class Snippet(Strict):
    title: LocalizedText
    language: Literal["python", "bash"] = Field(default="python", description="Language of the code.")
    code: NonEmpty = Field(description="Complete, runnable code; checked to parse and to load this repo.")
    requirements: list[NonEmpty] = Field(
        default_factory=list,
        description="pip requirements this snippet needs beyond `usage.requirements` (e.g. `flash-attn`).",
    )


class PromptFormat(Strict):
    template: NonEmpty = Field(
        description="Prompt layout with `{system}` and `{prompt}` placeholders, e.g. "
        "`<|SYSTEM|>{system}<|USER|>{prompt}<|ASSISTANT|>`."
    )
    system_prompt: str | None = Field(
        default=None, description="Default system prompt, filled into `{system}`."
    )

    @field_validator("template")
    @classmethod
    def _has_prompt_slot(cls, value: str) -> str:
        if "{prompt}" not in value:
            raise PydanticCustomError("prompt_template_slot", "prompt template has no `{prompt}` placeholder")
        return value


class Generation(Strict):
    do_sample: bool = Field(default=True, description="Sample (true) or decode greedily (false).")
    temperature: float | None = Field(default=None, gt=0, le=5, description="Sampling temperature.")
    top_p: float | None = Field(default=None, gt=0, le=1, description="Nucleus sampling threshold.")
    top_k: PositiveInt | None = Field(default=None, description="Sample from the k most likely tokens.")
    max_new_tokens: PositiveInt = Field(default=64, le=1_000_000, description="Tokens generated at most.")
    repetition_penalty: float | None = Field(default=None, gt=0, description="Penalty for repeated tokens.")


class Usage(Strict):
    requirements: list[NonEmpty] = Field(
        default_factory=list,
        description="pip requirements of every snippet, with minimum versions (`transformers>=4.56.0`); "
        "checked against what the snippets' code uses.",
    )
    example_prompt: NonEmpty = Field(
        description="A prompt used in examples and in the generation smoke test."
    )
    prompt_format: PromptFormat | None = Field(default=None, description="For tuned models: the chat layout.")
    stop_tokens: list[NonEmpty] = Field(
        default_factory=list, description="Token texts that end a reply; must exist in the vocabulary."
    )
    generation: Generation = Field(default_factory=Generation)
    snippets: list[Snippet] = Field(min_length=1, description="Get-started code, shown in the README.")
