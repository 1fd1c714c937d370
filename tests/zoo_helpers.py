"""Filling a `cardkit new` draft mechanically, for the zoo and the per-architecture tests: every
TODO a human would answer gets a plain value that passes the schema, nothing else changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

FILL: dict[str, Any] = {
    "repo_id": "example/zoo-model",
    "name": "Zoo model",
    "developer": "Example",
    "family": "Zoo",
    "variant": "base",
    "languages": ["en"],
    "label": "1B",
    "stage": "pretraining",
    "datasets": "not published",
    "precision": "not published",
    "id": "apache-2.0",
    "example_prompt": "Hello",
    "requirements": ["torch", "transformers"],
    "rotary_fraction": 1.0,
    "positional_embedding": {"type": "none"},
    "num_experts": 1,
    "experts_per_token": 1,
    "code": "from transformers import AutoModelForCausalLM\n\n"
    'AutoModelForCausalLM.from_pretrained("example/zoo-model")\n',
}


def fill(value: Any, key: str, arch: dict[str, Any]) -> Any:
    if isinstance(value, dict) and list(value) == ["TODO"]:
        if key in FILL:
            return FILL[key]
        if key == "vocab_size":
            return arch["vocab_size"]
        if key in ("en", "zh"):
            return "Text." if key == "en" else "文本。"
        if key == "type":
            return "bpe"
        return "Example"
    if isinstance(value, dict):
        return {k: fill(v, k, arch) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, key, arch) for v in value]
    return value



def draft_and_fill(config_json: Path, card: Path) -> dict[str, Any]:
    """Draft `card` from `config_json` with `cardkit new`, fill its TODOs and write it; the data."""
    from cardkit.importing.new_card import draft_from_config

    text = draft_from_config(config_json, None, card)
    data = yaml.safe_load(text)
    filled = fill(data, "", data["architecture"])
    header = text.splitlines()[0]
    body = yaml.safe_dump(filled, sort_keys=False, allow_unicode=True, width=10_000)
    card.write_text(header + "\n" + body, encoding="utf-8")
    return filled


def first_line(exc: Exception) -> str:
    """The first line of transformers' message that says something (an ImportError's starts blank)."""
    return next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
