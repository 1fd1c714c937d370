"""Readers for labelled values: each takes a value only in the form its field has, else None.

`5,120` is a count, `` `silu` `` a code, `Yes`/`是` a flag, `English, German and Thai` a list of
language codes only when every name is a language Babel knows (one unknown name: the whole list
stays TODO), `December 6, 2024` or `2024年12月6日` a date. Nothing is stretched to fit.
"""

from __future__ import annotations

import datetime
import re
from functools import cache

MAX_VALUE = 500
"""A labelled value is a few words; a longer one is prose, and is not read as a field."""
LINK = re.compile(r"\[([^\[\]]{0,200})\]\(<?[^\s<>()]{0,500}>?\)")
CODE = re.compile(r"`([^`]{1,300})`")
YES = {"yes", "是", "true"}
NO = {"no", "否", "false"}


def _plain(value: str) -> str:
    """Markdown links as their text, emphasis removed."""
    return LINK.sub(r"\1", value).replace("**", "").strip()


def as_name(value: str) -> str | None:
    """A short name (`Stability AI`, `NVIDIA H100`): no URL, no sentence, no list."""
    text = _plain(value).rstrip(";；").strip()
    if not text or len(text) > 80 or re.search(r"https?://|www\.|[;；。]|\.\s|\.$", text):
        return None
    return text if not text.startswith("`") else None


def as_code(value: str, allowed: tuple[str, ...] | None = None, last: bool = False) -> str | None:
    """The value written as code (`` `bfloat16` ``), unescaping `\\|` as a table cell writes it;
    `last`: the code in a trailing aside (`Pretrained base model (`stablelm`)`)."""
    if len(value) > MAX_VALUE:
        return None
    found = CODE.findall(value)
    if not found or (len(found) > 1 and not last):
        return None
    if not last and not re.fullmatch(r"\s*`[^`]+`\s*", value):
        return None
    text = found[-1].replace("\\|", "|")
    return text if allowed is None or text in allowed else None


def codes(value: str) -> list[str] | None:
    """Several code spans (`` `</s>` `<|endoftext|>` ``), nothing else between them."""
    if len(value) > MAX_VALUE or re.sub(r"`[^`]+`|[\s,、，]", "", value):
        return None
    return [code.replace("\\|", "|") for code in CODE.findall(value)] or None


def as_bool(value: str) -> bool | None:
    word = _plain(value).lower()
    return True if word in YES else False if word in NO else None


def as_float_text(value: str, integral: bool = False) -> float | int | None:
    """`0.95`, `10,000`, `6e-4`, `1e-1`; `integral` takes only whole numbers (and gives an int)."""
    text = _plain(value).replace(",", "").replace("`", "")
    if not re.fullmatch(r"[-+]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?", text):
        return None
    number = float(text)
    if integral:
        return int(number) if number.is_integer() and abs(number) < 10**15 else None
    return int(number) if re.fullmatch(r"[-+]?\d+", text) else number


def as_signed_count(value: str) -> int | None:
    """`-419,840`: a whole number that may be negative (a difference)."""
    number = as_float_text(value, integral=True)
    return number if isinstance(number, int) else None


def as_numbers(value: str, count: int) -> list[float] | None:
    """`0.9, 0.95`: exactly `count` numbers separated by commas (or 、)."""
    parts = [p.strip() for p in re.split(r",\s|、", value)]
    numbers = [as_float_text(p) for p in parts]
    if len(numbers) != count or None in numbers:
        return None
    return [float(n) for n in numbers if n is not None]


BIAS_LAYERS = {
    "query/key/value": "qkv",
    "查询/键/值": "qkv",
    "attention output": "attention_output",
    "注意力输出": "attention_output",
    "feed-forward": "mlp",
    "前馈层": "mlp",
    "output head": "lm_head",
    "输出层": "lm_head",
}


def as_biases(value: str) -> dict[str, bool] | None:
    """`None`, or `query/key/value, feed-forward`: which linear layers have a bias (all four known)."""
    text = _plain(value).lower()
    if text in ("none", "无"):
        names: list[str] = []
    elif (names_found := names_list(text)) is not None:
        names = names_found
    else:
        return None
    if any(name not in BIAS_LAYERS for name in names):
        return None
    biased = {BIAS_LAYERS[name] for name in names}
    return {key: key in biased for key in ("qkv", "attention_output", "mlp", "lm_head")}


def as_count_text(value: str) -> int | None:
    """A whole count, `5,120` or `2,000,000,000,000 (2 trillion)` (the aside repeats the figure)."""
    head = re.split(r"\s*[(（]", value.strip(), maxsplit=1)[0]
    number = as_float_text(head, integral=True)
    return number if isinstance(number, int) and number >= 0 else None


def choice(table: dict[str, str], value: str, prefix: bool = False) -> str | None:
    """The value's entry in `table` (its displayed words -> the card's value); `prefix`: the words
    may be followed by an aside (`Chat model (`falcon`)`)."""
    text = _plain(value).lower()
    if prefix:
        text = re.split(r"\s*[(（]", text, maxsplit=1)[0].strip()
    return table.get(text)


def names_list(value: str) -> list[str] | None:
    """`gpt-neox (Stability AI fork), ZeRO-1, FlashAttention-2`: names split at top-level commas."""
    if len(value) > MAX_VALUE:
        return None
    items, depth, current = [], 0, ""
    for char in _plain(value):
        depth += char in "(（"
        depth -= char in ")）"
        if char in ",、" and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
    items.append(current.strip())
    return items if all(items) and all(len(i) <= 80 for i in items) else None


def as_url(value: str) -> str | None:
    """`<https://arxiv.org/abs/2402.17834>` or a bare https address, nothing else."""
    match = re.fullmatch(r"<?(https://[^\s<>()]{1,500})>?", value.strip())
    return match.group(1) if match else None


REPO = re.compile(r"^\[([\w.-]{1,96}/[\w.-]{1,96})\]\(<?https://huggingface\.co/\1>?\)$")


def as_repo_link(value: str) -> str | None:
    """`[owner/name](https://huggingface.co/owner/name)`: the link must agree with its text."""
    match = REPO.match(value.strip())
    return match.group(1) if match else None


MONTHS = {
    name: index
    for index, name in enumerate(
        "january february march april may june july august september october november december".split(), 1
    )
}


ENGLISH_DATE = re.compile(r"([A-Za-z]+) (\d{1,2}), (\d{4})")


def as_date(value: str) -> str | None:
    """`December 6, 2024`, `2024-12-06` or `2024年12月6日` as ISO text; anything else None."""
    text = _plain(value).strip()
    if match := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})|(\d{4})年(\d{1,2})月(\d{1,2})日", text):
        year, month, day = (int(g) for g in match.groups() if g is not None)
    elif (match := ENGLISH_DATE.fullmatch(text)) and match.group(1).lower() in MONTHS:
        year, month, day = int(match.group(3)), MONTHS[match.group(1).lower()], int(match.group(2))
    else:
        return None
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


@cache
def _language_codes() -> dict[str, str]:
    """Language name -> ISO 639-1 code, from Babel's English and Chinese names (render's source)."""
    from babel import Locale  # lazy: only a labelled language list needs Babel's tables

    names: dict[str, str] = {}
    for locale in ("en", "zh", "zh_Hant"):
        for code, name in Locale.parse(locale).languages.items():
            if re.fullmatch(r"[a-z]{2}", code):
                names.setdefault(name.lower(), code)
    return names


def as_languages(value: str) -> list[str] | None:
    """`English, German, French, and Thai.` or `英语、德语` as codes; None when any name is unknown."""
    text = _plain(value).rstrip(".。").strip()
    if not text or len(text) > MAX_VALUE:
        return None
    parts = [p.strip() for p in re.split(r",\s*(?:and\s+)?|、|，|\s+and\s+|和|及", text)]
    known = _language_codes()
    found = [known.get(part.lower()) for part in parts]
    if not parts or None in found:
        return None
    return list(dict.fromkeys(code for code in found if code))


TRAINING_PRECISIONS = ("float32", "float16", "bfloat16", "mixed-float16", "mixed-bfloat16", "int8", "fp8")
ESTIMATE = re.compile(r"estimate|估算", re.I)


def is_estimate(value: str) -> bool:
    return bool(ESTIMATE.search(value))


def as_published_count(value: str) -> int | None:
    """A published count: `700 (estimate)` is cardkit's own estimate, never the developer's figure."""
    return None if ESTIMATE.search(value) else as_count_text(value)


def as_precision(value: str) -> str | None:
    if _is_unpublished(value):
        return "not published"
    return as_code(value, allowed=TRAINING_PRECISIONS)


def _is_unpublished(value: str) -> bool:
    return value.strip().lower() in ("not published", "未公开", "未公開")
