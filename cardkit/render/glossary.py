"""The Chinese terminology glossary (glossary.yaml): one rendering per term, in each script.

OpenCC `s2twp` converts Simplified to Traditional Chinese phrase by phrase and sometimes picks the
wrong sense (面向 "facing" becomes 麵向 "noodles", 激活函数 becomes 啟用函式) or leaves a mainland
term a Taiwanese reader would not use (推理 for inference, 许可证 for a licence). The glossary is the
reviewed list of those terms; `to_taiwan` applies it after s2twp, and tests/render/test_glossary.py checks
every zh-Hant README against the same list, so the rule and the check cannot drift apart. It also
holds the Chinese names of English card data (benchmark groups, dataset and software names).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

GLOSSARY_PATH = Path(__file__).resolve().parent / "glossary.yaml"
LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML has it (the glossary is read on every Chinese render and the
pure-Python parser takes longer than the conversions); the same safe constructors either way."""
_QUOTE_SPACE = re.compile(r"([」』]) (?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff]) ([「『])")


@dataclass(frozen=True)
class Term:
    """One term and its forms: what each script writes, and what it must not."""

    term: str
    hans: str
    hant: str
    wrong: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    hans_wrong: tuple[str, ...] = ()
    hans_keep: tuple[str, ...] = ()


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...]
    names: dict[str, str]
    quotes: dict[str, str]


def _strings(entry: dict[str, object], key: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise ValueError(f"glossary term {entry.get('term')!r}: {key} must be a list of strings")
    return tuple(value)


@functools.cache
def glossary() -> Glossary:
    """The glossary, read once; a malformed entry is a ValueError (the file ships with cardkit)."""
    data = yaml.load(GLOSSARY_PATH.read_text(encoding="utf-8"), Loader=LOADER)
    terms = []
    for entry in data["terms"]:
        if not all(isinstance(entry.get(key), str) and entry[key] for key in ("term", "zh-Hans", "zh-Hant")):
            raise ValueError(f"glossary entry {entry!r} needs term, zh-Hans and zh-Hant")
        terms.append(
            Term(
                entry["term"],
                entry["zh-Hans"],
                entry["zh-Hant"],
                _strings(entry, "wrong"),
                _strings(entry, "keep"),
                _strings(entry, "zh-Hans-wrong"),
                _strings(entry, "zh-Hans-keep"),
            )
        )
    names = {str(key): str(value) for key, value in (data.get("names") or {}).items()}
    quotes = {str(key): str(value) for key, value in (data.get("quotes") or {}).items()}
    return Glossary(tuple(terms), names, quotes)


def _replacement(term: Term, match: re.Match[str]) -> str:
    """The term's zh-Hant form, unless the match is one of the phrases the glossary keeps."""
    return match.group(0) if match.group(0) in term.keep else term.hant


@functools.cache
def _pattern(forms: tuple[str, ...], keep: tuple[str, ...]) -> re.Pattern[str] | None:
    """Kept phrases and wrong forms in one alternation, longest first: a kept phrase that contains a
    wrong form (常識推理 holds 推理) is matched whole, so it is never rewritten or reported."""
    if not forms:
        return None
    alternatives = sorted({*forms, *keep}, key=len, reverse=True)
    return re.compile("|".join(re.escape(item) for item in alternatives))


def _wrong_matches(text: str, forms: tuple[str, ...], keep: tuple[str, ...]) -> list[str]:
    pattern = _pattern(forms, keep)
    return [] if pattern is None else [m.group(0) for m in pattern.finditer(text) if m.group(0) not in keep]


@functools.cache
def _any_wrong() -> re.Pattern[str] | None:
    """Every term's wrong forms in one alternation: a text with none of them is left as it is by
    every term, so it skips the term-by-term pass."""
    return _pattern(tuple(form for term in glossary().terms for form in term.wrong), ())


def to_taiwan(text: str) -> str:
    """s2twp output corrected term by term (in glossary order), then 「」 quotation marks."""
    g = glossary()
    any_wrong = _any_wrong()
    for term in g.terms if any_wrong is not None and any_wrong.search(text) else ():
        if (pattern := _pattern(term.wrong, term.keep)) is not None:
            text = pattern.sub(functools.partial(_replacement, term), text)
    for western, corner in g.quotes.items():
        text = text.replace(western, corner)
    # “40B” 是 had a space for Western quotes; corner brackets are full width and take none
    return _QUOTE_SPACE.sub(lambda m: m.group(1) or m.group(2), text)


def wrong_forms(text: str, script: str) -> list[tuple[str, str]]:
    """(term, wrong form) for each form the glossary rules out that `text` contains.

    `script` is `zh-Hant` (the `wrong` forms and Western quotation marks) or `zh` (`zh-Hans-wrong`).
    """
    g = glossary()
    found: list[tuple[str, str]] = []
    for term in g.terms:
        forms, keep = (term.wrong, term.keep) if script == "zh-Hant" else (term.hans_wrong, term.hans_keep)
        found += [(term.term, form) for form in dict.fromkeys(_wrong_matches(text, forms, keep))]
    if script == "zh-Hant":
        found += [("quotation marks", mark) for mark in g.quotes if mark in text]
    return found
