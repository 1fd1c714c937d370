"""The command-line surface of the fuzz harness: `cli.main` with odd argv in a scratch folder.

An example is an argv whose paths are symbolic (`@fifo`, `@missing`, ...); the target builds a
fresh scratch folder holding each kind of odd path, substitutes the real paths and runs `main`
there (so nothing is written into the project). stdout is a strict UTF-8 stream, like a real
terminal's, so a path that cannot be printed is found too. A FIFO that blocks a read is released
by a watchdog after `HANG_SECONDS` and reported as a hang.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
import tempfile
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path

from hypothesis import strategies as st

from tests.helpers import CARDS_DIR

HANG_SECONDS = 5.0
BASE = CARDS_DIR / "stablelm-3b-4e1t"

PATHS = (
    "@card", "@card/card.yaml", "@card/config.json", "@card/README.md", "@missing", "@missing/card.yaml",
    "@emptydir", "@dir-card/card.yaml", "@dir-card", "@fifo", "@fifo-card", "@fifo-card/card.yaml",
    "@fifo-config", "@fifo-readme/README.md", "@loop", "@loop/card.yaml", "@empty", "@newline\nname",
    "@bad\udcffname", "@card/other.yaml", "@nul\x00name", "a\x00b", "\x00", "", "-", "/dev/null",
    "/", "x" * 5000, "@" + "d/" * 200, "cards", "../..", "~",
)
"""Odd paths: missing, directories where files go, FIFOs, a symlink loop, NUL and undecodable bytes.

Not /dev/zero: on code that reads it (`import --config /dev/zero`) it exhausts the machine's memory
instead of failing one example; the FIFOs catch the same class (a read of a non-regular file) safely.
"""

FLAGS = (
    "--format", "json", "github", "text", "--no-cache", "--bogus", "--", "-x", "--config", "--out", "--card",
)


class Hang(Exception):
    """A read blocked on a FIFO until the watchdog opened its other end; `site` is where it blocked."""

    def __init__(self, message: str, site: str) -> None:
        super().__init__(f"{message} (blocked at {site})")
        self.site = site


def _blocked_at(thread_id: int) -> str:
    """The innermost cardkit frame of the blocked thread (else its innermost frame)."""
    frame = sys._current_frames().get(thread_id)
    stack = traceback.extract_stack(frame) if frame is not None else []
    ours = [f for f in stack if "/cardkit/" in f.filename]
    where = (ours or stack or [None])[-1]
    if where is None:
        return "unknown"
    name = "cardkit/" + where.filename.split("/cardkit/")[-1] if ours else Path(where.filename).name
    return f"{name}:{where.lineno}"


def cli_argv() -> st.SearchStrategy[list[str]]:
    paths = st.lists(st.sampled_from(PATHS), min_size=0, max_size=3)
    extra = st.lists(st.sampled_from(FLAGS + PATHS), max_size=2)
    path = st.sampled_from(PATHS)
    fmt = st.sampled_from(([], ["--format", "json"], ["--format", "github"]))
    commands = st.one_of(
        st.tuples(st.just(["validate", "--no-model"]), fmt, paths),
        st.tuples(st.just(["lint"]), st.tuples(path), st.sampled_from(([], ["--config"]))),
        st.tuples(st.just(["lint"]), st.tuples(path), st.tuples(st.just("--config"), path)),
        st.tuples(st.just(["import"]), st.tuples(path), st.sampled_from(([], ["--repo-id", "a\nb"]))),
        st.tuples(
            st.just(["import"]), st.tuples(path), st.tuples(st.sampled_from(("--config", "--out")), path)
        ),
        st.tuples(st.just(["render"]), paths, st.sampled_from(([], ["--check"], ["--out", "@out"]))),
        st.tuples(st.just(["check", "--no-model"]), paths, st.sampled_from(([], ["--card"]))),
        st.tuples(st.just(["check", "--no-model"]), paths, st.tuples(st.just("--card"), path)),
    )
    return st.tuples(commands, extra).map(lambda t: [*t[0][0], *t[0][1], *t[0][2], *t[1]])


def _scratch(root: Path) -> None:
    """One of each odd kind of path under `root`."""
    shutil.copytree(BASE, root / "card")
    (root / "emptydir").mkdir()
    (root / "dir-card" / "card.yaml").mkdir(parents=True)
    os.mkfifo(root / "fifo")
    (root / "fifo-card").mkdir()
    os.mkfifo(root / "fifo-card" / "card.yaml")
    shutil.copytree(BASE, root / "fifo-config", ignore=shutil.ignore_patterns("config.json"))
    os.mkfifo(root / "fifo-config" / "config.json")
    (root / "fifo-readme").mkdir()
    os.mkfifo(root / "fifo-readme" / "README.md")
    (root / "loop").symlink_to(root / "loop")
    (root / "empty").touch()
    shutil.copy(BASE / "card.yaml", root / "newline\nname")
    with contextlib.suppress(OSError):
        shutil.copy(BASE / "card.yaml", os.fsencode(root) + b"/bad\xffname")
    shutil.copy(BASE / "card.yaml", root / "card" / "other.yaml")


@contextlib.contextmanager
def fifo_watchdog(root: Path, after: float = HANG_SECONDS) -> Iterator[list[str]]:
    """After `after` seconds, keep opening every FIFO under `root` for writing to release readers.

    Yields a list that receives, on the first release, where the blocked thread was waiting.
    """
    fifos = [p for p in root.rglob("*") if p.is_fifo()]
    done = threading.Event()
    hung: list[str] = []
    reader = threading.get_ident()

    def release() -> None:
        if done.wait(after):
            return
        site = _blocked_at(reader)
        while not done.is_set():
            for fifo in fifos:
                try:
                    os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
                    hung[:] = [site]
                except OSError:
                    pass  # no reader waiting on this one
            done.wait(0.05)

    thread = threading.Thread(target=release, daemon=True)
    thread.start()
    try:
        yield hung
    finally:
        done.set()
        thread.join()


def run_cli(argv: list[str]) -> None:
    """`cli.main(argv)` in a fresh scratch folder; raises on a crash, a traceback or a hang."""
    from cardkit.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _scratch(root)
        args = [a.replace("@", f"{root}/", 1) if a.startswith("@") else a for a in argv]
        stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
        stderr = io.StringIO()
        cwd = Path.cwd()
        os.chdir(root)
        try:
            with (
                fifo_watchdog(root) as hung,
                contextlib.redirect_stdout(stdout),
                contextlib.redirect_stderr(stderr),
            ):
                try:
                    code = main(args)
                except SystemExit as exc:  # argparse's usage errors and --help
                    code = exc.code if isinstance(exc.code, int) else 2
                stdout.flush()
        finally:
            os.chdir(cwd)
    if hung:
        message = f"cardkit {' '.join(map(repr, argv))} blocked on a FIFO for over {HANG_SECONDS:.0f} s"
        raise Hang(message, hung[0])
    if code not in (0, 1, 2):
        raise AssertionError(f"exit code {code!r} for {argv!r}")
    if "Traceback" in stderr.getvalue():
        raise AssertionError(f"traceback on stderr for {argv!r}:\n{stderr.getvalue()[-2000:]}")
