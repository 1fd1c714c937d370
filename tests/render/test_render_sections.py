"""The Hub template's sections built from card facts: model sources, contact, environmental impact,
gating fields and evaluation pointers.

Expected values come from card.yaml read with plain YAML, from hand computations written out in the
test, or from the Hub metadata read back with huggingface_hub; never from the renderer itself.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from cardkit.card.load import load_card
from cardkit.render import render_card
from cardkit.schema import Card
from tests.helpers import CARD_PATHS, CARDS_DIR

SOURCE_LABELS = {
    "en": {
        "paper": "Paper",
        "technical_report": "Technical report",
        "repository": "Code repository",
        "demo": "Demo",
    },
    "zh": {"paper": "论文", "technical_report": "技术报告", "repository": "代码仓库", "demo": "在线试用"},
    "zh-Hant": {
        "paper": "論文",
        "technical_report": "技術報告",
        "repository": "程式碼儲存庫",
        "demo": "線上試用",
    },
}
SOURCES_HEADING = {"en": "### Model sources", "zh": "### 模型来源", "zh-Hant": "### 模型來源"}
SEPARATOR = {"en": ": ", "zh": "：", "zh-Hant": "："}
NOT_PUBLISHED = {"en": "Not published", "zh": "未公开", "zh-Hant": "未公開"}


def raw_of(slug: str) -> dict[str, Any]:
    return yaml.safe_load((CARDS_DIR / slug / "card.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cards() -> dict[str, Card]:
    loaded = {path.parent.name: load_card(path) for path in CARD_PATHS}
    assert all(item.card is not None for item in loaded.values())
    return {slug: item.card for slug, item in loaded.items() if item.card is not None}


def with_identity(card: Card, **fields: Any) -> Card:
    identity = card.identity.model_validate({**card.identity.model_dump(), **fields})
    return card.model_copy(update={"identity": identity})


# --- model sources ---------------------------------------------------------------------------


def test_sources_schema_accepts_each_kind_and_refuses_bad_addresses() -> None:
    from cardkit.schema.identity import Sources

    assert Sources(paper="https://arxiv.org/abs/2307.09288").paper == "https://arxiv.org/abs/2307.09288"
    for bad in ({}, {"paper": "http://arxiv.org/abs/1"}, {"demo": "https://a b"}, {"repository": "https://x>"}):
        with pytest.raises(ValidationError):
            Sources.model_validate(bad)
    with pytest.raises(ValidationError):
        Sources.model_validate({"website": "https://example.org"})


@pytest.mark.parametrize("lang", ["en", "zh", "zh-Hant"])
@pytest.mark.parametrize("path", CARD_PATHS, ids=lambda p: p.parent.name)
def test_sources_are_listed_in_each_language(path: Path, lang: str, cards: dict[str, Card]) -> None:
    stated = raw_of(path.parent.name)["identity"].get("sources", {})
    text = render_card(cards[path.parent.name], lang)
    section = text.split(SOURCES_HEADING[lang] + "\n\n", 1)[1].split("\n\n", 1)[0]
    assert (section == NOT_PUBLISHED[lang]) == (not set(stated) & set(SOURCE_LABELS["en"]))
    for kind, label in SOURCE_LABELS[lang].items():
        line = f"- **{label}**{SEPARATOR[lang]}<{stated[kind]}>" if kind in stated else f"- **{label}**"
        assert (line in text) == (kind in stated), (kind, line)


def test_every_source_kind_renders(cards: dict[str, Card]) -> None:
    urls = {kind: f"https://example.org/{kind}" for kind in SOURCE_LABELS["en"]}
    card = with_identity(cards["llama-2-13b"], sources=urls)
    for lang, labels in SOURCE_LABELS.items():
        text = render_card(card, lang)
        listed = re.findall(r"^- \*\*(.+?)\*\*(?:: |：)<(https://[^>]+)>$", text, re.MULTILINE)
        assert listed == [(labels[kind], urls[kind]) for kind in labels], lang


def test_bilingual_layout_lists_each_source_once_with_both_labels(cards: dict[str, Card]) -> None:
    url = raw_of("llama-2-13b")["identity"]["sources"]["paper"]
    text = render_card(cards["llama-2-13b"], "en+zh")
    assert f"- **Paper · 论文**: <{url}>" in text
    section = text.split("### Model sources · 模型来源\n\n", 1)[1].split("\n\n", 1)[0]
    assert section.count(f"<{url}>") == 1  # one list, not one per language


# --- contact ---------------------------------------------------------------------------------


@pytest.mark.parametrize("contact", ["lm@stability.ai", "https://github.com/facebookresearch/llama/issues"])
def test_contact_is_an_email_or_an_https_address(contact: str, cards: dict[str, Card]) -> None:
    card = with_identity(cards["stablelm-3b-4e1t"], contact=contact)
    shown = f"<{contact}>" if contact.startswith("https://") else contact
    for lang, heading in {"en": "Model card contact", "zh": "模型卡联系方式"}.items():
        assert f"## {heading}\n\n{shown}\n" in render_card(card, lang)


@pytest.mark.parametrize("contact", ["http://example.org/form", "ftp://example.org", "write to us", "a@b"])
def test_contact_refuses_what_is_neither(contact: str, cards: dict[str, Card]) -> None:
    with pytest.raises(ValidationError) as info:
        with_identity(cards["stablelm-3b-4e1t"], contact=contact)
    assert [error["loc"] for error in info.value.errors()] == [("contact",)]  # the field, not a union arm


@pytest.mark.parametrize("path", CARD_PATHS, ids=lambda p: p.parent.name)
def test_shipped_contact_is_rendered_as_stated(path: Path, cards: dict[str, Card]) -> None:
    contact = raw_of(path.parent.name)["identity"].get("contact")
    text = render_card(cards[path.parent.name], "en")
    section = text.split("## Model card contact\n\n", 1)[1].split("\n", 1)[0]
    expected = (f"<{contact}>" if contact.startswith("https://") else contact) if contact else "Not published"
    assert section == expected


# --- environmental impact --------------------------------------------------------------------


def with_training(card: Card, hardware: dict[str, Any] | None = None, **fields: Any) -> Card:
    data = card.training.model_dump()
    if hardware is not None:
        data["hardware"] = {**(data.get("hardware") or {}), **hardware}
    training = card.training.model_validate({**data, **fields})
    return card.model_copy(update={"training": training})


def row(text: str, label: str) -> str:
    """The value cell of the `label` row of the environmental-impact table."""
    section = text.split("## Environmental impact\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(rf"^\| {re.escape(label)} \| (.*) \|$", section, re.MULTILINE)
    assert match, (label, section)
    return match.group(1)


def test_gpu_and_region_ids_match_their_tables() -> None:
    from typing import get_args

    from cardkit.schema.energy import GPU_TDP, GRID_INTENSITY
    from cardkit.schema.training import GpuId, RegionId

    assert set(get_args(GpuId)) == set(GPU_TDP)
    assert set(get_args(RegionId)) == set(GRID_INTENSITY)
    assert all(row.source.startswith("https://") for row in [*GPU_TDP.values(), *GRID_INTENSITY.values()])


def test_hardware_refuses_unknown_ids_and_allows_an_unpublished_count(cards: dict[str, Card]) -> None:
    card = cards["falcon-40b-instruct"]
    hardware = with_training(card, hardware={"count": None}).training.hardware
    assert hardware is not None and hardware.count is None
    for bad in ({"gpu": "a100"}, {"region": "us-east-1"}, {"count": 0}):
        with pytest.raises(ValidationError):
            with_training(card, hardware=bad)


def test_energy_is_estimated_from_count_days_and_tdp_by_hand(cards: dict[str, Card]) -> None:
    raw = raw_of("stablelm-3b-4e1t")["training"]
    count, days = raw["hardware"]["count"], raw["duration_days"]
    assert (count, days, raw["hardware"]["gpu"]) == (256, 30, "a100-sxm4-40gb")
    hours = count * days * 24  # 184,320 GPU-hours
    kwh = hours * 400 / 1000  # NVIDIA A100 SXM4 40GB: 400 W maximum TDP -> 73,728 kWh
    text = render_card(cards["stablelm-3b-4e1t"], "en")
    assert row(text, "GPU hours") == f"{hours:,} (estimate)"
    assert row(text, "Peak power per device (W)") == "400 (estimate)"
    assert row(text, "Energy (kWh)") == f"{kwh:,.0f} (estimate)"
    assert row(text, "Emissions (tCO2eq)") == "Not published"
    assert f"- GPU hours = accelerators × days × 24 = {count} × {days} × 24 = {hours:,}\n" in text
    assert f"- Energy = GPU hours × power per device = {hours:,} × 400 W = {kwh:,.0f} kWh\n" in text
    assert "Emissions are not estimated: the region the training ran in is not published." in text


def test_emissions_are_estimated_from_the_region_by_hand(cards: dict[str, Card]) -> None:
    card = with_training(cards["stablelm-3b-4e1t"], hardware={"region": "aws:us-east-1"})
    tonnes = 256 * 30 * 24 * 400 / 1000 * 367.8 / 1e6  # us-east-1: 367.8 gCO2eq/kWh -> 27.1171584 t
    text = render_card(card, "en")
    assert row(text, "Compute region") == "AWS US East (N. Virginia)"
    assert row(text, "Emissions (tCO2eq)") == f"{tonnes:.2f} (estimate)"
    assert f"= 73,728 kWh × 367.8 gCO2eq/kWh = {tonnes:.2f} tCO2eq\n" in text
    assert "not estimated" not in text
    zh = render_card(card, "zh")
    assert f"{tonnes:.2f}（估算）" in zh and "(estimate)" not in zh


def test_published_figures_win_over_the_tables(cards: dict[str, Card]) -> None:
    raw = raw_of("llama-2-13b")["training"]["compute"]
    card = with_training(cards["llama-2-13b"], hardware={"gpu": "h100-sxm5-80gb", "region": "aws:eu-west-1"})
    text = render_card(card, "en")
    assert row(text, "Peak power per device (W)") == f"{raw['power_watts']:,}"  # not the H100's 700 W
    assert row(text, "Emissions (tCO2eq)") == f"{raw['co2_tonnes']:,}"  # Meta's figure, not the grid's
    kwh = raw["gpu_hours"] * raw["power_watts"] / 1000
    assert row(text, "Energy (kWh)") == f"{kwh:,.0f} (estimate)"
    assert "thermal design power" not in text and "grid intensity of" not in text


@pytest.mark.parametrize("path", CARD_PATHS, ids=lambda p: p.parent.name)
def test_each_figure_is_published_estimated_or_missing(path: Path, cards: dict[str, Card]) -> None:
    raw = raw_of(path.parent.name)["training"]
    text = render_card(cards[path.parent.name], "en")
    if not {"hardware", "compute", "duration_days"} & set(raw):
        return
    published = raw.get("compute", {})
    labels = {"GPU hours": "gpu_hours", "Energy (kWh)": "energy_kwh", "Emissions (tCO2eq)": "co2_tonnes"}
    for label, key in labels.items():
        value = row(text, label)
        if key in published:
            assert value == f"{published[key]:,}", label
        else:
            assert value == "Not published" or value.endswith(" (estimate)"), (label, value)
    if any(row(text, label).endswith("(estimate)") for label in ("GPU hours", "Energy (kWh)")):
        assert "Figures marked as an estimate are computed by cardkit" in text


# --- gating and licence name -----------------------------------------------------------------

GATED_IDS = {"llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4", "gemma"}
"""Hub licences whose terms are accepted before download (the Llama and Gemma licences)."""


def front_matter_of(text: str) -> dict[str, Any]:
    from huggingface_hub import ModelCard

    return ModelCard(text).data.to_dict()


def with_license(card: Card, **fields: Any) -> Card:
    license_ = card.license.model_validate({**card.license.model_dump(), **fields})
    return card.model_copy(update={"license": license_})


@pytest.mark.parametrize("path", CARD_PATHS, ids=lambda p: p.parent.name)
def test_gating_fields_exactly_when_the_licence_requires_acceptance(path: Path) -> None:
    raw = raw_of(path.parent.name)["license"]
    data = front_matter_of((path.parent / "README.md").read_text(encoding="utf-8"))
    gated = raw["id"] in GATED_IDS or raw.get("requires_acceptance") is True
    keys = {"extra_gated_heading", "extra_gated_prompt", "extra_gated_fields", "extra_gated_button_content"}
    assert (keys & set(data)) == (keys if gated else set())
    if gated:
        assert data["extra_gated_fields"] == {f"I have read and accept the {raw['name']}": "checkbox"}
        assert f"](<{raw['url']}>)" in data["extra_gated_prompt"]


def test_acceptance_can_be_required_by_the_card_but_not_waived_for_llama(cards: dict[str, Card]) -> None:
    apache = with_license(cards["falcon-40b-instruct"], requires_acceptance=True)
    assert front_matter_of(render_card(apache, "en"))["extra_gated_fields"] == {
        "I have read and accept the Apache License 2.0": "checkbox"
    }
    assert "| Access | Gated: accept the licence on the Hub before downloading |" in render_card(apache, "en")
    with pytest.raises(ValidationError, match="must be accepted"):
        with_license(cards["llama-2-13b"], requires_acceptance=False)


def test_gating_prompt_escapes_card_text(cards: dict[str, Card]) -> None:
    card = with_identity(cards["llama-2-13b"], developer="Meta <script>x</script> [click](https://evil.example)")
    card = with_license(card, url="https://ai.meta.com/llama/license/> <img src=x>")
    prompt = front_matter_of(render_card(card, "en"))["extra_gated_prompt"]
    assert "<script>" not in prompt and "[click](" not in prompt and "<img" not in prompt
    assert "](<https://ai.meta.com/llama/license/%3E%20%3Cimg%20src=x%3E>)" in prompt


def test_other_licence_gets_a_slug_license_name(cards: dict[str, Card]) -> None:
    raw = raw_of("stablelm-2-12b")["license"]
    assert raw["id"] == "other" and "slug" not in raw
    readme = (CARDS_DIR / "stablelm-2-12b" / "README.md").read_text(encoding="utf-8")
    data = front_matter_of(readme)
    assert data["license_name"] == "stability-ai-non-commercial-research-community-license"
    assert data["license_link"] == raw["url"]
    named = with_license(cards["stablelm-2-12b"], slug="stabilityai-nc-research-community")
    assert front_matter_of(render_card(named, "en"))["license_name"] == "stabilityai-nc-research-community"


@pytest.mark.parametrize(
    "fields",
    [
        {"slug": "Stability AI"},  # not lowercase-hyphenated
        {"slug": "-x-"},
        {"name": "稳定许可"},  # nothing to derive a slug from, and none given
    ],
)
def test_slug_is_refused_when_not_hub_shaped(fields: dict[str, Any], cards: dict[str, Card]) -> None:
    with pytest.raises(ValidationError):
        with_license(cards["stablelm-2-12b"], **fields)


def test_slug_is_refused_for_a_hub_licence_id(cards: dict[str, Card]) -> None:
    with pytest.raises(ValidationError, match="slug"):
        with_license(cards["falcon-40b-instruct"], slug="apache")


# --- evaluation pointers ---------------------------------------------------------------------


@pytest.mark.parametrize("path", CARD_PATHS, ids=lambda p: p.parent.name)
def test_evaluation_states_results_or_that_none_are_published(path: Path, cards: dict[str, Card]) -> None:
    raw = raw_of(path.parent.name)
    pointer = raw["identity"].get("sources", {}).get("results")
    text = render_card(cards[path.parent.name], "en")
    section = text.split("## Evaluation\n\n", 1)[1].split("\n## ", 1)[0]
    if "evaluation" in raw:
        assert "| Benchmark |" in section and "No evaluation results" not in section
    elif pointer:
        assert section.startswith("No evaluation results are published in the model's card; the developers ")
        assert f"<{pointer}>" in section
    else:
        assert section.strip() == "No evaluation results are published in the model's card."


def test_a_results_pointer_is_linked_under_stated_results_too(cards: dict[str, Card]) -> None:
    url = "https://huggingface.co/spaces/HuggingFaceH4/open_llm_leaderboard"
    card = with_identity(cards["stablelm-3b-4e1t"], sources={"results": url})
    text = render_card(card, "en")
    assert f"The developers point to <{url}> for further results." in text
    assert "### Model sources\n\nNot published\n" in text  # a results pointer alone is not a model source
    assert f"<{url}>" in render_card(card, "zh")
