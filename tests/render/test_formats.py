"""Numbers, dates, language names and compiled catalogs kept between renders (render/formats.py,
render/i18n.py's catalog store): a warm answer is byte-identical to Babel's own, a warm render
imports no Babel, and a forged, foreign or stale entry is never served.

Expected strings come from Babel called directly, never from cardkit's memo.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_compact_decimal, format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from cardkit.core import cache as cache_store
from cardkit.render import formats as formats_module
from cardkit.render import i18n
from cardkit.render.formats import Formats, babel_answerer
from tests.helpers import CARD_PATHS, python_in_child

LOCALES = [spec.babel for spec in i18n.LOCALES.values()]


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CARDKIT_CACHE_DIR", str(tmp_path / "cache"))
    i18n.translations.cache_clear()
    i18n._catalog_key.cache_clear()
    yield
    i18n.translations.cache_clear()
    i18n._catalog_key.cache_clear()


def babel_direct(locale: str) -> dict[str, Callable[..., str]]:
    """What the templates asked Babel for before the memo, called the way they called it."""
    loc = Locale.parse(locale)

    def compact(value: int) -> str:
        try:
            return format_compact_decimal(value, format_type="long", locale=loc, fraction_digits=2)
        except KeyError:
            return format_compact_decimal(value, format_type="short", locale=loc, fraction_digits=2)

    return {
        "number": lambda v: format_decimal(v, format="#,##0.##########", locale=loc),
        "fixed": lambda v, d: format_decimal(
            v, format="#,##0" + ("." + "0" * d if d else ""), locale=loc, decimal_quantization=True
        ),
        "compact": compact,
        "date": lambda d: format_date(d, format="long", locale=loc),
        "language": lambda code: loc.languages.get(code, code),
    }


QUESTIONS: list[tuple[str, tuple[object, ...]]] = [
    ("number", (13_015_864_320,)),
    ("number", (0.0003,)),
    ("number", (1.0,)),
    ("number", (1,)),
    ("fixed", (26.1, 2)),
    ("fixed", (54.0, 0)),
    ("compact", (4_000_000_000_000,)),
    ("compact", (1_500_000,)),
    ("date", (datetime.date(2023, 7, 18),)),
    ("language", ("en",)),
    ("language", ("zh",)),
    ("language", ("xx-unknown",)),
]


def ask(made: Formats, kind: str, arguments: tuple[object, ...]) -> str:
    result: str = getattr(made, kind)(*arguments)
    return result


@pytest.mark.parametrize("locale", LOCALES)
def test_a_warm_memo_answers_as_babel_without_babel(locale: str) -> None:
    direct = babel_direct(locale)
    expected = [direct[kind](*arguments) for kind, arguments in QUESTIONS]
    cold = Formats(locale)
    assert [ask(cold, kind, arguments) for kind, arguments in QUESTIONS] == expected
    cold.memo.save()

    def no_babel() -> Callable[[str], str]:
        raise AssertionError("Babel was asked although every answer was remembered")

    warm = Formats(locale)
    warm.memo._make = no_babel
    assert [ask(warm, kind, arguments) for kind, arguments in QUESTIONS] == expected
    assert not warm.memo.dirty


@settings(max_examples=200, deadline=None)
@given(
    value=st.one_of(
        st.integers(min_value=-(10**15), max_value=10**15),
        st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    ),
    locale=st.sampled_from(LOCALES),
)
def test_any_number_is_formatted_as_babel_formats_it(value: float, locale: str) -> None:
    """The question is JSON: an argument must come back as the very value (1 and 1.0 differ)."""
    answer = babel_answerer(locale)
    assert Formats(locale).number(value) == babel_direct(locale)["number"](value)
    assert answer(formats_module.json.dumps(["number", value])) == babel_direct(locale)["number"](value)


def test_a_forged_formats_entry_is_ignored() -> None:
    key = formats_module.memo_key("en")
    cache_store.write_entry(formats_module.KIND, key, {'["number", 1]': "FORGED"})
    path = next((cache_store.cache_root() / formats_module.KIND).glob("*.json"))
    path.write_text(path.read_text(encoding="utf-8").replace("FORGED", "FORGER"), encoding="utf-8")
    assert Formats("en").number(1) == "1"


def test_the_memo_key_follows_babel_and_this_code(monkeypatch: pytest.MonkeyPatch) -> None:
    before = formats_module.memo_key("en")
    formats_module.memo_key.cache_clear()
    monkeypatch.setattr(formats_module, "release", lambda module: ["elsewhere", "babel-99.0.dist-info"])
    assert formats_module.memo_key("en") != before
    formats_module.memo_key.cache_clear()


@pytest.mark.parametrize("tag", list(i18n.LOCALES))
def test_a_stored_catalog_is_the_compiled_one(tag: str) -> None:
    compiled = i18n.translations(tag)
    i18n.translations.cache_clear()
    stored = i18n.translations(tag)
    assert stored is not compiled
    assert stored._catalog == compiled._catalog  # type: ignore[attr-defined]
    assert len(list((cache_store.cache_root() / i18n.CATALOG_KIND).glob("*.json"))) == 1


def test_an_edited_po_file_is_never_answered_by_the_stored_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = i18n.translations("zh")
    label = next(k for k, v in before._catalog.items() if isinstance(k, str) and k and v)  # type: ignore[attr-defined]
    po = i18n.catalog_path("zh").read_text(encoding="utf-8")
    edited = tmp_path / "zh" / "LC_MESSAGES" / "cardkit.po"
    edited.parent.mkdir(parents=True)
    marker = f'msgid "{label}"\nmsgstr "'
    assert marker in po, label
    edited.write_text(po.replace(marker, marker + "EDITED ", 1), encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n.translations.cache_clear()
    i18n._catalog_key.cache_clear()
    assert i18n.translations("zh").gettext(label).startswith("EDITED ")


def test_a_signed_entry_that_is_no_catalog_is_compiled_again() -> None:
    cache_store.write_entry(i18n.CATALOG_KIND, i18n._catalog_key("en"), "bm90IGEgY2F0YWxvZw==")
    assert i18n.translations("en")._catalog  # type: ignore[attr-defined]


def test_a_warm_render_imports_neither_babel_nor_opencc(tmp_path: Path) -> None:
    code = (
        "import sys, hashlib, pathlib\n"
        "from cardkit.card.load import load_card\n"
        "from cardkit.render import render_layouts\n"
        "from cardkit.render.i18n import save_conversions\n"
        f"paths = [pathlib.Path(p) for p in {[str(p) for p in CARD_PATHS]!r}]\n"
        "texts = [render_layouts(load_card(p).card, ['en', 'zh', 'zh-Hant', 'en+zh']) for p in paths]\n"
        "save_conversions()\n"
        "digest = hashlib.sha256(repr(texts).encode()).hexdigest()\n"
        "print('babel' in sys.modules, 'opencc' in sys.modules, digest)\n"
    )
    cache = tmp_path / "child-cache"
    first, second = (python_in_child(code, cache) for _ in range(2))
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    cold = first.stdout.split()
    warm = second.stdout.split()
    assert cold[:2] == ["True", "True"]
    assert warm[:2] == ["False", "False"]
    assert warm[2] == cold[2]
    assert hashlib.sha256(b"").hexdigest() not in (warm[2], cold[2])


def test_no_cache_reads_and_writes_no_entry(tmp_path: Path) -> None:
    """`render --no-cache`: a planted (validly signed) answer is served with the cache and never
    without it, and nothing is written."""
    card = CARD_PATHS[0].parent
    cache = cache_store.cache_root()

    def render(out: str, *flags: str) -> str:
        code = "import sys; from cardkit.cli import main; sys.exit(main(sys.argv[1:]))"
        args = ["render", str(card), "--lang", "en", "--out", str(tmp_path / out), *flags]
        done = python_in_child(code, cache, *args)
        assert done.returncode == 0, done.stderr
        return (tmp_path / out / card.name / "README.md").read_text(encoding="utf-8")

    first = render("first")
    key = formats_module.memo_key("en")
    known = cache_store.read_entry(formats_module.KIND, key)
    assert isinstance(known, dict) and known
    cache_store.write_entry(formats_module.KIND, key, dict.fromkeys(known, "PLANTED"))
    assert "PLANTED" in render("planted")
    before = sorted((p, p.stat().st_mtime_ns) for p in cache.rglob("*.json"))
    fresh = render("fresh", "--no-cache")
    assert fresh == first
    assert sorted((p, p.stat().st_mtime_ns) for p in cache.rglob("*.json")) == before
