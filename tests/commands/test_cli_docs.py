"""The command line documents itself: README.md lists every command and option, `--help` shows examples.

The README convention this test holds the document to: in `## CLI reference`, one
``### `cardkit COMMAND` `` heading per command and sub-command (``### `cardkit eval import` ``), and in
that section one bullet per option or positional argument that starts with it in backticks:
``- `--format text|json|github`: ...``, ``- `PATH ...`: ...``. A positional is written as its
metavar (what `--help` shows). Each command's `--help` ends with an `examples:` epilog whose lines
are real invocations: they parse.
"""

from __future__ import annotations

import argparse
import re
import shlex
from collections.abc import Iterator

import pytest

from cardkit.cli import build_parser
from cardkit.commands.options import add_command
from cardkit.core.report import FORMATS
from tests.helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
HEADING = re.compile(r"^### `(cardkit(?: [^`]+)?)`\s*$", re.MULTILINE)
BULLET = re.compile(r"^- `([^`]+)`", re.MULTILINE)
DIFFERENT_ON_PURPOSE = {
    ("--checkpoint", "cardkit check"): "a flag: the folder checked is the checkpoint (validate: DIR)",
    ("--out", "cardkit render"): "a folder for many READMEs (import and new: one card FILE)",
    ("--format", "cardkit explain"): "prints a code, not findings: text or json, no github annotations",
}
"""(option, command) pairs whose option shares a name, not a meaning, with the other commands'."""
FINDING_COMMANDS = {"cardkit validate", "cardkit check", "cardkit lint"}
"""The commands that print findings, so take every format of cardkit.core.report."""


def command_parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """`parser` and every command and sub-command under it, depth first."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from command_parsers(sub)


def documentable(parser: argparse.ArgumentParser) -> Iterator[tuple[argparse.Action, list[str]]]:
    """Each option or positional of `parser` with the names README.md must give it (`-h` and the
    sub-command choice excepted: those have their own sections)."""
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        yield action, list(action.option_strings) or [action.metavar or action.dest]


def reference_sections(readme: str) -> dict[str, str]:
    """`### `cardkit ...`` heading -> its section text, within `## CLI reference` only."""
    start = readme.index("\n## CLI reference\n")
    end = readme.find("\n## ", start + 1)
    reference = readme[start : end if end != -1 else len(readme)]
    parts = re.split(r"^(### .*)$", reference, flags=re.MULTILINE)
    sections: dict[str, str] = {}
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        if match := HEADING.match(heading):
            sections[match.group(1)] = body
    return sections


def bullet_names(section: str) -> set[str]:
    """The words of each bullet's leading code span: `--lang en|zh` gives `--lang`, `en`, `zh`."""
    return {word for span in BULLET.findall(section) for word in re.split(r"[\s,=|\[\]]+", span) if word}


def undocumented(parser: argparse.ArgumentParser, readme: str) -> list[str]:
    """What the parser has that README.md's CLI reference does not list, as `cardkit X: --opt`."""
    sections = reference_sections(readme)
    missing = []
    for command in command_parsers(parser):
        if command.prog not in sections:
            missing.append(f"{command.prog}: no ### `{command.prog}` section")
            continue
        listed = bullet_names(sections[command.prog])
        names = [name for _, names in documentable(command) for name in names]
        missing += [f"{command.prog}: {name}" for name in names if name not in listed]
    return missing


def test_every_command_and_option_is_in_the_cli_reference() -> None:
    assert undocumented(build_parser(), README) == []


def test_the_reference_walk_reaches_every_sub_command_and_option() -> None:
    progs = [command.prog for command in command_parsers(build_parser())]
    assert {"cardkit", "cardkit validate", "cardkit eval import", "cardkit eval diff"} <= set(progs)
    parsers = list(command_parsers(build_parser()))
    names = {name for command in parsers for _, found in documentable(command) for name in found}
    assert {"--version", "PATH", "RESULTS.json", "--trust-remote-code", "--from"} <= names


def test_an_option_or_command_added_without_docs_fails() -> None:
    parser = build_parser()
    validate = next(p for p in command_parsers(parser) if p.prog == "cardkit validate")
    validate.add_argument("--brand-new", action="store_true", help="not in the README yet")
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    add_command(commands, "frobnicate", summary="s", description="d", examples=["cardkit frobnicate"])
    assert undocumented(parser, README) == [
        "cardkit validate: --brand-new",
        "cardkit frobnicate: no ### `cardkit frobnicate` section",
    ]


def test_an_option_named_only_in_prose_is_not_documented() -> None:
    readme = README.replace("- `--no-cache`:", "- no cache, `--no-cache`:", 1)
    assert "cardkit validate: --no-cache" in undocumented(build_parser(), readme)


def _examples(parser: argparse.ArgumentParser) -> list[str]:
    epilog = parser.epilog or ""
    assert epilog.startswith("examples:\n"), f"{parser.prog}: --help has no examples epilog"
    return [line.strip() for line in epilog.splitlines()[1:] if line.strip()]


@pytest.mark.parametrize("prog", [command.prog for command in command_parsers(build_parser())])
def test_every_help_ends_with_examples_that_parse(prog: str) -> None:
    parser = next(command for command in command_parsers(build_parser()) if command.prog == prog)
    examples = _examples(parser)
    assert examples
    assert parser.format_help().endswith(parser.epilog or "")  # printed as written, after the options
    for example in examples:
        words = shlex.split(example, comments=True)
        words = words[: words.index(">")] if ">" in words else words
        assert words[: len(prog.split())] == prog.split() or prog == "cardkit", example
        if "--help" in words:
            continue
        build_parser().parse_args(words[1:])  # a usage error exits 2 and fails the test


def test_top_level_help_lists_every_command_with_a_one_line_summary() -> None:
    for command in command_parsers(build_parser()):
        for action in command._actions:
            if not isinstance(action, argparse._SubParsersAction):
                continue
            text = command.format_help()
            for choice in action._choices_actions:
                assert choice.help and "\n" not in choice.help, choice.dest
                line = rf"^\s+{re.escape(choice.dest)}\s+{re.escape(choice.help.split()[0])}"
                assert re.search(line, text, re.MULTILINE), (command.prog, choice.dest)
            assert {c.dest for c in action._choices_actions} == set(action.choices)


def _shared_options() -> dict[str, list[tuple[str, argparse.Action]]]:
    seen: dict[str, list[tuple[str, argparse.Action]]] = {}
    for command in command_parsers(build_parser()):
        for action, _ in documentable(command):
            for option in action.option_strings:
                seen.setdefault(option, []).append((command.prog, action))
    return {option: uses for option, uses in seen.items() if len(uses) > 1}


def test_an_option_two_commands_share_means_the_same_in_both() -> None:
    shared = _shared_options()
    assert {"--format", "--no-model", "--config", "--card", "--force"} <= set(shared)
    for option, uses in shared.items():
        same = [(prog, a) for prog, a in uses if (option, prog) not in DIFFERENT_ON_PURPOSE]
        shapes = {(type(a), a.type, a.choices and tuple(a.choices), a.metavar, a.nargs) for _, a in same}
        assert len(shapes) == 1, (option, [prog for prog, _ in same], shapes)


def test_format_takes_report_formats_with_one_help_text() -> None:
    uses = [(prog, a) for prog, a in _shared_options()["--format"] if prog in FINDING_COMMANDS]
    assert {prog for prog, _ in uses} == FINDING_COMMANDS
    assert {tuple(a.choices or ()) for _, a in uses} == {FORMATS}
    assert len({a.help for _, a in uses}) == 1
    assert {a.default for _, a in uses} == {"text"}


def test_render_lang_help_names_the_default_layouts() -> None:
    from cardkit.render import DEFAULT_LAYOUTS

    render = next(p for p in command_parsers(build_parser()) if p.prog == "cardkit render")
    lang = next(a for a in render._actions if "--lang" in a.option_strings)
    default = (lang.help or "").split("default:", 1)[1]
    assert re.findall(r"[\w-]+", default) == list(DEFAULT_LAYOUTS)
