"""Which layers use sliding-window attention: read from what transformers builds, stated as `all`, a
list of layers or a repeating pattern, compared by the layers named, drafted, migrated and rendered.

Expected layers are written out by hand from each family's documented layout (Gemma 2 alternates,
Gemma 3 has one full layer in six, Qwen2 windows the layers from `max_window_layers` on), never
taken from cardkit's own reading.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from cardkit.core.findings import Severity
from cardkit.schema.architecture import Architecture, SlidingWindow, sliding_layers
from cardkit.schema.migrate import migrate
from cardkit.validate import ValidateOptions, validate_card
from tests.helpers import CARD_PATHS, line_of
from tests.zoo_helpers import draft_and_fill

transformers = pytest.importorskip("transformers")
from transformers.models.auto.configuration_auto import CONFIG_MAPPING  # noqa: E402

SMALL = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_attention_heads": 2,
    "num_key_value_heads": 1,
    "head_dim": 32,
    "vocab_size": 256,
    "sliding_window": 16,
}
CASES: dict[str, tuple[str, dict[str, Any], Any]] = {
    "gemma2-alternating": ("gemma2", {"num_hidden_layers": 4}, {"period": 2, "sliding": [0]}),
    # 13 layers: two blocks of six (five windowed, one full), then a cut-short third block
    "gemma3-one-full-in-six": (
        "gemma3_text",
        {"num_hidden_layers": 13},
        {"period": 6, "sliding": [0, 1, 2, 3, 4]},
    ),
    "mistral-every-layer": ("mistral", {"num_hidden_layers": 3}, "all"),
    "qwen2-from-max-window-layers": (
        "qwen2",
        {"num_hidden_layers": 4, "use_sliding_window": True, "max_window_layers": 2},
        [2, 3],
    ),
    # EXAONE 4 stores the width on every attention module; only `is_sliding` ones use it
    "exaone4-is-sliding": (
        "exaone4",
        {"num_hidden_layers": 8, "sliding_window_pattern": 4},
        {"period": 4, "sliding": [0, 1, 2]},
    ),
}


def _config(model_type: str, extra: dict[str, Any]) -> Any:
    return CONFIG_MAPPING[model_type](**SMALL, **extra)


@pytest.mark.parametrize("case", CASES)
def test_the_layers_are_read_from_the_built_model(case: str) -> None:
    from cardkit.model.architecture_facts import facts_for_config

    model_type, extra, layers = CASES[case]
    facts = facts_for_config(_config(model_type, extra))
    assert facts.values["sliding_window.tokens"] == 16
    assert facts.values["sliding_window.layers"] == layers


def test_a_window_the_config_turns_off_is_no_fact() -> None:
    from cardkit.model.architecture_facts import facts_for_config

    facts = facts_for_config(_config("qwen2", {"num_hidden_layers": 4, "use_sliding_window": False}))
    assert not [k for k in facts.values if k.startswith("sliding_window")]


def test_every_spelling_expands_to_the_layers_it_names() -> None:
    from cardkit.model.architecture_window import describe_layers

    assert sliding_layers("all", 3) == [0, 1, 2]
    gemma3 = {"period": 6, "sliding": [0, 1, 2, 3, 4]}
    assert sliding_layers(gemma3, 13) == [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 12]
    assert sliding_layers([2, 3], 4) == [2, 3]
    assert sliding_layers({"period": 0, "sliding": [0]}, 4) == []  # a damaged cached fact: no layer
    rng = random.Random(13)
    for _ in range(300):
        count = rng.randint(1, 40)
        if rng.random() < 0.5:  # a periodic stack, so patterns get drafted too
            block = [rng.random() < 0.5 for _ in range(rng.randint(1, 6))]
            flags = [block[i % len(block)] for i in range(count)]
        else:
            flags = [rng.random() < 0.5 for _ in range(count)]
        if not any(flags):
            continue
        described = describe_layers(flags)
        assert sliding_layers(described, count) == [i for i, f in enumerate(flags) if f], (flags, described)
        window = SlidingWindow(tokens=4, layers=described)
        assert window.layer_count(count) == sum(flags)


def test_the_memory_estimate_counts_windowed_layers_without_listing_them() -> None:
    """16 million stated layers (the schema's limit) are counted, not listed (listing them took a
    quarter of a second and half a gigabyte per render)."""
    import time

    from cardkit.card.load import load_card
    from cardkit.render.memory import estimate

    loaded = load_card(CARD_PATHS[0])
    assert loaded.card is not None
    arch = loaded.card.architecture.model_dump(mode="json", exclude_none=True)
    layers = 16_777_216  # 6 x 2,796,202 + 4: the last block keeps four windowed layers
    windowed = {"tokens": 4, "layers": {"period": 6, "sliding": [0, 1, 2, 3, 4]}}
    stated = Architecture.model_validate({**arch, "num_layers": layers, "sliding_window": windowed})
    start = time.perf_counter()
    for _ in range(5):
        est = estimate(stated)
    assert time.perf_counter() - start < 0.2
    context = est.context
    assert context is not None and est.kv_full_context is not None
    slid = 2_796_202 * 5 + 4
    assert est.kv_full_context == est.kv_per_token // layers * ((layers - slid) * context + slid * 4)
    window = SlidingWindow(tokens=4, layers="all")
    assert window.layer_count(layers) == layers


def _architecture(layers: Any, num_layers: int = 4) -> dict[str, Any]:
    return {
        "model_type": "mistral",
        "parameters": {"count": 10, "label": "1B"},
        "hidden_size": 64,
        "num_layers": num_layers,
        "vocab_size": 256,
        "tied_embeddings": False,
        "sliding_window": {"tokens": 16, "layers": layers},
    }


@pytest.mark.parametrize(
    ("layers", "says"),
    [
        (3, "does not say which layers"),  # a v2 count
        ([4], "layers count from 0"),
        ([2, 1], "increasing"),
        ({"period": 2, "sliding": [2]}, "outside a block of 2"),
        ({"period": 2, "sliding": []}, "at least 1"),
        ({"period": 9, "sliding": [5]}, "names no layer"),  # of a stack of 4
        ("most", "all"),
    ],
)
def test_layers_the_stack_does_not_have_are_refused(layers: Any, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        Architecture.model_validate(_architecture(layers))


def test_a_v2_count_of_every_layer_migrates_to_all_and_another_count_stays_for_the_schema() -> None:
    v2 = {"schema_version": 2, "architecture": _architecture(4)}
    assert migrate(v2)["architecture"]["sliding_window"]["layers"] == "all"
    assert migrate(v2)["schema_version"] == 3
    assert v2["architecture"]["sliding_window"]["layers"] == 4  # the input is not changed
    partial = {"schema_version": 2, "architecture": _architecture(2)}
    assert migrate(partial)["architecture"]["sliding_window"]["layers"] == 2


def test_a_v2_card_with_a_count_is_refused_at_its_line(tmp_path: Path) -> None:
    path = CARD_PATHS[0]
    text = path.read_text(encoding="utf-8").replace("schema_version: 3", "schema_version: 2")
    window = "\n  sliding_window:\n    tokens: 16\n    layers: 3"
    text = text.replace("\n  vocab_size:", window + "\n  vocab_size:", 1)
    card = tmp_path / "card.yaml"
    card.write_text(text, encoding="utf-8")
    (tmp_path / "config.json").write_text((path.parent / "config.json").read_text(encoding="utf-8"))
    report = validate_card(card, ValidateOptions(model=False))
    errors = [f for f in report.findings if f.severity is Severity.ERROR and "which layers" in f.message]
    assert [f.line for f in errors] == [line_of(card, "layers: 3")], report.findings


@pytest.fixture
def gemma2_card(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CARDKIT_CACHE_DIR", str(tmp_path / "cache"))
    config = _config("gemma2", {"num_hidden_layers": 4})
    (tmp_path / "config.json").write_text(config.to_json_string(use_diff=False), encoding="utf-8")
    card = tmp_path / "card.yaml"
    filled = draft_and_fill(tmp_path / "config.json", card)
    assert filled["architecture"]["sliding_window"] == {"tokens": 16, "layers": {"period": 2, "sliding": [0]}}
    return card


def _with_layers(card: Path, layers: Any) -> int:
    data = yaml.safe_load(card.read_text(encoding="utf-8"))
    data["architecture"]["sliding_window"]["layers"] = layers
    card.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return line_of(card, "  layers:")


def _errors(card: Path) -> list[tuple[int | None, str]]:
    report = validate_card(card, ValidateOptions(model=True))
    return [(f.line, f.code) for f in report.findings if f.severity is Severity.ERROR]


def test_the_drafted_layers_validate_and_another_spelling_of_them_agrees(gemma2_card: Path) -> None:
    assert _errors(gemma2_card) == []
    _with_layers(gemma2_card, [0, 2])
    assert _errors(gemma2_card) == []


@pytest.mark.parametrize("layers", ["all", [0, 1], {"period": 4, "sliding": [0, 2, 3]}])
def test_other_layers_fail_at_their_line(gemma2_card: Path, layers: Any) -> None:
    line = _with_layers(gemma2_card, layers)
    assert (line, "config-mismatch") in _errors(gemma2_card)


def _rendered_row(layers: Any, lang: str, num_layers: int = 26) -> str:
    from cardkit.card.load import load_card
    from cardkit.render import render_card

    loaded = load_card(CARD_PATHS[0])
    assert loaded.card is not None
    arch = loaded.card.architecture.model_dump(mode="json", exclude_none=True)
    arch.update(num_layers=num_layers, sliding_window={"tokens": 4096, "layers": layers})
    card = loaded.card.model_copy(update={"architecture": Architecture.model_validate(arch)})
    label = {"en": "Sliding-window attention", "zh": "滑动窗口注意力"}[lang]
    rows = [line for line in render_card(card, lang).splitlines() if line.startswith(f"| {label} |")]
    assert len(rows) == 1
    return rows[0]


@pytest.mark.parametrize(
    ("layers", "lang", "shown"),
    [
        ("all", "en", "4,096 tokens, in every layer"),
        ({"period": 6, "sliding": [0, 1, 2, 3, 4]}, "en", "layers 0, 1, 2, 3, 4 of every 6 (counted from 0)"),
        ([2, 3], "en", "4,096 tokens, in layers 2, 3 (counted from 0)"),
        ({"period": 2, "sliding": [0]}, "zh", "每 2 层中的第 0 层"),
    ],
)
def test_the_architecture_table_says_which_layers(layers: Any, lang: str, shown: str) -> None:
    assert shown in _rendered_row(layers, lang)


def test_the_memory_estimate_keeps_only_the_window_on_the_named_layers() -> None:
    from cardkit.card.load import load_card
    from cardkit.render.memory import estimate

    loaded = load_card(CARD_PATHS[0])
    assert loaded.card is not None
    arch = json.loads(loaded.card.architecture.model_dump_json(exclude_none=True))
    full = estimate(Architecture.model_validate(arch))
    windowed = {**arch, "sliding_window": {"tokens": 16, "layers": [0, 1]}}
    estimated = estimate(Architecture.model_validate(windowed))
    per_token = full.kv_per_token // arch["num_layers"]
    context = full.context
    assert full.kv_full_context is not None and estimated.kv_full_context is not None and context
    assert full.kv_full_context - estimated.kv_full_context == 2 * per_token * (context - 16)


def _findings(card: Path, model: bool) -> list[tuple[str, str, str | None]]:
    report = validate_card(card, ValidateOptions(model=model, cache=False))
    return [(f.severity.name, f.code, f.field) for f in report.findings]


def test_no_model_notes_a_window_width_the_config_states_otherwise_and_never_errs(gemma2_card: Path) -> None:
    """`sliding_window` in config.json means what the class makes of it (Qwen2 ignores it without
    `use_sliding_window`), so `--no-model` notes a disagreeing width and leaves the error to the full
    check, which reads the built model; an agreeing width says nothing."""
    assert [f for f in _findings(gemma2_card, model=False) if "sliding" in (f[2] or "")] == []
    data = yaml.safe_load(gemma2_card.read_text(encoding="utf-8"))
    data["architecture"]["sliding_window"]["tokens"] = 32
    gemma2_card.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    fast = [f for f in _findings(gemma2_card, model=False) if f[2] == "architecture.sliding_window.tokens"]
    assert fast == [("INFO", "config-not-interpreted", "architecture.sliding_window.tokens")]
    full = _findings(gemma2_card, model=True)
    assert ("ERROR", "config-mismatch", "architecture.sliding_window.tokens") in full
