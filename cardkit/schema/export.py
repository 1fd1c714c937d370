"""The JSON Schema of a card, generated from the Pydantic models (never written by hand)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cardkit.schema import SCHEMA_VERSION, Card

SCHEMA_PATH = Path("schemas") / "card.schema.json"


def card_schema() -> dict[str, Any]:
    schema = Card.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://cardkit.dev/schemas/card-v{SCHEMA_VERSION}.schema.json",
        **schema,
    }


def schema_text() -> str:
    return json.dumps(card_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    from cardkit.core.atomic import write_text_atomic

    write_text_atomic(path, schema_text())
    return path
