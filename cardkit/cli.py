"""The `cardkit` command: keeps model cards honest.

The CLI only wires command modules (cardkit/commands/); each command is a few lines over a library
function. Exit codes: 0 no errors, 1 a card has an error (an `internal-error` finding included),
2 usage or I/O failure, 3 cardkit itself failed outside any one card, 130 interrupted (Ctrl-C).
No traceback is printed unless CARDKIT_DEBUG=1.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Sequence
from types import FrameType

from cardkit import __version__
from cardkit.commands import check, explain, import_card, lint, new, render, schema, validate
from cardkit.commands import eval as eval_command
from cardkit.core.errors import CardkitError
from cardkit.core.gc_policy import command_process, freeze_before_exit

COMMANDS = (validate, check, schema, render, lint, import_card, eval_command, new, explain)
INTERRUPTED = 130
INTERNAL = 3
BROKEN_PIPE = 141
"""128 + SIGPIPE, as a shell reports a command whose reader went away (`cardkit ... | head`)."""


EXAMPLES = """examples:
  cardkit validate                       # every card under cards/
  cardkit render --check                 # exit 1 when a README is stale
  cardkit validate --help                # one command's options, with examples
"""


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree; README.md's CLI reference documents every command and option in it
    (tests/commands/test_cli_docs.py walks it)."""
    parser = argparse.ArgumentParser(
        prog="cardkit",
        description="Keep large-language-model cards honest.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"cardkit {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(commands)
    return parser


def _one_line(text: object) -> str:
    from cardkit.core.report import plain  # lazy: only on the error path

    return plain(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a failure is one line on stderr and an exit code, never a traceback."""
    args = build_parser().parse_args(argv)
    try:
        handler: Callable[[argparse.Namespace], int] = args.handler  # the command's `run`
        return handler(args)
    except BrokenPipeError:
        raise
    except (CardkitError, OSError) as exc:
        if os.environ.get("CARDKIT_DEBUG"):
            raise
        message = f"{exc.filename}: {exc.strerror}" if isinstance(exc, OSError) and exc.filename else exc
        print(f"cardkit: error: {_one_line(message)}", file=sys.stderr)
        return 2
    except Exception as exc:
        if os.environ.get("CARDKIT_DEBUG"):
            raise
        from cardkit.core.isolation import describe  # lazy: only on the error path

        print(
            f"cardkit: internal error ({_one_line(describe(exc))}); rerun with CARDKIT_DEBUG=1 for the "
            "traceback and report it",
            file=sys.stderr,
        )
        return INTERNAL


class _Interrupts:
    """SIGINT for the command-line process: the first Ctrl-C unwinds the run as KeyboardInterrupt;
    a second one, or any once the command is done (interpreter exit, atexit, thread joins), ends
    the process at once with the same single line instead of a traceback from whatever was running.
    """

    said = False
    exiting = False

    @classmethod
    def say(cls) -> None:
        if not cls.said:
            cls.said = True
            os.write(2, b"cardkit: interrupted\n")

    @classmethod
    def handler(cls, signum: int, frame: FrameType | None) -> None:
        if cls.exiting:
            cls.say()
            os._exit(INTERRUPTED)
        cls.exiting = True
        raise KeyboardInterrupt

    @classmethod
    def install(cls) -> None:
        with contextlib.suppress(ValueError, OSError):  # not the main thread: leave the default alone
            signal.signal(signal.SIGINT, cls.handler)


def _tolerant_streams() -> None:
    """Never fail to print a character: one the terminal's encoding lacks is written as an escape."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


def _silence_stdout() -> None:
    """The reader of stdout went away: point it at /dev/null, so the flush at exit cannot fail too."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def entry_point() -> int:
    """The `cardkit` command and `python -m cardkit`: `main`, in a process that exits right after."""
    _Interrupts.install()
    _tolerant_streams()
    try:
        with command_process():  # the collector never rescans what the imports left
            code = main()
        sys.stdout.flush()
        freeze_before_exit()
    except KeyboardInterrupt:
        _Interrupts.exiting = True
        _Interrupts.say()
        return INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        code = BROKEN_PIPE
    _Interrupts.exiting = True
    return code


if __name__ == "__main__":
    raise SystemExit(entry_point())
