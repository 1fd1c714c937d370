"""One answer to "is X installed" and "which version of X", asked once per process (issue 12)."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import sys
from pathlib import Path

import pytest

from cardkit.core import cache as cache_store
from cardkit.core import dependencies
from cardkit.core.errors import MissingDependencyError
from cardkit.model import meta_model, model_config
from cardkit.validate import ValidateOptions, validate_paths
from tests.helpers import CARDS_DIR, SLUGS

PACKAGE = Path(dependencies.__file__).resolve().parent.parent


@pytest.mark.parametrize("name", cache_store.LIBRARIES)
def test_the_versions_are_the_ones_importlib_metadata_reads(name: str) -> None:
    try:
        expected = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        expected = None
    assert dependencies.version(name) == expected


def test_names_are_matched_as_pip_spells_them() -> None:
    assert dependencies.version("PyYAML") == dependencies.version("pyyaml") is not None
    assert dependencies.version("huggingface-hub") == dependencies.version("huggingface_hub") is not None
    assert dependencies.version("no-such-distribution-here") is None


@pytest.mark.parametrize(
    ("module", "call"),
    [
        ("torch", lambda: meta_model.build_meta_model(object())),
        ("transformers", lambda: model_config.build_config({"model_type": "llama"}, "config.json")),
    ],
)
def test_every_guard_names_the_missing_library_and_the_extra(
    module: str, call, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # `import module` now fails as if absent
    with pytest.raises(MissingDependencyError) as raised:
        call()
    assert f"needs {module!r}" in str(raised.value)
    assert "pip install 'cardkit[model]'" in str(raised.value)


def test_the_extra_named_is_the_one_that_installs_the_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "lm_eval", None)
    with pytest.raises(MissingDependencyError, match=r"cardkit\[eval\]"):
        dependencies.require("lm_eval")


def test_an_api_this_version_lacks_is_none_not_an_error() -> None:
    assert dependencies.optional("json", "dumps") is sys.modules["json"]
    assert dependencies.optional("json", "no_such_function") is None
    assert dependencies.optional("no_such_module_anywhere") is None


def test_a_ten_card_run_looks_each_version_up_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten cards, with the report and facts caches: one listing of each `sys.path` entry in all,
    and no `importlib.metadata` lookup from cardkit (the libraries' own, on import, are theirs)."""
    for number in range(10):
        slug = SLUGS[number % len(SLUGS)]
        shutil.copytree(CARDS_DIR / slug, tmp_path / "cards" / f"{number}-{slug}")
    monkeypatch.setenv("CARDKIT_CACHE_DIR", str(tmp_path / "cache"))
    dependencies.installed_versions.cache_clear()
    cache_store.environment_digest.cache_clear()
    listed: list[str] = []
    metadata: list[str] = []
    real_listdir = os.listdir

    def ours() -> bool:
        return Path(sys._getframe(2).f_code.co_filename).is_relative_to(PACKAGE)

    def listdir(path: str = ".") -> list[str]:
        if ours():
            listed.append(str(path))
        return real_listdir(path)

    def counted(real):
        def lookup(name: str):
            if ours():
                metadata.append(name)
            return real(name)

        return lookup

    monkeypatch.setattr(os, "listdir", listdir)
    for name in ("version", "distribution", "metadata"):
        monkeypatch.setattr(importlib.metadata, name, counted(getattr(importlib.metadata, name)))
    reports = validate_paths([tmp_path / "cards"], ValidateOptions())
    assert len(reports) == 10 and all(r.parameters.computed for r in reports)
    assert metadata == []
    assert sorted(listed) == sorted({entry or "." for entry in sys.path})
