"""The facts cache may only ever save time: a cached answer equals a fresh one, or is not used."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cardkit import facts_cache
from cardkit.validate import ValidateOptions, validate_card
from tests.helpers import CARD_PATHS


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
    (tmp_path / "model-facts.json").write_text("{not json")
    path = next(p for p in CARD_PATHS if p.parent.name == "stablelm-3b-4e1t")
    report = validate_card(path)
    assert report.parameters.computed == 2_795_443_200
    assert json.loads((tmp_path / "model-facts.json").read_text())  # rewritten as valid JSON


def test_changed_config_is_not_served_from_cache(card_copy, tmp_path: Path) -> None:
    path = card_copy("stablelm-3b-4e1t")
    validate_card(path)
    config = json.loads((path.parent / "config.json").read_text())
    config["num_hidden_layers"] = 31
    (path.parent / "config.json").write_text(json.dumps(config))
    report = validate_card(path)
    assert report.parameters.computed != 2_795_443_200
    assert any(f.code == "config-mismatch" and f.expected == 31 for f in report.findings)
