"""What `cardkit import` reads from a README, each reading on a small README written for the test:
labelled facts, licence rows, prompts, install lines, results rows, prose sections, config keys."""

from __future__ import annotations

from typing import Any

import pytest

from cardkit.importing.readme import import_card, is_todo

FENCE = "```"


def _table(*rows: tuple[str, str]) -> str:
    return "| Property | Value |\n| --- | --- |\n" + "".join(f"| {a} | {b} |\n" for a, b in rows) + "\n"


def test_labelled_rows_and_lines_fill_their_fields() -> None:
    text = "# Acme-3B\n\n**Model developer**: Acme Labs\n\n" + _table(
        ("Model family", "Acme"),
        ("Model type", "Chat model (`acme`)"),
        ("Language(s)", "English, German and French"),
        ("Release date", "March 4, 2024"),
        ("Parameters", "3,012,345,678 (`3B`)"),
        ("Hidden size", "2,560"),
        ("Layers", "32"),
        ("Gated feed-forward", "Yes"),
        ("Tied input and output embeddings", "No"),
        ("Positional encoding", "Rotary (RoPE)"),
        ("Rotary fraction", "0.25"),
        ("Linear layers with a bias", "query/key/value"),
    )
    draft = import_card(text)
    identity, arch = draft["identity"], draft["architecture"]
    assert (identity["developer"], identity["family"], identity["variant"]) == ("Acme Labs", "Acme", "chat")
    assert identity["languages"] == ["en", "de", "fr"] and identity["release_date"] == "2024-03-04"
    assert arch["model_type"] == "acme" and arch["parameters"] == {"count": 3012345678, "label": "3B"}
    assert (arch["hidden_size"], arch["num_layers"], arch["gated_mlp"], arch["tied_embeddings"]) == (
        2560, 32, True, False
    )
    assert arch["positional_embedding"] == {"type": "rotary", "rotary_fraction": 0.25}
    assert arch["linear_biases"] == {"qkv": True, "attention_output": False, "mlp": False, "lm_head": False}


@pytest.mark.parametrize(
    "rows",
    [
        [("Language(s)", "English and Klingon")],  # one unknown name: the whole list stays TODO
        [("Layers", "32"), ("Layers", "40")],  # two labels stating different values
        [("Hidden size", "about 2.5k")],  # not a count
        [("Developed by", "[https://acme.example](https://acme.example);")],  # an address, not a name
    ],
)
def test_a_value_that_does_not_read_or_disagrees_stays_todo(rows: list[tuple[str, str]]) -> None:
    draft = import_card("# Acme-3B\n\n" + _table(*rows))
    assert is_todo(draft["identity"]["languages"]) and is_todo(draft["identity"]["developer"])
    assert is_todo(draft["architecture"]["num_layers"]) and is_todo(draft["architecture"]["hidden_size"])


def test_a_family_card_keeps_its_members_figures_out() -> None:
    text = "# Acme\n\n| Model | Layers |\n| --- | --- |\n| Acme-1B | 16 |\n| Acme-7B | 32 |\n\n"
    text += _table(("Layers", "32"), ("Developed by", "Acme Labs"))
    draft = import_card(text)
    assert draft["identity"]["developer"] == "Acme Labs"


def test_escaped_pipes_stay_inside_a_cell() -> None:
    """`<\\|endoftext\\|>` is one cell: splitting at every pipe read it as three."""
    draft = import_card("# Acme-3B\n\n" + _table(("Stop tokens", r"`<\|endoftext\|>`")))
    assert draft["usage"]["stop_tokens"] == ["<|endoftext|>"]


def test_the_precision_row_wins_over_a_sentence_and_may_say_not_published() -> None:
    text = "# Acme-3B\n\nIt was trained in bf16 on web text.\n\n" + _table(("Precision", "Not published"))
    assert import_card(text)["training"]["precision"] == "not published"
    hyper = "| Hyperparameter | Value | Comment |\n| --- | --- | --- |\n| Precision | `bfloat16` | |\n"
    hyper += "| Learning rate | 3e-4 | peak |\n| Weight decay | 1e-1 | |\n| Batch size | 1024 | |\n"
    training = import_card("# Acme-3B\n\nTrained with AdamW.\n\n" + hyper)["training"]
    assert training["precision"] == "bfloat16"
    assert training["optimizer"] == {"name": "AdamW", "learning_rate": 0.0003, "weight_decay": 0.1,
                                     "batch_size_sequences": 1024}  # fmt: skip


@pytest.mark.parametrize(
    ("code", "prompt"),
    [
        ('reply, history = model.chat(tokenizer, "早上好", history=[])', "早上好"),
        ('messages = [{"role": "user", "content": "Name a river."}]', "Name a river."),
        ("prompt = 'Q: two plus two?\\nA:'\nids = tokenizer(prompt)", "Q: two plus two?\nA:"),
        ('pipe = pipeline("text-generation", model=m)\nout = pipe("Once upon a time")', "Once upon a time"),
    ],
)
def test_example_prompt_from_what_the_snippet_feeds_the_model(code: str, prompt: str) -> None:
    text = f"# Acme-3B\n\n{FENCE}python\n{code}\n{FENCE}\n"
    assert import_card(text)["usage"]["example_prompt"] == prompt


def test_install_blocks_are_requirements_not_snippets() -> None:
    text = (
        f"# Acme-3B\n\n{FENCE}bash\npip install torch 'transformers>=4.40.0'\n{FENCE}\n\n"
        f"{FENCE}python\nimport torch\n{FENCE}\n\nAlso needs:\n\n"
        f"{FENCE}bash\npip install flash-attn\n{FENCE}\n\n{FENCE}python\nimport flash_attn\n{FENCE}\n\n"
        f"{FENCE}bash\npip install -r requirements.txt\n{FENCE}\n"
    )
    usage = import_card(text)["usage"]
    assert usage["requirements"] == ["torch", "transformers>=4.40.0"]
    assert [s.get("language") for s in usage["snippets"]] == ["python", "python", "bash"]
    assert usage["snippets"][1]["requirements"] == ["flash-attn"]
    assert "requirements" not in usage["snippets"][0]
    words = "# Acme-3B\n\nUse a stable version of Transformers, 4.38.0 or newer.\n"
    assert import_card(words)["usage"]["requirements"] == ["transformers>=4.38.0"]


def test_generation_settings_of_a_pipeline_call_and_a_kwargs_dict() -> None:
    pipe = f'# Acme-3B\n\n{FENCE}python\nout = pipe("Hi there", do_sample=True, top_k=5)\n{FENCE}\n'
    assert import_card(pipe)["usage"]["generation"] == {"do_sample": True, "top_k": 5}
    kwargs = f'# Acme-3B\n\n{FENCE}python\ngen = {{"top_p": 0.8}}\nmodel.generate(**x, **gen)\n{FENCE}\n'
    assert import_card(kwargs)["usage"]["generation"] == {"top_p": 0.8}


def test_bilingual_heading_titles_a_snippet_in_both_languages() -> None:
    text = f"# Acme-3B\n\n## 运行示例（Run it）\n\n{FENCE}python\nx = 1\n{FENCE}\n"
    assert import_card(text)["usage"]["snippets"][0]["title"] == {"en": "Run it", "zh": "运行示例"}


def test_results_rows_with_shots_and_a_metric_column() -> None:
    text = "# Acme-3B\n\n## Quiz\n\n| Model | Avg. Acc. |\n| --- | --- |\n| Other-3B | 40.0 |\n"
    text += "| **Acme-3B (0-shot)** | 51.5 |\n| **Acme-3B (5-shot)** | 55.0 |\n"
    results = import_card(text)["evaluation"]["results"]
    assert [(r["few_shot"], r["metric"]["value"], r["metric"]["type"]) for r in results] == [
        (0, 51.5, "accuracy"),
        (5, 55.0, "accuracy"),
    ]
    assert results[0]["dataset"]["name"] == "Quiz / Avg. Acc." and results[0]["id"] != results[1]["id"]


def test_prose_sections_named_together_direct_use_and_the_title_text() -> None:
    text = (
        "# Acme-3B\n\n**English** | [中文](README_zh.md)\n\nAcme-3B is a small model built by Acme Labs.\n\n"
        "## Uses\n\n### Direct use\n\nDrafting text.\n\n## Bias, Risks, and Limitations\n\nIt errs.\n\n"
        "## How training data shapes output\n\nNot a data section.\n"
    )
    draft = import_card(text)
    prose = draft["prose"]
    assert prose["summary"]["en"] == "Acme-3B is a small model built by Acme Labs."
    assert prose["intended_use"]["en"] == "Drafting text."
    assert prose["bias"]["en"] == prose["limitations"]["en"] == "It errs."
    assert is_todo(draft["training"]["summary"]["en"])
    assert draft["identity"]["developer"] == "Acme Labs"


def test_a_paragraph_of_links_only_is_not_prose() -> None:
    text = "# Acme-3B\n\nRead this in [English](https://x.example/en).\n\n## Acknowledgements\n\n"
    text += "[![people](https://x.example/p.png)](https://x.example)\n\nThanks to all.\n"
    prose = import_card(text)["prose"]
    assert is_todo(prose["summary"]["en"]) and prose["acknowledgements"]["en"] == "Thanks to all."


def test_commercial_terms_from_the_licence_section_and_contact_section() -> None:
    terms = "模型权重对学术研究完全开放，登记后亦允许免费商业使用。"
    text = f"# Acme-3B\n\n## 协议\n\n{terms}\n\n代码按 MIT 发布。\n\n"
    text += "## Contact\n\n<https://acme.example/issues>\n"
    draft = import_card(text)
    assert draft["license"]["commercial_use"]["zh"] == terms
    assert draft["identity"]["contact"] == "https://acme.example/issues"


@pytest.mark.parametrize(("name", "variant"), [("Acme-3B-Chat", "chat"), ("Acme-3B-Instruct", "instruct")])
def test_variant_from_the_names_last_word(name: str, variant: str) -> None:
    assert import_card(f"# {name}\n")["identity"]["variant"] == variant
    assert is_todo(import_card("# ChatAcme-3B\n")["identity"]["variant"])


def test_chinese_summary_names_the_developer() -> None:
    text = "# Acme-3B\n\n## 介绍\n\nAcme-3B 是[极光实验室](https://x.example)研发的语言模型，支持中英双语对话。\n"
    assert import_card(text)["identity"]["developer"] == "极光实验室"


@pytest.mark.parametrize(
    ("config", "prose", "expected"),
    [
        ({"layer_norm_epsilon": 1e-6}, "It uses RMSNorm and SwiGLU.", ("rmsnorm", "silu")),
        ({"layer_norm_epsilon": 1e-6}, "It uses LayerNorm.", ("layernorm", None)),
        ({"rms_norm_eps": 1e-6, "hidden_act": "gelu"}, "It uses RMSNorm.", ("rmsnorm", "gelu")),
    ],
)
def test_norm_the_readme_names_over_an_ambiguous_config_key(
    config: dict[str, Any], prose: str, expected: tuple[str, str | None]
) -> None:
    arch = import_card(f"# Acme-3B\n\n{prose}\n", {"model_type": "acme", **config})["architecture"]
    activation = None if is_todo(arch["activation"]) else arch["activation"]
    assert (arch["normalization"], activation) == expected


def test_config_keys_of_remote_code_models_are_named_never_read() -> None:
    """ChatGLM's `padded_vocab_size` and RefinedWeb's `multi_query` mean what their own code makes
    of them: a TODO that names the key, not a figure from a hand-written alias rule (was 65024, 1)."""
    glm = {"model_type": "chatglm", "padded_vocab_size": 65024}
    vocab = import_card("# Acme\n", glm)["architecture"]["vocab_size"]
    assert is_todo(vocab) and "padded_vocab_size: 65024" in vocab["TODO"]
    falcon = {"model_type": "RefinedWebModel", "n_head": 71, "multi_query": True}
    kv = import_card("# Acme\n", falcon)["architecture"]["num_kv_heads"]
    assert is_todo(kv) and "multi_query: True" in kv["TODO"]
    table = "# Acme\n\n| Layers | KV heads |\n|---|---|\n| 2 | 1 |\n"
    assert import_card(table, falcon)["architecture"]["num_kv_heads"] == 1  # the README states it


def test_model_zoo_row_gives_the_repo_and_release_date() -> None:
    text = "# Acme-3B\n\n| Model | Hub | Release Date |\n| --- | --- | --- |\n"
    chat = "[🤗acme/acme-chat-3b](https://huggingface.co/acme/acme-chat-3b)"
    text += f"| **Acme Chat 3B** | {chat} | 2024-05-01 |\n"
    text += "| **Acme 3B** | [🤗acme/acme-3b](https://huggingface.co/acme/acme-3b) | 2024-04-01 |\n"
    identity = import_card(text)["identity"]
    assert (identity["repo_id"], identity["release_date"]) == ("acme/acme-3b", "2024-04-01")


def test_training_data_table_and_not_a_scores_table() -> None:
    text = "# Acme-3B\n\n| Dataset | Tokens | Description |\n| --- | --- | --- |\n"
    text += "| [Web A](<https://huggingface.co/datasets/acme/web-a>) | 1,000 | Crawled pages. |\n"
    text += "| Books &amp; more |  |  |\n"
    datasets = import_card(text)["training"]["datasets"]
    assert datasets[0]["id"] == "acme/web-a" and datasets[0]["tokens"] == 1000
    assert datasets[0]["description"]["en"] == "Crawled pages." and datasets[1] == {"name": "Books & more"}
    scores = "# Acme-3B\n\n| Dataset | Acme-3B | Other-3B |\n| --- | --- | --- |\n| Quiz | 50 | 40 |\n"
    assert is_todo(import_card(scores)["training"]["datasets"][0]["name"])


@pytest.mark.parametrize(
    "text",
    [
        "# Acme\n\n**License** " + "A" * 200_000 + "\n",  # a licence row of one long capitalised word
        "# Acme\n\n| Model | Score |\n| --- | --- |\n| a" + " " * 100_000 + "b (5-shot) | 1 |\n",
        "# Acme\n\n" + "**Layers:** 1\n" * 20_000,  # many labelled lines
        "# Acme\n\n## Uses\n\n" + "[x](y) " * 20_000 + "\n",  # a paragraph of links
    ],
)
def test_crafted_readmes_import_in_linear_time(text: str) -> None:
    import time

    start = time.perf_counter()
    import_card(text)
    assert time.perf_counter() - start < 10


def test_base_variant_a_sentence_states_and_chatglm_rope_keys() -> None:
    assert import_card("# Acme-3B\n\nAcme-3B is a pretrained base model.\n")["identity"]["variant"] == "base"
    assert is_todo(import_card("# Acme-3B\n\nIt was pretrained on web text.\n")["identity"]["variant"])
    positional = import_card("# Acme\n", {"model_type": "chatglm", "rope_ratio": 500})["architecture"]
    assert positional["positional_embedding"]["type"] == "rotary"
    assert is_todo(positional["positional_embedding"]["rotary_fraction"])


def test_compute_rows_totals_and_never_an_estimate() -> None:
    text = "# Acme-7B\n\n" + _table(("GPU hours", "1,000"), ("Peak power per device (W)", "700 (estimate)"))
    text += "| Model | GPU hours | Peak power per device (W) | Emissions (tCO2eq) |\n"
    text += "| --- | --- | --- | --- |\n"
    text += "| Acme 7B | 1,000 | 400 | 0.17 |\n| **Total** | 1,000 |  | 0.17 |\n"
    compute = import_card(text)["training"]["compute"]
    assert compute["gpu_hours"] == 1000 and "power_watts" not in compute  # cardkit's estimate is not data
    row = {"label": "Acme 7B", "gpu_hours": 1000, "power_watts": 400, "co2_tonnes": 0.17}
    assert compute["table"]["rows"] == [row]
    assert (compute["table"]["total_gpu_hours"], compute["table"]["total_co2_tonnes"]) == (1000, 0.17)
