"""Who the model is: names, lineage, languages and how to reach its developers."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from cardkit.schema.common import NonEmpty, RepoId, Strict

LanguageCode = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"),
    Field(description="An ISO 639 language code as the Hub expects it (`en`, `zh`, `de`)."),
]
_EMAIL = r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}"
_HTTPS = r"https://[^\s<>]+"
HttpsUrl = Annotated[
    str,
    StringConstraints(pattern=rf"^{_HTTPS}$"),
    Field(description="An `https://` address, without spaces or angle brackets."),
]
Contact = Annotated[
    str,
    StringConstraints(pattern=rf"^(?:{_EMAIL}|{_HTTPS})$"),
    Field(description="An e-mail address, or the `https://` address of an issue tracker or contact form."),
]
"""One pattern, not `Email | HttpsUrl`: a union would report errors at `contact.constrained-str`."""


class Sources(Strict):
    """Where the model's own documents are: the Hub template's "Model Sources". Each is optional, and
    the README lists only the ones the card states (a missing one is unknown, not absent)."""

    paper: HttpsUrl | None = Field(default=None, description="The paper that describes the model.")
    technical_report: HttpsUrl | None = Field(
        default=None, description="The developer's technical report, when it is not a paper."
    )
    repository: HttpsUrl | None = Field(
        default=None, description="The code repository (training code, configs), not the Hub repo."
    )
    demo: HttpsUrl | None = Field(default=None, description="A page where the model can be tried.")
    results: HttpsUrl | None = Field(
        default=None,
        description="Where the developers point readers for evaluation results the card does not state "
        "(a leaderboard, a report); the Evaluation section links it.",
    )

    @model_validator(mode="after")
    def _some_source(self) -> Sources:
        if not any(getattr(self, name) for name in type(self).model_fields):
            raise PydanticCustomError("sources_empty", "name at least one source, or leave `sources` out")
        return self


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
    contact: Contact | None = Field(
        default=None,
        description="Where questions about the model go: an e-mail address, or the address of the "
        "developer's issue tracker or contact form.",
    )
    sources: Sources | None = Field(
        default=None, description="Paper, technical report, code repository and demo of the model."
    )
    release_date: datetime.date | None = Field(default=None, description="First public release.")
    pipeline_tag: Literal["text-generation"] = Field(
        default="text-generation", description="The Hub pipeline the model serves."
    )
    library_name: Literal["transformers"] = Field(
        default="transformers", description="The library that loads the checkpoint."
    )
    tags: list[NonEmpty] = Field(default_factory=list, description="Extra Hub tags.")
