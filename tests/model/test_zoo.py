"""The zoo: every causal-LM type transformers ships, each from its own default config.

For each type whose default config builds on the meta device, `cardkit new` drafts a card;
validate reports nothing but its TODOs; filled in mechanically the card passes in both modes; the
count is a plain meta-device sum of unique parameters; and changing one stated architecture fact
fails at that fact's line. Types that do not build are listed with transformers' own error.
"""

from __future__ import annotations

import json
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml

from cardkit.core.findings import Severity
from cardkit.importing.new_card import draft_from_config
from cardkit.validate import ValidateOptions, validate_card
from cardkit.validate.fact_check import stated_facts
from tests.zoo_helpers import fill as _fill
from tests.zoo_helpers import first_line as _first_line

transformers = pytest.importorskip("transformers")
torch = pytest.importorskip("torch")
from transformers.models.auto.configuration_auto import CONFIG_MAPPING  # noqa: E402
from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES  # noqa: E402

FULL, RAW = ValidateOptions(model=True), ValidateOptions(model=False)
def _build(model_type: str) -> tuple[Any, Any]:
    """The default config, as config.json would carry it, built on the meta device."""
    config = CONFIG_MAPPING[model_type]()
    with tempfile.TemporaryDirectory() as folder:  # transformers' own way through a file: it
        path = Path(folder) / "config.json"  # decodes {"__float__": "Infinity"} (Mamba-2 limits)
        path.write_text(config.to_json_string(use_diff=False), encoding="utf-8")
        config = type(config).from_json_file(str(path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.device("meta"):
            model = transformers.AutoModelForCausalLM.from_config(config)
    return config, model


def _zoo() -> tuple[list[str], dict[str, str]]:
    buildable, failing = [], {}
    for model_type in sorted(MODEL_FOR_CAUSAL_LM_MAPPING_NAMES):
        try:
            _build(model_type)
        except Exception as exc:
            failing[model_type] = f"{type(exc).__name__}: {_first_line(exc)}"
        else:
            buildable.append(model_type)
    return buildable, failing


BUILDABLE, NOT_BUILDING = _zoo()


def test_the_zoo_is_the_registry() -> None:
    """Every registered type is either tested or listed with the error transformers gives."""
    print("\n".join(f"not built: {k}: {v}" for k, v in NOT_BUILDING.items()))
    assert len(BUILDABLE) + len(NOT_BUILDING) == len(MODEL_FOR_CAUSAL_LM_MAPPING_NAMES)
    assert len(BUILDABLE) >= 150


def stated_facts_raw(arch: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted paths of the draft's architecture; a TODO reads as `TODO-MARK`."""
    flat: dict[str, Any] = {}
    for key, value in arch.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and list(value) == ["TODO"]:
            flat[path] = "TODO-MARK"
        elif isinstance(value, dict) and key != "layer_types":
            flat.update(stated_facts_raw(value, path + "."))
        else:
            flat[path] = value
    return flat


def _mutated(value: Any) -> Any:
    """A wrong value of the same shape (a changed fact, not a schema error): `all` layers become
    layer 0 only, a list of layers loses its last (one layer moves down), a count grows by one."""
    if value == "all":
        return [0]
    if isinstance(value, list) and value and all(isinstance(v, int) for v in value):
        return value[:-1] if len(value) > 1 else [value[0] - 1 if value[0] else 1]
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value / 2 if value > 0.01 else value * 3
    if isinstance(value, dict):
        first = next(iter(value))
        return {**value, first: value[first] + 1}
    return f"{value}x"


def _problems(report: Any, allowed: frozenset[str] = frozenset()) -> list[str]:
    return [
        f"{f.line}: {f.code} {f.field} {f.message}"
        for f in report.findings
        if f.severity is not Severity.INFO and f.code not in allowed
    ]


@pytest.mark.parametrize("model_type", BUILDABLE)
def test_new_card_validates_and_every_fact_is_checked(
    model_type: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARDKIT_CACHE_DIR", str(tmp_path / "cache"))
    config, model = _build(model_type)
    (tmp_path / "config.json").write_text(config.to_json_string(use_diff=False), encoding="utf-8")
    card = tmp_path / "card.yaml"
    card.write_text(draft_from_config(tmp_path / "config.json", None, card), encoding="utf-8")

    assert _problems(validate_card(card, FULL), frozenset({"todo"})) == []
    data = yaml.safe_load(card.read_text(encoding="utf-8"))
    undetermined = {d for d, v in stated_facts_raw(data["architecture"]).items() if v == "TODO-MARK"}
    filled = _fill(data, "", data["architecture"])
    header = card.read_text(encoding="utf-8").splitlines()[0]
    text = header + "\n" + yaml.safe_dump(filled, sort_keys=False, allow_unicode=True, width=10_000)
    card.write_text(text, encoding="utf-8")
    for options in (FULL, RAW):
        assert _problems(validate_card(card, options)) == [], options
    assert filled["architecture"]["parameters"]["count"] == sum(p.numel() for p in model.parameters())

    from cardkit.card.load import load_card

    loaded = load_card(card)
    assert loaded.card is not None
    for dotted, value in stated_facts(loaded.card.architecture).items():
        if dotted == "parameters.label" or any(dotted.startswith(u) for u in undetermined):
            continue  # a human fact, or one cardkit cannot determine: nothing to contradict
        path = ("architecture", *dotted.split("."))
        line = loaded.source_map.locate(path).line
        node = broken = json.loads(json.dumps(filled))
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = _mutated(value)
        card.write_text(
            header + "\n" + yaml.safe_dump(broken, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
        report = validate_card(card, FULL)
        lines = {f.line for f in report.findings if f.severity is Severity.ERROR}
        assert line in lines, (dotted, value, [f"{f.line}: {f.code} {f.message}" for f in report.findings])
