"""The licence, restricted to the identifiers the Hugging Face Hub understands."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from cardkit.schema.common import LocalizedText, NonEmpty, Strict

HUB_LICENSE_IDS = frozenset(
    """
    apache-2.0 mit openrail bigscience-openrail-m creativeml-openrail-m bigscience-bloom-rail-1.0
    bigcode-openrail-m afl-3.0 artistic-2.0 bsl-1.0 bsd bsd-2-clause bsd-3-clause bsd-3-clause-clear
    c-uda cc cc0-1.0 cc-by-2.0 cc-by-2.5 cc-by-3.0 cc-by-4.0 cc-by-sa-3.0 cc-by-sa-4.0 cc-by-nc-2.0
    cc-by-nc-3.0 cc-by-nc-4.0 cc-by-nd-4.0 cc-by-nc-nd-3.0 cc-by-nc-nd-4.0 cc-by-nc-sa-2.0
    cc-by-nc-sa-3.0 cc-by-nc-sa-4.0 cdla-sharing-1.0 cdla-permissive-1.0 cdla-permissive-2.0 wtfpl
    ecl-2.0 epl-1.0 epl-2.0 etalab-2.0 eupl-1.1 eupl-1.2 agpl-3.0 gfdl gpl gpl-2.0 gpl-3.0 lgpl
    lgpl-2.1 lgpl-3.0 isc h-research intel-research lppl-1.3c ms-pl apple-ascl apple-amlr mpl-2.0
    odc-by odbl openmdw-1.0 openrail++ osl-3.0 postgresql ofl-1.1 ncsa unlicense zlib pddl lgpl-lr
    deepfloyd-if-license fair-noncommercial-research-license llama2 llama3 llama3.1 llama3.2 llama3.3
    llama4 gemma unknown other
    """.split()
)
"""Licence ids the Hub accepts in `license:` (huggingface.co/docs/hub/repositories-licenses)."""


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
