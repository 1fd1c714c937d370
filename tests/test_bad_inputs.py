"""The corpus of bad inputs: each must give its one-line finding with file and line, exit 1, no traceback."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from cardkit.card.config_json import ConfigFile, read_config
from cardkit.cli import main
from cardkit.core.findings import Severity
from cardkit.model.model_config import blamed_key
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


def test_fifo_card_and_config_are_refused_unread(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A FIFO blocks `open` and `read` forever; both are refused as not regular files, at once."""
    cards = tmp_path / "cards"
    (cards / "fifo-card").mkdir(parents=True)
    os.mkfifo(cards / "fifo-card" / "card.yaml")
    source = ROOT / "cards" / "stablelm-3b-4e1t"
    shutil.copytree(source, cards / "fifo-config", ignore=shutil.ignore_patterns("README*"))
    (cards / "fifo-config" / "config.json").unlink()
    os.mkfifo(cards / "fifo-config" / "config.json")
    code, payload, _ = _validate(cards, capsys, "--no-cache")
    assert code == 1
    found = {Path(f["file"]).name: f["code"] for card in payload["cards"] for f in card["findings"]}
    assert found == {"card.yaml": "file-unreadable", "config.json": "config-unreadable"}


def _config(tmp_path: Path, text: str) -> ConfigFile:
    path = tmp_path / "config.json"
    path.write_text(text, encoding="utf-8")
    return read_config(path, "config.json")


def test_config_duplicate_keys_are_noted_at_the_second(tmp_path: Path) -> None:
    config = _config(tmp_path, '{"model_type": "llama",\n "sub": {"a": 1,\n  "a": 2}}')
    assert config.data == {"model_type": "llama", "sub": {"a": 2}}
    assert [(f.code, f.severity, f.line, f.column, f.field) for f in config.findings] == [
        ("config-duplicate-key", Severity.WARNING, 3, 3, "sub.a")
    ]


@pytest.mark.parametrize(
    ("text", "code", "field"),
    [
        ('{"model_type": "x", "a": {"b": 1.5e400}}', "config-not-finite", "a.b"),
        ('{"model_type": "x", "a": -' + "1" * 200 + "}", "config-number-too-long", "a"),
        ('{"model_type": "x", "a": ' + "[" * 33 + "]" * 33 + "}", "config-too-deep", "a[0]" + "[0]" * 30),
    ],
)
def test_config_values_json_mishandles_are_located(tmp_path: Path, text: str, code: str, field: str) -> None:
    config = _config(tmp_path, text)
    assert config.data is None
    assert [(f.code, f.line, f.field) for f in config.findings] == [(code, 1, field)]


def test_infinity_as_python_writes_it_is_read_with_a_warning(tmp_path: Path) -> None:
    """Mamba-2's `time_step_limit` is [0.0, Infinity] in configs transformers 4 saved; transformers
    reads them, so the model loads: a warning at the value, and the value read as transformers does."""
    config = _config(tmp_path, '{"model_type": "mamba2",\n "time_step_limit": [0.0, Infinity]}')
    assert config.data == {"model_type": "mamba2", "time_step_limit": [0.0, float("inf")]}
    assert [(f.code, f.severity, f.line, f.field) for f in config.findings] == [
        ("config-not-finite", Severity.WARNING, 2, "time_step_limit[1]")
    ]


def test_nan_is_refused(tmp_path: Path) -> None:
    config = _config(tmp_path, '{"model_type": "x", "layer_norm_eps": NaN}')
    assert config.data is None
    assert [(f.code, f.severity) for f in config.findings] == [("config-not-finite", Severity.ERROR)]


def test_config_scan_time_is_linear(tmp_path: Path) -> None:
    """Doubling a config at most about doubles the bounded reader's time."""

    def best(count: int) -> float:
        entries = ", ".join(f'"k{i}": [{i}.5, "v\\"{i}", {{"x": {i}}}]' for i in range(count))
        path = tmp_path / f"c{count}.json"
        path.write_text('{"model_type": "x", ' + entries + "}")
        times = []
        for _ in range(3):
            start = time.perf_counter()
            assert read_config(path, "c.json").data is not None
            times.append(time.perf_counter() - start)
        return min(times)

    assert best(8_000) < 3 * best(4_000) + 0.01


def test_transformers_errors_name_the_key() -> None:
    data = {"model_type": "x", "rope_scaling": {"rope_type": "bogus"}, "hidden_act": "silu"}
    assert blamed_key(data, KeyError("bogus")) == ("rope_scaling", "rope_type")
    assert blamed_key(data, ValueError("Validation error for field 'hidden_size': bad")) == ("hidden_size",)
    assert blamed_key(data, ZeroDivisionError("division by zero")) == ()
