"""`cardkit import --config`: the draft's architecture figures are transformers' reading of
config.json (the facts validate checks), and without it only the literal keys, never an alias."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from cardkit.cli import main
from cardkit.importing.readme import import_card, is_todo
from tests.helpers import HAS_TRANSFORMERS, python_in_child, transformers_reading
from tests.zoo_helpers import fill

FALCON_7B = {  # tiiuae/falcon-7b's attention keys, tiny: num_kv_heads is ignored under multi_query
    "model_type": "falcon",
    "hidden_size": 142,
    "num_attention_heads": 71,
    "num_kv_heads": 71,
    "multi_query": True,
    "new_decoder_architecture": False,
    "num_hidden_layers": 2,
    "vocab_size": 256,
    "bos_token_id": 11,
    "eos_token_id": 11,
}
README = "# Falcon-7B\n\nA model.\n"


def _imported(tmp_path: Path, config: dict[str, Any]) -> dict[str, Any]:
    (tmp_path / "config.json").write_text(json.dumps(config), encoding="utf-8")
    (tmp_path / "README.md").write_text(README, encoding="utf-8")
    out = tmp_path / "card.yaml"
    config_option = ["--config", str(tmp_path / "config.json")]
    assert main(["import", str(tmp_path / "README.md"), *config_option, "--out", str(out)]) == 0
    return yaml.safe_load(out.read_text(encoding="utf-8"))["architecture"]


@pytest.mark.skipif(not HAS_TRANSFORMERS, reason="needs the model extra")
def test_import_takes_the_figures_transformers_builds(tmp_path: Path) -> None:
    """One key/value head, as FalconConfig and the built attention say (the old alias table copied
    the ignored `num_kv_heads: 71`), and the exact parameter count of the built model."""
    arch = _imported(tmp_path, FALCON_7B)
    reading = transformers_reading(FALCON_7B)
    assert reading.facts is not None
    assert (arch["num_kv_heads"], arch["num_attention_heads"], arch["hidden_size"]) == (1, 71, 142)
    assert arch["parameters"]["count"] == reading.facts.values["parameters.count"]
    assert arch["max_position_embeddings"] == 2048  # FalconConfig's default: the file states none


def test_import_without_transformers_copies_literal_keys_and_names_the_rest() -> None:
    arch = import_card(README, FALCON_7B)["architecture"]
    assert (arch["num_attention_heads"], arch["hidden_size"], arch["num_layers"]) == (71, 142, 2)
    kv = arch["num_kv_heads"]
    assert is_todo(kv) and "num_kv_heads: 71" in kv["TODO"] and "multi_query: True" in kv["TODO"]
    assert is_todo(arch["max_position_embeddings"])  # no class default is guessed


@pytest.mark.skipif(not HAS_TRANSFORMERS, reason="needs the model extra")
def test_import_drafts_the_whole_block_new_drafts_and_validate_accepts_it(tmp_path: Path) -> None:
    """With the built facts, every architecture fact is filled as `cardkit new` fills it: the
    parallel block with one shared norm, ALiBi off and rotary on, biases, activation (the old path
    left `normalization` and `activation` to config-key heuristics, and `parallel_residual` out)."""
    from cardkit.importing.facts_draft import architecture_draft
    from cardkit.validate import ValidateOptions, validate_card

    arch = _imported(tmp_path, FALCON_7B)
    reading = transformers_reading(FALCON_7B)
    assert reading.facts is not None
    drafted = architecture_draft(reading.facts)
    assert {k: v for k, v in arch.items() if k != "parameters"} == {
        k: v for k, v in drafted.items() if k != "parameters"
    }
    wiring = (arch["parallel_residual"], arch["parallel_norms"], arch["normalization"])
    assert wiring == (True, "shared", "layernorm")
    assert arch["positional_embedding"]["type"] == "rotary"
    card = tmp_path / "card.yaml"
    text = card.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    filled = fill(data, "", data["architecture"])
    if "citation" in filled:
        filled["citation"] = "@misc{zoo, author={Example}, title={Zoo model}, year={2024}}"

    def write(card_data: dict[str, Any]) -> None:
        body = yaml.safe_dump(card_data, sort_keys=False, allow_unicode=True)
        card.write_text(text.splitlines()[0] + "\n" + body, encoding="utf-8")

    write(filled)
    report = validate_card(card, ValidateOptions(cache=False))
    assert not report.has_errors, [(f.code, f.field, f.message) for f in report.findings]
    filled["architecture"]["parallel_residual"] = False
    write(filled)
    findings = validate_card(card, ValidateOptions(cache=False)).findings
    assert [f.field for f in findings if f.severity.name == "ERROR"] == ["architecture.parallel_residual"]


def test_import_no_model_reads_literal_keys_and_imports_no_torch(tmp_path: Path) -> None:
    """`import --no-model`: the literal path even where transformers is installed, in a process that
    never imports torch or transformers."""
    (tmp_path / "config.json").write_text(json.dumps(FALCON_7B), encoding="utf-8")
    (tmp_path / "README.md").write_text(README, encoding="utf-8")
    code = (
        "import sys\n"
        "from cardkit.cli import main\n"
        "rc = main(sys.argv[1:])\n"
        "print(rc, 'torch' in sys.modules, 'transformers' in sys.modules)\n"
    )
    args = ["import", str(tmp_path / "README.md"), "--config", str(tmp_path / "config.json")]
    args += ["--out", str(tmp_path / "card.yaml"), "--no-model"]
    done = python_in_child(code, tmp_path / "cache", *args)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "False", "False"]
    arch = yaml.safe_load((tmp_path / "card.yaml").read_text(encoding="utf-8"))["architecture"]
    assert is_todo(arch["num_kv_heads"]) and "multi_query: True" in arch["num_kv_heads"]["TODO"]
