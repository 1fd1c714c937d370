"""The Hub's `.eval_results/` files: which results get one, how they round-trip, and how render,
`eval import` and `check` write and hold them.

Expected scores come from card.yaml read with plain YAML and the files parsed with huggingface_hub's
own `parse_eval_result_entries`, never from cardkit's reader.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from huggingface_hub import EvalResultEntry, eval_result_entries_to_yaml, parse_eval_result_entries

from cardkit.card.load import load_card
from cardkit.cli import main
from cardkit.core.findings import Severity
from cardkit.evaluation.compare import diff_sources
from cardkit.evaluation.hub_files import LEGACY_DATASETS, benchmark_file, files_for, hub_dataset, read_folder
from cardkit.evaluation.importing import import_results
from cardkit.render import render_paths
from cardkit.repo.check import CheckOptions, check_repo
from tests.helpers import CARD_PATHS, CARDS_DIR, FIXTURES, line_of, replace_once

EVAL = FIXTURES / "eval"
FOLDER = ".eval_results"


def raw_results(card: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(card.read_text(encoding="utf-8"))
    return list((data.get("evaluation") or {}).get("results", []))


def entries_in(folder: Path) -> list[EvalResultEntry]:
    """Every entry of every file, parsed by huggingface_hub alone."""
    found = []
    for path in sorted(folder.glob("*.yaml")):
        found += parse_eval_result_entries(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


# --- which results name a Hub benchmark dataset ----------------------------------------------


@pytest.mark.parametrize(
    ("dataset_type", "expected"),
    [
        ("cais/mmlu", "cais/mmlu"),
        ("Idavidrein/gpqa", "Idavidrein/gpqa"),
        ("ai2_arc", "allenai/ai2_arc"),
        ("hellaswag", "Rowan/hellaswag"),
        ("llama2-grouped-code", None),  # the Llama paper's grouped average, no dataset
        ("cardkit_animals", None),  # a local harness task
        ("bbh", None),  # no owner, and not in the table of moved canonical ids
        ("owner/name/extra", None),
        ("owner/", None),
        ("/name", None),
        ("owner/na--me", None),
        ("owner/..", None),
        ("owner/name.git", None),
        ("ownér/name", None),
        ("owner/name\n", None),
        ("owner/" + "n" * 97, None),
    ],
)
def test_only_an_owner_name_hub_repo_is_a_benchmark_dataset(dataset_type: str, expected: str | None) -> None:
    assert hub_dataset(dataset_type) == expected


def test_every_legacy_id_maps_to_a_valid_repo() -> None:
    assert all(hub_dataset(legacy) == repo for legacy, repo in LEGACY_DATASETS.items())


@pytest.mark.parametrize("path", CARD_PATHS, ids=lambda p: p.parent.name)
def test_files_hold_exactly_the_hub_dataset_results_and_round_trip(path: Path) -> None:
    """Every file parses with huggingface_hub back to the card's Hub-dataset results, and
    huggingface_hub writes the parsed entries back to the same YAML."""
    card = load_card(path).card
    files = files_for(card)
    expected = sorted(
        (LEGACY_DATASETS.get(r["dataset"]["type"], r["dataset"]["type"]), r.get("dataset", {}).get("config"),
         r["metric"]["value"], r["metric"]["type"], r.get("few_shot"))
        for r in raw_results(path)
        if "/" in LEGACY_DATASETS.get(r["dataset"]["type"], r["dataset"]["type"])
    )  # fmt: skip
    got = []
    for name, text in files.items():
        data = yaml.safe_load(text)
        entries = parse_eval_result_entries(data)
        assert eval_result_entries_to_yaml(entries) == data, name
        assert {benchmark_file(e.dataset_id) for e in entries} == {name}
        for entry in entries:
            shots = entry.notes.split("; ")[1].removesuffix("-shot") if "; " in (entry.notes or "") else None
            metric = (entry.notes or "").split(";")[0].removeprefix("metric ")
            config = None if entry.task_id == "default" else entry.task_id
            got.append((entry.dataset_id, config, entry.value, metric, int(shots) if shots else None))
    assert sorted(got) == expected


def test_grouped_averages_and_legacy_ids_follow_the_rule() -> None:
    llama = load_card(CARDS_DIR / "llama-2-13b" / "card.yaml").card
    assert sorted(files_for(llama)) == ["cais__mmlu.yaml", "truthfulqa__truthful_qa.yaml"]
    stablelm = load_card(CARDS_DIR / "stablelm-3b-4e1t" / "card.yaml").card
    assert "allenai__ai2_arc.yaml" in files_for(stablelm) and "ai2_arc.yaml" not in files_for(stablelm)
    falcon = load_card(CARDS_DIR / "falcon-40b-instruct" / "card.yaml").card
    assert files_for(falcon) == {}


# --- render ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", CARD_PATHS, ids=lambda p: p.parent.name)
def test_the_shipped_eval_results_are_current(path: Path) -> None:
    """cards/*/.eval_results is what render writes today, and only cards with Hub results have one."""
    card = load_card(path).card
    folder = path.parent / FOLDER
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*")} if folder.is_dir() else {}
    assert on_disk == files_for(card)
    named = [LEGACY_DATASETS.get(r["dataset"]["type"], r["dataset"]["type"]) for r in raw_results(path)]
    assert folder.is_dir() == any("/" in name for name in named), "a folder exactly with Hub results"


def test_render_writes_the_folder_once_whatever_the_layouts(card_copy: Callable[[str], Path]) -> None:
    card = card_copy("stablelm-3b-4e1t")
    results = render_paths([card.parent], ["en", "zh", "zh-Hant"])
    hub = [r for r in results if r.layout == FOLDER]
    assert len(hub) == 6 and {r.status for r in hub} == {"written"}
    assert len({r.path for r in hub}) == 6
    entries = entries_in(card.parent / FOLDER)
    assert len(entries) == len(raw_results(card))  # every result of this card names a Hub dataset
    assert {r.status for r in render_paths([card.parent]) if r.layout == FOLDER} == {"unchanged"}


def test_a_card_without_hub_results_writes_no_folder_and_removes_nothing(
    card_copy: Callable[[str], Path],
) -> None:
    card = card_copy("falcon-40b-instruct")
    render_paths([card.parent])
    assert not (card.parent / FOLDER).exists()
    mine = card.parent / FOLDER / "mine.yaml"
    mine.parent.mkdir()
    mine.write_text("- {dataset: {id: me/bench, task_id: default}, value: 1}\n", encoding="utf-8")
    assert main(["render", str(card.parent)]) == 0
    assert mine.read_text(encoding="utf-8").startswith("- {dataset")


def test_check_finds_a_missing_and_a_stale_file(
    card_copy: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    card = card_copy("llama-2-13b")
    render_paths([card.parent])
    target = card.parent / FOLDER / "cais__mmlu.yaml"
    (card.parent / FOLDER / "truthfulqa__truthful_qa.yaml").unlink()
    capsys.readouterr()
    assert main(["render", "--check", str(card.parent)]) == 1
    out = capsys.readouterr().out
    assert out.count("[render-eval-results-missing]") == 1 and "truthfulqa__truthful_qa.yaml" in out
    render_paths([card.parent])
    replace_once(card, "value: 54.8", "value: 55.0")
    render_paths([card.parent])
    assert "value: 55.0" in target.read_text(encoding="utf-8"), "cardkit's own file follows the card"
    replace_once(card, "value: 55.0", "value: 56.0")
    capsys.readouterr()
    assert main(["render", "--check", str(card.parent)]) == 1
    out = capsys.readouterr().out
    assert "[render-eval-results-stale]" in out and "-  value: 55.0" in out and "+  value: 56.0" in out
    assert "value: 55.0" in target.read_text(encoding="utf-8"), "--check writes nothing"


def test_a_hand_edited_file_is_not_overwritten_without_force(
    card_copy: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    card = card_copy("stablelm-3b-4e1t")
    render_paths([card.parent])
    target = card.parent / FOLDER / "cais__mmlu.yaml"
    line = replace_once(target, "value: 45.23", "value: 47.0")
    edited = target.read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["render", str(card.parent)]) == 1
    out = capsys.readouterr().out
    assert f"cais__mmlu.yaml:{line}: error [render-eval-results-other-scores]" in out
    assert "47.0 here but 45.23 in the card" in out
    assert target.read_text(encoding="utf-8") == edited
    assert main(["render", "--force", str(card.parent)]) == 0
    assert "value: 45.23" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("content", "refused"),
    [
        ("- {dataset: {id: cais/mmlu, task_id: all}, value: 45.23, notes: metric acc; 5-shot}\n", False),
        ("- {dataset: {id: cais/mmlu, task_id: all}, value: 45.23}\n", True),  # metric unknown
        ("- {dataset: {id: cais/mmlu, task_id: other}, value: 1, notes: metric acc}\n", True),
        ("not: [a list]\n", True),
        ("- [", True),
    ],
)
def test_a_file_cardkit_did_not_write_is_replaced_only_when_it_holds_no_other_score(
    card_copy: Callable[[str], Path], content: str, refused: bool
) -> None:
    card = card_copy("stablelm-3b-4e1t")
    target = card.parent / FOLDER / "cais__mmlu.yaml"
    target.parent.mkdir()
    target.write_text(content, encoding="utf-8")
    results = [r for r in render_paths([card.parent]) if r.path.endswith("cais__mmlu.yaml")]
    assert [r.status for r in results] == (["refused"] if refused else ["written"])
    assert (target.read_text(encoding="utf-8") == content) is refused


# --- eval import ------------------------------------------------------------------------------


def test_eval_import_says_which_results_get_no_file(card_copy: Callable[[str], Path], tmp_path: Path) -> None:
    card = card_copy("llama-2-13b")
    hub = tmp_path / FOLDER
    report = import_results(EVAL / "multiple_metrics.json", card, hub)
    assert not report.has_errors, report.findings
    notes = [f for f in report.findings if f.code == "eval-hub-not-a-dataset"]
    assert all(f.severity is Severity.INFO for f in notes)
    named = {f.actual: f.line for f in notes}
    assert set(named) == {"llama2-grouped-code", "llama2-grouped-commonsense-reasoning",
        "llama2-grouped-world-knowledge", "llama2-grouped-reading-comprehension", "llama2-grouped-math",
        "bbh", "agieval", "toxigen"}  # fmt: skip
    assert named["bbh"] == line_of(card, "type: bbh")
    assert sorted(p.name for p in hub.iterdir()) == [
        "allenai__ai2_arc.yaml", "cais__mmlu.yaml", "openai__gsm8k.yaml", "truthfulqa__truthful_qa.yaml"
    ]  # fmt: skip
    assert diff_sources(card, eval_results=hub) == [], "non-Hub results are not missing from the folder"


def test_eval_import_writes_what_render_writes(card_copy: Callable[[str], Path], tmp_path: Path) -> None:
    card = card_copy("stablelm-tuned-alpha-3b")
    hub = tmp_path / FOLDER
    assert not import_results(EVAL / "multiple_metrics.json", card, hub).has_errors
    render_paths([card.parent])
    rendered = {p.name: p.read_text(encoding="utf-8") for p in (card.parent / FOLDER).iterdir()}
    assert rendered == {p.name: p.read_text(encoding="utf-8") for p in hub.iterdir()}


# --- check ------------------------------------------------------------------------------------


def repo_of(card_copy: Callable[[str], Path], slug: str) -> Path:
    card = card_copy(slug)
    render_paths([card.parent])
    (card.parent / "tokenizer_config.json").write_text("{}\n", encoding="utf-8")
    return card.parent


def errors(folder: Path) -> list[tuple[str, str, int | None]]:
    report = check_repo(folder, CheckOptions(model=False))
    return [(f.code, Path(f.file).name, f.line) for f in report.findings if f.severity is Severity.ERROR]


def test_check_reports_an_edited_score_at_its_line(card_copy: Callable[[str], Path]) -> None:
    folder = repo_of(card_copy, "stablelm-3b-4e1t")
    assert errors(folder) == []
    target = folder / FOLDER / "allenai__winogrande.yaml"
    line = replace_once(target, "value: 71.19", "value: 72.0")
    assert errors(folder) == [("eval-diff-value", "allenai__winogrande.yaml", line)]


def test_check_reports_a_card_edit_the_files_missed_at_the_card(card_copy: Callable[[str], Path]) -> None:
    folder = repo_of(card_copy, "llama-2-13b")
    card_line = replace_once(folder / "card.yaml", "value: 54.8", "value: 55.0")
    found = errors(folder)
    # the card, which the README and the Hub file both contradict; the README against the card is
    # check-readme-card-mismatch, its own finding, not repeated by the .eval_results comparison
    assert ("eval-diff-value", "card.yaml", card_line) in found
    assert [code for code, _, _ in found].count("eval-diff-value") == 1


def test_check_reports_a_missing_folder_and_a_score_only_in_the_folder(
    card_copy: Callable[[str], Path],
) -> None:
    folder = repo_of(card_copy, "llama-2-13b")
    shutil.rmtree(folder / FOLDER)
    assert errors(folder) == [("check-eval-results-missing", FOLDER, None)]
    render_paths([folder])
    extra = folder / FOLDER / "me__bench.yaml"
    extra.write_text("- dataset: {id: me/bench, task_id: default}\n  value: 1\n", encoding="utf-8")
    assert errors(folder) == [("eval-diff-missing", "me__bench.yaml", 2)]


def test_check_without_hub_results_or_folder_has_nothing_to_say(card_copy: Callable[[str], Path]) -> None:
    folder = repo_of(card_copy, "falcon-40b-instruct")
    assert not (folder / FOLDER).exists()
    assert [code for code, _, _ in errors(folder) if "eval" in code] == []
    scores, findings = read_folder(folder / FOLDER)
    assert (scores, findings) == ([], [])


def test_an_unreadable_file_in_the_folder_is_its_own_finding(card_copy: Callable[[str], Path]) -> None:
    folder = repo_of(card_copy, "llama-2-13b")
    (folder / FOLDER / "dir.yaml").mkdir()
    os.mkfifo(folder / FOLDER / "fifo.yaml")
    found = errors(folder)  # would block on the FIFO, or end the folder's report, if it were opened
    assert found == [("file-unreadable", "dir.yaml", None), ("file-unreadable", "fifo.yaml", None)]
    assert {r.status for r in render_paths([folder]) if r.layout == FOLDER} == {"unchanged"}


def test_eval_import_replaces_an_unreadable_file_only_with_force(
    card_copy: Callable[[str], Path], tmp_path: Path
) -> None:
    card = card_copy("llama-2-13b")
    hub = tmp_path / FOLDER
    hub.mkdir()
    (hub / "cais__mmlu.yaml").write_bytes(b"\xff\xfe")
    report = import_results(EVAL / "multiple_metrics.json", card, hub)
    assert [(f.code, Path(f.file).name) for f in report.findings if f.severity is Severity.ERROR] == [
        ("file-unreadable", "cais__mmlu.yaml")
    ]
    assert (hub / "cais__mmlu.yaml").read_bytes() == b"\xff\xfe"
    forced = import_results(EVAL / "multiple_metrics.json", card, hub, force=True)
    assert not forced.has_errors, forced.findings
    assert [e.value for e in entries_in(hub) if e.dataset_id == "cais/mmlu"] == [54.8]


def test_a_folder_past_the_file_bound_is_read_no_further(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cardkit.evaluation import hub_files

    monkeypatch.setattr(hub_files, "MAX_FILES", 3)
    for n in range(5):
        (tmp_path / f"b{n}.yaml").write_text(f"- {{dataset: {{id: o/b{n}, task_id: t}}, value: {n}}}\n")
    scores, findings = read_folder(tmp_path)
    assert [s.dataset for s in scores] == ["o/b0", "o/b1", "o/b2"]
    assert [(f.code, f.file) for f in findings] == [("eval-hub-too-many-files", str(tmp_path))]
