"""The corpus of bad inputs: each must give its one-line finding with file and line, exit 1, no traceback."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cardkit.cli import main
from tests.helpers import FIXTURES, ROOT

BAD = FIXTURES / "bad"
EXPECTED: dict[str, dict] = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))


def test_corpus_is_complete() -> None:
    folders = {p.name for p in BAD.iterdir() if p.is_dir()}
    assert folders == set(EXPECTED)
    assert len(EXPECTED) >= 40


def _validate(folder: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict, str]:
    code = main(["validate", str(folder), "--format", "json", *extra])
    payload = json.loads(capsys.readouterr().out)
    assert main(["validate", str(folder), *extra]) == code
    return code, payload, capsys.readouterr().out


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_bad_input_gives_its_finding(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = EXPECTED[case]
    folder = tmp_path / case
    shutil.copytree(BAD / case, folder)
    extra = [arg.replace("{folder}", str(folder)) for arg in expected.get("args", [])]
    code, payload, text = _validate(folder, capsys, *extra)
    assert code == 1
    findings = [f for card in payload["cards"] for f in card["findings"] if f["code"] == expected["code"]]
    assert findings, f"{case}: got {[f['code'] for c in payload['cards'] for f in c['findings']]}"
    finding = findings[0]
    assert finding["severity"] == "error"
    assert Path(finding["file"]).name == expected["file"]
    assert finding["line"] == expected["line"]
    if "field" in expected:
        assert finding["field"] == expected["field"]
    assert "Traceback" not in text
    for line in text.splitlines()[1:-1]:
        assert line.startswith("  "), f"finding spans more than one line: {line!r}"


def test_card_of_100_mb_is_refused_unread(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "huge"
    shutil.copytree(ROOT / "cards" / "stablelm-3b-4e1t", folder, ignore=shutil.ignore_patterns("README*"))
    with (folder / "card.yaml").open("ab") as handle:
        handle.truncate(100 * 1024 * 1024)
    code, payload, _ = _validate(folder, capsys)
    assert code == 1
    assert [(f["code"], f["line"]) for f in payload["cards"][0]["findings"]] == [("file-too-large", 1)]


def test_config_symlink_escaping_the_card_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "card"
    shutil.copytree(ROOT / "cards" / "stablelm-3b-4e1t", folder, ignore=shutil.ignore_patterns("README*"))
    outside = tmp_path / "outside.json"
    outside.write_text((folder / "config.json").read_text())
    (folder / "config.json").unlink()
    (folder / "config.json").symlink_to(outside)
    code, payload, _ = _validate(folder, capsys)
    assert code == 1
    assert "config-outside-card" in [f["code"] for f in payload["cards"][0]["findings"]]


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))


@pytest.mark.parametrize("case", ["yaml-bomb", "yaml-deep-nesting", "yaml-python-tag"])
def test_hostile_yaml_in_bounded_memory_and_time(case: str) -> None:
    """In a child process limited to 1 GiB and 30 s: an expansion or recursion would be killed."""
    result = subprocess.run(
        [sys.executable, "-m", "cardkit", "validate", "--no-model", str(BAD / case)],
        capture_output=True,
        text=True,
        timeout=30,
        preexec_fn=_limit_memory,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 1, result.stderr
    assert EXPECTED[case]["code"] in result.stdout
    assert "Traceback" not in result.stderr


def test_checkpoint_symlink_escaping_the_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A shard that is a link to a file outside the checkpoint folder is refused, never read."""
    folder = tmp_path / "card"
    shutil.copytree(BAD / "checkpoint-overlapping-offsets", folder)
    weights = folder / "weights" / "model.safetensors"
    outside = tmp_path / "outside.safetensors"
    weights.rename(outside)
    weights.symlink_to(outside)
    code, payload, text = _validate(folder, capsys, "--checkpoint", str(folder / "weights"))
    assert code == 1
    found = [(f["code"], Path(f["file"]).name) for f in payload["cards"][0]["findings"]]
    assert found == [("checkpoint-outside-folder", "model.safetensors")]
    assert "Traceback" not in text
