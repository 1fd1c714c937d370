"""`cardkit lint` on the five scraped seed cards: every real defect found, and nothing else.

The defect tables below were written by reading each seed line by line (tests/fixtures/seeds/, copied
from real scraped Hub and ModelScope cards); each entry says what is wrong on that line, so a failure
shows whether lint missed a defect or raised a false alarm.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cardkit.cli import main
from cardkit.core.errors import UsageError
from cardkit.core.facts import ConfigReading
from cardkit.core.findings import Severity
from cardkit.lint import RULES
from cardkit.lint.engine import lint_file, lint_text
from cardkit.readme.document import MAX_README_BYTES
from cardkit.repo.check import CheckOptions, check_repo
from tests.helpers import CARDS_DIR, FIXTURES, HAS_TRANSFORMERS, ROOT, transformers_reading

SEEDS = FIXTURES / "seeds"
CLEAN = FIXTURES / "lint" / "clean" / "README.md"
Defect = tuple[str, int | None]

SEED_DEFECTS: dict[str, tuple[str, list[Defect]]] = {
    # Stable LM 2 12B, Chinese scrape.
    "000_5bd0cdd08e45b4d5.txt": (
        "stablelm-2-12b",
        [
            ("lint-missing-section", None),  # no licence anywhere (only "commercial use: see membership")
            ("lint-doubled-title", 1),  # "Stable LM 2 12BStable LM 2 12B 是..."
            ("lint-snippet-run-together", 20),  # "...=True))from transformers import": two snippets glued
            ("lint-snippet-run-together", 36),  # "...=True))Stable LM 2 12B 模型是": snippet glued to prose
            ("lint-run-together", 36),  # "lm@stability.ai该模型": contact address glued into a sentence
            ("lint-dangling-fragment", 40),  # "tiktoken.cl100k_base 扩展的 BPE 分词器": head of sentence lost
            ("lint-dangling-fragment", 41),  # "Stable LM 2 12B 进行微调。": head of sentence lost
        ],
    ),
    # StableLM-Tuned-Alpha 7B, Chinese mirror scrape.
    "001_066425d0e2255d92.txt": (
        "stablelm-tuned-alpha-7b",
        [
            ("lint-run-together", 4),  # task value "文本生成" glued to the next label "数据集:"
            ("lint-run-together", 5),  # "ChatCombined语言:"
            ("lint-url-encoding", 5),  # "3AHuggingFaceH4/...": `%3A` residue of `dataset:...`
            ("lint-run-together", 6),  # "en许可:"
            ("lint-run-together", 7),  # "cc-by-nc-sa-4.0StableLM-Tuned-Alpha"
            ("lint-snippet-flattened", 9),  # the whole snippet on one line
            ("lint-snippet-repo-case", 9),  # "StabilityAI/stablelm-tuned-alpha-7b"
            ("lint-run-together", 11),  # system prompt's list items flattened: "StabilityAI. - StableLM"
        ],
    ),
    # StableLM-3B-4E1T, English scrape through a proxy.
    "002_15ac191b68a7c0ea.txt": (
        "stablelm-3b-4e1t",
        [
            ("lint-front-matter-flattened", 1),  # metadata without --- and without its indentation
            ("lint-mirror-url", 31),  # chatgptweb.us.kg leaderboard links
            ("lint-mirror-url", 48),
            ("lint-mirror-url", 66),
            ("lint-mirror-url", 83),
            ("lint-mirror-url", 101),
            ("lint-mirror-url", 119),
            ("lint-run-together", 167),  # "architecture. - Language(s): English": two list items
            ("lint-email-obfuscated", 171),  # "[email protected]"
            ("lint-run-together", 191),  # "to complete.Software: We use"
            (
                "lint-citation-invalid",
                200,
            ),  # @misc{StableLM-3B-4E1T: no year; url={[https://...](https://...)}
            ("lint-mirror-url", 201),  # chatgptweb.us.kg in the BibTeX url
        ],
    ),
    # Falcon-40B-Instruct, Chinese scrape.
    "003_df9133f152875511.txt": (
        "falcon-40b-instruct",
        [
            ("lint-emoji-lost", 4),  # "即将发布论文 ?。"
            ("lint-emoji-lost", 5),  # "? 要开始使用Falcon"
            ("lint-emoji-lost", 6),  # "? 这是一个指导模型"
            ("lint-emoji-lost", 7),  # "? 寻找一个更小" (the second `?` on the line is a real question)
            ("lint-snippet-flattened", 8),
            ("lint-snippet-remote-code", 8),  # trust_remote_code=True, but falcon is native
            ("lint-snippet-flattened", 15),
            ("lint-snippet-remote-code", 15),
            ("lint-run-together", 32),  # heading "软件" glued to "Falcon-40B-Instruct是..."
            ("lint-emoji-lost", 33),  # "即将发布论文 ?。"
            ("lint-emoji-lost", 35),  # "请参阅? RefinedWeb paper"
        ],
    ),
    # Llama-2-13b, ModelScope mirror with spam and pinyin damage.
    "004_112f33379bd4a788.txt": (
        "llama-2-13b",
        [
            ("lint-missing-section", None),  # no citation
            ("lint-injected-text", 1),  # spam keyword line before the title
            ("lint-pinyin-annotation", 4),  # "來(lái)自Meta開(kāi)發(fā)"
            ("lint-page-chrome", 5),  # "• 模型資訊" tab of the ModelScope page
            ("lint-page-chrome", 6),  # "• 模型資料"
            ("lint-size-mismatch", 10),  # "This is the repository for the 7B pretrained model." in a 13B card
            ("lint-pinyin-annotation", 12),
            ("lint-mojibake", 30),  # "請(qǐng)?jiān)L問(wèn)" for 請訪問
            ("lint-pinyin-annotation", 30),
            ("lint-pinyin-annotation", 32),
            ("lint-pinyin-annotation", 34),
            ("lint-pinyin-annotation", 36),
            ("lint-pinyin-annotation", 42),
            ("lint-emoji-lost", 45),  # GQA column: "4k ? 2.0T" where ✗/✔ stood
            ("lint-superscript-lost", 45),  # "3.0 x 10-4" for 3.0 x 10^-4
            ("lint-emoji-lost", 46),
            ("lint-superscript-lost", 46),
            ("lint-emoji-lost", 47),
            ("lint-superscript-lost", 47),
            ("lint-mirror-repo", 65),  # loads modelscope/Llama-2-13b-ms, a mirror of the card's repo
            ("lint-snippet-repo", 66),  # tokenizer from modelscope/Llama-2-7b-ms: another model
            ("lint-pinyin-annotation", 79),
            ("lint-pinyin-annotation", 81),
            ("lint-run-together", 114),  # "trade compliance laws).Use in languages"
            ("lint-pinyin-annotation", 116),
            ("lint-markup-stripped", 118),  # "INST和<>標(biāo)簽": <<SYS>> stripped as HTML
            ("lint-mojibake", 118),  # "我們?cè)趃ithub"
            ("lint-pinyin-annotation", 118),
            ("lint-pinyin-annotation", 120),
            ("lint-pinyin-annotation", 126),
            ("lint-pinyin-annotation", 130),
            ("lint-total-mismatch", 136),  # total 3311616 / 539.00 includes the 34B row the table lost
            ("lint-mojibake", 140),  # "因?yàn)槲覀児_(kāi)發(fā)布"
            ("lint-pinyin-annotation", 140),
            ("lint-pinyin-annotation", 146),
            ("lint-pinyin-annotation", 150),
            ("lint-run-together", 154),  # "academic benchmarks.For all the evaluations"
            ("lint-truncated", 193),  # ends on "through one of the following means:"
        ],
    ),
}


def _key(defect: Defect) -> tuple[str, int]:
    return (defect[0], defect[1] or 0)


def test_every_seed_has_a_defect_table() -> None:
    assert sorted(p.name for p in SEEDS.glob("*.txt")) == sorted(SEED_DEFECTS)


NEEDS_TRANSFORMERS = {"lint-snippet-remote-code"}
"""Rules that need transformers' answer (does it implement the model_type?): silent without it."""


@pytest.mark.parametrize("exact", [True, False], ids=["transformers", "literal"])
@pytest.mark.parametrize("seed", sorted(SEED_DEFECTS))
def test_lint_reports_exactly_the_seed_defects(seed: str, exact: bool) -> None:
    """With transformers' reading of config.json (as `cardkit lint --config` computes it) and
    without it (`--no-model`): the same defects, but for those only transformers can tell."""
    if exact and not HAS_TRANSFORMERS:
        pytest.skip("needs the model extra")
    slug, defects = SEED_DEFECTS[seed]
    config = CARDS_DIR / slug / "config.json"
    report = lint_file(SEEDS / seed, config, reading=transformers_reading(config) if exact else None)
    found = sorted(((f.code, f.line) for f in report.findings), key=_key)
    expected = [d for d in defects if exact or d[0] not in NEEDS_TRANSFORMERS]
    assert found == sorted(expected, key=_key)
    assert report.has_errors


def test_missing_sections_name_what_is_missing() -> None:
    by_seed = {
        seed: [f.message for f in lint_file(SEEDS / seed).findings if f.code == "lint-missing-section"]
        for seed in ("000_5bd0cdd08e45b4d5.txt", "004_112f33379bd4a788.txt")
    }
    assert ["license" in m for m in by_seed["000_5bd0cdd08e45b4d5.txt"]] == [True]
    assert ["citation" in m for m in by_seed["004_112f33379bd4a788.txt"]] == [True]


def test_total_mismatch_states_the_sum_of_the_rows() -> None:
    report = lint_file(SEEDS / "004_112f33379bd4a788.txt")
    (total,) = [f for f in report.findings if f.code == "lint-total-mismatch"]
    assert (total.expected, total.actual) == (184320 + 368640 + 1720320, "3311616")
    assert "385.08" in total.message


def test_snippet_checks_need_the_config_and_repo() -> None:
    """Without config.json lint cannot know falcon is native, nor which repo the card is."""
    codes = {f.code for f in lint_file(SEEDS / "003_df9133f152875511.txt").findings}
    assert "lint-snippet-remote-code" not in codes
    codes = {f.code for f in lint_file(SEEDS / "004_112f33379bd4a788.txt").findings}
    assert not codes & {"lint-mirror-repo", "lint-snippet-repo"}


def test_repo_id_option_overrides_the_card() -> None:
    report = lint_file(SEEDS / "004_112f33379bd4a788.txt", repo_id="modelscope/Llama-2-13b-ms")
    assert [(f.code, f.line) for f in report.findings if "repo" in f.code] == [("lint-snippet-repo", 66)]


# ---- clean READMEs ------------------------------------------------------------------------------


def test_clean_hand_written_readme_has_no_findings() -> None:
    report = lint_file(CLEAN, CARDS_DIR / "stablelm-3b-4e1t" / "config.json", "stabilityai/stablelm-3b-4e1t")
    assert report.findings == []
    assert main(["lint", str(CLEAN)]) == 0


@pytest.mark.parametrize("exact", [True, False], ids=["transformers", "literal"])
@pytest.mark.parametrize("slug", sorted(p.name for p in CARDS_DIR.iterdir() if (p / "card.yaml").exists()))
def test_readme_rendered_by_cardkit_has_no_findings(slug: str, exact: bool) -> None:
    """Nothing with transformers' reading; without it, at most notes on figures only a family's own
    key states (falcon-40b's KV heads are `num_kv_heads` under `new_decoder_architecture`)."""
    render = pytest.importorskip("cardkit.render.engine")
    if exact and not HAS_TRANSFORMERS:
        pytest.skip("needs the model extra")
    from cardkit.card.load import load_card

    loaded = load_card(CARDS_DIR / slug / "card.yaml")
    assert loaded.card is not None
    config = json.loads((CARDS_DIR / slug / "config.json").read_text(encoding="utf-8"))
    reading = transformers_reading(CARDS_DIR / slug / "config.json") if exact else None
    for layout in render.LAYOUTS:
        text = render.render_card(loaded.card, layout)
        report = lint_text(text, f"{slug}/{layout}", config, loaded.card.identity.repo_id, reading=reading)
        found = [(f.code, f.line, f.message) for f in report.findings]
        if not exact:
            found = [f for f in found if f[0] != "lint-config-not-interpreted"]
        assert found == [], layout


# ---- rules on small inputs ----------------------------------------------------------------------

ZH_TABLE = """# Stable LM 2 12B

| 参数数量 | 隐藏层大小 | 层数 | 注意力头数 | KV 头数 | 序列长度 |
|---|---|---|---|---|---|
| 12,143,605,760 | 5120 | {layers} | 32 | 8 | 4096 |
"""


def _codes_at(
    text: str,
    config_slug: str | None = None,
    repo_id: str | None = None,
    reading: ConfigReading | None = None,
) -> list[Defect]:
    config = None
    if config_slug:
        config = json.loads((CARDS_DIR / config_slug / "config.json").read_text(encoding="utf-8"))
    relevant = {"lint-missing-section"}
    return [
        (f.code, f.line)
        for f in lint_text(text, "README.md", config, repo_id, reading=reading).findings
        if f.code not in relevant
    ]


def test_chinese_architecture_table_checked_against_config() -> None:
    assert _codes_at(ZH_TABLE.format(layers=40), "stablelm-2-12b") == []
    assert _codes_at(ZH_TABLE.format(layers=36), "stablelm-2-12b") == [("lint-config-mismatch", 5)]


def test_family_table_checks_only_this_models_row() -> None:
    seed = (SEEDS / "001_066425d0e2255d92.txt").read_text(encoding="utf-8")
    assert "7B | 6144 | 16 | 48 | 4096 |" in seed
    # The 3B row is another model's and may differ; the 7B row must match config.json.
    broken = seed.replace("7B | 6144 | 16 | 48 | 4096 |", "7B | 6144 | 32 | 48 | 4096 |")
    codes = _codes_at(broken, "stablelm-tuned-alpha-7b")
    assert ("lint-config-mismatch", 15) in codes
    assert ("lint-config-mismatch", 14) not in codes


@pytest.mark.skipif(not HAS_TRANSFORMERS, reason="needs the model extra")
def test_key_value_table_uses_class_defaults() -> None:
    """Falcon's config.json states no max_position_embeddings; FalconConfig's default is 2048, which
    only transformers knows: without it the figure is not checked (neither passed nor failed)."""
    table = "# Falcon\n\nHyperparameter | Value |\n---|---|\nLayers | 60 |\nSequence length | {n} |\n"
    config = CARDS_DIR / "falcon-40b-instruct" / "config.json"
    reading = transformers_reading(config)
    wrong = table.format(n=4096)
    assert _codes_at(table.format(n=2048), "falcon-40b-instruct", reading=reading) == []
    assert _codes_at(wrong, "falcon-40b-instruct", reading=reading) == [("lint-config-mismatch", 6)]
    assert _codes_at(wrong, "falcon-40b-instruct") == []


def test_average_row_must_be_the_mean() -> None:
    seed = (SEEDS / "002_15ac191b68a7c0ea.txt").read_text(encoding="utf-8")
    broken = seed.replace("Avg. | 46.58 |", "Avg. | 47.58 |")
    assert ("lint-average-mismatch", 209) in _codes_at(broken)
    assert not any(code == "lint-average-mismatch" for code, _ in _codes_at(seed))


def test_size_sentence_in_markdown() -> None:
    text = "# Llama-2-13b\n\nThis model is the 13B version.\n\nThis is the repository for the 70B model.\n"
    assert _codes_at(text) == [("lint-size-mismatch", 5)]


def test_fenced_snippet_that_does_not_parse() -> None:
    text = "# m\n\n```python\nimport torch\nmodel = load(\n```\n"
    assert _codes_at(text) == [("lint-snippet-syntax", 5)]


def test_remote_code_only_flagged_for_native_types() -> None:
    """Flagged only when transformers itself says it implements the model_type; unknown (no
    transformers, --no-model) or repository code: no finding, never a guess from a static list."""
    text = '# m\n\n```python\nmodel = AutoModel.from_pretrained("a/b", trust_remote_code=True)\n```\n'
    native, remote = ConfigReading(native=True), ConfigReading(native=False)
    assert _codes_at(text, "falcon-40b-instruct", "a/b", native) == [("lint-snippet-remote-code", 4)]
    assert _codes_at(text, "falcon-40b-instruct", "a/b", remote) == []
    assert _codes_at(text, "falcon-40b-instruct", "a/b") == []  # unknown
    assert _codes_at(text, None, "a/b") == []
    if HAS_TRANSFORMERS:  # asked of transformers: falcon is its own, a made-up type is not
        assert transformers_reading({"model_type": "acme-remote"}).native is False
        config = CARDS_DIR / "falcon-40b-instruct" / "config.json"
        assert _codes_at(text, "falcon-40b-instruct", "a/b", transformers_reading(config)) == [
            ("lint-snippet-remote-code", 4)
        ]


def test_encoding_damage_patterns() -> None:
    text = (
        "# m\n\nIt\u2019s fine.\nIt\u00e2\u20ac\u2122s broken.\nLost \ufffd byte.\n"
        "Спам спам спам спам спам.\n"
    )
    assert _codes_at(text) == [
        ("lint-mojibake", 4),
        ("lint-replacement-char", 5),
        ("lint-injected-text", 6),
    ]


def test_real_question_marks_are_not_lost_emoji() -> None:
    text = "# m\n\nLooking for a smaller model? Try the 1B one.\nHey, are you conscious? Can you talk?\n"
    assert _codes_at(text) == []


# ---- per-file disabling -------------------------------------------------------------------------


def test_rules_can_be_disabled_per_file(tmp_path: Path) -> None:
    seed = (SEEDS / "002_15ac191b68a7c0ea.txt").read_text(encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text(seed + "\n<!-- cardkit-lint disable=lint-mirror-url, lint-email-obfuscated -->\n")
    codes = {f.code for f in lint_file(readme).findings}
    assert not codes & {"lint-mirror-url", "lint-email-obfuscated"}
    assert "lint-front-matter-flattened" in codes


def test_disabling_an_unknown_rule_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# m\n<!-- cardkit-lint disable=lint-no-such-rule -->\n")
    assert main(["lint", str(readme)]) == 2
    assert "lint-no-such-rule" in capsys.readouterr().err


# ---- CLI ----------------------------------------------------------------------------------------


def test_json_format_carries_lines(capsys: pytest.CaptureFixture) -> None:
    assert main(["lint", str(SEEDS / "002_15ac191b68a7c0ea.txt"), "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["cards"][0]["findings"]
    emails = [f for f in findings if f["code"] == "lint-email-obfuscated"]
    assert [(f["line"], f["severity"]) for f in emails] == [(171, "error")]


def test_github_format_carries_lines(capsys: pytest.CaptureFixture) -> None:
    main(["lint", str(SEEDS / "002_15ac191b68a7c0ea.txt"), "--format", "github"])
    out = capsys.readouterr().out
    assert ",line=171,col=1,title=lint-email-obfuscated::" in out
    assert "::error file=" in out


def test_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    warnings_only = tmp_path / "README.md"
    warnings_only.write_text(
        CLEAN.read_text(encoding="utf-8").replace("Questions go", "\u2022 模型資料\n\nQ")
    )
    assert main(["lint", str(warnings_only)]) == 0
    out = capsys.readouterr().out
    assert "lint-page-chrome" in out
    assert out.endswith("\n1 README(s): 0 error(s), 1 warning(s), 0 note(s)\n")
    assert main(["lint", str(tmp_path / "missing.md")]) == 2
    bad = tmp_path / "latin1.md"
    bad.write_bytes("caf\u00e9".encode("latin-1"))
    assert main(["lint", str(bad)]) == 2


def test_lint_does_not_import_torch_or_transformers() -> None:
    code = (
        "import sys; from cardkit.cli import main; "
        f"main(['lint', {str(SEEDS / '003_df9133f152875511.txt')!r}]); "
        "assert not {'torch', 'transformers'} & set(sys.modules), 'heavy import'"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert "heavy import" not in result.stderr and result.returncode == 0, result.stderr


def test_registry_rules_are_documented_in_one_line() -> None:
    assert len(RULES) >= 20
    for rule in RULES.values():
        assert rule.id.startswith("lint-")
        assert isinstance(rule.severity, Severity)
        assert rule.summary and "\n" not in rule.summary


def test_front_matter_that_does_not_parse() -> None:
    text = "---\nlicense: [apache-2.0\n---\n\n# m\n"
    assert _codes_at(text) == [("lint-front-matter-invalid", 3)]  # where YAML stopped reading


def test_inline_code_and_urls_are_not_prose() -> None:
    text = "# m\n\nCall `torch.Tensor` here.See https://example.com/a?b=c for more.\n"
    assert _codes_at(text) == [("lint-run-together", 3)]  # the real `here.See`, not `torch.Tensor`


@pytest.mark.parametrize(
    "text",
    [
        "",
        "---",
        "```python\nx = (",
        "| a |\n|---|\n",
        "|x|\n|---|\n|Total|1|",
        "\x00\ufeff",
        "import x\n" * 3,
    ],
)
def test_odd_input_never_crashes(text: str) -> None:
    config = {"model_type": "llama", "num_hidden_layers": 2}
    report = lint_text(text, "README.md", config)
    assert all(f.code.startswith("lint-") for f in report.findings)


def test_damage_quoted_as_inline_code_is_documentation() -> None:
    text = "# m\n\nScrapers leave `3Atatsu-lab/alpaca` and `[email protected]` behind.\n"
    assert _codes_at(text) == []
    assert _codes_at(text.replace("`", "")) == [("lint-email-obfuscated", 3), ("lint-url-encoding", 3)]


def test_a_fenced_snippet_that_does_not_parse_is_reported_at_its_line() -> None:
    text = CLEAN.read_text(encoding="utf-8") + "\n```python\nx = (\n```\n"
    found = [(f.code, f.line) for f in lint_text(text).findings]
    assert found == [("lint-snippet-syntax", text.count("\n") - 1)]


# ---- hostile input: every failure is a finding, never a traceback ------------------------------

HOSTILE = FIXTURES / "lint" / "hostile"

ALIAS_BOMB = "\n".join(
    ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
)
FRONT_MATTER = [
    ("date", "license: mit\ndate: 2023-02-30", None),  # dates stay text: no constructor crash
    ("timestamp-tag", "x: !!timestamp foo", None),
    ("long-integer", "size: " + "9" * 5000, 2),
    ("deep-flow", "x: " + "[" * 100_000 + "]" * 100_000, 2),
    ("deep-block", "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "v: 1", None),
    ("alias-bomb", ALIAS_BOMB + "\ntags: *a8", 3),
    ("python-tag", "x: !!python/object/apply:os.system ['id']", 2),
    ("float-tag", "x: !!float abc", 2),
    ("not-a-mapping", "- a\n- b", 2),
]


@pytest.mark.parametrize(("text", "line"), [c[1:] for c in FRONT_MATTER], ids=[c[0] for c in FRONT_MATTER])
def test_front_matter_failures_are_findings_with_a_line(text: str, line: int | None) -> None:
    findings = lint_text(f"---\n{text}\n---\n# T\n").findings
    found = [f for f in findings if f.code == "lint-front-matter-invalid"]
    if line is None:
        assert len(found) <= 1  # deep-block may be refused or read; either way no traceback
        return
    assert [f.line for f in found] == [line], found


SNIPPETS = {
    "unary-minus": "x = " + "-" * 100_000 + "1",
    "unary-minus-short": "x = " + "-" * 5_000 + "1",  # RecursionError in the parser, not SyntaxError
    "long-sum": "x = 1" + "+1" * 5_000,
    "attribute-chain": "x = " + "a." * 20_000 + "b",
    "nul-byte": "x = 1\0",
    "deep-brackets": "x = " + "(" * 150 + ")" * 150,
}


@pytest.mark.parametrize("code", SNIPPETS.values(), ids=SNIPPETS.keys())
def test_snippets_the_parser_cannot_take_are_syntax_findings(code: str) -> None:
    findings = lint_text(f"# T\n\n```python\nimport os\n{code}\n```\n").findings
    assert [f.code for f in findings if f.code == "lint-snippet-syntax"] == ["lint-snippet-syntax"]


@pytest.mark.parametrize(
    "table",
    [
        "| a | b |\n|---|---|\n|\n",
        "| a | b |\n|---|---|\n| x | 1 |\n|\n| Total | 1 |\n",
        "| a | b |\n|---|---|\n| x | 1 |\n|\n| Average | 1 |\n",
        "|\n|---|\n|\n",
        "| Layers |\n|---|\n|\n",
    ],
)
def test_a_row_that_is_a_lone_pipe_is_one_empty_cell(table: str) -> None:
    lint_text(f"# Model 7B\n\n{table}", "README.md", {"num_hidden_layers": 2}, "o/model-7b")


@pytest.mark.parametrize("sample", sorted(HOSTILE.glob("lint-*.md")), ids=lambda p: p.stem)
def test_fuzz_samples_lint_without_a_traceback(sample: Path) -> None:
    report = lint_file(sample)
    assert all(f.file == str(sample) for f in report.findings)


def test_unreadable_readmes_are_usage_errors(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    big.write_text("# T\n" + "\n" * MAX_README_BYTES, encoding="utf-8")
    fifo = tmp_path / "fifo.md"
    os.mkfifo(fifo)
    for path in (big, fifo, tmp_path, tmp_path / "missing.md"):
        with pytest.raises(UsageError, match=re.escape(str(path))):
            lint_file(path)


@pytest.mark.parametrize("config", ['{"a": ' + "1" * 5000 + "}", "[" * 100_000 + "]" * 100_000, "[1]", "{"])
def test_config_json_that_json_rejects_is_a_usage_error(tmp_path: Path, config: str) -> None:
    (tmp_path / "config.json").write_text(config, encoding="utf-8")
    (tmp_path / "README.md").write_text("# T\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"config\.json"):
        lint_file(tmp_path / "README.md", tmp_path / "config.json")


def test_check_reads_the_readme_bounded(tmp_path: Path) -> None:
    """`cardkit check` reads README.md with lint's limit: an oversized one is a finding, not a read."""
    (tmp_path / "README.md").write_text("---\nlicense: mit\n---\n" + "\n" * MAX_README_BYTES, "utf-8")
    (tmp_path / "config.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    report = check_repo(tmp_path, CheckOptions(model=False))
    assert [f.line for f in report.findings if f.code == "check-readme-unreadable"] == [1]
