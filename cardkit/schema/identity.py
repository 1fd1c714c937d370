"""Who the model is: names, lineage, languages and how to reach its developers."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from cardkit.schema.common import NonEmpty, RepoId, Strict

LanguageCode = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"),
    Field(description="An ISO 639 language code as the Hub expects it (`en`, `zh`, `de`)."),
]
Email = Annotated[
    str,
    StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"),
    Field(description="A plain e-mail address."),
]


class Identity(Strict):
    repo_id: RepoId = Field(description="Where the model is published on the Hub, `owner/name`.")
    name: NonEmpty = Field(description="Display name, as the developer writes it.")
    developer: NonEmpty = Field(description="Organisation or people who built the model.")
    family: NonEmpty = Field(description="Model family, e.g. `StableLM`, `Falcon`, `Llama 2`.")
    variant: Literal["base", "instruct", "chat"] = Field(
        description="`base` for a pretrained model, `instruct`/`chat` for a tuned one."
    )
    languages: list[LanguageCode] = Field(min_length=1, description="Languages the model was trained for.")
    base_model: RepoId | None = Field(
        default=None, description="Repo id of the model this one was fine-tuned from; required unless base."
    )
    contact: Email | None = Field(default=None, description="Where questions about the model go.")
    release_date: datetime.date | None = Field(default=None, description="First public release.")
    pipeline_tag: Literal["text-generation"] = Field(
        default="text-generation", description="The Hub pipeline the model serves."
    )
    library_name: Literal["transformers"] = Field(
        default="transformers", description="The library that loads the checkpoint."
    )
    tags: list[NonEmpty] = Field(default_factory=list, description="Extra Hub tags.")
