"""The fuzzed input surfaces: one strategy and one target per surface, shared by test and bench.

`tests/test_fuzz.py` runs each surface at 200 derandomised examples; `bench/fuzz.py` runs at
least 10,000 per surface under a time bound. A target feeds one example to the library function
that reads that surface. A crash is any exception escaping it other than the typed errors the API
documents (`cardkit.core.errors.CardkitError` and subclasses); for the command line, anything but a
return code of 0, 1 or 2 (or argparse's exit 2), or a traceback on stderr. A read that blocks on a
FIFO for more than `HANG_SECONDS` is released by a watchdog and reported as a hang.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from tests import fuzz_seeds as seeds
from tests.fuzz_checkpoints import (
    ALLOWED,
    bin_strategy,
    checkpoint_target,
    index_strategy,
    safetensors_strategy,
)
from tests.fuzz_cli import Hang, cli_argv, run_cli
from tests.fuzz_mutations import (
    encoded,
    json_file,
    mutated_text,
    mutated_yaml,
)


@dataclass(frozen=True)
class Surface:
    name: str
    what: str
    """The library function(s) the target calls, for the bench table and the test ids."""
    strategy: Callable[[int], st.SearchStrategy[Any]]
    """Examples no larger than the given number of bytes (roughly)."""
    target: Callable[[Any], None]
    size: Callable[[Any], int]


def _files_size(example: dict[str, bytes]) -> int:
    return sum(len(v) for v in example.values())


def crash_site(exc: BaseException) -> str:
    """`Type at module:line` of the innermost cardkit frame (else the innermost frame)."""
    if isinstance(exc, Hang):
        return f"Hang at {exc.site}"
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/cardkit/" in f.filename and "/tests/" not in f.filename]
    frame = (ours or frames or [None])[-1]
    if frame is None:
        return type(exc).__name__
    name = frame.filename.split("/cardkit/")[-1] if ours else Path(frame.filename).name
    return f"{type(exc).__name__} at {'cardkit/' if ours else ''}{name}:{frame.lineno}"


def _formats(reports: list[Any]) -> None:
    """Every output format must serialise the reports; JSON output must be one whole document."""
    from cardkit.core.report import FORMATTERS

    for name, formatter in FORMATTERS.items():
        out = formatter(reports)
        if name == "json":
            json.loads(out)


# --- card YAML ------------------------------------------------------------------------------------


def card_strategy(max_size: int) -> st.SearchStrategy[tuple[str, bytes]]:
    texts = seeds.card_texts()
    slugs = [s for s in texts if not s.startswith("bad/")]
    text = mutated_text(list(texts.values()), max_size) | mutated_yaml(seeds.card_trees(), max_size)
    return st.tuples(st.sampled_from(slugs), encoded(text, max_size))


def _card_folder(root: Path, slug: str, card: bytes, config: bytes | None = None) -> Path:
    folder = root / "card"
    folder.mkdir()
    (folder / "card.yaml").write_bytes(card)
    if config is None:
        config = (seeds.CARDS_DIR / slug / "config.json").read_bytes()
    (folder / "config.json").write_bytes(config)
    return folder / "card.yaml"


def _validate(card: Path, model: bool = False, cache: bool = False) -> None:
    from cardkit.validate import ValidateOptions, validate_paths

    try:
        reports = validate_paths([card], ValidateOptions(model=model, cache=cache))
    except ALLOWED:
        return
    _formats(reports)


def card_target(example: tuple[str, bytes]) -> None:
    slug, card = example
    with tempfile.TemporaryDirectory() as tmp:
        _validate(_card_folder(Path(tmp), slug, card))


# --- config.json ----------------------------------------------------------------------------------


def config_strategy(max_size: int) -> st.SearchStrategy[bytes]:
    return json_file(seeds.config_trees(), seeds.config_texts(), max_size)


def config_target(example: bytes) -> None:
    """validate --no-model with the fuzzed config, then config.json as validate and as lint/import read it."""
    from cardkit.model.model_config import read_config_json
    from cardkit.readme.files import read_model_config
    from cardkit.validate.raw_facts import raw_config_facts

    card = (seeds.CARDS_DIR / seeds.BASE_SLUG / "card.yaml").read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        path = _card_folder(Path(tmp), seeds.BASE_SLUG, card, example)
        _validate(path)
        data, _ = read_config_json(path.parent / "config.json", "config.json")
        if data is not None:
            raw_config_facts(data)
        with contextlib.suppress(*ALLOWED):
            read_model_config(path.parent / "config.json")


def config_model_target(example: bytes) -> None:
    """The fuzzed config as validate's full check reads it: limits, transformers' config class, the
    meta-device facts; an exception from the build must become a located finding, as it does there."""
    from cardkit.card.config_json import read_config
    from cardkit.model.architecture_facts import facts_for_config
    from cardkit.model.model_config import build_config, rejection

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.json"
        path.write_bytes(example)
        try:
            source = read_config(path, "config.json")
            if source.data is None:
                return
            config, _ = build_config(source.data, "config.json", source)
        except ALLOWED:
            return
        if config is None:
            return
        try:
            facts_for_config(config)
        except Exception as exc:  # validate reports this as config-build-failed
            assert rejection(source, "config-build-failed", "the model cannot be built", exc).file


# --- README and front matter ----------------------------------------------------------------------


def readme_strategy(max_size: int) -> st.SearchStrategy[bytes]:
    texts = seeds.readme_texts()
    return encoded(mutated_text(texts, max_size), max_size)


def lint_target(example: bytes) -> None:
    from cardkit.lint.engine import lint_file

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "README.md").write_bytes(example)
        config = (seeds.CARDS_DIR / seeds.BASE_SLUG / "config.json").read_bytes()
        (Path(tmp) / "config.json").write_bytes(config)
        try:
            _formats([lint_file(Path(tmp) / "README.md", Path(tmp) / "config.json")])
        except ALLOWED:
            return


def import_target(example: bytes) -> None:
    import yaml

    from cardkit.importing.readme import draft_yaml, import_card
    from cardkit.readme.files import read_readme

    config = json.loads((seeds.CARDS_DIR / seeds.BASE_SLUG / "config.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "README.md").write_bytes(example)
        try:
            text = draft_yaml(import_card(read_readme(Path(tmp) / "README.md"), config, None))
        except ALLOWED:
            return
    yaml.safe_load(text)  # the draft cardkit writes must itself be readable YAML


# --- tokenizer files ------------------------------------------------------------------------------


@st.composite
def _tokenizer_folder(draw: st.DrawFn, max_size: int) -> dict[str, bytes]:
    files = {name: text.encode() for name, text in seeds.tokenizer_seeds().items()}
    victim = draw(st.sampled_from(sorted(files)))
    text = files[victim].decode()
    files[victim] = draw(json_file([json.loads(text)], [text], max_size))
    if draw(st.integers(0, 5)) == 0:
        del files[draw(st.sampled_from(sorted(files)))]
    return files


def tokenizer_strategy(max_size: int) -> st.SearchStrategy[dict[str, bytes]]:
    return _tokenizer_folder(max_size)


def tokenizer_target(example: dict[str, bytes]) -> None:
    """--generate's smoke test reading fuzzed tokenizer files (the tiny model stays loaded).

    Torch runs on one thread here: on a busy machine its thread pool made a 0.1 s example take 10 s.
    """
    import torch

    from cardkit.model.smoke_test import run_smoke_test

    tiny = seeds.tiny()
    threads = torch.get_num_threads()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "config.json").write_bytes((tiny.checkpoint / "config.json").read_bytes())
        seeds.write_tree(folder, example)
        torch.set_num_threads(1)
        try:
            run_smoke_test(seeds.smoke_card(), folder, seeds.tiny_model())
        except ALLOWED:
            return
        finally:
            torch.set_num_threads(threads)


# --- cache entries --------------------------------------------------------------------------------


def _cache_strategy(
    cache: Callable[[], seeds.CacheSeeds], max_size: int
) -> st.SearchStrategy[dict[str, bytes]]:
    @st.composite
    def entries(draw: st.DrawFn) -> dict[str, bytes]:
        """One entry's JSON body mutated; half the time re-signed with the user's own key, as a
        cardkit bug would write it, so the type checks behind the signature are fuzzed too."""
        files = dict(cache().files)
        victim = draw(st.sampled_from(sorted(f for f in files if f.endswith(".json"))))
        signature, _, body = files[victim].decode("utf-8").partition("\n")
        mutated = draw(json_file([json.loads(body)], [body], max_size))
        files[victim] = (RESIGN if draw(st.booleans()) else signature.encode()) + b"\n" + mutated
        return files

    return entries()


RESIGN = b"<sign with the user's key>"


def _resign(root: Path) -> None:
    from cardkit.core import cache as cache_store

    secret = cache_store._secret()
    for path in root.rglob("*.json"):
        signature, _, body = path.read_bytes().partition(b"\n")
        if signature == RESIGN and secret is not None:
            path.write_bytes(cache_store._mac(secret, body).encode() + b"\n" + body)


def _cache_target(cache: seeds.CacheSeeds, example: dict[str, bytes], model: bool) -> None:
    import shutil

    from cardkit.validate import ValidateOptions, validate_paths

    shutil.rmtree(cache.cache, ignore_errors=True)
    seeds.write_tree(cache.cache, example)
    with seeds.environ(CARDKIT_CACHE_DIR=str(cache.cache)):
        _resign(cache.cache)
        _validate(cache.card, model=model, cache=True)
        cached = validate_paths([cache.card], ValidateOptions(model=model, cache=True))
    if any(data.startswith(RESIGN) for data in example.values()):
        return  # signed with the user's own key, as cardkit itself writes: trusted once well typed
    fresh = validate_paths([cache.card], ValidateOptions(model=model, cache=False))
    # an entry damaged or written without the key may cost time, never change the verdict
    assert [r.to_dict() for r in cached] == [r.to_dict() for r in fresh]


def report_cache_target(example: dict[str, bytes]) -> None:
    _cache_target(seeds.report_cache_seeds(), example, model=False)


def facts_cache_target(example: dict[str, bytes]) -> None:
    _cache_target(seeds.facts_cache_seeds(), example, model=True)


def _report_cache_strategy(max_size: int) -> st.SearchStrategy[dict[str, bytes]]:
    return _cache_strategy(seeds.report_cache_seeds, max_size)


def _facts_cache_strategy(max_size: int) -> st.SearchStrategy[dict[str, bytes]]:
    return _cache_strategy(seeds.facts_cache_seeds, max_size)


def _argv_size(argv: list[str]) -> int:
    return sum(len(a) for a in argv)


SURFACES: dict[str, Surface] = {
    s.name: s
    for s in (
        Surface(
            "card-yaml", "validate_paths(--no-model) on a card file",
            card_strategy, card_target, lambda e: len(e[1]),
        ),
        Surface(
            "config-json", "validate_paths(--no-model), read_config_json, read_model_config",
            config_strategy, config_target, len,
        ),
        Surface(
            "config-model", "read_config_json, build_config, facts_from_config",
            config_strategy, config_model_target, len,
        ),
        Surface("readme-lint", "lint_file on README + front matter", readme_strategy, lint_target, len),
        Surface(
            "readme-import", "import_card + draft_yaml on README + front matter",
            readme_strategy, import_target, len,
        ),
        Surface(
            "safetensors-header", "check_checkpoint on model.safetensors",
            safetensors_strategy, checkpoint_target, _files_size,
        ),
        Surface(
            "safetensors-index", "check_checkpoint on an index and shards",
            index_strategy, checkpoint_target, _files_size,
        ),
        Surface(
            "bin-checkpoint", "check_checkpoint on pytorch_model.bin (and its index)",
            bin_strategy, checkpoint_target, _files_size,
        ),
        Surface(
            "tokenizer", "run_smoke_test reading tokenizer files",
            tokenizer_strategy, tokenizer_target, _files_size,
        ),
        Surface(
            "report-cache", "validate_paths(cache) over a fuzzed report entry",
            _report_cache_strategy, report_cache_target, _files_size,
        ),
        Surface(
            "facts-cache", "validate_paths(model, cache) over a fuzzed facts entry",
            _facts_cache_strategy, facts_cache_target, _files_size,
        ),
        Surface(
            "cli-paths", "cli.main with NUL bytes, FIFOs, directories, missing files",
            lambda _: cli_argv(), run_cli, _argv_size,
        ),
    )
}
