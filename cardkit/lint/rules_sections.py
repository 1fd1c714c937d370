"""Sections the Hub model-card template expects (license, limitations, citation), found by heading.

A word anywhere is not a section: "solicitation" contains "citation", a "QKV bias" row or a paper
titled "...Legal Risk..." is not a limitations section. In Markdown a section is a heading (ATX,
setext, `**bold line**` or HTML `<h2>`) that names it, in English or Chinese, with the template's
synonyms; a BibTeX entry is a citation and front matter `license:` a licence wherever they sit.
Plain-text scrapes lost their headings, so there the words are searched, as whole words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cardkit.core.findings import Severity
from cardkit.lint.registry import Hit, lint_rule
from cardkit.readme.document import Document

HEADING_WORDS = {
    "license": r"licen[cs](?:e|es|ing)|terms of use|许可|許可|授权|授權|协议|協議|使用条款",
    "limitations": r"limitations?|bias(?:es)?|risks?|ethical considerations|safety|notice|disclaimers?"
    r"|局限|限制|偏见|偏見|风险|風險|声明|聲明|免责|免責|安全",
    "citation": r"citations?|cite|citing|bibtex|references?|引用|引文",
}
SECTION_HEADING = {
    name: re.compile(rf"(?<![a-z])(?:{words})(?![a-z])", re.I) for name, words in HEADING_WORDS.items()
}
SCRAPE_WORDS = {
    "license": re.compile(r"(?<![a-z])licen[cs](?:e|es|ed|ing)(?![a-z])|许可|許可|授权|授權", re.I),
    "limitations": re.compile(
        r"(?<![a-z])(?:limitations?|bias(?:es|ed)?|risks?)(?![a-z])|局限|限制|偏见|偏見|风险|風險|不安全",
        re.I,
    ),
    "citation": re.compile(r"(?<![a-z])(?:citations?|cite[sd]?)(?![a-z])|引用", re.I),
}
BIBTEX = re.compile(r"@(?:article|misc|inproceedings|techreport|book|software|online)\s*\{", re.I)
BOLD_LINE = re.compile(r"^\s*\*\*([^*\n]{1,120})\*\*")
"""A bold line, or a bold run-in label (`**License** A custom licence ...`), heads a section."""
HTML_HEADING = re.compile(r"<h[1-6][^>]{0,200}>([^<]{1,200})</h[1-6]>", re.I)


def heading_texts(doc: Document) -> Iterator[str]:
    """Every heading of a Markdown README: `#` and setext headings, bold-only lines, `<hN>` tags."""
    yield from (text for _, text in doc.headings)
    for segment in doc.prose:
        if match := BOLD_LINE.match(segment.text):
            yield match.group(1)
        if "<h" in segment.text or "<H" in segment.text:
            yield from (m.group(1) for m in HTML_HEADING.finditer(segment.text))


def present_sections(doc: Document) -> set[str]:
    found = {"citation"} if BIBTEX.search(doc.text) else set()
    if not doc.markdown:
        return found | {name for name, words in SCRAPE_WORDS.items() if words.search(doc.text)}
    headings = list(heading_texts(doc))
    found |= {name for text in headings for name, words in SECTION_HEADING.items() if words.search(text)}
    if (doc.front_matter or {}).get("license") or _licence_row(doc.text):
        found.add("license")
    return found


def _licence_row(text: str) -> bool:
    """A details-table row labelled as the licence (`| License | ... |`, `| 许可证 | ... |`), which
    is where the Hub template's Model Details list states it."""
    words = SECTION_HEADING["license"]
    for line in text.splitlines():
        if line.startswith("|"):
            first = line[1:].split("|", 1)[0].strip().strip("*").strip()
            if first and len(first) <= 40 and words.search(first):
                return True
    return False


@lint_rule(
    "lint-missing-section",
    Severity.WARNING,
    "a section the Hub model-card template expects (license, limitations, citation) is missing",
)
def missing_sections(doc: Document) -> Iterator[Hit]:
    """The README has no section for the licence, the limitations or the citation, which the Hub's
    model-card template expects (headings are matched in English or Chinese). Add the section."""
    present = present_sections(doc)
    for name in HEADING_WORDS:
        if name not in present:
            yield Hit(None, f"no {name} section: the Hub model-card template expects one")
