"""The render speed-ups (issue 17) change no byte of output and trust no file they did not sign.

Compiled templates and Traditional Chinese conversions are kept between runs in the signed cache
store: a warm run must render exactly what a cold one does without compiling or loading OpenCC, and
a forged, foreign or malformed entry must be ignored (never executed: a template entry is code).
The faster escaper, the glossary's fast path and the one-call gettext are checked against the
straightforward versions they replace, on the shipped cards and on generated text.
"""

from __future__ import annotations

import base64
import functools
import json
import marshal
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import FileSystemLoader
from jinja2.bccache import Bucket
from jinja2.sandbox import SandboxedEnvironment

from cardkit.card.load import load_card
from cardkit.core import cache as cache_store
from cardkit.render import compiled, conversions, glossary
from cardkit.render import memo as memo_module
from cardkit.render.engine import SECTIONS, build_environment
from cardkit.render.i18n import LOCALES, opencc_converter, translations
from cardkit.render.markdown import _escape_line
from cardkit.schema import Card
from tests.helpers import CARD_PATHS, python_in_child

TEMPLATES = [f"sections/{name}.md.j2" for name in SECTIONS] + ["page.md.j2"]


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARDKIT_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def cards() -> list[Card]:
    loaded = [load_card(path).card for path in CARD_PATHS]
    assert all(card is not None for card in loaded)
    return [card for card in loaded if card is not None]


def sections(env: SandboxedEnvironment, cards: list[Card]) -> list[str]:
    return [
        env.get_template(f"sections/{name}.md.j2").render(card=card) for card in cards for name in SECTIONS
    ]


def counting_compiles(env: SandboxedEnvironment, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates `env` compiles from source from now on."""
    names: list[str] = []
    original = env.compile

    def compile_and_count(source: str, name: str | None = None, filename: str | None = None) -> Any:
        names.append(str(name))
        return original(source, name, filename)

    monkeypatch.setattr(env, "compile", compile_and_count)
    return names


def fill(tag: str, cards: list[Card]) -> list[str]:
    """Render once with an empty cache (which compiles and stores every template); the text."""
    env = build_environment(tag, compiled.SignedBytecodeCache())
    texts = sections(env, cards)
    env.get_template("page.md.j2")
    return texts


def entries(kind: str) -> list[Path]:
    return sorted((cache_store.cache_root() / kind).glob("*.json"))


# --- compiled templates -------------------------------------------------------------------------


@pytest.mark.parametrize("tag", list(LOCALES))
def test_stored_templates_are_loaded_not_compiled_and_render_the_same(
    tag: str, cards: list[Card], monkeypatch: pytest.MonkeyPatch
) -> None:
    uncached = sections(build_environment(tag, compiled.SignedBytecodeCache(persistent=False)), cards)
    assert fill(tag, cards) == uncached
    assert len(entries(compiled.KIND)) == len(TEMPLATES)
    warm = build_environment(tag, compiled.SignedBytecodeCache())
    compiles = counting_compiles(warm, monkeypatch)
    assert sections(warm, cards) == uncached
    assert compiles == []


FORGED = compile("raise SystemExit('a forged cache entry ran')", "<forged>", "exec")


def _forge(path: Path, payload: object, mac: str | None = None) -> None:
    """Rewrite the entry at `path` with `payload`, keeping its (now wrong) MAC unless given one."""
    old_mac, _, body = path.read_text(encoding="utf-8").partition("\n")
    entry = json.loads(body)
    entry["payload"] = payload
    path.write_text(f"{mac or old_mac}\n{json.dumps(entry)}", encoding="utf-8")


def test_a_forged_template_entry_is_never_run(cards: list[Card], monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries whose code was replaced (the MAC no longer matches), or signed with another key,
    are compiled from source instead; the forged code would stop the test if it ran."""
    expected = fill("en", cards)
    paths = entries(compiled.KIND)
    forged = base64.b64encode(marshal.dumps(FORGED)).decode("ascii")
    for number, path in enumerate(paths):
        _forge(path, forged, mac=None if number % 2 else "0" * 64)
    env = build_environment("en", compiled.SignedBytecodeCache())
    compiles = counting_compiles(env, monkeypatch)
    assert sections(env, cards) == expected
    assert len(compiles) == len(SECTIONS)


def test_an_entry_under_another_templates_name_is_refused(
    cards: list[Card], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = fill("en", cards)
    first, *others = entries(compiled.KIND)
    for path in others:
        path.write_bytes(first.read_bytes())  # validly signed, but for another key
    env = build_environment("en", compiled.SignedBytecodeCache())
    compiles = counting_compiles(env, monkeypatch)
    assert sections(env, cards) == expected
    assert len(compiles) >= len(SECTIONS) - 1


@pytest.mark.parametrize(
    "payload",
    [
        "not base64!",
        base64.b64encode(b"\x00garbage").decode(),
        base64.b64encode(marshal.dumps(42)).decode(),
        7,
    ],
)
def test_a_signed_entry_that_is_not_code_is_compiled_instead(
    payload: object, cards: list[Card], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = fill("zh", cards)
    env = build_environment("zh", compiled.SignedBytecodeCache())
    keys = [path.stem for path in entries(compiled.KIND)]
    for key in keys:
        cache_store.write_entry(compiled.KIND, key, payload)
    compiles = counting_compiles(env, monkeypatch)
    assert sections(env, cards) == expected
    assert len(compiles) == len(SECTIONS)


def _key(**settings: Any) -> str:
    options: dict[str, Any] = {"extensions": ["jinja2.ext.i18n"], "trim_blocks": True, **settings}
    newstyle = options.pop("newstyle", True)
    env = SandboxedEnvironment(**options)
    env.install_gettext_callables(str, str, newstyle=newstyle)  # type: ignore[attr-defined]
    return compiled.entry_key(Bucket(env, "template-name", "source checksum"))


@pytest.mark.parametrize(
    "change",
    [
        {"trim_blocks": False},
        {"lstrip_blocks": True},
        {"keep_trailing_newline": True},
        {"block_start_string": "<%"},
        {"extensions": ["jinja2.ext.i18n", "jinja2.ext.do"]},
        {"newstyle": False},
        {"autoescape": True},
    ],
    ids=lambda change: next(iter(change)),
)
def test_every_setting_that_changes_the_code_is_in_the_key(change: dict[str, Any]) -> None:
    assert _key(**change) != _key()
    assert _key() == _key()


def test_an_edited_template_is_never_answered_with_its_old_code(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "t.j2").write_text("one {{ x }}", encoding="utf-8")
    def render() -> str:
        cache = compiled.SignedBytecodeCache()
        env = SandboxedEnvironment(loader=FileSystemLoader(folder), bytecode_cache=cache)
        return env.get_template("t.j2").render(x=1)

    assert render() == "one 1"
    (folder / "t.j2").write_text("two {{ x }}", encoding="utf-8")
    assert render() == "two 1"
    assert len(entries(compiled.KIND)) == 2


# --- Traditional Chinese conversions ------------------------------------------------------------


def hant_texts(cards: list[Card]) -> list[str]:
    """What a zh-Hant render converts: the Simplified catalog's strings and the cards' prose."""
    catalog = translations("zh")
    labels = [str(message) for message in catalog._catalog.values() if isinstance(message, str)]
    prose = [card.prose.summary.zh for card in cards] + [card.license.commercial_use.zh for card in cards]
    return labels + prose


def test_a_warm_memo_converts_without_opencc(cards: list[Card]) -> None:
    texts = hant_texts(cards)
    real = opencc_converter("s2twp")
    cold = conversions.Memo("s2twp", lambda: real)
    assert [cold(text) for text in texts] == [real(text) for text in texts]
    cold.save()
    assert len(entries(conversions.KIND)) == 1

    def no_opencc() -> Callable[[str], str]:
        raise AssertionError("OpenCC was loaded although every text was remembered")

    warm = conversions.Memo("s2twp", no_opencc)
    assert [warm(text) for text in texts] == [real(text) for text in texts]
    assert not warm.dirty


def test_a_warm_zh_hant_render_imports_no_opencc(tmp_path: Path) -> None:
    code = (
        "import sys, hashlib\n"
        "from cardkit.card.load import load_card\n"
        "from cardkit.render import render_layouts\n"
        f"card = load_card(__import__('pathlib').Path({str(CARD_PATHS[0])!r})).card\n"
        "text = render_layouts(card, ['zh-Hant', 'en+zh'])\n"
        "print('opencc' in sys.modules, hashlib.sha256(repr(text).encode()).hexdigest())\n"
    )
    cache = tmp_path / "child-cache"
    first, second = (python_in_child(code, cache) for _ in range(2))
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    cold_import, cold_hash = first.stdout.split()
    warm_import, warm_hash = second.stdout.split()
    assert (cold_import, warm_import) == ("True", "False")
    assert warm_hash == cold_hash


@pytest.mark.parametrize(
    "payload, mac",
    [
        ({"模型": "FORGED"}, "0" * 64),  # a forged MAC
        (["模型", "FORGED"], None),  # signed, not a mapping
        ({"模型": 3}, None),  # signed, not text
    ],
)
def test_a_forged_or_malformed_memo_is_ignored(payload: object, mac: str | None, cards: list[Card]) -> None:
    real = opencc_converter("s2twp")
    key = conversions.memo_key("s2twp")
    if mac is None:
        cache_store.write_entry(conversions.KIND, key, payload)
    else:
        cache_store.write_entry(conversions.KIND, key, {"x": "y"})
        _forge(entries(conversions.KIND)[0], payload, mac)
    memo = conversions.Memo("s2twp", lambda: real)
    assert memo("模型") == real("模型") != "FORGED"


def test_an_edited_glossary_gets_a_new_memo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edited = tmp_path / "glossary.yaml"
    edited.write_text(glossary.GLOSSARY_PATH.read_text(encoding="utf-8") + "\n# reviewed\n", encoding="utf-8")
    before = conversions.memo_key("s2twp")
    monkeypatch.setattr(glossary, "GLOSSARY_PATH", edited)
    conversions.memo_key.cache_clear()
    try:
        assert conversions.memo_key("s2twp") != before
    finally:
        monkeypatch.undo()
        conversions.memo_key.cache_clear()
    assert conversions.memo_key("s2twp") == before


def test_the_memo_stays_within_its_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memo_module, "MAX_TEXT_CHARS", 10)
    monkeypatch.setattr(memo_module, "MAX_MEMO_CHARS", 40)
    memo = conversions.Memo("s2twp", lambda: str.upper)
    texts = [f"text {n:02}" for n in range(8)]  # 7 characters, 14 with the conversion
    assert [memo(text) for text in [*texts, "a longer text than ten"]] == [
        text.upper() for text in [*texts, "a longer text than ten"]
    ]
    memo.save()
    stored = cache_store.read_entry(conversions.KIND, conversions.memo_key("s2twp"))
    assert "a longer text than ten" not in stored
    assert sum(len(k) + len(v) for k, v in stored.items()) <= 40
    assert list(stored) == texts[: len(stored)] and stored


# --- faster escaper, glossary fast path, one-call gettext --------------------------------------

_AUTOLINK = re.compile(r"<(https?://[^\s<>]+)>")
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def reference_escape_line(line: str) -> str:
    """The scanner before the speed-up: one character at a time (cardkit/render/markdown.py)."""
    from cardkit.render.markdown import _bare_start, _bare_url, _closing_run, _entities

    out: list[str] = []
    i = 0
    while i < len(line):
        char = line[i]
        if char == "\\" and i + 1 < len(line) and line[i + 1] in _PUNCTUATION:
            out.append(line[i : i + 2])
            i += 2
        elif char == "`":
            length = len(line) - i - len(line[i:].lstrip("`"))
            close = _closing_run(line, i + length, length)
            end = i + length if close is None else close + length
            out.append(line[i:end])
            i = end
        elif char == "<" and (link := _AUTOLINK.match(line, i)):
            out.append(link.group(0))
            i = link.end()
        elif char == "h" and _bare_start(line, i) and (url := _bare_url(line, i)):
            out.append(f"<{url}>")
            i += len(url)
        else:
            out.append(_entities(char))
            i += 1
    return "".join(out)


LINE = st.sampled_from(
    [*"ah \\`<>&:/.,()[]=\"'*_~-|。（", "http://", "https://", "https://x.org/(b)", "ht", "http", "``", "\\<"]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(LINE, max_size=20).map("".join))
def test_the_escaper_escapes_as_the_character_scanner_did(line: str) -> None:
    assert _escape_line(line) == reference_escape_line(line)


@pytest.mark.parametrize("unit", ["h", "ht", "http:/", "a", "h<"])
def test_the_escaper_is_linear(unit: str) -> None:
    """The inert-run pattern has no nested repetition that could backtrack on a failed match:
    doubling the line at most about doubles the time (best of 5, up to 3 attempts, as in
    test_linear_time.py; under 5 ms noise dominates)."""

    def best(n: int) -> float:
        line = unit * n + "<"
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            _escape_line(line)
            runs.append(time.perf_counter() - start)
        return min(runs)

    ratios = []
    for _ in range(3):
        small, large = best(10_000), best(20_000)
        if large < max(3 * small, 0.005):
            return
        ratios.append(large / small)
    pytest.fail(f"doubling {unit!r} lines multiplied the time by {ratios}")


def _corrected(term: glossary.Term, match: re.Match[str]) -> str:
    return match.group(0) if match.group(0) in term.keep else term.hant


def reference_to_taiwan(text: str) -> str:
    """The term-by-term pass without the fast path (and with patterns compiled each time)."""
    g = glossary.glossary()
    for term in g.terms:
        if term.wrong:
            alternatives = sorted({*term.wrong, *term.keep}, key=len, reverse=True)
            pattern = re.compile("|".join(re.escape(item) for item in alternatives))
            text = pattern.sub(functools.partial(_corrected, term), text)
    for western, corner in g.quotes.items():
        text = text.replace(western, corner)
    return glossary._QUOTE_SPACE.sub(lambda m: m.group(1) or m.group(2), text)


_G = glossary.glossary()
PIECES = st.sampled_from(
    [f for t in _G.terms for f in (*t.wrong, *t.keep, t.hant, t.hans)] + [*_G.quotes, "「", " ", "模型", "a"]
)


@settings(max_examples=800, deadline=None)
@given(st.lists(PIECES, max_size=10).map("".join))
def test_the_glossary_fast_path_changes_nothing(text: str) -> None:
    assert glossary.to_taiwan(text) == reference_to_taiwan(text)


def test_libyaml_reads_the_glossary_as_the_python_parser_does() -> None:
    text = glossary.GLOSSARY_PATH.read_text(encoding="utf-8")
    assert yaml.load(text, Loader=glossary.LOADER) == yaml.safe_load(text)


@pytest.mark.parametrize("tag", list(LOCALES))
def test_one_call_gettext_renders_as_jinjas_own(tag: str, cards: list[Card]) -> None:
    fast = build_environment(tag, compiled.SignedBytecodeCache(persistent=False))
    jinjas = build_environment(tag, compiled.SignedBytecodeCache(persistent=False))
    jinjas.install_gettext_translations(translations(tag), newstyle=True)  # type: ignore[attr-defined]
    assert fast.globals["_"] is not jinjas.globals["_"]
    assert sections(fast, cards) == sections(jinjas, cards)
