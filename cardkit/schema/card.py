"""The card: the one definition of what a cardkit card holds. JSON Schema is generated from it."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from cardkit.schema.architecture import Architecture
from cardkit.schema.common import Strict
from cardkit.schema.evaluation import Evaluation
from cardkit.schema.identity import Identity
from cardkit.schema.license import License
from cardkit.schema.migrate import migrate
from cardkit.schema.prose import Prose
from cardkit.schema.tokenizer import Tokenizer
from cardkit.schema.training import Training
from cardkit.schema.usage import Usage

SCHEMA_VERSION = 3


class Card(Strict):
    """A model card as data. Every figure is checkable; every sentence exists in English and Chinese."""

    schema_version: Literal[3] = Field(
        description="Version of the card format; older versions are migrated on load (schema/migrate.py)."
    )
    config: str = Field(
        default="config.json",
        description="Path of the model's config.json, relative to the card and inside its folder.",
    )
    identity: Identity
    architecture: Architecture
    tokenizer: Tokenizer
    training: Training
    license: License
    usage: Usage
    evaluation: Evaluation | None = Field(
        default=None, description="Benchmark results, if any were published."
    )
    prose: Prose
    citation: str | None = Field(default=None, description="BibTeX for the model (one or more entries).")

    @model_validator(mode="before")
    @classmethod
    def _migrate(cls, data: Any) -> Any:
        return migrate(data)

    @field_validator("config")
    @classmethod
    def _inside_card_folder(cls, value: str) -> str:
        path = PurePosixPath(value.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or not path.parts:
            raise PydanticCustomError(
                "path_outside_card",
                "'{value}' must be a relative path inside the card's folder",
                {"value": value},
            )
        return value

    @field_validator("citation")
    @classmethod
    def _parses_as_bibtex(cls, value: str | None) -> str | None:
        from cardkit.core.citation import bibtex_problems

        if value is not None and (problems := bibtex_problems(value)):
            raise PydanticCustomError("citation_invalid", "{problems}", {"problems": "; ".join(problems)})
        return value
