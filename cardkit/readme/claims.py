"""What `cardkit import` reads from a README's words: the name, prose sections, snippet titles,
training precision and the model's licence, each only where the README states it unambiguously.

A value is filled when exactly one reading fits; when several do (a code licence beside the model's,
bf16 in an inference table beside training in fp16) the field stays TODO and its hint lists the
candidates with their README lines, so the person filling it starts from the evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from cardkit.readme.document import CJK, CodeBlock, Document

MAX_SECTION_CHARS = 2000
"""A prose field is a paragraph or two; a longer section is cut at a paragraph break below 2000."""
MAX_CANDIDATES = 5

GENERIC_HEADINGS = re.compile(
    r"^(?:目录|目錄|table of contents|contents|model (?:information|details|overview|summary|card)|"
    r"introduction|介绍|介紹|简介|簡介|overview|news|updates?|quick ?start|快速开始|model description)\b",
    re.I,
)
EMOJI = re.compile(r"[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200d]+")
NAME_AFFIX = re.compile(r"^model card (?:for|of)\s+|\s+model card$|\s*[:：].*$", re.I)
NAME_SHAPE = re.compile(r"^[A-Za-z][A-Za-z0-9.+-]*(?:[ -][A-Za-z0-9.+-]+){0,3}$")
"""A model name is a few words of Latin letters, digits and `.-+` (`Falcon-7B`, `Mistral-7B-v0.1`)."""

MAX_BIBTEX_ENTRIES = 50
"""A card cites a handful of papers; each entry costs a BibTeX parse, so past 50 lint checks no more
and import copies no more."""


def display_name(doc: Document) -> str | None:
    """The model's name: the first heading that reads as a model name once emoji and "Model Card
    for" are removed (not `目录`, `Model Information`, a question, a sentence), else the repo id's."""
    for index, (_, heading) in enumerate(doc.headings[:3]):
        text = NAME_AFFIX.sub("", EMOJI.sub("", heading.replace("*", "")).strip()).strip()
        if not text or GENERIC_HEADINGS.match(text):
            continue  # a generic first heading: a later one names the model only if it has a size
        if NAME_SHAPE.match(text) and (index == 0 or re.search(r"\d", text)):
            return text
        break
    if doc.repo_id and not doc.identity.family:
        return doc.repo_id.split("/")[-1]
    return None


# ---- sections -----------------------------------------------------------------------------------

PROSE_HEADINGS = {
    "summary": r"introduction|介绍|介紹|简介|簡介|model description|overview|model summary|model information",
    "intended_use": r"intended use|uses|direct use|用途|使用场景|直接使用",
    "out_of_scope_use": r"out[- ]of[- ]scope|超出适用范围|超出適用範圍",
    "limitations": r"limitations?|局限|局限性",
    "bias": r"bias|偏见|偏見",
    "training": r"^(?:training data|dataset and training|训练数据|预训练数据|訓練數據)",
    "commercial_use": r"commercial use|商业使用|商業使用",
    "acknowledgements": r"acknowledge?ments?|致谢|致謝",
}
"""A heading naming two fields (`Bias, Risks, and Limitations`) gives its text to both."""
PROSE_PATTERNS = {
    name: re.compile(rf"(?<![a-z])(?:{words})(?![a-z])", re.I) for name, words in PROSE_HEADINGS.items()
}
HEADING_LEVEL = re.compile(r"^ {0,3}(#{1,6})\s")


MIN_CHINESE_CHARACTERS = 8
"""A paragraph with eight Chinese characters is Chinese, however many model names and links in
Latin letters it has (`Yi-34B-Chat 模型在 AlpacaEval Leaderboard 排名第二`)."""


def is_chinese(text: str) -> bool:
    """Text written in Chinese: a third of its letters, or eight of them, are Chinese characters."""
    return _is_chinese(text)


def _is_chinese(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    chinese = sum(bool(re.match(f"[{CJK}]", c)) for c in letters)
    return bool(letters) and (chinese / len(letters) > 0.3 or chinese >= MIN_CHINESE_CHARACTERS)


def section_bodies(doc: Document) -> Iterator[tuple[int, str, list[str]]]:
    """(heading line, heading text, prose lines up to the next heading of the same or a higher level)."""
    starts = [(line, text, len(m.group(1)) if (m := HEADING_LEVEL.match(doc.line(line))) else 6)
              for line, text in doc.headings]  # fmt: skip
    for index, (line, text, level) in enumerate(starts):
        end = next((n for n, _, lv in starts[index + 1 :] if lv <= level), len(doc.lines) + 1)
        end = min(end, next((n for n, _, _ in starts[index + 1 :]), end))
        body = [doc.line(n) for n in range(line + 1, end) if n not in doc.code_lines]
        yield line, text, body


def _paragraphs(lines: list[str]) -> list[str]:
    paragraphs, current = [], []
    for line in [*lines, ""]:
        stripped = line.strip()
        if stripped and not stripped.startswith(("|", "<", "![")):
            current.append(stripped)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return paragraphs


def _bounded(paragraphs: list[str]) -> str:
    text = ""
    for paragraph in paragraphs:
        if text and len(text) + len(paragraph) > MAX_SECTION_CHARS:
            break
        text = f"{text}\n\n{paragraph}" if text else paragraph[:MAX_SECTION_CHARS]
    return text


def prose_sections(doc: Document) -> dict[str, dict[str, str]]:
    """Prose field -> {"en": ..., "zh": ...} from the first section whose heading names it; each
    paragraph goes to the language it is written in (bilingual sections fill both). Without a
    summary section, the text under the title heading (the model's name) is the summary."""
    found: dict[str, dict[str, str]] = {}
    for _, raw_heading, body in section_bodies(doc):
        heading = EMOJI.sub("", raw_heading.replace("*", "")).strip()
        for name, pattern in PROSE_PATTERNS.items():
            if name in found or not pattern.search(heading):
                continue
            if name == "intended_use" and PROSE_PATTERNS["out_of_scope_use"].search(heading):
                continue
            if texts := _texts(body):
                found[name] = texts
    if "summary" not in found and (title := _title_body(doc)) and (texts := _texts(title)):
        found["summary"] = texts
    return found


LICENCE_HEADING = re.compile(r"licen[cs]e|许可|协议|協議", re.I)
COMMERCIAL = re.compile(r"commercial|商用|商业|商業", re.I)


def commercial_terms(doc: Document) -> dict[str, str]:
    """What the licence section says about commercial use: its paragraphs that name it ("支持商用",
    "allowed for commercial purposes"), by language; {} when no licence section names it."""
    found: dict[str, str] = {}
    for _, heading, body in section_bodies(doc):
        if LICENCE_HEADING.search(heading):
            texts = _texts(body, COMMERCIAL)
            found = {**texts, **found}
    return found


def _texts(body: list[str], about: re.Pattern[str] | None = None) -> dict[str, str]:
    paragraphs = [AUTOLINK.sub(r"\1", p) for p in _paragraphs(body) if _is_prose(p)]
    paragraphs = [p for p in paragraphs if about is None or about.search(p)]
    texts = {
        "zh": _bounded([p for p in paragraphs if _is_chinese(p)]),
        "en": _bounded([p for p in paragraphs if not _is_chinese(p)]),
    }
    return {k: v for k, v in texts.items() if v}


def _is_prose(paragraph: str) -> bool:
    """Not a language switcher, and more than links and images (`Read this in [English](...)`,
    `[![contributors](...)](...)`): a paragraph of the section's text."""
    words = LINK_OR_IMAGE.sub("", LINK_OR_IMAGE.sub("", paragraph))  # twice: a linked image
    return not SWITCHER.match(paragraph) and (words == paragraph or len(words.strip()) >= MIN_PROSE_CHARS)


MIN_PROSE_CHARS = 20
LINK_OR_IMAGE = re.compile(r"!?\[[^\[\]]{0,200}\]\([^()]{0,500}\)|<[^<>]{0,500}>")
AUTOLINK = re.compile(r"<(https?://[^\s<>]{1,500})>")
"""`<https://x.org>` is Markdown's autolink: its text is the address."""
SWITCH_ITEM = r"(?:\*\*[^*|]{1,40}\*\*|\[[^\]|]{1,40}\]\([^)\s]{1,200}\))"
SWITCHER = re.compile(rf"^{SWITCH_ITEM}(?:\s*\|\s*{SWITCH_ITEM})+$")
"""`**English** | [简体中文](README_zh.md)`: a language switcher, not a paragraph of the summary."""


def title_text(doc: Document) -> dict[str, str]:
    """The text under the title heading, by language ({} when the first heading is not the name)."""
    body = _title_body(doc)
    return _texts(body) if body else {}


def _title_body(doc: Document) -> list[str] | None:
    """The prose under the first heading when that heading is the model's name (`# Falcon-7B`,
    `# Model Card for Mistral-7B-v0.1`), up to the next heading."""
    if not doc.headings or (name := display_name(doc)) is None:
        return None
    line, heading = doc.headings[0]
    if NAME_AFFIX.sub("", EMOJI.sub("", heading.replace("*", "")).strip()).strip() != name:
        return None
    return next((body for start, _, body in section_bodies(doc) if start == line), None)


def snippet_title(doc: Document, block: CodeBlock) -> dict[str, str]:
    """The heading a snippet sits under, in the language it is written in ({} when none)."""
    above = [text for line, text in doc.headings if line < block.start]
    if not above:
        return {}
    title = above[-1].replace("*", "").strip()  # emoji kept: `⚡️` is part of the title
    if match := BILINGUAL.fullmatch(title):  # `快速使用（Quickstart）`: each language its own title
        first, second = match.group(1).strip(), match.group(2).strip()
        zh, en = (first, second) if _is_chinese(first) else (second, first)
        if _is_chinese(zh) and re.search("[A-Za-z]", en) and not re.search(f"[{CJK}]", en):
            return {"en": en, "zh": zh}
    chinese = bool(re.search(f"[{CJK}]", title))  # a title is short: one Chinese word makes it Chinese
    return {"zh" if chinese else "en": title} if title else {}


BILINGUAL = re.compile(r"([^()（）]{1,80}?)\s*[（(]([^()（）]{1,80})[)）]")
"""A heading in two languages, the second in parentheses: `快速使用（Quickstart）`, `Usage (用法)`."""


# ---- precision and licence ----------------------------------------------------------------------

PRECISIONS = [
    (re.compile(r"mixed[- ]precision\s*\(FP16\)|混合精度\s*\(FP16\)", re.I), "mixed-float16"),
    (re.compile(r"\b(?:bfloat16|bf16)\b", re.I), "bfloat16"),
    (re.compile(r"\b(?:float16|fp16)\b", re.I), "float16"),
]
TRAINED = re.compile(r"\b(?:trained|training|pretrain\w*|pre-train\w*)\b|训练", re.I)
NOT_TRAINING = re.compile(
    r"inference|推理|quantiz|量化|fine-?tun\w* (?:in|with)|we recommend|建议|推荐|\|", re.I
)


def _candidates(found: list[tuple[int, str]]) -> str:
    return "; ".join(f"line {line}: {value}" for line, value in found[:MAX_CANDIDATES])


def precision(doc: Document) -> tuple[str | None, str]:
    """(training precision, hint): filled only when every sentence that states the training
    precision states the same one; bf16 in an inference table or advice is not training."""
    found: list[tuple[int, str]] = []
    for segment in doc.prose:
        text = segment.text
        if not TRAINED.search(text) or NOT_TRAINING.search(text):
            continue
        named = [value for pattern, value in PRECISIONS if pattern.search(text)]
        if "mixed-float16" in named:
            named = ["mixed-float16"]
        found += [(segment.line, value) for value in named]  # fp16 for most, bf16 for one: ambiguous
    values = {value for _, value in found}
    if len(values) == 1:
        return values.pop(), ""
    hint = f" (candidates: {_candidates(found)})" if found else ""
    return None, hint


CODE_LICENCE = re.compile(r"\bcode\b|源码|源代码|代码|codebase|repository", re.I)
MODEL_LICENCE = re.compile(r"\bmodel|weights|模型|权重", re.I)


def licence(doc: Document, names: dict[str, str]) -> tuple[str | None, str]:
    """(licence id, hint) from prose: the one licence named in sentences about the model (weights),
    not the code's; several, or only a code licence, leave it TODO with the candidates."""
    found: list[tuple[int, str, bool]] = []
    for segment in doc.prose:
        for pattern, licence_id in names.items():
            if re.search(pattern, segment.text, re.I):
                text = segment.text
                about_code = bool(CODE_LICENCE.search(text)) and not MODEL_LICENCE.search(text)
                found.append((segment.line, licence_id, about_code))
    model = {licence_id for _, licence_id, code in found if not code}
    code = {licence_id for _, licence_id, about_code in found if about_code}
    if len(model) == 1 and not code - model and not _other_licence_named(doc):
        return model.pop(), ""
    listed = [(line, f"{i} ({'code' if c else 'model?'})") for line, i, c in found]
    return None, f" (candidates: {_candidates(listed)})" if listed else ""


OTHER_LICENCE = re.compile(r"community licen[cs]e|license agreement|许可协议|许可证协议|社区许可", re.I)


def _other_licence_named(doc: Document) -> bool:
    """A custom model licence ("Community License", "许可协议") beside a standard one: the standard
    one is then usually the code's."""
    return any(OTHER_LICENCE.search(segment.text) for segment in doc.prose)


# ---- evaluation tables --------------------------------------------------------------------------

SUBSET_OR_METRIC = re.compile(
    r"^(?:avg\.?|average|mean|overall(?: acc\.?)?|[\w ]*summary|relevance|stem|social sciences?|"
    r"humanities|others?|pass@\d+|(?:avg\.?\s*)?acc(?:\.|uracy)?|score|"
    r"\d+-shot|zero-shot|few-shot|平均|总分)$",
    re.I,
)
"""Column labels that name a subset or a metric of the benchmark the table's section is about."""
SCORE = re.compile(r"^\**\s*([-+]?\d{1,3}(?:\.\d+)?)\s*%?\s*\**$")
MAX_RESULTS = 200


def _key(text: str) -> str:
    return re.sub(r"[\s*`_\-]+|<[^<>]{0,100}>", "", text).lower()


def model_keys(doc: Document, name: str | None) -> set[str]:
    """How a results table labels this model: its repo name or its display name, exactly."""
    keys = {_key(name)} if name else set()
    if doc.repo_id:
        keys.add(_key(doc.repo_id.split("/")[-1]))
    return {k for k in keys if k}


METRIC_COLUMNS = {
    r"pass@(\d+)": r"pass@\1",
    r"(?:avg\.?\s*|overall\s*)?acc(?:\.|uracy)?": "accuracy",
}
"""A results column that names its metric: `Pass@1` is pass@1, `Acc.`/`Avg. Acc.` accuracy."""


def metric_of(label: str) -> str | None:
    """The metric a results label's last part names (`C-Eval / Avg. Acc.` -> accuracy), else None."""
    last = label.rsplit(" / ", 1)[-1].strip().lower()
    for pattern, metric in METRIC_COLUMNS.items():
        if re.fullmatch(pattern, last):
            return re.sub(pattern, metric, last)
    return None


MAX_ROW_LABEL = 200
"""A model's row label is a name and an aside; a longer cell is not tried (SHOT_ASIDE's lazy name
would retry each run of spaces)."""
SHOT_ASIDE = re.compile(r"^(.*?)\s*[(（]\s*(\d{1,2})-shot\s*[)）]\s*$", re.I)
"""`**Qwen-7B-Chat (5-shot)**`: this model's row, for the 5-shot setting."""


def is_model_row(label: str, keys: set[str]) -> bool:
    """Whether a table row's label names this model (one of `model_keys`), shots aside or not."""
    return _model_row(label, keys)[0]


def _model_row(label: str, keys: set[str]) -> tuple[bool, int | None]:
    """(is this model's row, the shots its label states)."""
    text = label.replace("*", "").strip()
    if len(text) > MAX_ROW_LABEL:
        return False, None
    if _key(text) in keys:
        return True, None
    if (match := SHOT_ASIDE.match(text)) and _key(match.group(1)) in keys:
        return True, int(match.group(2))
    return False, None


def table_results(doc: Document, name: str | None) -> list[dict[str, Any]]:
    """Scores from pipe tables with a row (or a column) labelled exactly with this model's name
    (or its name and a shot count, `Qwen-7B-Chat (5-shot)`); a benchmark listed twice for the same
    shots with different scores (other tables) is left out."""
    keys = model_keys(doc, name)
    scores: dict[tuple[str, int | None], set[float]] = {}
    order: list[tuple[str, int | None]] = []
    for table in doc.tables if keys else []:
        if not table.header:
            continue
        section = next((text for line, text in reversed(doc.headings) if line < table.header_line), "")
        pairs: list[tuple[str, str, int | None]] = []
        for _, row in table.rows:
            this, shots = _model_row(row[0], keys)
            if this:  # this model's row: one score per benchmark column
                pairs += [(h, c, shots) for h, c in zip(table.header[1:], row[1:], strict=False)]
        if column := next((i for i, h in enumerate(table.header) if i and _key(h) in keys), None):
            pairs += [(row[0], row[column], None) for _, row in table.rows if column < len(row)]
        for benchmark, cell, shots in pairs:
            label = re.sub(r"[*`]", "", benchmark).strip()
            if SUBSET_OR_METRIC.match(label):
                label = f"{section.strip()} / {label}" if section.strip() else ""
            if label and (match := SCORE.match(cell)) and len(label) <= 60:
                if (label, shots) not in scores:
                    order.append((label, shots))
                scores.setdefault((label, shots), set()).add(float(match.group(1)))
    results = [
        {
            "benchmark": label,
            "value": next(iter(scores[(label, shots)])),
            "few_shot": shots,
            "metric": metric_of(label),
        }
        for label, shots in order
        if len(scores[(label, shots)]) == 1
    ]
    return results[:MAX_RESULTS]
