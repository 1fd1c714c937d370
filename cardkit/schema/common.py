"""Building blocks shared by every part of the card schema."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class Strict(BaseModel):
    """Base for every card model: unknown keys are errors, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=False)]
RepoId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$"),
    Field(description="A Hugging Face Hub repository id, `owner/name`."),
]
PositiveInt = Annotated[int, Field(gt=0)]


class LocalizedText(Strict):
    """Prose in both languages of the card. Both are required: a half-translated card is an error."""

    en: NonEmpty = Field(description="English text (Markdown allowed).")
    zh: NonEmpty = Field(
        description="Simplified Chinese text (Markdown allowed); Traditional Chinese is derived from it."
    )
