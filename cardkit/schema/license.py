"""The licence, restricted to the identifiers the Hugging Face Hub understands."""

from __future__ import annotations

import re

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
    slug: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$",
        description="The Hub's `license_name` for an `other` licence: lowercase words joined by hyphens "
        "(e.g. `stabilityai-community`); derived from `name` when absent.",
    )
    requires_acceptance: bool | None = Field(
        default=None,
        description="Whether users must accept the licence before they download the weights (the Hub's "
        "gated access, with `extra_gated_*` front matter). Default: true for the Hub ids whose terms "
        "require it (the Llama and Gemma licences), which cannot set it false; false otherwise.",
    )

    @property
    def hub_name(self) -> str:
        """`license_name` as the Hub spells one: the slug, else the name in lowercase-hyphenated form."""
        return self.slug or slugify(self.name)

    @property
    def acceptance_required(self) -> bool:
        if self.requires_acceptance is not None:
            return self.requires_acceptance
        return self.id in ACCEPTANCE_REQUIRED_IDS

    @model_validator(mode="after")
    def _gating_and_slug(self) -> License:
        if self.requires_acceptance is False and self.id in ACCEPTANCE_REQUIRED_IDS:
            raise PydanticCustomError(
                "license_acceptance",
                "the `{id}` licence must be accepted before download; drop `requires_acceptance: false`",
                {"id": self.id},
            )
        if self.slug is not None and self.id != "other":
            raise PydanticCustomError(
                "license_slug", "`slug` names an `other` licence; `{id}` is the Hub's own id", {"id": self.id}
            )
        if self.id == "other" and not self.hub_name:
            raise PydanticCustomError(
                "license_slug", "give `slug`: the name has no letters or digits to make one from"
            )
        return self

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


ACCEPTANCE_REQUIRED_IDS = frozenset(
    {"llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4", "gemma"}
)
"""Hub licence ids whose terms users accept before download (their Hub repos are gated)."""


def slugify(name: str) -> str:
    """`Stability AI Community License` -> `stability-ai-community-license` (Hub `license_name` style)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
