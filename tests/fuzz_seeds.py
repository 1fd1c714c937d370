"""Seed inputs for the fuzz harness: the shipped cards and fixtures, and a tiny real checkpoint.

Mutation fuzzing finds crashes deep in the checks only when it starts from inputs that pass the
first parsers, so every surface starts from real files: the cards under cards/, the hostile
fixtures under tests/fixtures/, the scraped README seeds, a tiny StableLM checkpoint built with
transformers (its safetensors header, its tokenizer files, a `.bin` saved from it), and cache
entries written by a real validate run. Everything heavy is built once per process, on first use.
"""

from __future__ import annotations

import atexit
import functools
import io
import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.helpers import CARDS_DIR, FIXTURES, SLUGS

BASE_SLUG = "stablelm-3b-4e1t"
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@functools.cache
def card_texts() -> dict[str, str]:
    """Card file text per slug, plus the hostile card fixtures under their folder name."""
    texts = {slug: _read(CARDS_DIR / slug / "card.yaml") for slug in SLUGS}
    for path in sorted((FIXTURES / "bad").glob("*/card.yaml")):
        try:
            texts[f"bad/{path.parent.name}"] = _read(path)
        except UnicodeDecodeError:
            continue  # the not-UTF-8 fixture; byte mutations cover that class
    return texts


@functools.cache
def card_trees() -> list[Any]:
    return [yaml.safe_load(_read(CARDS_DIR / slug / "card.yaml")) for slug in SLUGS]


@functools.cache
def config_texts() -> list[str]:
    paths = [CARDS_DIR / slug / "config.json" for slug in SLUGS]
    paths += sorted((FIXTURES / "bad").glob("config-*/config.json"))
    texts = []
    for path in paths:
        try:
            texts.append(_read(path))
        except UnicodeDecodeError:
            continue
    return texts


@functools.cache
def config_trees() -> list[Any]:
    return [json.loads(_read(CARDS_DIR / slug / "config.json")) for slug in SLUGS]


@functools.cache
def readme_texts() -> list[str]:
    """Rendered READMEs (with Hub front matter), scraped seeds and the lint fixture."""
    paths = sorted(CARDS_DIR.glob("*/README*.md")) + sorted((FIXTURES / "seeds").glob("*.txt"))
    paths += sorted((FIXTURES / "lint").glob("*/README.md"))
    return [_read(path) for path in paths]


# --- scratch space ----------------------------------------------------------------------------------


@functools.cache
def scratch_root() -> Path:
    """One temporary folder per process for the seeds built below; removed at exit."""
    root = Path(tempfile.mkdtemp(prefix="cardkit-fuzz-"))
    atexit.register(shutil.rmtree, root, True)
    return root


@contextmanager
def environ(**values: str) -> Iterator[None]:
    """Set environment variables for one example and put the old values back."""
    old = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def read_tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- the tiny checkpoint ------------------------------------------------------------------------


@dataclass(frozen=True)
class TinySeeds:
    card: Path
    """A card matching the tiny model (tests.tiny_models), next to its config.json."""
    checkpoint: Path
    """model.safetensors, config.json and the tokenizer files."""
    safetensors: bytes
    bin: bytes
    """The same state dict saved with torch.save (a zip of a pickle and raw storages)."""
    bin_legacy: bytes
    """The same saved with the legacy, non-zip format."""
    config: Any
    """The transformers config object of the tiny model."""
    config_data: dict[str, Any]


@functools.cache
def tiny() -> TinySeeds:
    """Built once per process (about a second): imports torch and transformers."""
    import torch
    from safetensors.torch import load_file

    from tests.tiny_models import build_tiny

    model = build_tiny(BASE_SLUG, scratch_root() / "tiny")
    state = load_file(model.checkpoint / "model.safetensors")
    modern, legacy = io.BytesIO(), io.BytesIO()
    torch.save(state, modern)
    torch.save(state, legacy, _use_new_zipfile_serialization=False)
    config_data = json.loads(_read(model.card.parent / "config.json"))
    from cardkit.model.model_config import build_config

    config, _ = build_config(config_data, "config.json")
    return TinySeeds(
        model.card,
        model.checkpoint,
        (model.checkpoint / "model.safetensors").read_bytes(),
        modern.getvalue(),
        legacy.getvalue(),
        config,
        config_data,
    )


@functools.cache
def tiny_model() -> Any:
    """The tiny model loaded once, for the tokenizer surface (generation reads only the tokenizer)."""
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(str(tiny().checkpoint), local_files_only=True)


@functools.cache
def smoke_card() -> Any:
    """The tiny card, loaded once, generating 4 new tokens instead of 64 (the tokenizer is the input)."""
    from cardkit.card.load import load_card

    folder = scratch_root() / "smoke-card"
    shutil.copytree(tiny().card.parent, folder)
    card = folder / "card.yaml"
    card.write_text(re.sub(r"max_new_tokens: \d+", "max_new_tokens: 4", _read(card)), encoding="utf-8")
    return load_card(card)


@functools.cache
def tokenizer_seeds() -> dict[str, str]:
    folder = tiny().checkpoint
    return {name: _read(folder / name) for name in TOKENIZER_FILES if (folder / name).is_file()}


def split_safetensors(blob: bytes) -> tuple[dict[str, Any], bytes]:
    """A safetensors file as (header mapping, data bytes)."""
    length = int.from_bytes(blob[:8], "little")
    return json.loads(blob[8 : 8 + length]), blob[8 + length :]


def join_safetensors(header: bytes, data: bytes, length: int | None = None) -> bytes:
    """A safetensors file from header bytes and data, with its true length prefix unless `length`."""
    return (len(header) if length is None else length).to_bytes(8, "little") + header + data


def bomb_zip(template: bytes, inflated_bytes: int) -> bytes:
    """The torch zip `template` with its first storage record replaced by a deflate bomb."""
    source = zipfile.ZipFile(io.BytesIO(template))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        replaced = False
        for info in source.infolist():
            data = source.read(info)
            if not replaced and "/data/" in info.filename and not info.filename.endswith(".pkl"):
                target.writestr(info.filename, b"\0" * inflated_bytes, zipfile.ZIP_DEFLATED)
                replaced = True
            else:
                target.writestr(info, data)
    return out.getvalue()


# --- cache entries written by a real run ------------------------------------------------------------


@dataclass(frozen=True)
class CacheSeeds:
    card: Path
    cache: Path
    files: dict[str, bytes]
    """Every file the seeding run left in the cache folder, by relative path."""


def _seed_cache(name: str, card_src: Path, model: bool) -> CacheSeeds:
    from cardkit.validate import ValidateOptions, validate_paths

    root = scratch_root() / name
    shutil.copytree(card_src.parent, root / "card", ignore=shutil.ignore_patterns("README*.md"))
    card = root / "card" / "card.yaml"
    with environ(CARDKIT_CACHE_DIR=str(root / "cache")):
        validate_paths([card], ValidateOptions(model=model, cache=True))
    files = read_tree(root / "cache")
    if not model:
        return CacheSeeds(card, root / "cache", files)
    facts = {k: v for k, v in files.items() if not k.startswith("reports/")}
    return CacheSeeds(card, root / "cache", facts)


@functools.cache
def report_cache_seeds() -> CacheSeeds:
    """The report-cache entries of one no-model validate run of the base card."""
    return _seed_cache("report-cache", CARDS_DIR / BASE_SLUG / "card.yaml", model=False)


@functools.cache
def facts_cache_seeds() -> CacheSeeds:
    """The facts-cache file of one full validate run of the tiny card (report entries left out)."""
    return _seed_cache("facts-cache", tiny().card, model=True)
