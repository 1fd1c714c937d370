"""`cardkit import`: draft a card from an existing README, filling only what the README or config states.

Nothing is guessed: every field the README does not state is a TODO placeholder (`draft`), which
`cardkit validate` reports at its line until someone fills it.

Sources, in order of trust: config.json (architecture figures), Hub front matter and model-index
(identity, licence, datasets, evaluation), tables (architecture, hyperparameters, compute), text
(hardware, precision, requirements), code blocks (snippets, example prompt, generation settings) and
BibTeX blocks (citation). Damage `cardkit lint` reports (mirror hosts) is undone, never copied.

One module per part of the draft: `metadata` (front matter, model-index), `identity` (and licence),
`architecture` (and tokenizer), `training`, `usage` (and citation), `evaluation`; `draft` holds the
placeholders and the YAML writer. The README is read by `cardkit.readme`, as lint reads it.
"""

from __future__ import annotations

from typing import Any

from cardkit.core.facts import ConfigReading
from cardkit.importing.architecture import draft_architecture, draft_tokenizer
from cardkit.importing.draft import Draft, draft_yaml, is_todo, todo, todo_text
from cardkit.importing.evaluation import draft_evaluation
from cardkit.importing.identity import draft_identity, draft_license, repo_from_snippets
from cardkit.importing.labelled import fill_labelled
from cardkit.importing.metadata import front_matter
from cardkit.importing.training import draft_training
from cardkit.importing.usage import draft_citation, draft_usage
from cardkit.readme.claims import commercial_terms, prose_sections
from cardkit.readme.parse import parse


def import_card(
    text: str,
    config: dict[str, Any] | None = None,
    repo_id: str | None = None,
    reading: ConfigReading | None = None,
) -> Draft:
    """A draft card (plain data, schema key order) from README text and the model's config.json;
    `reading` is what transformers says about the config (cardkit.validate.facts_cache.reading_for),
    without which only its literal keys are copied."""
    doc = parse(text, "README.md", config, repo_id, reading=reading)
    meta = front_matter(doc)
    if not doc.identity.family:  # a family card's snippets load its members: none is "the" repo
        doc.repo_id = doc.repo_id or repo_from_snippets(doc)
    draft: Draft = {"schema_version": 3, "config": "config.json"}  # schema.SCHEMA_VERSION; no pydantic here
    draft["identity"] = draft_identity(doc, meta)
    draft["architecture"] = draft_architecture(doc)
    draft["tokenizer"] = draft_tokenizer(doc)
    draft["training"] = draft_training(doc, meta)
    draft["license"] = draft_license(doc, meta)
    draft["usage"] = draft_usage(doc)
    if evaluation := draft_evaluation(doc, meta):
        draft["evaluation"] = evaluation
    sections = prose_sections(doc)
    draft["prose"] = {
        name: {**todo_text(f"{name.replace('_', ' ')} section"), **sections.get(name, {})}
        for name in ("summary", "intended_use", "out_of_scope_use", "limitations", "bias")
    }
    if "acknowledgements" in sections:
        draft["prose"]["acknowledgements"] = sections["acknowledgements"]
    draft["license"]["commercial_use"].update(sections.get("commercial_use") or commercial_terms(doc))
    draft["citation"] = draft_citation(doc)
    fill_labelled(doc, draft)
    return draft


__all__ = ["Draft", "draft_yaml", "front_matter", "import_card", "is_todo", "todo", "todo_text"]
