"""Tiny real checkpoints, one per card, built at test time: the same code paths as a real model.

Each is the card's own config.json scaled down (hidden 64, 2 layers, the card's query/KV head ratio,
a 512-row embedding), saved with `save_pretrained`, next to a byte-level BPE tokenizer trained with
`tokenizers` on the cards' own prose, carrying the card's special and stop tokens. A matching card
is the real card.yaml with its architecture numbers patched; its parameter count is the tiny
model's own `sum(numel)`, never a figure computed by cardkit.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import torch
import yaml
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast
from transformers.models.auto.configuration_auto import CONFIG_MAPPING

from cardkit.card.dump import dump_card
from cardkit.schema import Card
from tests.helpers import CARDS_DIR, SLUGS

HIDDEN = 64
LAYERS = 2
VOCAB = 512
TOKENIZER_VOCAB = 420
KV_KEYS = ("num_key_value_heads", "num_kv_heads")


@dataclass(frozen=True)
class TinyModel:
    slug: str
    card: Path
    checkpoint: Path
    parameters: int
    num_attention_heads: int
    num_kv_heads: int


def card_data(slug: str) -> dict[str, Any]:
    return yaml.safe_load((CARDS_DIR / slug / "card.yaml").read_text(encoding="utf-8"))


def special_tokens(card: dict[str, Any]) -> list[str]:
    """Every special and stop token the card names, in a stable order, each once."""
    special = card["tokenizer"].get("special_tokens", {})
    names = [special.get(key) for key in ("bos", "eos", "unk", "pad")] + special.get("additional", [])
    names += card["usage"].get("stop_tokens", [])
    return list(dict.fromkeys(name for name in names if name))


def corpus() -> list[str]:
    """A few hundred words of English: the cards' own summaries and example prompts."""
    texts = []
    for slug in SLUGS:
        card = card_data(slug)
        texts.append(card["usage"]["example_prompt"])
        texts += [
            value["en"] for value in card["prose"].values() if isinstance(value, dict) and "en" in value
        ]
    return texts


def train_tokenizer(card: dict[str, Any]) -> PreTrainedTokenizerFast:
    specials = special_tokens(card)
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=TOKENIZER_VOCAB,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(corpus(), trainer)
    special = card["tokenizer"].get("special_tokens", {})
    named = {f"{key}_token": special[key] for key in ("bos", "eos", "unk", "pad") if special.get(key)}
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, extra_special_tokens=special.get("additional", []), **named
    )


def head_counts(data: dict[str, Any]) -> tuple[int, int]:
    """Query and KV heads keeping the card's ratio: 1 KV head per 4 query heads stays 1 per 4."""
    heads = data.get("num_attention_heads") or data["n_head"]
    kv = next((data[key] for key in KV_KEYS if data.get(key)), heads)
    ratio = heads // kv
    tiny_kv = max(1, 4 // ratio)
    return tiny_kv * ratio, tiny_kv


def tiny_config(slug: str, tokenizer: PreTrainedTokenizerFast) -> dict[str, Any]:
    data = json.loads((CARDS_DIR / slug / "config.json").read_text(encoding="utf-8"))
    heads, kv = head_counts(data)
    data.update(hidden_size=HIDDEN, num_hidden_layers=LAYERS, num_attention_heads=heads, vocab_size=VOCAB)
    for key in KV_KEYS:
        if key in data:
            data[key] = kv
    if "intermediate_size" in data:
        data["intermediate_size"] = 2 * HIDDEN
    data["bos_token_id"] = tokenizer.bos_token_id
    data["eos_token_id"] = tokenizer.eos_token_id
    data.pop("auto_map", None)
    return data


def tiny_card(slug: str, config: dict[str, Any], parameters: int, tokenizer_size: int) -> str:
    """The real card with the architecture numbers of the tiny model."""
    data = card_data(slug)
    arch = data["architecture"]
    heads, kv = config["num_attention_heads"], next((config[k] for k in KV_KEYS if k in config), None)
    arch.update(
        hidden_size=HIDDEN,
        num_layers=LAYERS,
        num_attention_heads=heads,
        num_kv_heads=kv or heads,
        head_dim=HIDDEN // heads,
        intermediate_size=config.get("intermediate_size", 4 * HIDDEN),
        vocab_size=VOCAB,
    )
    arch["parameters"]["count"] = parameters
    arch["parameters"].pop("acknowledged_difference", None)
    data["tokenizer"]["vocab_size"] = tokenizer_size
    return dump_card(Card.model_validate(data))


def build_tiny(slug: str, root: Path) -> TinyModel:
    card = card_data(slug)
    tokenizer = train_tokenizer(card)
    config_data = tiny_config(slug, tokenizer)
    config = CONFIG_MAPPING[config_data["model_type"]].from_dict(config_data)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config, dtype=config.dtype)
    checkpoint = root / f"{slug}-checkpoint"
    model.save_pretrained(checkpoint)
    tokenizer.save_pretrained(checkpoint)
    parameters = sum(p.numel() for p in model.parameters())
    folder = root / slug
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(config_data, indent=2), encoding="utf-8")
    (folder / "card.yaml").write_text(
        tiny_card(slug, config_data, parameters, len(tokenizer)), encoding="utf-8"
    )
    kv = next((config_data[k] for k in KV_KEYS if k in config_data), config_data["num_attention_heads"])
    return TinyModel(
        slug, folder / "card.yaml", checkpoint, parameters, config_data["num_attention_heads"], kv
    )


def copy_tiny(tiny: TinyModel, target: Path) -> TinyModel:
    """A throw-away copy of a tiny model's card and checkpoint, to break one thing at a time."""
    card_folder = target / tiny.slug
    shutil.copytree(tiny.card.parent, card_folder)
    checkpoint = target / tiny.checkpoint.name
    shutil.copytree(tiny.checkpoint, checkpoint)
    return TinyModel(
        tiny.slug,
        card_folder / "card.yaml",
        checkpoint,
        tiny.parameters,
        tiny.num_attention_heads,
        tiny.num_kv_heads,
    )


def replace_in(path: Path, pattern: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    updated, count = re.subn(pattern, new, text, count=1, flags=re.MULTILINE)
    assert count == 1, f"{pattern!r} not found in {path}"
    path.write_text(updated, encoding="utf-8")


_ZOO: dict[str, TinyModel] = {}


def tiny_zoo_in(tmp_path_factory: pytest.TempPathFactory) -> dict[str, TinyModel]:
    """One tiny model per shipped card, built once per test session (about 2 s for all six).

    Each test module wraps this in its own `tiny_zoo` fixture; the module-level cache makes them
    all share one build.
    """
    if not _ZOO:
        root = tmp_path_factory.mktemp("tiny-models")
        _ZOO.update({slug: build_tiny(slug, root) for slug in SLUGS})
    return _ZOO
