"""Shared fixtures: throw-away copies of a shipped card to break one field at a time."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.helpers import CARDS_DIR

if TYPE_CHECKING:
    from tests.tiny_models import TinyModel

# Tests never reach the Hub: anything that tries fails fast instead of hanging on the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(autouse=True, scope="session")
def _isolated_facts_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never read or write the user's cache; one fresh cache per test session."""
    os.environ["CARDKIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("cardkit-cache"))
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("cardkit-state"))  # the cache's key


@pytest.fixture
def card_copy(tmp_path: Path) -> Callable[[str], Path]:
    """Copy a shipped card folder, without what render writes, into tmp_path; return its card.yaml."""

    def copy(slug: str) -> Path:
        target = tmp_path / slug
        rendered = shutil.ignore_patterns("README*.md", ".eval_results")
        shutil.copytree(CARDS_DIR / slug, target, ignore=rendered)
        return target / "card.yaml"

    return copy


@pytest.fixture(scope="session")
def tiny_zoo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, TinyModel]:
    """One tiny checkpoint per shipped card (imports torch, so only tests that ask pay for it)."""
    from tests.tiny_models import tiny_zoo_in

    return tiny_zoo_in(tmp_path_factory)
