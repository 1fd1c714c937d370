"""Turn one card into README text: Jinja templates per section, composed per layout.

Each section of the Hub model-card template is its own template (templates/sections/), rendered once
per locale with that locale's catalog, and empty when the card has nothing for it, so the section
is dropped cleanly. A bilingual layout interleaves the locales section by section and subsection
by subsection: one heading naming both (`## Uses · 用途`), then each paragraph, table or code block
in English followed by its Chinese counterpart, written once when the two are the same (code,
BibTeX).

Templates run in a SandboxedEnvironment and receive the card as data: nothing in a card is ever
compiled as a template, so `{{ }}` in card text stays literal. Environments and catalogs are built
once per locale and cached; compiled templates are shared by the locales and kept between runs in
the signed cache store (render/compiled.py).
"""

from __future__ import annotations

import functools
import hashlib
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from cardkit.render.compiled import SignedBytecodeCache
from cardkit.render.emissions import impact
from cardkit.render.frontmatter import front_matter
from cardkit.render.i18n import Localizer, newstyle_gettext, save_conversions, translations
from cardkit.render.markdown import FILTERS, cell
from cardkit.render.memory import estimate
from cardkit.schema import Card

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
SECTIONS = (
    "summary",
    "model_details",
    "uses",
    "risks",
    "get_started",
    "training",
    "evaluation",
    "environment",
    "technical",
    "citation",
    "acknowledgements",
    "contact",
)
"""Section templates in the order of the Hub model-card template."""

MARKER_PREFIX = "<!-- cardkit:sha256="
"""The last line of every README cardkit writes: the SHA-256 of everything above it."""
MARKER = re.compile(r"\n<!-- cardkit:sha256=([0-9a-f]{64}) -->\n\Z")
_FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass(frozen=True)
class Layout:
    """One README shape: the locales it shows, in order, the file it is written to, and the label
    the language switcher of the other READMEs gives it."""

    name: str
    locales: tuple[str, ...]
    filename: str
    label: str


LAYOUTS: dict[str, Layout] = {
    "en": Layout("en", ("en",), "README.md", "English"),
    "zh": Layout("zh", ("zh",), "README_zh.md", "简体中文"),
    "zh-Hant": Layout("zh-Hant", ("zh-Hant",), "README_zh-Hant.md", "繁體中文"),
    "en+zh": Layout("en+zh", ("en", "zh"), "README.md", "English · 简体中文"),
}
DEFAULT_LAYOUTS = ("en", "zh", "zh-Hant")


def switcher(published: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """(label, file) of every README written together, one per file, in `LAYOUTS` order.

    Only what is written is linked, so a switcher never points at a file that does not exist;
    none is shown when a single file is written.
    """
    files: dict[str, str] = {}
    for name in LAYOUTS:
        if name in published:
            files.setdefault(LAYOUTS[name].filename, LAYOUTS[name].label)
    return tuple((label, file) for file, label in files.items()) if len(files) > 1 else ()


def md_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GFM table of already-escaped Markdown cells; columns empty in every row are dropped.

    Cells go through `cell` so a pipe or newline can never add a column or end a row.
    """
    texts = [["" if value is None else str(value) for value in row] for row in rows]
    if not texts:
        return ""
    keep = [i for i in range(len(headers)) if i == 0 or any(row[i].strip() for row in texts)]
    lines = ["| " + " | ".join(cell(headers[i]) for i in keep) + " |", "|" + " --- |" * len(keep)]
    lines += ["| " + " | ".join(cell(row[i]) for i in keep) + " |" for row in texts]
    return "\n".join(lines)


def md_link(text: str, url: str) -> str:
    """A Markdown link whose text is escaped card text and whose destination cannot break out."""
    label = FILTERS["inline"](text).replace("[", "\\[").replace("]", "\\]")
    return f"[{label}](<{url.replace('<', '%3C').replace('>', '%3E')}>)"


_PLAIN_URL = re.compile(r"https://[^\s<>]+")


def md_autolink(url: str) -> str:
    """An address shown as itself: a `<https://…>` autolink, which nothing inside can end early
    (card URLs are validated to this shape; anything else is escaped as text)."""
    return f"<{url}>" if _PLAIN_URL.fullmatch(url) else FILTERS["inline"](url)


_BYTECODE = SignedBytecodeCache()


@functools.cache
def environment(tag: str) -> SandboxedEnvironment:
    """The Jinja environment of one locale, with its catalog installed; built once per process."""
    return build_environment(tag, _BYTECODE)


def build_environment(tag: str, bytecode: SignedBytecodeCache) -> SandboxedEnvironment:
    """A Jinja environment for `tag` whose compiled templates come from (and go to) `bytecode`."""
    env = SandboxedEnvironment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=bytecode,
        auto_reload=False,  # the templates ship with cardkit: no stat of each one per section rendered
    )
    # jinja2's i18n extension adds this method to the environment at run time; its stubs cannot say so.
    env.install_gettext_translations(translations(tag), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(_=(gettext := newstyle_gettext(translations(tag))), gettext=gettext)
    env.filters.update(FILTERS)
    env.filters["shell"] = shlex.quote
    env.globals.update(table=md_table, link=md_link, autolink=md_autolink, l=Localizer(tag))
    env.globals.update(memory=estimate, impact=impact)
    return env


def _code_flags(lines: list[str]) -> list[bool]:
    """For each line, whether it is inside (or delimits) a fenced code block."""
    flags: list[bool] = []
    fence: str | None = None
    for line in lines:
        match = _FENCE_LINE.match(line)
        if fence is None and match:
            fence = match.group(1)
            flags.append(True)
        elif fence is not None:
            if line.strip() == fence:
                fence = None
            flags.append(True)
        else:
            flags.append(False)
    return flags


def _tidy(text: str) -> str:
    """Collapse blank-line runs left by skipped rows, outside code blocks only (code is verbatim)."""
    lines = text.strip("\n").split("\n")
    out: list[str] = []
    for line, in_code in zip(lines, _code_flags(lines), strict=True):
        if not in_code and not line.strip():
            if out and not out[-1]:
                continue
            line = ""
        out.append(line)
    return "\n".join(out)


def _split(text: str, marker: str | None) -> list[str]:
    """Chunks of `text` starting at each `marker` heading, or its blocks (blank-line separated)."""
    lines = text.split("\n")
    chunks: list[list[str]] = [[]]
    for line, in_code in zip(lines, _code_flags(lines), strict=True):
        starts = line.startswith(marker) if marker else not line.strip()
        if not in_code and starts and chunks[-1]:
            chunks.append([])
        if marker or in_code or line.strip():
            chunks[-1].append(line)
    return ["\n".join(chunk).strip("\n") for chunk in chunks if "".join(chunk).strip()]


_CELL_SPLIT = re.compile(r"(?<!\\)((?:\\\\)*)\|")
"""A cell delimiter as GFM reads one: a pipe after an even number of backslashes."""


def _cells(line: str) -> list[str]:
    """The cells of one table row, with their escapes untouched (`\\|` stays in its cell)."""
    parts: list[str] = []
    last = 0
    for match in _CELL_SPLIT.finditer(line):
        parts.append(line[last : match.start()] + match.group(1))
        last = match.end()
    parts.append(line[last:])
    return [part.strip() for part in parts[1:-1]]


_WIDE_PUNCTUATION = str.maketrans({"（": " (", "）": ")", "、": ", "})


_LINK_CELL = re.compile(r"\[(.*)\]\((<[^<>]*>)\)")


def _same_cell(cells: tuple[str, ...]) -> list[str]:
    """The distinct texts of one cell across locales; texts that differ only in full-width
    punctuation (`（3B）` vs ` (3B)`) are one text, written the first locale's way, and a text
    already contained in an earlier one (`acc` in `acc` (accuracy)) is not repeated; links to the
    same address become one link naming both."""
    links = [_LINK_CELL.fullmatch(text) for text in cells]
    if all(links) and len({link.group(2) for link in links if link}) == 1:  # one link, both names
        names = _same_cell(tuple(link.group(1) for link in links if link))
        return [f"[{' · '.join(names)}]({links[0].group(2) if links[0] else ''})"]
    distinct: dict[str, str] = {}
    for text in cells:
        key = text.translate(_WIDE_PUNCTUATION)
        if not any(key in seen for seen in distinct):
            distinct[key] = text
    return list(distinct.values())


def _bilingual_table(tables: tuple[str, ...]) -> str | None:
    """One table for all locales when they have the same shape: each cell once when the locales
    agree (numbers, code), else `English · 中文`; None when the shapes differ."""
    if not all(table.startswith("|") for table in tables):
        return None
    grids = [[_cells(line) for line in table.split("\n")] for table in tables]
    if len({tuple(len(row) for row in grid) for grid in grids}) != 1:
        return None
    rows = zip(*grids, strict=True)
    return "\n".join(
        "| " + " | ".join(" · ".join(_same_cell(group)) for group in zip(*row, strict=True)) + " |"
        for row in rows
    )


_LABELLED_ITEM = re.compile(r"- \*\*(?P<label>[^*\n]+)\*\*(?:: |：)(?P<value>.+)")
"""One item of a labelled list (`- **Paper**: <https://…>`), in either locale's punctuation."""


def _bilingual_list(lists: tuple[str, ...]) -> str | None:
    """One labelled list for all locales when each item has the same value in every locale
    (`- **Paper · 论文**: <https://…>`); None when they differ in length or in any value."""
    items = [[_LABELLED_ITEM.fullmatch(line) for line in block.split("\n")] for block in lists]
    if len({len(rows) for rows in items}) != 1 or not all(all(rows) for rows in items):
        return None
    lines = []
    for row in zip(*items, strict=True):
        values = {match.group("value") for match in row if match}
        if len(values) != 1:
            return None
        labels = dict.fromkeys(match.group("label") for match in row if match)
        lines.append(f"- **{' · '.join(labels)}**: {values.pop()}")
    return "\n".join(lines)


def _interleave(parts: list[str]) -> str:
    """Blocks of each locale side by side: English block, then the Chinese one unless identical;
    a table, or a labelled list whose values agree, is written once with bilingual labels."""
    split = [_split(p, None) for p in parts]
    if len({len(blocks) for blocks in split}) != 1:
        return "\n\n".join(dict.fromkeys(parts))
    blocks: list[str] = []
    for group in zip(*split, strict=True):
        merged = _bilingual_table(group)
        merged = merged if merged is not None else _bilingual_list(group)
        blocks += [merged] if merged is not None else list(dict.fromkeys(group))
    return "\n\n".join(blocks)


def _merge(parts: list[str], level: int = 2) -> str:
    """One section across locales: shared headings (`Uses · 用途`), then each locale's text in turn.

    Headings are matched level by level (## then ###); below that, paragraphs, tables and code
    blocks alternate English then Chinese, and a block that is the same in both (code, BibTeX) is
    written once.
    """
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return parts[0] if parts else ""
    marker = "#" * level + " "
    split = [_split(p, marker) for p in parts]
    if level > 3 or len({len(chunks) for chunks in split}) != 1:
        return _interleave(parts)
    merged: list[str] = []
    for group in zip(*split, strict=True):
        if not all(chunk.startswith(marker) for chunk in group):
            merged.append(_interleave(list(group)))
            continue
        heads = [chunk.split("\n", 1)[0][len(marker) :] for chunk in group]
        bodies = [chunk.split("\n", 1)[1].strip("\n") if "\n" in chunk else "" for chunk in group]
        body = _merge(bodies, level + 1)
        merged.append(marker + " · ".join(dict.fromkeys(heads)) + (f"\n\n{body}" if body else ""))
    return "\n\n".join(merged)


def _section(name: str, card: Card, tag: str) -> str:
    return _tidy(environment(tag).get_template(f"sections/{name}.md.j2").render(card=card))


def render_body(card: Card, layout: Layout, links: tuple[tuple[str, str], ...] = ()) -> str:
    sections = [_merge([_section(name, card, tag) for tag in layout.locales]) for name in SECTIONS]
    page = environment(layout.locales[0]).get_template("page.md.j2")
    body = page.render(card=card, layout=layout, links=links, sections=[s for s in sections if s])
    return _tidy(body) + "\n"


def with_marker(text: str) -> str:
    """Append the hash of `text`, so a later run can tell a hand edit from its own output."""
    return f"{text}\n{MARKER_PREFIX}{hashlib.sha256(text.encode('utf-8')).hexdigest()} -->\n"


def recorded_hash_matches(text: str) -> bool | None:
    """True when `text` is unchanged since cardkit wrote it, False when edited, None when no marker."""
    match = MARKER.search(text)
    if match is None:
        return None
    body = text[: match.start()]
    return hashlib.sha256(body.encode("utf-8")).hexdigest() == match.group(1)


def render_card(card: Card, lang: str = "en") -> str:
    """The complete README for `card` in layout `lang` (`en`, `zh`, `zh-Hant` or `en+zh`)."""
    return render_layouts(card, [lang])[lang]


def render_layouts(
    card: Card, langs: Sequence[str], published: Sequence[str] | None = None
) -> dict[str, str]:
    """The README of `card` in each layout of `langs`.

    `published` names every layout written next to it (default: the default layouts and `langs`),
    which the language switcher links. Only README.md, the file the Hub reads, carries the front
    matter (built once): a second copy in README_zh*.md is metadata that can drift and that the
    Hub never reads.
    """
    unknown = [lang for lang in [*langs, *(published or ())] if lang not in LAYOUTS]
    if unknown:
        raise ValueError(f"unknown layout {unknown[0]!r}; choose from {', '.join(LAYOUTS)}")
    links = switcher(list(published) if published is not None else [*DEFAULT_LAYOUTS, *langs])
    head = front_matter(card) + "\n"
    texts: dict[str, str] = {}
    for lang in langs:
        layout = LAYOUTS[lang]
        own = tuple((layout.label if file == layout.filename else label, file) for label, file in links)
        top = head if layout.filename == "README.md" else ""
        texts[lang] = with_marker(top + render_body(card, layout, own))
    save_conversions()
    return texts


def warm_up(layouts: Sequence[str] = tuple(LAYOUTS)) -> None:
    """Load every catalog and compile every template now (benchmarks separate cold from warm)."""
    for name in layouts:
        for tag in LAYOUTS[name].locales:
            env = environment(tag)
            for section in SECTIONS:
                env.get_template(f"sections/{section}.md.j2")
