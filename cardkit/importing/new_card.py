"""`cardkit new`: a card drafted from config.json, with every fact transformers can give filled in.

The architecture comes from `architecture_facts` (config class and meta-device build), so it is
exactly what validate will check; the tokenizer's vocabulary from its own files when a folder is
given. What only people know (names, licence, prose, training) is written as `{TODO: hint}`, a
mapping no schema field accepts, so validate reports each at its line with the code `todo` until
it is filled. Nothing is invented: a fact cardkit cannot determine is a TODO too, or left out.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cardkit.card.dump import SCHEMA_COMMENT
from cardkit.core.errors import UsageError
from cardkit.core.facts import ArchitectureFacts, ConfigReading
from cardkit.core.safe_io import UnreadableFile, read_text_bounded
from cardkit.importing.facts_draft import architecture_draft
from cardkit.importing.readme import draft_yaml, is_todo, todo, todo_text
from cardkit.schema import SCHEMA_VERSION
from cardkit.validate import facts_cache

SCHEMA_FILE = Path(__file__).resolve().parent.parent.parent / "schemas" / "card.schema.json"
SCHEMA_URL = f"https://cardkit.dev/schemas/card-v{SCHEMA_VERSION}.schema.json"
MAX_TOKENIZER_BYTES = 64 * 1024 * 1024
"""tokenizer.json of the largest vocabularies (250k tokens) is about 20 MiB."""


def schema_line(card_folder: Path) -> str:
    """The editor's `$schema` comment, relative to the folder the card is written to."""
    if SCHEMA_FILE.is_file():
        target = os.path.relpath(SCHEMA_FILE, card_folder.resolve()).replace(os.sep, "/")
    else:
        target = SCHEMA_URL
    return f"{SCHEMA_COMMENT}{target}\n"


def tokenizer_draft(folder: Path | None) -> dict[str, Any]:
    """Vocabulary size and special tokens from tokenizer.json; the rest is the developer's to say."""
    draft: dict[str, Any] = {
        "name": todo("what the tokenizer is known as"),
        "type": todo("bpe | byte-level-bpe | sentencepiece-bpe | sentencepiece-unigram | wordpiece"),
        "vocab_size": todo("tokens the tokenizer emits, special tokens included"),
    }
    if folder is None:
        return draft
    path = folder / "tokenizer.json"
    try:
        data = json.loads(read_text_bounded(path, MAX_TOKENIZER_BYTES))
    except (UnreadableFile, OSError, ValueError) as exc:
        raise UsageError(f"{path}: cannot read the tokenizer ({exc})") from exc
    model = data.get("model") if isinstance(data, dict) else None
    vocab = model.get("vocab") if isinstance(model, dict) else None
    if isinstance(model, dict) and isinstance(vocab, dict | list):
        # Only the shapes tokenizer.json has count: a stray type here is no reason to stop the draft.
        listed = data.get("added_tokens")
        listed = listed if isinstance(listed, list) else []
        added = [t for t in listed if isinstance(t, dict) and "content" in t]
        ids = {t.get("id") for t in added if isinstance(t.get("id"), int | None)}
        in_vocab = {v for v in vocab.values() if isinstance(v, int)} if isinstance(vocab, dict) else set()
        draft["vocab_size"] = len(vocab) + len(ids - in_vocab)
        kind = model.get("type")
        if kind == "WordPiece":
            draft["type"] = "wordpiece"
        elif kind == "Unigram":
            draft["type"] = "sentencepiece-unigram"
    return draft


HUMAN_SECTIONS = ("identity", "training", "license", "usage", "evaluation", "prose", "citation")
"""Sections only people can write: `--from README.md` takes them from the importer's draft."""


def _merge_readme(data: dict[str, Any], imported: dict[str, Any]) -> None:
    """The README's statements where it has them; the architecture stays transformers' reading,
    except the size label, which is the developers' name for the model."""
    for section in HUMAN_SECTIONS:
        if section in imported:
            data[section] = imported[section]
    label = imported.get("architecture", {}).get("parameters", {}).get("label")
    if label is not None and not is_todo(label):
        data["architecture"]["parameters"]["label"] = label
    stated = imported.get("tokenizer", {})
    for key, value in stated.items():
        if not is_todo(value) and is_todo(data["tokenizer"].get(key)):
            data["tokenizer"][key] = value


def new_card(
    facts: ArchitectureFacts,
    config_rel: str,
    tokenizer: Path | None,
    card_folder: Path,
    imported: dict[str, Any] | None = None,
) -> str:
    """The draft card's YAML text; `imported` is `cardkit.importing.readme.import_card`'s README draft."""
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "config": config_rel,
        "identity": {
            "repo_id": todo("owner/name on the Hub"),
            "name": todo("display name"),
            "developer": todo("who built the model"),
            "family": todo("model family"),
            "variant": todo("base | instruct | chat"),
            "languages": todo("ISO 639 codes, e.g. [en]"),
        },
        "architecture": architecture_draft(facts),
        "tokenizer": tokenizer_draft(tokenizer),
        "training": {
            "stage": todo("pretraining | fine-tuning"),
            "summary": todo_text("training data and procedure"),
            "datasets": todo("datasets used, or `not published`"),
            "precision": todo(
                "float32 | float16 | bfloat16 | mixed-float16 | mixed-bfloat16 | not published"
            ),
        },
        "license": {
            "id": todo("Hub licence id"),
            "name": todo("licence name"),
            "commercial_use": todo_text("whether and how commercial use is allowed"),
        },
        "usage": {
            "example_prompt": todo("a prompt for examples and the smoke test"),
            "requirements": todo("pip requirements with minimum versions, e.g. transformers>=4.56.0"),
            "snippets": [{"title": todo_text("snippet title"), "code": todo("runnable get-started code")}],
        },
        "prose": {
            name: todo_text(f"{name.replace('_', ' ')} section")
            for name in ("summary", "intended_use", "out_of_scope_use", "limitations", "bias")
        },
    }
    if imported is not None:
        _merge_readme(data, imported)
    text = draft_yaml(data)
    body = text.split("\n", 1)[1] if text.startswith(SCHEMA_COMMENT) else text
    return schema_line(card_folder) + body


def draft_from_config(
    config: Path, tokenizer: Path | None, out: Path | None, readme: Path | None = None
) -> str:
    """Read `config` through transformers, build it on the meta device and draft the card for `out`
    (or for the current folder when printing). Raises UsageError for input it cannot use."""
    from cardkit.model.architecture_facts import facts_for_config  # lazy: imports torch
    from cardkit.model.model_config import build_config, read_config_json

    card_folder = (out.parent if out is not None else Path.cwd()).resolve()
    try:
        config_rel = Path(os.path.relpath(config.resolve(), card_folder)).as_posix()
    except ValueError:  # another drive on Windows
        config_rel = ".."
    if config_rel.startswith(".."):
        raise UsageError(f"{config}: a card refers to the config.json in its own folder; write it next to it")
    data, findings = read_config_json(config, str(config))
    if data is None:
        raise UsageError("; ".join(f"{f.file}: {f.message}" for f in findings))
    try:
        built, findings = build_config(data, str(config))
    except Exception as exc:
        raise UsageError(f"{config}: transformers rejects the config: {exc}") from exc
    if built is None:
        raise UsageError("; ".join(f"{f.file}: {f.message}" for f in findings))
    facts = facts_for_config(built)
    imported = None
    if readme is not None:
        from cardkit.importing.readme import import_card
        from cardkit.readme.files import read_readme

        imported = import_card(read_readme(readme), data, reading=ConfigReading(facts, native=True))
    facts_cache.store(facts_cache.cache_key(data), facts, findings)  # validate will not rebuild it
    return new_card(facts, config_rel, tokenizer, card_folder, imported)
