"""A real lm-evaluation-harness run on a tiny local model and task, imported into its card.

Needs the `eval` extra (`pip install 'cardkit[eval]'`); skipped cleanly without it. No network: the
task and its data are in tests/fixtures/eval/tasks/, the model is built locally (tests/tiny_models.py).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cardkit.card.load import load_card
from cardkit.core.findings import Severity
from cardkit.evaluation.compare import diff_sources
from cardkit.evaluation.importing import import_results
from cardkit.render import render_paths
from cardkit.validate import ValidateOptions, validate_card
from tests.helpers import FIXTURES, ROOT
from tests.tiny_models import TinyModel, copy_tiny

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("lm_eval") is None, reason="lm-evaluation-harness not installed (cardkit[eval])"
)
TASKS = FIXTURES / "eval" / "tasks"


@pytest.fixture(scope="module")
def harness_run(tiny_zoo: dict[str, TinyModel], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The results JSON of `lm_eval` on the tiny StableLM over the two-task group (about 15 s)."""
    tiny = tiny_zoo["stablelm-3b-4e1t"]
    work = tmp_path_factory.mktemp("harness")
    env = {
        **os.environ,
        "HF_DATASETS_OFFLINE": "1",
        "HF_HUB_OFFLINE": "1",
        "HF_HOME": str(work / "hf"),
        "HF_DATASETS_CACHE": str(work / "datasets"),
        "TOKENIZERS_PARALLELISM": "false",
    }
    command = [
        sys.executable, "-m", "lm_eval",
        "--model", "hf",
        "--model_args", f"pretrained={tiny.checkpoint},dtype=float32",
        "--tasks", "cardkit_tiny",
        "--include_path", str(TASKS.relative_to(ROOT)),
        "--device", "cpu",
        "--batch_size", "4",
        "--output_path", str(work / "out"),
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    (results,) = (work / "out").rglob("results_*.json")
    return results


def test_real_run_becomes_card_results_that_validate_render_and_round_trip(
    harness_run: Path, tiny_zoo: dict[str, TinyModel], tmp_path: Path
) -> None:
    tiny = copy_tiny(tiny_zoo["stablelm-3b-4e1t"], tmp_path)
    hub = tmp_path / ".eval_results"
    report = import_results(harness_run, tiny.card, hub)
    assert not report.has_errors, report.findings
    data = json.loads(harness_run.read_text(encoding="utf-8"))
    evaluation = load_card(tiny.card).card.evaluation
    imported = {r.id: r for r in evaluation.results if r.harness_task}
    tasks, metrics = ("cardkit_animals", "cardkit_colours"), ("acc", "acc_norm")
    assert set(imported) == {f"{task}-{metric}" for task in tasks for metric in metrics}
    for result in imported.values():
        task = data["results"][result.harness_task]
        assert result.metric.value == task[f"{result.metric.type},none"]
        assert result.metric.stderr == task[f"{result.metric.type}_stderr,none"]
        assert (result.few_shot, result.metric.scale, result.dataset.split) == (0, "fraction", "test")
        assert result.source.name == f"lm-evaluation-harness {importlib.metadata.version('lm-eval')}"
        assert str(tiny_zoo["stablelm-3b-4e1t"].checkpoint) in result.source.model_args
    group = next(s for s in evaluation.summaries if s.name == "cardkit_tiny (acc)")
    assert group.value == data["groups"]["cardkit_tiny"]["acc,none"]
    sizes = [data["results"][task]["sample_len"] for task in ("cardkit_animals", "cardkit_colours")]
    assert group.weights == sizes and group.of == ["cardkit_animals-acc", "cardkit_colours-acc"]

    findings = validate_card(tiny.card, ValidateOptions(cache=False)).findings
    assert [f for f in findings if f.severity.value == "error"] == []
    render_paths([tiny.card.parent], ["en"])
    readme = tiny.card.parent / "README.md"
    assert "| cardkit_animals | 0 | `acc` (accuracy) |" in readme.read_text(encoding="utf-8")
    # a local task names no Hub dataset: asked for .eval_results, the import says so and writes none
    notes = {f.actual: f.severity for f in report.findings if f.code == "eval-hub-not-a-dataset"}
    assert notes == {"cardkit_animals": Severity.INFO, "cardkit_colours": Severity.INFO}
    assert not [p for p in hub.glob("*") if p.name.startswith("cardkit_")]
    assert diff_sources(tiny.card, readme, hub, harness_run) == []  # nor are they missing from it
    again = import_results(harness_run, tiny.card, hub)
    assert again.merge.added == [] and again.written == []
    assert [f for f in again.findings if f.severity is not Severity.INFO] == []
