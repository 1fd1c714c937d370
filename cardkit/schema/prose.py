"""The card's bilingual prose, section by section of the Hub model card template."""

from __future__ import annotations

from pydantic import Field

from cardkit.schema.common import LocalizedText, Strict


class Prose(Strict):
    summary: LocalizedText = Field(description="One paragraph: what the model is and what it is for.")
    intended_use: LocalizedText = Field(description="Who should use the model, and for what.")
    out_of_scope_use: LocalizedText = Field(description="Uses the model is not meant or fit for.")
    limitations: LocalizedText = Field(description="Known technical limitations.")
    bias: LocalizedText = Field(description="Bias, risks and what users should do about them.")
    acknowledgements: LocalizedText | None = Field(default=None, description="People and projects to thank.")
