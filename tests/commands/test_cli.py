"""The command line as a gate: output no card value can forge, paths checked, one bad input isolated.

Each test here failed on cardkit before issue 11: workflow commands injected through card values,
JSON that crashed on YAML values, a directory or FIFO named card.yaml ending the run (or blocking
it), a named card file silently replaced by its folder's card.yaml, `--card` paths ignored, `--out`
collisions reported as "written", and Ctrl-C tracebacks.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cardkit.card.paths import discover
from cardkit.cli import main
from cardkit.core.errors import UsageError
from cardkit.core.findings import CardReport, Finding, ParameterCount, Severity
from cardkit.core.report import emit, format_github, format_json, format_text, guard_line, plain
from cardkit.validate import ValidateOptions, validate_paths
from tests.helpers import CARDS_DIR, ROOT, replace_once

SLUG = "stablelm-3b-4e1t"

INJECTIONS = [
    "x\n::error file=INJECTED,line=1::forged",
    "x\r::add-mask::secret",
    "x\r\n  \t::warning::forged",
    "x\u2028::notice::forged",
    "x\x85::error::forged",
    "x\n\u00a0\u3000::error::forged",
    "prefix ##[error]forged v1 command",
    "x\n##[add-mask]secret",
]


def _is_workflow_command(line: str) -> bool:
    """What an Actions runner acts on: `::` after leading white space (v2), `##[` anywhere (v1)."""
    return line.lstrip().startswith("::") or "##[" in line


def _runner_lines(text: str) -> list[str]:
    """Lines as the runner splits them (and as a terminal would show them)."""
    return re.split(r"\r\n|\r|\n|\u2028|\u2029|\x85", text)


def _report(value: str) -> CardReport:
    finding = Finding("schema-x", Severity.ERROR, f"bad value {value!s}", value, 3, 1, value)
    return CardReport(value, model_id=value, findings=[finding])


@pytest.mark.parametrize("value", INJECTIONS)
def test_text_output_never_starts_a_workflow_command(value: str) -> None:
    text = format_text([_report(value)])
    assert not [line for line in _runner_lines(text) if _is_workflow_command(line)], text
    assert text.count("\n") == 3  # the report line, the finding line, the summary: nothing split


def test_a_path_that_starts_with_colons_cannot_start_a_command() -> None:
    line = guard_line("::error file=x::y/card.yaml: ok")
    assert not _is_workflow_command(line) and "error file=x::y/card.yaml" in line


def test_plain_spells_line_breaks_as_escapes_and_keeps_the_rest() -> None:
    assert plain("a\nb\rc\u2028d\x00e\tf 中文 ✓") == "a\\nb\\rc\\u2028d\\x00e\tf 中文 ✓"


def test_validate_text_quotes_injected_card_values(
    card_copy: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = card_copy(SLUG)
    replace_once(path, "config: config.json", 'config: "/x\\n::error file=INJECTED,line=1::forged"')
    replace_once(path, "  id: cc-by-sa-4.0", '  id: "x\\r::add-mask::secret"')
    assert main(["validate", "--no-model", "--no-cache", str(path)]) == 1
    out = capsys.readouterr().out
    assert not [line for line in _runner_lines(out) if _is_workflow_command(line)], out
    assert "\\n::error file=INJECTED" in out  # still shown, as an escape


@pytest.mark.parametrize("value", INJECTIONS)
def test_github_annotations_are_one_command_each(value: str) -> None:
    lines = _runner_lines(format_github([_report(value)]))
    assert lines[-1] == "" and len(lines) == 3, lines  # one annotation, the summary, the final newline
    assert lines[0].startswith("::error file=")
    properties = lines[0].split("::")[1]
    assert properties.count(",") == 3  # file, line, col, title: a value cannot add a property


def test_github_escapes_data_and_properties() -> None:
    finding = Finding("code", Severity.WARNING, "100% done\r\nnext", "a:b,c%.yaml", 1, 2, "f")
    [line, _summary] = format_github([CardReport("p", findings=[finding])]).splitlines()
    assert line == "::warning file=a%3Ab%2Cc%25.yaml,line=1,col=2,title=code::f: 100%25 done%0D%0Anext"


def _odd_values() -> list[object]:
    cyclic: list[object] = [1]
    cyclic.append(cyclic)
    shared = ["x"] * 10
    for _ in range(9):  # an alias bomb: 10**9 leaves, 90 distinct lists
        shared = [shared] * 10
    return [
        b"\x00\xffbinary",
        {3, 1, 2},
        frozenset({"a"}),
        datetime.date(2024, 1, 2),
        datetime.datetime(2024, 1, 2, 3, 4, 5),
        10**5000,
        float("nan"),
        float("inf"),
        {(1, 2): "tuple key", None: 1, 10**5000: "huge key"},
        cyclic,
        shared,
        "lone \ud800 surrogate",
        Severity.ERROR,
        object(),
    ]


@pytest.mark.parametrize("value", _odd_values(), ids=lambda v: type(v).__name__)
def test_json_serialises_any_yaml_value(value: object) -> None:
    finding = Finding("x", Severity.ERROR, "m", "f", expected=value, actual=[value])
    report = CardReport("f", parameters=ParameterCount(10**5000))
    report.findings.append(finding)
    text = format_json([report])
    json.dumps(json.loads(text))  # a whole, strict document
    assert text.encode("utf-8")  # printable: no lone surrogate left
    assert "NaN" not in text and "Infinity" not in text


def test_text_survives_a_huge_claimed_count() -> None:
    report = CardReport("f", "m")
    report.parameters.claimed, report.parameters.computed = 10**5000, 1
    assert "integer of" in format_text([report])


def test_emit_holds_ctrl_c_until_the_document_is_out() -> None:
    class InterruptedMidWrite:
        def __init__(self) -> None:
            self.parts: list[str] = []

        def write(self, text: str) -> None:
            os.kill(os.getpid(), signal.SIGINT)  # arrives while the document is being written
            time.sleep(0.05)
            self.parts.append(text)

        def flush(self) -> None:
            pass

    stream = InterruptedMidWrite()
    with pytest.raises(KeyboardInterrupt):
        emit('{"cards": []}\n', stream)  # type: ignore[arg-type]
    assert stream.parts == ['{"cards": []}\n']


# -- one bad input is a finding for that input; the rest of the run is still checked --------------


def _two_cards(tmp_path: Path) -> tuple[Path, Path]:
    good = tmp_path / "cards" / "good"
    shutil.copytree(CARDS_DIR / SLUG, good, ignore=shutil.ignore_patterns("README*.md"))
    bad = tmp_path / "cards" / "bad"
    bad.mkdir(parents=True)
    return good / "card.yaml", bad / "card.yaml"


def test_a_directory_named_card_yaml_is_a_finding_not_the_end_of_the_run(tmp_path: Path) -> None:
    _good, bad = _two_cards(tmp_path)
    bad.mkdir()
    reports = validate_paths([tmp_path / "cards"], ValidateOptions(model=False, cache=False))
    by_path = {Path(r.path).parent.name: r for r in reports}
    assert [f.code for f in by_path["bad"].findings] == ["file-unreadable"]
    assert "directory" in by_path["bad"].findings[0].message
    assert not by_path["good"].has_errors


def test_an_internal_error_is_a_finding_naming_the_card(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import cardkit.validate.checks

    good, bad = _two_cards(tmp_path)
    shutil.copy(good, bad)
    shutil.copy(good.parent / "config.json", bad.parent / "config.json")
    real = cardkit.validate.checks.check_card

    def flaky(path: Path, options: ValidateOptions) -> object:
        if path.parent.name == "bad":
            raise RuntimeError("a bug in a rule")
        return real(path, options)

    monkeypatch.setattr(cardkit.validate.checks, "check_card", flaky)
    monkeypatch.delenv("CARDKIT_DEBUG", raising=False)
    assert main(["validate", "--no-model", "--no-cache", "--format", "json", str(tmp_path / "cards")]) == 1
    cards = {Path(c["path"]).parent.name: c for c in json.loads(capsys.readouterr().out)["cards"]}
    [finding] = cards["bad"]["findings"]
    assert finding["code"] == "internal-error" and "RuntimeError: a bug in a rule" in finding["message"]
    assert finding["file"].endswith("bad/card.yaml")
    assert cards["good"]["findings"] == [] and cards["good"]["model_id"]
    monkeypatch.setenv("CARDKIT_DEBUG", "1")
    with pytest.raises(RuntimeError):
        validate_paths([tmp_path / "cards"], ValidateOptions(model=False, cache=False))


def test_an_internal_error_outside_any_card_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import cardkit.validate.pipeline

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("oops")

    monkeypatch.setattr(cardkit.validate.pipeline, "validate_paths", broken)
    monkeypatch.delenv("CARDKIT_DEBUG", raising=False)
    assert main(["validate", "--no-model", "cards"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error (KeyError: 'oops')" in err


def _run(args: list[str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CARDKIT_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "cardkit", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_a_fifo_named_as_a_card_or_readme_never_blocks(tmp_path: Path) -> None:
    good, bad = _two_cards(tmp_path)
    os.mkfifo(bad)
    run = _run(["validate", "--no-model", "--no-cache", "cards"], tmp_path)
    assert run.returncode == 1, run.stderr
    assert "cards/bad/card.yaml: error [file-unreadable]" in run.stdout and "1 error(s)" in run.stdout
    os.mkfifo(good.parent / "README.md")
    run = _run(["render", "cards/good"], tmp_path)
    assert run.returncode == 1 and "README.md: error [file-unreadable]" in run.stdout, run.stdout
    assert (good.parent / "README_zh.md").is_file()  # the other layout is still written
    os.mkfifo(tmp_path / "fifo.md")
    for args in (["lint", "fifo.md"], ["lint", "cards/good/config.json", "--config", "fifo.md"]):
        run = _run(args, tmp_path)
        assert run.returncode == 2 and "not a regular file" in run.stderr, run.stderr
    run = _run(["import", "fifo.md"], tmp_path)
    assert run.returncode == 2 and "not a regular file" in run.stderr, run.stderr


def test_render_reports_a_readme_that_is_a_directory_and_renders_the_rest(tmp_path: Path) -> None:
    from cardkit.render import render_paths

    good, bad = _two_cards(tmp_path)
    shutil.copy(good, bad)
    shutil.copy(good.parent / "config.json", bad.parent / "config.json")
    (bad.parent / "README.md").mkdir()
    results = render_paths([tmp_path / "cards"])
    statuses = {(Path(r.path).parent.name, Path(r.path).name): r.status for r in results}
    assert statuses[("bad", "README.md")] == "failed"
    assert statuses[("good", "README.md")] == statuses[("good", "README_zh.md")] == "written"


# -- every path the user names is the one used, and must exist ------------------------------------


def test_an_explicitly_named_card_file_is_the_one_validated(card_copy: Callable[[str], Path]) -> None:
    path = card_copy(SLUG)
    mine = path.parent / "mycard.yaml"
    shutil.copy(path, mine)
    assert discover([mine]) == [mine]
    assert discover([path.parent / "config.json"]) == [path]  # pre-commit's changed files still map
    assert discover([mine, path]) == [mine, path]


def test_paths_that_do_not_exist_are_usage_errors(
    card_copy: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = card_copy(SLUG).parent
    for args in (
        ["check", "--no-model", "--card", str(tmp_path / "missing.yaml"), str(folder)],
        ["check", "--no-model", str(folder), str(tmp_path / "nowhere")],
        ["check", "--no-model", "--card", str(folder), str(folder)],
        ["validate", str(folder), "--checkpoint", str(tmp_path / "no-weights")],
        ["lint", str(tmp_path / "README.md")],
        ["lint", str(folder / "card.yaml"), "--config", str(tmp_path / "config.json")],
        ["import", str(folder / "card.yaml"), "--config", str(tmp_path / "config.json")],
        ["render", str(folder), "--out", str(folder / "card.yaml")],
    ):
        assert main(args) == 2, args
        err = capsys.readouterr().err
        assert err.startswith("cardkit: error: ") and err.count("\n") == 1, (args, err)


def test_nul_bytes_in_command_line_paths_are_usage_errors(card_copy: Callable[[str], Path]) -> None:
    folder = card_copy(SLUG).parent
    with pytest.raises(UsageError, match="no such file"):
        discover([f"{folder}\0x"])
    for args in (
        ["validate", f"{folder}/card.yaml\0"],
        ["check", "--card", "x\0.yaml", str(folder)],
        ["lint", "README\0.md"],
        ["validate", str(folder), "--checkpoint", "w\0"],
        ["import", str(folder / "README.md"), "--out", "a\0b"],
        ["new", "--config", str(folder / "config.json"), "--out", "a\0b"],
        ["new", "--config", "config\0.json"],
    ):
        assert main(args) == 2, args


def test_render_out_refuses_two_cards_that_would_write_the_same_file(tmp_path: Path) -> None:
    from cardkit.render import render_paths

    for parent in ("a", "b"):
        target = tmp_path / parent / "model"
        shutil.copytree(CARDS_DIR / SLUG, target, ignore=shutil.ignore_patterns("README*"))
    out = tmp_path / "out"
    with pytest.raises(UsageError, match="would both write"):
        render_paths([tmp_path / "a" / "model", tmp_path / "b" / "model"], out=out)
    assert not out.exists()
    folder = tmp_path / "a" / "model"
    shutil.copy(folder / "card.yaml", folder / "other.yaml")  # two cards in one folder, no --out
    with pytest.raises(UsageError, match="would both write"):
        render_paths([folder / "card.yaml", folder / "other.yaml"])
    assert not (folder / "README.md").exists()


# -- Ctrl-C: one line, exit 130, also while the interpreter exits ---------------------------------

SLOW_RUN = """
import atexit, sys, time
import cardkit.validate.pipeline
from cardkit.cli import entry_point

def slow(*args, **kwargs):
    print("ready", flush=True)
    time.sleep(60)

if sys.argv[1] == "run":
    cardkit.validate.pipeline.validate_paths = slow
else:  # interrupted while the interpreter runs its exit handlers
    atexit.register(slow)
sys.argv[1:] = ["validate", "--no-model", "cards"]
raise SystemExit(entry_point())
"""


@pytest.mark.parametrize("when", ["run", "exit"])
def test_ctrl_c_prints_one_line_and_exits_130(when: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CARDKIT_DEBUG", None)
    child = subprocess.Popen(
        [sys.executable, "-c", SLOW_RUN, when],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    for line in child.stdout:
        if line.strip() == "ready":
            break
    else:
        pytest.fail(f"the child ended before it was interrupted: {child.communicate()}")
    child.send_signal(signal.SIGINT)
    _out, err = child.communicate(timeout=60)
    assert (child.returncode, err) == (130, "cardkit: interrupted\n")


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["nonsense"],
        ["validate", "--format", "xml"],
        ["render", "--lang", "fr"],
        ["lint"],
        ["check"],
        ["new"],
        ["eval"],
        ["eval", "import"],
        ["validate", "--no-such-option"],
    ],
)
def test_argparse_usage_errors_exit_2_with_the_usage_line(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("usage: cardkit") and re.match(r"cardkit( \w+)*: error: ", lines[-1]), lines


def test_version_prints_one_line_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    from cardkit import __version__

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"cardkit {__version__}\n"


def test_shared_options_keep_their_defaults() -> None:
    """The values each command sees when no option is given, as they were before the options were
    declared once (cardkit/commands/options.py); only `eval`'s --card is now a Path, like check's."""
    from cardkit.cli import build_parser

    def parsed(*args: str) -> dict[str, object]:
        values = vars(build_parser().parse_args(list(args)))
        values.pop("handler")
        return values

    assert parsed("validate") == {
        "command": "validate", "paths": ["cards"], "format": "text", "no_model": False, "no_cache": False,
        "checkpoint": None, "load": False, "generate": False, "trust_remote_code": False,
    }  # fmt: skip
    assert parsed("check", "f") == {
        "command": "check", "folders": [Path("f")], "card": None, "format": "text", "no_model": False,
        "checkpoint": False,
    }  # fmt: skip
    assert parsed("render") == {
        "command": "render", "paths": ["cards"], "lang": None, "out": None, "check": False, "force": False,
        "no_cache": False,
    }  # fmt: skip
    assert parsed("lint", "R.md") == {
        "command": "lint", "readme": [Path("R.md")], "config": None, "repo_id": None, "no_model": False,
        "family": False, "format": "text",
    }  # fmt: skip
    assert parsed("import", "R.md") == {
        "command": "import", "readme": [Path("R.md")], "config": None, "repo_id": None, "out": None,
        "out_dir": None, "force": False, "no_model": False,
    }  # fmt: skip
    assert parsed("new", "--config", "c.json") == {
        "command": "new", "config": Path("c.json"), "tokenizer": None, "readme": None, "out": None,
    }  # fmt: skip
    assert parsed("eval", "import", "r.json") == {
        "command": "eval", "eval_command": "import", "results": "r.json", "card": Path("card.yaml"),
        "eval_results": None, "force": False,
    }  # fmt: skip
    assert parsed("eval", "diff")["card"] is None
    assert parsed("schema") == {"command": "schema", "write": False}
