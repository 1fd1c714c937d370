"""The licence, restricted to the identifiers the Hugging Face Hub understands."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from cardkit.core.hub_ids import HUB_LICENSE_IDS
from cardkit.schema.common import LocalizedText, NonEmpty, Strict

__all__ = ["HUB_LICENSE_IDS", "License"]


class License(Strict):
    id: str = Field(description="Hub licence identifier, e.g. `apache-2.0`; `other` needs a name and url.")
    name: NonEmpty = Field(description="Full licence name, as a reader would look it up.")
    url: str | None = Field(default=None, pattern=r"^https://", description="Where the licence text is.")
    commercial_use: LocalizedText = Field(description="Whether and how the model may be used commercially.")

    @field_validator("id")
    @classmethod
    def _known_to_hub(cls, value: str) -> str:
        if value not in HUB_LICENSE_IDS:
            raise PydanticCustomError(
                "license_unknown",
                "'{value}' is not a Hub licence id; use one of the Hub's ids or `other` with a name and url",
                {"value": value},
            )
        return value

    @model_validator(mode="after")
    def _other_needs_url(self) -> License:
        if self.id == "other" and self.url is None:
            raise PydanticCustomError("license_other_url", "licence `other` needs a `url` to its text")
        return self
