"""`cardkit import`: drafts from the five seed cards carry the facts the cards in cards/ hold.

The expected facts are the shipped cards' own values; which of them each seed states (and so which the
importer may fill) was read from the seed by hand and is listed per seed below. Everything else must
be a TODO placeholder: the importer never invents a value.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from cardkit.cli import main
from cardkit.importing.readme import draft_yaml, front_matter, import_card, is_todo
from cardkit.readme.parse import parse
from cardkit.validate import ValidateOptions, validate_card
from tests.helpers import CARDS_DIR, FIXTURES, HAS_TRANSFORMERS, transformers_reading

SEEDS = FIXTURES / "seeds"
SEED_CARD = {
    "000_5bd0cdd08e45b4d5.txt": "stablelm-2-12b",  # "Stable LM 2 12B ... 121亿参数"
    "001_066425d0e2255d92.txt": "stablelm-tuned-alpha-7b",  # "模型: stabilityai/stablelm-tuned-alpha-7b"
    "002_15ac191b68a7c0ea.txt": "stablelm-3b-4e1t",  # "model-index: - name: stablelm-3b-4e1t"
    "003_df9133f152875511.txt": "falcon-40b-instruct",  # "模型: tiiuae/falcon-40b-instruct"
    "004_112f33379bd4a788.txt": "llama-2-13b",  # "Llama-2-13b-ms", a ModelScope copy of Llama-2-13b
}

# Architecture figures each seed's own tables state (read from the seeds); without config.json only
# these may be filled.
TABLE_FACTS: dict[str, list[str]] = {
    "000_5bd0cdd08e45b4d5.txt": [
        "parameters.count",
        "hidden_size",
        "num_layers",
        "num_attention_heads",
        "num_kv_heads",
        "max_position_embeddings",
    ],
    "001_066425d0e2255d92.txt": [
        "hidden_size",
        "num_layers",
        "num_attention_heads",
        "max_position_embeddings",
    ],
    "002_15ac191b68a7c0ea.txt": [
        "parameters.count",
        "hidden_size",
        "num_layers",
        "num_attention_heads",
        "max_position_embeddings",
    ],
    "003_df9133f152875511.txt": ["num_layers", "hidden_size", "max_position_embeddings"],
    "004_112f33379bd4a788.txt": [],  # its only architecture table lost its borders ("4k ? 2.0T")
}
ARCH_NUMBERS = (
    "hidden_size", "num_layers", "num_attention_heads", "num_kv_heads", "intermediate_size", "vocab_size",
    "max_position_embeddings",
)  # fmt: skip
LICENSES = {  # None: the seed states no licence id (000 only links a membership page; 004 a custom one)
    "000_5bd0cdd08e45b4d5.txt": None,
    "001_066425d0e2255d92.txt": "cc-by-nc-sa-4.0",
    "002_15ac191b68a7c0ea.txt": "cc-by-sa-4.0",
    "003_df9133f152875511.txt": "apache-2.0",
    "004_112f33379bd4a788.txt": None,
}
PRECISION = {  # as the seeds' prose states it; 003 and 004 do not
    "000_5bd0cdd08e45b4d5.txt": "bfloat16",
    "001_066425d0e2255d92.txt": "mixed-float16",
    "002_15ac191b68a7c0ea.txt": "bfloat16",
}
HARDWARE = ("000_5bd0cdd08e45b4d5.txt", "002_15ac191b68a7c0ea.txt", "003_df9133f152875511.txt")
CITED = ("000_5bd0cdd08e45b4d5.txt", "001_066425d0e2255d92.txt", "003_df9133f152875511.txt")


def _card(seed: str) -> dict[str, Any]:
    return yaml.safe_load((CARDS_DIR / SEED_CARD[seed] / "card.yaml").read_text(encoding="utf-8"))


def _config(seed: str) -> dict[str, Any]:
    return json.loads((CARDS_DIR / SEED_CARD[seed] / "config.json").read_text(encoding="utf-8"))


def _draft(seed: str, with_config: bool = True) -> dict[str, Any]:
    text = (SEEDS / seed).read_text(encoding="utf-8")
    return import_card(text, _config(seed) if with_config else None)


def _get(data: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        data = data[part]
    return data


def test_every_seed_is_mapped() -> None:
    assert sorted(p.name for p in SEEDS.glob("*.txt")) == sorted(SEED_CARD)


@pytest.mark.parametrize("seed", sorted(SEED_CARD))
def test_repo_id_and_size_label(seed: str) -> None:
    draft, card = _draft(seed, with_config=False), _card(seed)
    if seed == "004_112f33379bd4a788.txt":  # the README names only its ModelScope mirror...
        assert is_todo(draft["identity"]["repo_id"])
        assert _draft(seed)["identity"]["repo_id"] == card["identity"]["repo_id"]  # ...config.json the repo
    else:
        assert draft["identity"]["repo_id"] == card["identity"]["repo_id"]
    assert draft["architecture"]["parameters"]["label"] == card["architecture"]["parameters"]["label"]


@pytest.mark.parametrize("seed", sorted(SEED_CARD))
def test_architecture_from_tables_only_what_they_state(seed: str) -> None:
    arch, card_arch = _draft(seed, with_config=False)["architecture"], _card(seed)["architecture"]
    for field in (*ARCH_NUMBERS, "parameters.count"):
        if field in TABLE_FACTS[seed]:
            assert _get(arch, field) == _get(card_arch, field), field
        else:
            assert is_todo(_get(arch, field)), field


LITERAL_NUMBERS = (
    "hidden_size", "num_layers", "num_attention_heads", "vocab_size", "max_position_embeddings",
)  # fmt: skip
"""What config.json states under keys every config class reads literally (cardkit.card.config_facts)."""


@pytest.mark.parametrize("seed", sorted(SEED_CARD))
def test_architecture_from_config(seed: str) -> None:
    """Without transformers: the literal keys, and what the README's tables state, nothing else."""
    arch, card_arch, config = _draft(seed)["architecture"], _card(seed)["architecture"], _config(seed)
    assert arch["model_type"] == card_arch["model_type"]
    for field in ARCH_NUMBERS:
        literal = {"num_layers": "num_hidden_layers"}.get(field, field) in config and field in LITERAL_NUMBERS
        if literal or field in TABLE_FACTS[seed]:
            assert arch[field] == card_arch[field], field
        else:  # e.g. Llama's num_key_value_heads: a key only its class reads
            assert is_todo(arch[field]), field


@pytest.mark.skipif(not HAS_TRANSFORMERS, reason="needs the model extra")
@pytest.mark.parametrize("seed", sorted(SEED_CARD))
def test_architecture_from_transformers_reading(seed: str) -> None:
    """With transformers' facts (as `cardkit import --config` computes them): every figure the
    shipped card states, the parameter count exact, as validate checks them."""
    config = _config(seed)
    text = (SEEDS / seed).read_text(encoding="utf-8")
    reading = transformers_reading(config)
    assert reading.facts is not None
    arch = import_card(text, config, reading=reading)["architecture"]
    card_arch = _card(seed)["architecture"]
    for field in ARCH_NUMBERS:
        if _get(card_arch, field) is not None:
            assert _get(arch, field) == _get(card_arch, field), field
    # the built count, not a table's: StableLM 2 12B's README says 12,143,605,760 (norms it does not build)
    assert arch["parameters"]["count"] == reading.facts.values["parameters.count"]


@pytest.mark.parametrize("seed", sorted(SEED_CARD))
def test_license_id(seed: str) -> None:
    license_id = _draft(seed)["license"]["id"]
    if LICENSES[seed] is None:
        assert is_todo(license_id)
    else:
        assert license_id == LICENSES[seed] == _card(seed)["license"]["id"]


@pytest.mark.parametrize("seed", sorted(SEED_CARD))
def test_training_facts(seed: str) -> None:
    training, card = _draft(seed)["training"], _card(seed)["training"]
    if seed in PRECISION:
        assert training["precision"] == PRECISION[seed] == card["precision"]
    else:
        assert is_todo(training["precision"])
    if seed in HARDWARE:
        assert training["hardware"] == {k: card["hardware"][k] for k in ("type", "count")}
    else:
        assert "hardware" not in training


@pytest.mark.parametrize(
    "seed", ["000_5bd0cdd08e45b4d5.txt", "002_15ac191b68a7c0ea.txt", "003_df9133f152875511.txt"]
)
def test_tokenizer_vocabulary_is_not_embedding_rows(seed: str) -> None:
    """000 and 002 state the vocabulary in a sentence, 003 in its table ("Vocabulary | 65024")."""
    draft, card = _draft(seed, with_config=False), _card(seed)
    assert draft["tokenizer"]["vocab_size"] == card["tokenizer"]["vocab_size"]
    assert is_todo(draft["architecture"]["vocab_size"])  # embedding rows come from config.json only


def test_hyperparameter_table_row_of_this_model() -> None:
    """Seed 001's table has a 3B and a 7B row; the 7B card takes the 7B row."""
    optimizer = _draft("001_066425d0e2255d92.txt")["training"]["optimizer"]
    assert optimizer == _card("001_066425d0e2255d92.txt")["training"]["optimizer"]


def test_datasets_from_metadata() -> None:
    for seed in ("001_066425d0e2255d92.txt", "002_15ac191b68a7c0ea.txt"):
        ids = {d["id"] for d in _draft(seed)["training"]["datasets"]}
        assert ids == {d["id"] for d in _card(seed)["training"]["datasets"]}, seed


def test_compute_table_rows_as_published() -> None:
    seed = "004_112f33379bd4a788.txt"
    table = _draft(seed)["training"]["compute"]["table"]
    card_table = _card(seed)["training"]["compute"]["table"]
    card_rows = {row["label"]: row for row in card_table["rows"]}
    assert [row["label"] for row in table["rows"]] == ["Llama 2 7B", "Llama 2 13B", "Llama 2 70B"]
    assert all(row == card_rows[row["label"]] for row in table["rows"])
    assert (table["total_gpu_hours"], table["total_co2_tonnes"]) == (
        card_table["total_gpu_hours"],
        card_table["total_co2_tonnes"],
    )


def test_model_index_from_flattened_front_matter() -> None:
    seed = "002_15ac191b68a7c0ea.txt"
    evaluation, card_eval = _draft(seed)["evaluation"], _card(seed)["evaluation"]
    scores = {
        r["dataset"]["type"]: (r["few_shot"], r["metric"]["type"], r["metric"]["value"])
        for r in evaluation["results"]
    }
    card_scores = {
        r["dataset"]["type"]: (r["few_shot"], r["metric"]["type"], r["metric"]["value"])
        for r in card_eval["results"]
    }
    assert scores == card_scores
    sources = {r["source"]["url"] for r in evaluation["results"]}
    assert sources == {r["source"]["url"] for r in card_eval["results"]}  # the mirror host is undone
    (summary,) = evaluation["summaries"]
    assert (summary["name"], summary["value"], len(summary["of"])) == ("Avg.", 46.58, 6)


def test_results_table_row_of_this_model() -> None:
    """Seed 004's tables have Llama 1/2 and Chat rows; only `Llama 2 13B` is this model's."""
    seed = "004_112f33379bd4a788.txt"
    values = sorted(r["metric"]["value"] for r in _draft(seed)["evaluation"]["results"])
    assert values == sorted(r["metric"]["value"] for r in _card(seed)["evaluation"]["results"])


@pytest.mark.parametrize(
    "seed", ["000_5bd0cdd08e45b4d5.txt", "002_15ac191b68a7c0ea.txt", "004_112f33379bd4a788.txt"]
)
def test_usage_from_snippets(seed: str) -> None:
    usage, card = _draft(seed)["usage"], _card(seed)["usage"]
    assert usage["example_prompt"] == card["example_prompt"]
    if "generation" in usage:
        assert usage["generation"] == card["generation"]
    assert all(s["code"].strip() for s in usage["snippets"])


def test_flattened_snippets_become_todos() -> None:
    usage = _draft("003_df9133f152875511.txt")["usage"]
    assert [is_todo(s["code"]) for s in usage["snippets"]] == [True, True]
    assert is_todo(usage["example_prompt"])


@pytest.mark.parametrize("seed", sorted(SEED_CARD))
def test_citation_keys(seed: str) -> None:
    citation = _draft(seed)["citation"]
    if seed in CITED:
        keys = re.findall(r"@\w+\{([^,]+),", citation)
        assert keys == re.findall(r"@\w+\{([^,]+),", _card(seed)["citation"])
    else:  # 002's entry lacks a year; 004 has none
        assert is_todo(citation)


def test_contact_and_requirements() -> None:
    draft = _draft("000_5bd0cdd08e45b4d5.txt")
    assert draft["identity"]["contact"] == _card("000_5bd0cdd08e45b4d5.txt")["identity"]["contact"]
    assert draft["usage"]["requirements"] == ["transformers>=4.40.0"]


def test_markdown_readme_with_front_matter() -> None:
    text = (FIXTURES / "lint" / "clean" / "README.md").read_text(encoding="utf-8")
    draft = import_card(text)
    assert draft["identity"]["name"] == "StableLM-3B-4E1T"
    assert draft["identity"]["repo_id"] == "stabilityai/stablelm-3b-4e1t"
    assert draft["license"]["id"] == "cc-by-sa-4.0"
    assert draft["architecture"]["num_layers"] == 32
    assert draft["usage"]["snippets"][0]["code"].startswith("from transformers import")
    assert re.findall(r"@\w+\{([^,]+),", draft["citation"]) == ["StableLM-3B-4E1T"]


# ---- the draft is a card that validate understands ----------------------------------------------


def _todo_paths(value: Any, path: str = "") -> list[str]:
    if is_todo(value):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _todo_paths(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _todo_paths(v, f"{path}[{i}]")]
    return []


@pytest.mark.parametrize("seed", sorted(SEED_CARD))
def test_draft_fails_validation_only_at_todos(seed: str, tmp_path: Path) -> None:
    folder = tmp_path / SEED_CARD[seed]
    folder.mkdir()
    shutil.copy(CARDS_DIR / SEED_CARD[seed] / "config.json", folder / "config.json")
    draft = _draft(seed)
    (folder / "card.yaml").write_text(draft_yaml(draft), encoding="utf-8")
    report = validate_card(folder / "card.yaml", ValidateOptions(model=False, cache=False))
    todos = _todo_paths(draft)
    assert todos and report.findings
    for finding in report.findings:
        assert finding.field and any(finding.field.startswith(t) for t in todos), finding
        assert finding.line is not None
    reported = {t for t in todos if any(f.field and f.field.startswith(t) for f in report.findings)}
    assert reported == set(todos)


def test_filled_draft_loads_as_written(tmp_path: Path) -> None:
    """Values written to YAML come back unchanged (no float/str drift in the round trip)."""
    draft = _draft("002_15ac191b68a7c0ea.txt")
    assert yaml.safe_load(draft_yaml(draft)) == draft


# ---- CLI ----------------------------------------------------------------------------------------


def test_cli_writes_and_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    seed = SEEDS / "002_15ac191b68a7c0ea.txt"
    out = tmp_path / "card.yaml"
    config = CARDS_DIR / "stablelm-3b-4e1t" / "config.json"
    assert main(["import", str(seed), "--config", str(config), "--out", str(out)]) == 0
    written = out.read_text(encoding="utf-8")
    assert yaml.safe_load(written)["identity"]["repo_id"] == "stabilityai/stablelm-3b-4e1t"
    out.write_text("keep me", encoding="utf-8")
    assert main(["import", str(seed), "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "keep me"
    assert main(["import", str(seed), "--config", str(config), "--out", str(out), "--force"]) == 0
    assert out.read_text(encoding="utf-8") == written
    assert [p.name for p in tmp_path.iterdir()] == ["card.yaml"]  # no temporary file left behind


def test_cli_prints_without_out(capsys: pytest.CaptureFixture) -> None:
    assert main(["import", str(SEEDS / "003_df9133f152875511.txt")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# yaml-language-server: $schema=")
    assert "TODO:" in out


def test_cli_missing_readme(tmp_path: Path) -> None:
    assert main(["import", str(tmp_path / "nope.md")]) == 2


@pytest.mark.parametrize("slug", sorted(p.parent.name for p in CARDS_DIR.glob("*/card.yaml")))
def test_import_of_a_rendered_readme_round_trips_the_facts(slug: str) -> None:
    """A README that `cardkit render` wrote (English and Chinese) imports back to the card's facts."""
    render = pytest.importorskip("cardkit.render.engine")
    from cardkit.card.load import load_card

    loaded = load_card(CARDS_DIR / slug / "card.yaml")
    card = yaml.safe_load((CARDS_DIR / slug / "card.yaml").read_text(encoding="utf-8"))
    for layout in ("en", "en+zh", "zh"):
        draft = import_card(render.render_card(loaded.card, layout))
        assert draft["identity"]["repo_id"] == card["identity"]["repo_id"], layout
        for field in ARCH_NUMBERS:
            assert draft["architecture"][field] == card["architecture"][field], (layout, field)
        assert draft["tokenizer"]["vocab_size"] == card["tokenizer"]["vocab_size"], layout
        if render.LAYOUTS[layout].filename != "README.md":
            continue  # README_zh*.md carry no front matter: licence and results live in README.md
        assert draft["license"]["id"] == card["license"]["id"], layout
        if "evaluation" in card:
            values = sorted(r["metric"]["value"] for r in draft["evaluation"]["results"])
            assert values == sorted(r["metric"]["value"] for r in card["evaluation"]["results"]), layout
        else:
            assert "evaluation" not in draft, layout
        assert re.findall(r"@\w+\{([^,]+),", draft["citation"]) == re.findall(
            r"@\w+\{([^,]+),", card["citation"]
        )


def test_import_does_not_import_torch_or_transformers() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from cardkit.cli import main; "
        f"main(['import', {str(SEEDS / '002_15ac191b68a7c0ea.txt')!r}]); "
        "assert not {'torch', 'transformers'} & set(sys.modules), 'heavy import'"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# ---- hostile input: a draft, never a traceback --------------------------------------------------

MODEL_INDEX_SHAPES = {
    "result-is-a-string": '[{name: m, results: ["x"]}]',
    "results-is-a-string": "[{name: m, results: x}]",
    "metrics-is-a-mapping": "[{name: m, results: [{metrics: {type: acc}}]}]",
    "metric-is-a-number": "[{name: m, results: [{metrics: [1]}]}]",
    "dataset-is-a-string": "[{name: m, results: [{dataset: d, metrics: [{type: acc, value: 1}]}]}]",
    "args-is-a-string": "[{name: m, results: [{dataset: {name: d, args: s}, metrics: [{value: 1}]}]}]",
    "huge-value": "[{name: m, results: [{dataset: {name: d}, metrics: [{value: 0x" + "f" * 5000 + "}]}]}]",
    "nested-names": "[{name: m, results: [{dataset: {name: [a, {b: c}]}, metrics: [{type: [x]}]}]}]",
    "entry-is-a-list": "[[1, 2]]",
}


@pytest.mark.parametrize("index", MODEL_INDEX_SHAPES.values(), ids=MODEL_INDEX_SHAPES.keys())
def test_model_index_of_the_wrong_shape_is_skipped_not_indexed(index: str) -> None:
    head = f"license: mit\ntags: [a]\nlanguage: {{a: b}}\nmodel-index: {index}"
    text = f"---\n{head}\n---\n# T\ntext\n"
    draft = import_card(text)
    dumped = yaml.safe_load(draft_yaml(draft))
    for result in (dumped.get("evaluation") or {}).get("results", []):
        value = result["metric"].get("value")
        assert value is None or isinstance(value, int | float)
    if "f" * 5000 not in index:  # a 5,000-digit number makes the whole front matter refused
        assert dumped["identity"]["tags"] == ["a"]


def test_front_matter_with_a_number_too_long_to_convert_is_refused_whole() -> None:
    """YAML limits apply before construction: the front matter is refused, the draft still written."""
    draft = import_card(f"---\nlicense: mit\ntags: [0x{'f' * 5000}, a]\n---\n# T\ntext\n")
    dumped = yaml.safe_load(draft_yaml(draft))
    assert "tags" not in dumped["identity"]


FLAT_FRONT_MATTER = {
    "date": "name: 2023-02-30",
    "python-tag": "name: !!python/object/apply:os.system ['id']",
    "alias": "name: *a",
    "long-integer": "name: " + "9" * 5000,
}


@pytest.mark.parametrize("value", FLAT_FRONT_MATTER.values(), ids=FLAT_FRONT_MATTER.keys())
def test_flattened_front_matter_values_are_read_safely(value: str) -> None:
    index = f"model-index:\n- task:\ndataset:\n{value}\nmetrics:\n- type: acc\nvalue: 1"
    text = f"license: mit\n{index}\n\nText.\n"
    draft = import_card(text)
    [result] = draft["evaluation"]["results"]
    assert result["dataset"]["name"] == value.partition(": ")[2]  # the text as written, nothing run


def test_flattened_list_after_a_scalar_keeps_both() -> None:
    meta = front_matter(parse("license: mit\n- other\n\nText.\n", "README.md"))
    assert meta["license"] == ["mit", "other"]


def test_front_matter_alias_bomb_is_refused_before_it_expands() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    draft = import_card("---\n" + "\n".join(lines) + "\ntags: *a8\n---\n# T\ntext\n")
    assert "tags" not in draft["identity"]


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"])
def test_line_break_characters_survive_the_draft(char: str) -> None:
    """YAML reads NEL, LS, PS and CR as line breaks: written raw, NEL came back as a space."""
    code = f"x = 1  # a{char}b\nprint(x)"
    readme = f"# T\n\n```python\n{code}\n```\n\nSee a{char}b.\n"
    draft = import_card(readme)
    dumped = yaml.safe_load(draft_yaml(draft))
    assert dumped["usage"]["snippets"][0]["code"] == draft["usage"]["snippets"][0]["code"]
    assert char in dumped["usage"]["snippets"][0]["code"]


@pytest.mark.parametrize(
    "readme",
    [
        "# T\n\n```python\nx = 1" + "+1" * 100_000 + "\n```\n",
        "# T\n\n```python\nx = " + "-" * 5_000 + "1\n```\n",
        "# Model 7B\n\n| Model | Learning rate |\n|---|---|\n| 7B | " + "-" * 100_000 + "1 |\n",
        "# Model 7B\n\n| Model | Betas |\n|---|---|\n| 7B | " + "(" * 90 + ")" * 90 + " |\n",
        "# T\n\n```python\nmodel.generate(x, max_new_tokens=0x" + "f" * 5000 + ")\n```\n",
    ],
    ids=["long-sum", "unary-minus", "hyper-cell", "hyper-nested", "huge-generate-setting"],
)
def test_snippets_and_cells_the_parser_cannot_take_leave_todos(readme: str) -> None:
    draft = import_card(readme, None, "o/model-7b")
    yaml.safe_load(draft_yaml(draft))
    assert "generation" not in draft["usage"]


HOSTILE = sorted((FIXTURES / "lint" / "hostile").glob("import-*.md"))


@pytest.mark.parametrize("sample", HOSTILE, ids=lambda p: p.stem)
def test_fuzz_samples_import_without_a_traceback(sample: Path) -> None:
    yaml.safe_load(draft_yaml(import_card(sample.read_text(encoding="utf-8"))))
