"""eval import / diff on the harness's output shapes (fixtures in tests/fixtures/eval/), no lm_eval needed."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from cardkit.card.load import load_card
from cardkit.cli import main
from cardkit.evaluation.compare import diff_sources
from cardkit.evaluation.harness import read_harness_results
from cardkit.evaluation.importing import import_results
from cardkit.render import render_paths
from cardkit.validate import ValidateOptions, validate_card
from tests.helpers import FIXTURES, line_of, replace_once

EVAL = FIXTURES / "eval"
NO_MODEL = ValidateOptions(model=False, cache=False)


def _errors(card: Path) -> list[str]:
    report = validate_card(card, NO_MODEL)
    return [f"{f.code} {f.field} {f.message}" for f in report.findings if f.severity.value == "error"]


def test_nested_groups_become_weighted_summaries_that_validate(card_copy: Callable[[str], Path]) -> None:
    card = card_copy("stablelm-3b-4e1t")
    report = import_results(EVAL / "groups_nested.json", card)
    assert not report.has_errors, report.findings
    evaluation = load_card(card).card.evaluation
    by_name = {s.name: s for s in evaluation.summaries}
    mmlu = by_name["mmlu (acc)"]
    assert mmlu.of == [
        "mmlu_philosophy-acc",
        "mmlu_world_religions-acc",
        "mmlu_abstract_algebra-acc",
        "mmlu_astronomy-acc",
    ]
    assert mmlu.weights == [311, 171, 100, 152]
    algebra = next(r for r in evaluation.results if r.id == "mmlu_abstract_algebra-acc")
    assert (algebra.dataset.type, algebra.dataset.config, algebra.dataset.split) == (
        "cais/mmlu",
        "abstract_algebra",
        "test",
    )
    assert (algebra.few_shot, algebra.metric.scale) == (5, "fraction")
    assert algebra.dataset.name == "abstract algebra", "the harness's `  - ` alias prefix is dropped"
    assert algebra.source.name == "lm-evaluation-harness 0.4.13"
    assert algebra.source.model_args == "pretrained=org/tiny-model,dtype=bfloat16"
    assert _errors(card) == []


def test_a_group_figure_that_is_no_mean_of_its_members_is_caught(tmp_path: Path) -> None:
    data = json.loads((EVAL / "groups_nested.json").read_text(encoding="utf-8"))
    data["groups"]["mmlu"]["acc,none"] = 0.6
    results = tmp_path / "results.json"
    results.write_text(json.dumps(data), encoding="utf-8")
    ignore = shutil.ignore_patterns(".eval_results")
    shutil.copytree(FIXTURES.parent.parent / "cards" / "stablelm-3b-4e1t", tmp_path / "card", ignore=ignore)
    card = tmp_path / "card" / "card.yaml"
    report = import_results(results, card)
    codes = [f.code for f in report.findings]
    assert "eval-group-unexplained" in codes and "eval-average-mismatch" in codes
    assert not list((tmp_path / "card").glob(".*")), "the staged copy is removed"


def test_filters_and_metrics_each_become_a_result() -> None:
    run = read_harness_results(EVAL / "multiple_metrics.json")
    got = {r["id"]: (r["metric"]["type"], r["few_shot"], r["dataset"].get("config")) for r in run.results}
    assert got == {
        "arc_challenge-acc": ("acc", 25, "ARC-Challenge"),
        "arc_challenge-acc_norm": ("acc_norm", 25, "ARC-Challenge"),
        "gsm8k-exact_match-strict-match": ("exact_match,strict-match", 5, "main"),
        "gsm8k-exact_match-flexible-extract": ("exact_match,flexible-extract", 5, "main"),
    }
    assert all("stderr" in r["metric"] for r in run.results)


def test_na_stderr_and_lower_is_better_render(card_copy: Callable[[str], Path], tmp_path: Path) -> None:
    card = card_copy("stablelm-3b-4e1t")
    assert not import_results(EVAL / "stderr_na.json", card).has_errors
    results = {r.id: r.metric for r in load_card(card).card.evaluation.results}
    perplexity = results["wikitext-word_perplexity"]
    assert (perplexity.stderr, perplexity.higher_is_better, perplexity.scale) == (None, False, "raw")
    render_paths([card.parent], ["en", "zh"], tmp_path / "out")
    english = (tmp_path / "out" / card.parent.name / "README.md").read_text(encoding="utf-8")
    chinese = (tmp_path / "out" / card.parent.name / "README_zh.md").read_text(encoding="utf-8")
    row = next(line for line in english.splitlines() if "`word_perplexity`" in line)
    assert "| 16.233817575 (lower is better) |" in row, "ten decimals at most, as every card figure"
    assert "（越低越好）" in next(line for line in chinese.splitlines() if "`bits_per_byte`" in line)
    assert "±" not in row
    higher = next(line for line in english.splitlines() if "`acc_norm`" in line)
    assert "lower is better" not in higher


def test_stderr_is_rendered_with_the_score(card_copy: Callable[[str], Path], tmp_path: Path) -> None:
    card = card_copy("stablelm-3b-4e1t")
    assert not import_results(EVAL / "multiple_metrics.json", card).has_errors
    render_paths([card.parent], ["en"], tmp_path / "out")
    text = (tmp_path / "out" / card.parent.name / "README.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if "`exact_match,strict-match`" in line)
    assert "| 0.2813 ± 0.0124 |" in row, "fractions with the 4 places the harness prints"


def test_conflict_is_located_and_only_force_replaces(card_copy: Callable[[str], Path]) -> None:
    card = card_copy("stablelm-3b-4e1t")
    assert not import_results(EVAL / "multiple_metrics.json", card).has_errors
    line = replace_once(card, "value: 0.4462457337883959", "value: 0.45")
    before = card.read_text(encoding="utf-8")
    report = import_results(EVAL / "multiple_metrics.json", card)
    (conflict,) = report.findings
    assert (conflict.code, conflict.line, conflict.field) == (
        "eval-import-conflict",
        line,
        "evaluation.results[6].metric.value",
    )
    assert (conflict.actual, conflict.expected) == (0.45, 0.4462457337883959)
    assert card.read_text(encoding="utf-8") == before, "a conflict writes nothing"
    forced = import_results(EVAL / "multiple_metrics.json", card, force=True)
    assert forced.merge.replaced == ["arc_challenge-acc"] and not forced.has_errors
    assert "value: 0.4462457337883959" in card.read_text(encoding="utf-8")


def test_few_shot_mismatch_is_a_conflict(card_copy: Callable[[str], Path]) -> None:
    card = card_copy("stablelm-3b-4e1t")
    assert not import_results(EVAL / "multiple_metrics.json", card).has_errors
    data = json.loads((EVAL / "multiple_metrics.json").read_text(encoding="utf-8"))
    data["n-shot"]["gsm8k"] = 8
    other = card.parent / "results.json"
    other.write_text(json.dumps(data), encoding="utf-8")
    report = import_results(other, card)
    assert {(f.code, f.field.rsplit(".", 1)[-1]) for f in report.findings} == {
        ("eval-import-conflict", "few_shot")
    }
    assert len(report.findings) == 2  # both gsm8k filters


def test_comments_and_key_order_outside_evaluation_survive(card_copy: Callable[[str], Path]) -> None:
    card = card_copy("stablelm-tuned-alpha-3b")  # a card without an evaluation section
    replace_once(card, "\nprose:\n", "\n# prose comes last\nprose:  # keep me\n")
    before = card.read_text(encoding="utf-8")
    assert "evaluation:" not in before
    report = import_results(EVAL / "multiple_metrics.json", card)
    assert not report.has_errors, report.findings
    after = card.read_text(encoding="utf-8")
    head = before[: before.index("\n# prose comes last")]
    assert after.startswith(head) and after.endswith(before[len(head) :])
    assert after.index("evaluation:") < after.index("# prose comes last")
    assert _errors(card) == []


def test_summary_mixing_scales_or_directions_is_refused(card_copy: Callable[[str], Path]) -> None:
    card = card_copy("stablelm-3b-4e1t")
    assert not import_results(EVAL / "stderr_na.json", card).has_errors
    replace_once(
        card,
        "      decimals: 2\n",
        "      decimals: 2\n    - name: nonsense\n      of: [wikitext-bits_per_byte, arc]\n      value: 1\n",
    )
    report = validate_card(card, NO_MODEL)
    found = {f.code: f for f in report.findings}
    assert {"eval-summary-mixed-scales", "eval-summary-mixed-direction"} <= set(found)
    assert found["eval-summary-mixed-scales"].line == line_of(card, "of: [wikitext-bits_per_byte, arc]")
    assert "eval-average-mismatch" not in found


def test_a_fraction_above_one_is_out_of_scale(card_copy: Callable[[str], Path]) -> None:
    card = card_copy("stablelm-3b-4e1t")
    assert not import_results(EVAL / "multiple_metrics.json", card).has_errors
    line = replace_once(card, "value: 0.48208191126279865", "value: 48.2")
    (finding,) = [f for f in validate_card(card, NO_MODEL).findings if f.code == "eval-value-out-of-scale"]
    assert finding.line == line


def test_round_trip_through_eval_results_and_readme(card_copy: Callable[[str], Path], tmp_path: Path) -> None:
    card = card_copy("stablelm-tuned-alpha-3b")
    hub = tmp_path / ".eval_results"
    report = import_results(EVAL / "multiple_metrics.json", card, hub)
    assert not report.has_errors, report.findings
    assert sorted(p.name for p in hub.iterdir()) == ["allenai__ai2_arc.yaml", "openai__gsm8k.yaml"]
    render_paths([card.parent], ["en"])
    sources = {"card": card, "readme": card.parent / "README.md", "eval_results": hub}
    assert diff_sources(**sources, results=EVAL / "multiple_metrics.json") == []
    line = replace_once(hub / "openai__gsm8k.yaml", "value: 0.2812736921910538", "value: 0.3")
    (finding,) = diff_sources(**sources)
    assert (finding.code, finding.file.endswith("openai__gsm8k.yaml"), finding.line) == (
        "eval-diff-value",
        True,
        line,
    )
    assert "0.3" in finding.message and "0.2812736921910538" in finding.message
    again = import_results(EVAL / "multiple_metrics.json", card, hub)
    assert [(f.code, f.line) for f in again.findings] == [("eval-import-conflict", line)]


def test_cli_import_and_diff_exit_codes(
    card_copy: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    card = card_copy("stablelm-3b-4e1t")
    results = str(EVAL / "multiple_metrics.json")
    assert main(["eval", "import", results, "--card", str(card)]) == 0
    assert "4 added" in capsys.readouterr().out
    # the card's other results are not in this run: a run covers what it measured, no more
    assert main(["eval", "diff", "--card", str(card), "--results", results]) == 0
    assert "no differences" in capsys.readouterr().out
    data = json.loads((EVAL / "multiple_metrics.json").read_text(encoding="utf-8"))
    data["results"]["gsm8k"]["exact_match,flexible-extract"] = 0.5
    other = card.parent / "other.json"
    other.write_text(json.dumps(data), encoding="utf-8")
    assert main(["eval", "diff", "--card", str(card), "--results", str(other)]) == 1
    out = capsys.readouterr().out
    assert "[eval-diff-value]" in out and "1 finding(s)" in out
    assert main(["eval", "import", str(card.parent / "nope.json"), "--card", str(card)]) == 2
    assert main(["eval", "diff", "--card", str(card)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("{not json", "eval-results-json"),
        ('{"results": []}', "eval-results-shape"),
        ("[]", "eval-results-shape"),
        ('{"results": {}}', "eval-results-empty"),
    ],
)
def test_bad_results_files_are_findings(tmp_path: Path, content: str, code: str) -> None:
    path = tmp_path / "results.json"
    path.write_text(content, encoding="utf-8")
    assert [f.code for f in read_harness_results(path).findings] == [code]


def test_a_crlf_card_keeps_crlf_and_its_comments_inside_evaluation(card_copy: Callable[[str], Path]) -> None:
    card = card_copy("stablelm-3b-4e1t")
    comment = "    # from the leaderboard's own page\n"
    replace_once(card, "    - id: hellaswag\n", comment + "    - id: hellaswag\n")
    card.write_bytes(card.read_bytes().replace(b"\n", b"\r\n"))
    before = card.read_bytes()
    assert not import_results(EVAL / "multiple_metrics.json", card).has_errors
    after = card.read_bytes()
    assert after.count(b"\n") == after.count(b"\r\n") > before.count(b"\r\n")
    assert b"    # from the leaderboard's own page\r\n    - id: hellaswag\r\n" in after
    head, tail = before.split(b"  summaries:")
    assert after.startswith(head) and after.endswith(b"  summaries:" + tail), "only new lines in between"


def test_ids_that_slug_alike_stay_distinct(tmp_path: Path) -> None:
    data = json.loads((EVAL / "stderr_na.json").read_text(encoding="utf-8"))
    data["results"]["WikiText"] = data["results"]["wikitext"]
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    ids = [r["id"] for r in read_harness_results(path).results]
    assert len(ids) == len(set(ids)) == 6
    assert "wikitext-bits_per_byte-2" in ids


def test_deeply_nested_json_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    assert [f.code for f in read_harness_results(path).findings] == ["eval-results-json"]


def test_weights_that_do_not_match_their_results(card_copy: Callable[[str], Path]) -> None:
    card = card_copy("stablelm-3b-4e1t")
    line = replace_once(card, "      decimals: 2\n", "      decimals: 2\n      weights: [1, 2]\n")
    (finding,) = [f for f in validate_card(card, NO_MODEL).findings if f.code == "eval-summary-weights"]
    assert finding.line == line + 1


def test_llama_toxigen_is_lower_is_better_in_both_languages() -> None:
    card = load_card(FIXTURES.parent.parent / "cards" / "llama-2-13b" / "card.yaml").card
    toxigen = next(r for r in card.evaluation.results if r.id == "toxigen")
    assert toxigen.metric.higher_is_better is False
    folder = FIXTURES.parent.parent / "cards" / "llama-2-13b"
    for name, words in (("README.md", " (lower is better) |"), ("README_zh.md", "（越低越好） |")):
        rows = [line for line in (folder / name).read_text(encoding="utf-8").splitlines() if words in line]
        assert [row.split(" | ")[0] for row in rows] == ["| ToxiGen"], name


@pytest.mark.parametrize(
    "content",
    [
        "- {dataset: {id: a, task_id: b}, value: abc}\n",
        "- {dataset: {id: [a], task_id: b}, value: 1}\n",
        "- {dataset: {id: a, task_id: b}, value: 1, notes: [x]}\n",
        "- {dataset: {id: a, task_id: b}, value: .nan}\n",
        "- [error]\n",
        "{a: 1}\n",
    ],
)
def test_bad_eval_results_files_are_located_findings(tmp_path: Path, content: str) -> None:
    from cardkit.evaluation.hub_files import read_folder

    (tmp_path / "bench.yaml").write_text(content, encoding="utf-8")
    scores, findings = read_folder(tmp_path)
    assert scores == []
    located = [(f.code, Path(f.file).name, f.line) for f in findings]
    assert located == [("eval-hub-file-shape", "bench.yaml", 1)]


def test_group_chains_and_cycles_do_not_recurse(tmp_path: Path) -> None:
    data = json.loads((EVAL / "stderr_na.json").read_text(encoding="utf-8"))
    chain = {f"g{n}": [f"g{n + 1}"] for n in range(50_000)}
    data["group_subtasks"] = {**chain, "g50000": ["wikitext"], "loop": ["loop", "wikitext"]}
    data["groups"] = {"g0": {"alias": "g0", "bits_per_byte,none": 0.7505483340397186}}
    data["groups"]["loop"] = data["groups"]["g0"]
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    run = read_harness_results(path)
    assert [s["of"] for s in run.summaries] == [["wikitext-bits_per_byte"]] * 2
