"""The report cache answers only while every input is unchanged, and never fails a validation."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cardkit.core import cache as cache_store
from cardkit.core.findings import CardReport, Finding, Severity
from cardkit.validate import ValidateOptions, report_cache, validate_paths
from tests.helpers import CARDS_DIR, python_in_child


@pytest.fixture
def card(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CARDKIT_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "card"
    shutil.copytree(CARDS_DIR / "llama-2-13b", folder, ignore=shutil.ignore_patterns("README*"))
    return folder / "card.yaml"


class Counter:
    """A stand-in for validate that says how often it really ran."""

    def __init__(self, card: Path) -> None:
        self.card, self.calls = card, 0

    def __call__(self) -> tuple[CardReport, report_cache.Dependencies]:
        self.calls += 1
        finding = Finding("config-mismatch", Severity.ERROR, "m", "card.yaml", 3, 5, "a.b", 40, 41)
        report = CardReport("card.yaml", "org/model", findings=[finding])
        report.parameters.claimed, report.parameters.computed = 10, 12
        config = report_cache.snapshot(self.card.parent / "config.json", self.card.parent)
        return report, None if config is None else [config]


def run(card: Path, compute: Counter, options: tuple = (True,)) -> CardReport:
    return report_cache.cached(card, "card.yaml", options, compute)


def test_unchanged_inputs_return_the_same_report_without_recomputing(card: Path) -> None:
    compute = Counter(card)
    first = run(card, compute)
    second = run(card, compute)
    assert compute.calls == 1
    assert second.to_dict() == first.to_dict()
    assert second.findings[0].severity is Severity.ERROR


@pytest.mark.parametrize("changed", ["card.yaml", "config.json"])
def test_an_edited_card_or_config_misses(card: Path, changed: str) -> None:
    compute = Counter(card)
    run(card, compute)
    target = card.parent / changed
    target.write_bytes(target.read_bytes() + b"\n")
    run(card, compute)
    assert compute.calls == 2


def test_other_options_or_another_cardkit_miss(card: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    compute = Counter(card)
    run(card, compute, (True,))
    run(card, compute, (False,))
    assert compute.calls == 2
    monkeypatch.setattr(cache_store, "code_digest", lambda: "a different cardkit")
    run(card, compute, (True,))
    assert compute.calls == 3


def test_a_deleted_dependency_misses(card: Path) -> None:
    compute = Counter(card)
    run(card, compute)
    (card.parent / "config.json").unlink()
    run(card, compute)
    assert compute.calls == 2


def test_a_damaged_entry_is_ignored(card: Path) -> None:
    compute = Counter(card)
    run(card, compute)
    for entry in (cache_store.cache_root() / "reports").glob("*.json"):
        entry.write_text('{"dependencies": {}, "report": {"path": 1}}')
    assert run(card, compute).model_id == "org/model"
    assert compute.calls == 2


def test_an_unwritable_cache_does_not_fail(
    card: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("CARDKIT_CACHE_DIR", str(blocker))
    compute = Counter(card)
    assert run(card, compute).model_id == "org/model"
    assert run(card, compute).model_id == "org/model"
    assert compute.calls == 2


def test_an_unreadable_card_is_never_cached(tmp_path: Path) -> None:
    missing = tmp_path / "gone" / "card.yaml"
    compute = Counter(missing)
    run(missing, compute)
    run(missing, compute)
    assert compute.calls == 2


def _validate_in_child(cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`cardkit validate` in a fresh interpreter, reporting which heavy modules it imported."""
    code = (
        "import sys; from cardkit.cli import main; rc = main(['validate', *sys.argv[1:]]); "
        "print('IMPORTED', sorted(m for m in ('pydantic', 'yaml', 'torch') if m in sys.modules)); "
        "raise SystemExit(rc)"
    )
    return python_in_child(code, cache, *args)


def test_validate_answers_an_unchanged_card_from_the_cache_without_pydantic(tmp_path: Path) -> None:
    first = _validate_in_child(tmp_path, "--no-model", "cards")
    second = _validate_in_child(tmp_path, "--no-model", "cards")
    assert first.returncode == second.returncode == 0
    assert "IMPORTED ['pydantic', 'yaml']" in first.stdout
    assert "IMPORTED []" in second.stdout
    assert second.stdout == first.stdout.replace("IMPORTED ['pydantic', 'yaml']", "IMPORTED []")


def test_an_edit_after_a_cached_run_is_seen(tmp_path: Path) -> None:
    folder = tmp_path / "card"
    shutil.copytree(CARDS_DIR / "stablelm-3b-4e1t", folder)
    cache = tmp_path / "cache"
    assert _validate_in_child(cache, "--no-model", str(folder)).returncode == 0
    card = folder / "card.yaml"
    card.write_text(card.read_text(encoding="utf-8").replace("  num_layers: 32", "  num_layers: 30"))
    edited = _validate_in_child(cache, "--no-model", str(folder))
    assert edited.returncode == 1
    assert "error [config-mismatch] architecture.num_layers" in edited.stdout
    assert "IMPORTED ['pydantic', 'yaml']" in edited.stdout


def forge(root: Path, edit: Callable[[Any], None]) -> int:
    """Edit every cache entry under `root` as someone who can write the cache but holds no key
    would: change its JSON, keep whatever precedes the JSON (a signature line) as it was."""
    count = 0
    for path in root.rglob("*.json"):
        text = path.read_text(encoding="utf-8")
        start = text.index("{")
        data = json.loads(text[start:])
        edit(data)
        path.write_text(text[:start] + json.dumps(data), encoding="utf-8")
        count += 1
    return count


def _walk(data: Any, visit: Callable[[dict[str, Any]], None]) -> None:
    if isinstance(data, dict):
        visit(data)
        for value in data.values():
            _walk(value, visit)
    elif isinstance(data, list):
        for value in data:
            _walk(value, visit)


def _say_ok(data: Any) -> None:
    """A forger's edit: no findings, no dependencies, and the config agrees with the card."""

    def visit(node: dict[str, Any]) -> None:
        if isinstance(node.get("findings"), list):
            node["findings"] = []
        if isinstance(node.get("dependencies"), (list, dict)):
            node["dependencies"] = type(node["dependencies"])()
        if "num_layers" in node:
            node["num_layers"] = 40

    _walk(data, visit)


def _wrong_types(data: Any) -> None:
    def visit(node: dict[str, Any]) -> None:
        if "claimed" in node:
            node["claimed"] = "x"
        if "parameters" in node and not isinstance(node["parameters"], dict):
            node["parameters"] = None

    _walk(data, visit)


@pytest.fixture
def broken_card(card_copy: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A card that says 40 layers where its config.json says 32, with its own empty cache."""
    monkeypatch.setenv("CARDKIT_CACHE_DIR", str(tmp_path / "cache"))
    path = card_copy("stablelm-3b-4e1t")
    path.write_text(path.read_text(encoding="utf-8").replace("  num_layers: 32", "  num_layers: 40"))
    return path


def _codes(path: Path, options: ValidateOptions) -> list[str]:
    reports = validate_paths([path], options)
    return [f.code for r in reports for f in r.findings if f.severity is Severity.ERROR]


@pytest.mark.parametrize("model", [False, True], ids=["no-model", "model"])
def test_forged_entries_never_make_a_broken_card_pass(broken_card: Path, model: bool) -> None:
    options = ValidateOptions(model=model)
    assert "config-mismatch" in _codes(broken_card, options)
    assert forge(cache_store.cache_root(), _say_ok) >= 1 + model
    assert "config-mismatch" in _codes(broken_card, options)


@pytest.mark.parametrize("model", [False, True], ids=["no-model", "model"])
def test_entries_of_the_wrong_types_are_recomputed_not_a_crash(broken_card: Path, model: bool) -> None:
    options = ValidateOptions(model=model)
    fresh = validate_paths([broken_card], options)[0].to_dict()
    forge(cache_store.cache_root(), _wrong_types)
    assert validate_paths([broken_card], options)[0].to_dict() == fresh


@pytest.mark.parametrize(
    "damage",
    [
        lambda e: e["report"]["parameters"].update(claimed="x"),
        lambda e: e["report"]["parameters"].update(claimed=True),
        lambda e: e["report"].update(findings={}),
        lambda e: e["report"]["findings"][0].update(severity="fatal"),
        lambda e: e["report"]["findings"][0].update(line="3"),
        lambda e: e["report"]["findings"][0].pop("field"),
        lambda e: e["report"].update(path="other.yaml"),
        lambda e: e["dependencies"][0].update(inside="yes"),
        lambda e: e.update(dependencies=None),
        lambda e: e.update(card_sha256="0" * 64),
        lambda e: e.update(extra=1),
    ],
)
def test_a_signed_entry_that_does_not_type_check_is_recomputed(card: Path, damage: Callable) -> None:
    """Even an entry with a valid signature (cardkit's own bug, say) is checked field by field."""
    compute = Counter(card)
    run(card, compute)
    [path] = (cache_store.cache_root() / "reports").glob("*.json")
    entry = cache_store.read_entry("reports", path.stem)
    damage(entry)
    cache_store.write_entry("reports", path.stem, entry)
    assert run(card, compute).parameters.claimed == 10
    assert compute.calls == 2


def _symlinked_config(card: Path) -> tuple[Path, Path]:
    configs = card.parent / "configs"
    configs.mkdir()
    good = configs / "good.json"
    (card.parent / "config.json").rename(good)
    text = good.read_text(encoding="utf-8")
    (configs / "bad.json").write_text(text.replace('"num_hidden_layers": 32', '"num_hidden_layers": 40'))
    (card.parent / "config.json").symlink_to("configs/good.json")
    return good, configs / "bad.json"


def test_a_retargeted_config_symlink_misses(
    card_copy: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARDKIT_CACHE_DIR", str(tmp_path / "cache"))
    path = card_copy("stablelm-3b-4e1t")
    _symlinked_config(path)
    options = ValidateOptions(model=False)
    assert _codes(path, options) == []
    link = path.parent / "config.json"
    link.unlink()
    link.symlink_to("configs/bad.json")
    assert "config-mismatch" in _codes(path, options)


def test_a_cache_hit_still_applies_the_inside_the_folder_rule(
    card_copy: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An identical config.json outside the card's folder has the same bytes, and is still refused."""
    monkeypatch.setenv("CARDKIT_CACHE_DIR", str(tmp_path / "cache"))
    path = card_copy("stablelm-3b-4e1t")
    good, _ = _symlinked_config(path)
    options = ValidateOptions(model=False)
    assert _codes(path, options) == []
    outside = tmp_path / "outside.json"
    shutil.copy(good, outside)
    link = path.parent / "config.json"
    link.unlink()
    link.symlink_to(outside)
    assert _codes(path, options) == ["config-outside-card"]


def test_an_entry_under_another_key_is_refused(card: Path) -> None:
    compute = Counter(card)
    run(card, compute)
    [entry] = (cache_store.cache_root() / "reports").glob("*.json")
    card.write_text(card.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    digest = cache_store.input_digest(card)
    assert digest is not None
    shutil.copy(entry, entry.with_name(report_cache.entry_key(card, "card.yaml", (True,), digest) + ".json"))
    run(card, compute)
    assert compute.calls == 2


def test_a_config_edited_during_the_run_is_not_stored(card: Path) -> None:
    """The snapshot is taken before the checks read config.json; a change meanwhile is not cached."""
    compute = Counter(card)

    def edit_while_checking() -> tuple[CardReport, report_cache.Dependencies]:
        result = compute()
        config = card.parent / "config.json"
        config.write_bytes(config.read_bytes() + b" ")
        return result

    run(card, edit_while_checking)
    run(card, compute)
    assert compute.calls == 2


@pytest.fixture
def fresh_secret() -> Any:
    cache_store._secret.cache_clear()
    yield
    cache_store._secret.cache_clear()


def test_a_cache_written_under_another_key_is_not_trusted(
    card: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_secret: None
) -> None:
    """A restored or copied cache directory carries no key: its entries are recomputed."""
    compute = Counter(card)
    run(card, compute)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "another-machine"))
    cache_store._secret.cache_clear()
    run(card, compute)
    run(card, compute)
    assert compute.calls == 2


def test_a_key_others_can_read_turns_the_cache_off(
    card: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_secret: None
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    key = cache_store.key_file()
    key.parent.mkdir(parents=True)
    key.write_bytes(os.urandom(cache_store.KEY_BYTES))
    key.chmod(0o644)
    compute = Counter(card)
    run(card, compute)
    run(card, compute)
    assert compute.calls == 2
    assert not (cache_store.cache_root() / "reports").exists()


def test_a_report_of_an_internal_error_is_not_kept(card: Path) -> None:
    calls = 0

    def crashed() -> tuple[CardReport, report_cache.Dependencies]:
        nonlocal calls
        calls += 1
        crash = Finding("internal-error", Severity.ERROR, "m", "card.yaml")
        return CardReport("card.yaml", findings=[crash]), []

    run(card, crashed)
    run(card, crashed)
    assert calls == 2
