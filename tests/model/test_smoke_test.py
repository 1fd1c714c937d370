"""--generate on tiny real checkpoints: the card's prompt format, stop tokens and defaults, mechanically."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file
from transformers import AutoModelForCausalLM, AutoTokenizer

from cardkit.card.load import load_card
from cardkit.cli import main
from cardkit.core.findings import CardReport, Severity
from cardkit.model.smoke_test import build_prompt, forced_stop_ends_generation
from cardkit.validate import ValidateOptions, validate_card
from tests.helpers import SLUGS, only
from tests.tiny_models import TinyModel, copy_tiny, replace_in


def generate(tiny: TinyModel) -> CardReport:
    return validate_card(tiny.card, ValidateOptions(checkpoint=tiny.checkpoint, generate=True))


@pytest.mark.parametrize("slug", SLUGS)
def test_every_family_generates_with_its_card(slug: str, tiny_zoo: dict[str, TinyModel]) -> None:
    tiny = tiny_zoo[slug]
    report = generate(tiny)
    assert [f for f in report.findings if f.severity is not Severity.INFO] == []
    figures = report.runtime["generate"]
    card = load_card(tiny.card).card
    assert 1 <= figures["new_tokens"] <= card.usage.generation.max_new_tokens
    assert 0 < figures["time_to_first_token_s"] <= figures["seconds"]
    if figures["new_tokens"] > 1:  # the streamer saw the first token before generation ended
        assert figures["time_to_first_token_s"] < figures["seconds"] and figures["tokens_per_s"] > 0
    assert "load" in report.runtime  # --generate implies --load


def test_same_seed_same_text(tiny_zoo: dict[str, TinyModel]) -> None:
    tiny = tiny_zoo["stablelm-2-12b"]  # samples (do_sample, temperature 0.7, top_p 0.95)
    first, second = generate(tiny), generate(tiny)
    assert first.runtime["generate"]["text"] == second.runtime["generate"]["text"]


def test_stop_token_missing_from_the_vocabulary(tmp_path: Path, tiny_zoo: dict[str, TinyModel]) -> None:
    tiny = copy_tiny(tiny_zoo["llama-2-13b"], tmp_path)
    replace_in(tiny.card, r"^  - </s>$", "  - </s>\n  - <|im_end|>")
    report = generate(tiny)
    finding = only(report, "generate-stop-token-missing")
    assert (finding.field, finding.actual, finding.severity) == (
        "usage.stop_tokens[1]",
        "<|im_end|>",
        Severity.ERROR,
    )
    assert finding.file.endswith("card.yaml") and finding.line is not None


def test_prompt_format_fills_system_and_prompt(tiny_zoo: dict[str, TinyModel]) -> None:
    tiny = tiny_zoo["stablelm-tuned-alpha-7b"]
    loaded = load_card(tiny.card)
    tokenizer = AutoTokenizer.from_pretrained(tiny.checkpoint, local_files_only=True)
    prompt = build_prompt(loaded, tokenizer)
    usage = loaded.card.usage
    assert (
        prompt == f"<|SYSTEM|>{usage.prompt_format.system_prompt}<|USER|>{usage.example_prompt}<|ASSISTANT|>"
    )
    ids = tokenizer(prompt)["input_ids"]
    assert tokenizer.convert_tokens_to_ids("<|ASSISTANT|>") == ids[-1]


def test_chat_template_when_the_card_has_no_prompt_format(
    tmp_path: Path, tiny_zoo: dict[str, TinyModel]
) -> None:
    tiny = copy_tiny(tiny_zoo["stablelm-3b-4e1t"], tmp_path)
    config_path = tiny.checkpoint / "tokenizer_config.json"
    config = json.loads(config_path.read_text())
    config["chat_template"] = "{% for m in messages %}[{{ m.role }}] {{ m.content }}{% endfor %}[assistant]"
    config_path.write_text(json.dumps(config))
    tokenizer = AutoTokenizer.from_pretrained(tiny.checkpoint, local_files_only=True)
    loaded = load_card(tiny.card)
    assert build_prompt(loaded, tokenizer) == f"[user] {loaded.card.usage.example_prompt}[assistant]"
    assert generate(tiny).runtime["generate"]["new_tokens"] >= 1


def test_stop_probe_detects_a_token_that_does_not_stop(tiny_zoo: dict[str, TinyModel]) -> None:
    tiny = tiny_zoo["stablelm-tuned-alpha-3b"]
    model = AutoModelForCausalLM.from_pretrained(tiny.checkpoint, local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(tiny.checkpoint, local_files_only=True)
    inputs = dict(tokenizer("hello", return_tensors="pt"))
    user = tokenizer.convert_tokens_to_ids("<|USER|>")
    eos = tokenizer.eos_token_id
    assert forced_stop_ends_generation(model, inputs, user, {"eos_token_id": [user], "pad_token_id": eos})
    assert not forced_stop_ends_generation(model, inputs, user, {"eos_token_id": [eos], "pad_token_id": eos})


def test_non_finite_logits(tmp_path: Path, tiny_zoo: dict[str, TinyModel]) -> None:
    tiny = copy_tiny(tiny_zoo["stablelm-3b-4e1t"], tmp_path)
    state = load_file(tiny.checkpoint / "model.safetensors")
    state["model.norm.weight"] = torch.full_like(state["model.norm.weight"], float("nan"))
    save_file(state, tiny.checkpoint / "model.safetensors", metadata={"format": "pt"})
    finding = only(generate(tiny), "generate-logits-not-finite")
    assert finding.expected == 0 and finding.actual > 0


def test_round_trip_mismatch(tmp_path: Path, tiny_zoo: dict[str, TinyModel]) -> None:
    tiny = copy_tiny(tiny_zoo["llama-2-13b"], tmp_path)
    path = tiny.checkpoint / "tokenizer.json"
    data = json.loads(path.read_text())
    data["normalizer"] = {"type": "Lowercase"}
    path.write_text(json.dumps(data))
    finding = only(generate(tiny), "generate-roundtrip-mismatch")
    prompt = load_card(tiny.card).card.usage.example_prompt
    assert (finding.expected, finding.actual) == (prompt, prompt.lower())
    assert finding.severity is Severity.WARNING


def test_missing_tokenizer(tmp_path: Path, tiny_zoo: dict[str, TinyModel]) -> None:
    tiny = copy_tiny(tiny_zoo["llama-2-13b"], tmp_path)
    (tiny.checkpoint / "tokenizer.json").unlink()
    (tiny.checkpoint / "tokenizer_config.json").unlink()
    assert only(generate(tiny), "generate-tokenizer-failed").severity is Severity.ERROR


@pytest.mark.parametrize("slug", SLUGS)
def test_no_tokenizer_files_is_one_finding_for_every_family(
    slug: str, tmp_path: Path, tiny_zoo: dict[str, TinyModel], capsys: pytest.CaptureFixture[str]
) -> None:
    """GPT-NeoX's AutoTokenizer builds an empty tokenizer from nothing; the forward pass on no tokens
    then raised out of --generate as a 97-line traceback."""
    tiny = copy_tiny(tiny_zoo[slug], tmp_path)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (tiny.checkpoint / name).unlink()
    code = main(["validate", str(tiny.card), "--checkpoint", str(tiny.checkpoint), "--generate"])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in out + err
    assert "[generate-tokenizer-failed] no tokenizer in the folder" in out


def test_tokenizer_file_that_is_a_fifo_or_too_big_is_refused_unread(
    tmp_path: Path, tiny_zoo: dict[str, TinyModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    import cardkit.model.smoke_test as smoke

    tiny = copy_tiny(tiny_zoo["stablelm-3b-4e1t"], tmp_path)
    monkeypatch.setattr(smoke, "MAX_TOKENIZER_FILE_BYTES", 1000)
    finding = only(generate(tiny), "generate-tokenizer-failed")
    assert "tokenizer.json is" in finding.message and "the limit is 1,000" in finding.message
    monkeypatch.undo()
    (tiny.checkpoint / "additional_chat_templates").mkdir()
    os.mkfifo(tiny.checkpoint / "additional_chat_templates" / "tool.jinja")
    finding = only(generate(tiny), "generate-tokenizer-failed")
    assert finding.message == "additional_chat_templates/tool.jinja is not a regular file"
    (tiny.checkpoint / "additional_chat_templates" / "tool.jinja").unlink()
    os.mkfifo(tiny.checkpoint / "vocab.json")  # AutoTokenizer would block opening it
    finding = only(generate(tiny), "generate-tokenizer-failed")
    assert finding.message == "vocab.json is not a regular file"


def test_tokenizer_that_encodes_nothing_is_a_finding(
    tmp_path: Path, tiny_zoo: dict[str, TinyModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    import cardkit.model.smoke_test as smoke

    class Empty:
        chat_template = None
        eos_token_id = pad_token_id = None

        def get_vocab(self) -> dict[str, int]:
            return {}

        def encode(self, text: str, add_special_tokens: bool = False) -> list[int]:
            return []

        def decode(self, ids: list[int]) -> str:
            return ""

        def __call__(self, text: str, return_tensors: str) -> dict[str, torch.Tensor]:
            return _Batch(input_ids=torch.zeros((1, 0), dtype=torch.long))

    class _Batch(dict):
        def to(self, device: object) -> _Batch:
            return self

    tiny = copy_tiny(tiny_zoo["stablelm-tuned-alpha-3b"], tmp_path)
    monkeypatch.setattr(smoke, "load_tokenizer", lambda folder, trust: Empty())
    report = generate(tiny)
    assert only(report, "generate-prompt-empty").severity is Severity.ERROR


def test_cli_prints_load_and_generate_figures(
    tiny_zoo: dict[str, TinyModel], capsys: pytest.CaptureFixture[str]
) -> None:
    tiny = tiny_zoo["falcon-40b-instruct"]
    assert main(["validate", str(tiny.card), "--checkpoint", str(tiny.checkpoint), "--generate"]) == 0
    out = capsys.readouterr().out
    assert f"  load: {tiny.parameters:,} parameters, 2 layers, 16 heads, 1 KV heads on cpu in " in out
    assert "  generate: " in out and "first token in " in out and "tokens/s (seed 1234)" in out
