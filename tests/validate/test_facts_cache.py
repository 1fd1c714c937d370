"""The facts cache may only ever save time: a cached answer equals a fresh one, or is not used."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from cardkit.core import cache as cache_store
from cardkit.core.facts import ArchitectureFacts
from cardkit.core.findings import Finding, Severity
from cardkit.validate import ValidateOptions, facts_cache, validate_card
from tests.helpers import CARD_PATHS, ROOT

STABLELM = next(p for p in CARD_PATHS if p.parent.name == "stablelm-3b-4e1t")


@pytest.mark.parametrize("path", CARD_PATHS, ids=lambda p: p.parent.name)
def test_cached_report_equals_fresh_report(path: Path) -> None:
    fresh = validate_card(path, ValidateOptions(cache=False))
    validate_card(path)  # fills the cache if needed
    cached = validate_card(path)
    assert cached.findings == fresh.findings
    assert cached.parameters == fresh.parameters


def test_key_follows_content_not_formatting() -> None:
    config = {"model_type": "llama", "hidden_size": 64}
    assert facts_cache.cache_key(config) == facts_cache.cache_key(json.loads(json.dumps(config, indent=4)))
    assert facts_cache.cache_key(config) != facts_cache.cache_key({**config, "hidden_size": 65})


def test_corrupt_cache_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARDKIT_CACHE_DIR", str(tmp_path))
    validate_card(STABLELM)
    entries = list((tmp_path / "facts").glob("*.json"))
    assert entries
    for entry in entries:
        entry.write_text("{not json")
    report = validate_card(STABLELM)
    assert report.parameters.computed == 2_795_443_200
    assert all(facts_cache.load(e.stem, "config.json") is not None for e in entries)  # rewritten


def test_changed_config_is_not_served_from_cache(card_copy, tmp_path: Path) -> None:
    path = card_copy("stablelm-3b-4e1t")
    validate_card(path)
    config = json.loads((path.parent / "config.json").read_text())
    config["num_hidden_layers"] = 31
    (path.parent / "config.json").write_text(json.dumps(config))
    report = validate_card(path)
    assert report.parameters.computed != 2_795_443_200
    assert any(f.code == "config-mismatch" and f.expected == 31 for f in report.findings)


def test_no_cache_reads_and_writes_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARDKIT_CACHE_DIR", str(tmp_path / "cache"))
    report = validate_card(STABLELM, ValidateOptions(cache=False))
    assert report.parameters.computed == 2_795_443_200
    assert not (tmp_path / "cache").exists()


def _key_under(package_parent: Path) -> str:
    code = "from cardkit.validate import facts_cache; print(facts_cache.cache_key({'model_type': 'llama'}))"
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    command = [sys.executable, "-c", code]  # run from the package's parent: `-c` puts the cwd first
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=package_parent, check=True)
    return done.stdout.strip()


def test_a_change_to_cardkits_code_changes_the_key(tmp_path: Path) -> None:
    """The facts depend on cardkit's code (how it counts, what it reads), not only on its version."""
    shutil.copytree(ROOT / "cardkit", tmp_path / "cardkit", ignore=shutil.ignore_patterns("__pycache__"))
    same = _key_under(tmp_path)
    with (tmp_path / "cardkit" / "model" / "meta_model.py").open("a", encoding="utf-8") as handle:
        handle.write("\n# an edit that changes no version number\n")
    assert _key_under(tmp_path) != same
    assert same == _key_under(ROOT)


FACTS = ArchitectureFacts(
    {
        "model_type": "llama",
        "hidden_size": 64,
        "num_layers": 2,
        "parameters.count": 1000,
        "positional_embedding.rotary_fraction": 1.0,
        "layer_types": ["full_attention", "full_attention"],
    },
    {"parallel_residual": "the block could not be traced"},
)
NOTE = Finding("config-auto-map", Severity.INFO, "m", "x/config.json", field="auto_map")


@pytest.mark.parametrize(
    "damage",
    [
        lambda e: e["facts"]["values"].update(model_type=[[[[[[[[[[["llama"]]]]]]]]]]]),
        lambda e: e["facts"]["undetermined"].update(parallel_residual=3),
        lambda e: e["facts"].update(values=[["model_type", "llama"]]),
        lambda e: e["facts"]["undetermined"].update(parallel_residual=None),
        lambda e: e["facts"].update(extra={}),
        lambda e: e["facts"].pop("undetermined"),
        lambda e: e.update(findings={}),
        lambda e: e["findings"][0].update(severity="fatal"),
        lambda e: e.update(facts=[1000, "rmsnorm", False]),
        lambda e: e.update(meta={}),
    ],
)
def test_a_signed_entry_that_does_not_type_check_is_not_used(damage: Callable[[Any], None]) -> None:
    """Even an entry with a valid signature (from a cardkit bug, say) is checked field by field."""
    key = facts_cache.cache_key({"model_type": "llama", "hidden_size": 64, "damage": repr(damage)})
    facts_cache.store(key, FACTS, [NOTE])
    assert facts_cache.load(key, "c.json") == (FACTS, [replace(NOTE, file="c.json")])
    entry = cache_store.read_entry("facts", key)
    damage(entry)
    cache_store.write_entry("facts", key, entry)
    assert facts_cache.load(key, "c.json") is None


def test_an_edited_entry_is_not_used() -> None:
    """Someone who can write the cache but holds no key cannot change what an entry says."""
    key = facts_cache.cache_key({"model_type": "llama", "hidden_size": 64, "edited": True})
    facts_cache.store(key, FACTS, [])
    path = cache_store.cache_root() / "facts" / f"{key}.json"
    text = path.read_text(encoding="utf-8")
    assert '"num_layers": 2' in text
    path.write_text(text.replace('"num_layers": 2', '"num_layers": 3'), encoding="utf-8")
    assert facts_cache.load(key, "c.json") is None


def test_concurrent_stores_lose_no_entry() -> None:
    """One file per entry: writers of different configs never overwrite each other's entries."""
    keys = [facts_cache.cache_key({"model_type": "llama", "n": n}) for n in range(64)]

    def store(key: str) -> None:
        facts_cache.store(key, FACTS, [])

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(store, keys))
    assert all(facts_cache.load(key, "c.json") == (FACTS, []) for key in keys)


def test_the_cache_root_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CARDKIT_CACHE_DIR", str(tmp_path / "explicit"))
    assert cache_store.cache_root() == tmp_path / "explicit"
    monkeypatch.delenv("CARDKIT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_store.cache_root() == tmp_path / "xdg" / "cardkit"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_store.cache_root() == tmp_path / "home" / ".cache" / "cardkit"
