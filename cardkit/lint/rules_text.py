"""Rules about the text itself: damage done by scrapers, mirrors and encoders, and injected spam.

Each pattern here was taken from a real scraped card (tests/fixtures/seeds/); the comment on each
says what the damaged text looked like before, so a reader can judge a finding without the source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import islice

from cardkit.core.findings import Severity
from cardkit.core.hub_ids import HUB_LICENSE_IDS
from cardkit.core.text_patterns import MIRROR_HOSTS, URL_HOST
from cardkit.lint.registry import Hit, lint_rule
from cardkit.readme.document import CJK, Document
from cardkit.readme.frontmatter import NOT_A_BLOCK, opens_front_matter

TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
PINYIN = rf"[a-zü]*[{TONED}][a-zü]*"


INLINE_CODE = re.compile(r"`[^`\n]*`")


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


def _all_lines(doc: Document) -> Iterator[tuple[int, str]]:
    """Every line, front matter and code included, with inline code blanked: a README that quotes
    damage as an example (`3Atatsu-lab/alpaca`) is documenting it, not suffering from it."""
    if "all_lines" not in doc.memo:
        doc.memo["all_lines"] = [INLINE_CODE.sub(_blank, line) for line in doc.lines]
    yield from enumerate(doc.memo["all_lines"], start=1)


MASKED = re.compile(r"`[^`\n]*`|https?://\S+")
"""Inline code and URLs are not sentences: `torch.Tensor` or `?query=` must not read as damage."""


def _prose(doc: Document) -> Iterator[tuple[int, int, str]]:
    """Prose outside front matter and code, with inline code and URLs blanked (columns unchanged)."""
    if "prose" not in doc.memo:
        doc.memo["prose"] = [
            (segment.line, segment.column, MASKED.sub(_blank, segment.text))
            for segment in doc.prose
            if segment.line > doc.front_matter_lines
        ]
    yield from doc.memo["prose"]


Search = Callable[[str], "re.Match[str] | None"]


def _first_match(search: Search, lines: Iterator[tuple[int, str]], message: str) -> Iterator[Hit]:
    """One hit per line: a reader fixes a line at a time, and counts stay stable."""
    for number, text in lines:
        if match := search(text):
            yield Hit(number, message.format(match=match.group(0)), match.start() + 1, actual=match.group(0))


def _prose_matches(doc: Document, pattern: re.Pattern[str], message: str) -> Iterator[Hit]:
    for number, column, text in _prose(doc):
        if match := pattern.search(text):
            yield Hit(
                number, message.format(match=match.group(0)), column + match.start(), actual=match.group(0)
            )


@lint_rule(
    "lint-mirror-url", Severity.ERROR, "a link points at a mirror or proxy host instead of huggingface.co"
)
def mirror_urls(doc: Document) -> Iterator[Hit]:
    """A link points at a mirror or proxy of huggingface.co (`hf-mirror.com`, `chatgptweb.us.kg`), as
    scrapers rewrite the cards they copy; readers then depend on a third party. Link the canonical host."""
    for number, text in _all_lines(doc):
        for match in URL_HOST.finditer(text):
            host = match.group(1).lower()
            if host in MIRROR_HOSTS:
                yield Hit(
                    number,
                    f"link to mirror host {host}; use {MIRROR_HOSTS[host]}",
                    match.start() + 1,
                    expected=MIRROR_HOSTS[host],
                    actual=host,
                )
                break


EMAIL_PLACEHOLDER = re.compile(r"\[email(?:\s|&#160;|&nbsp;)*+protected\]")
"""Whitespace already covers U+00A0: listing it again let each no-break space match two ways
(exponential backtracking)."""


@lint_rule(
    "lint-email-obfuscated",
    Severity.ERROR,
    "an e-mail address was replaced by a scraper's `[email protected]` placeholder",
)
def email_placeholders(doc: Document) -> Iterator[Hit]:
    """A scraper (Cloudflare's e-mail protection) replaced a contact address with `[email protected]`,
    so the card has no usable contact. Restore the address from the original card."""
    yield from _first_match(
        EMAIL_PLACEHOLDER.search,
        _all_lines(doc),
        "{match} is a scraper's placeholder, not an address; restore the contact e-mail",
    )


@lint_rule("lint-replacement-char", Severity.ERROR, "U+FFFD: bytes were lost decoding the text")
def replacement_chars(doc: Document) -> Iterator[Hit]:
    """U+FFFD replacement characters: bytes that could not be decoded were replaced, and the text they
    held is lost. Restore it from the original card."""
    yield from _first_match(
        re.compile("\ufffd+").search,
        _all_lines(doc),
        "U+FFFD replacement character: text was lost in decoding",
    )


MOJIBAKE = re.compile(
    rf"Ã[\u0080-\u00bf]|â€[\u0080-\u00bf\u2018-\u203a\u2122\u0153]|[äåæçèé][\u0080-\u00bf]|\?{PINYIN}"
)
"""UTF-8 read as Latin-1 (`â€™`, `Ã©`, `ä¸`), or GBK damage where a character became `?` plus the
pinyin of its neighbour (`請(qǐng)?jiān)L問(wèn)` for 請訪問)."""


@lint_rule("lint-mojibake", Severity.ERROR, "text decoded with the wrong encoding (`â€™`, `Ã©`, `?jiān`)")
def mojibake(doc: Document) -> Iterator[Hit]:
    """Text decoded with the wrong encoding (`â€™` for `'`, `Ã©` for `é`, `?jiān` for a lost tone
    mark). Restore the text from the original, or re-decode the file correctly."""
    yield from _first_match(MOJIBAKE.search, _all_lines(doc), "mis-decoded text {match!r}")


PINYIN_ANNOTATION = re.compile(rf"[{CJK}A-Za-z]\({PINYIN}\)")


@lint_rule(
    "lint-pinyin-annotation",
    Severity.ERROR,
    "pinyin readings injected after Chinese characters (`來(lái)`), as a ruby-stripping scraper leaves them",
)
def pinyin_annotations(doc: Document) -> Iterator[Hit]:
    """Pinyin readings stand after Chinese characters (`來(lái)`), as a scraper leaves ruby annotations
    it strips to text. Remove the readings."""
    for number, text in _all_lines(doc):
        found = PINYIN_ANNOTATION.findall(text)
        if found:
            yield Hit(
                number,
                f"{len(found)} pinyin annotation(s) in the text, e.g. {found[0]!r}",
                text.find(found[0]) + 1,
                actual=found[0],
            )


URL_ENCODING_DAMAGE = re.compile(r"(?<![%\w])(?:3A|2F)(?=[A-Za-z][\w.-]*/[\w.-])")
"""`dataset:owner/name` encoded as `dataset%3Aowner/name`, then the `%` (and the prefix) lost."""
NAME_BEFORE_SLASH = re.compile(r"(?<![\w.-])[\w.-]++(?=/[\w.-])")
"""A whole run of name characters followed by `/name`; the lookbehind starts it only at the run's start."""
RESIDUE_START = re.compile(r"(?<![%\w])(?:3A|2F)(?=[A-Za-z])")


def url_encoding_residue(text: str) -> re.Match[str] | None:
    """URL_ENCODING_DAMAGE's first match, in linear time.

    The pattern's look-ahead rescans the rest of a name from every `3A` in it (`-3Aa-3Aa...` is
    quadratic). A residue is only ever inside a name run that ends in `/name`, so each such run is
    found once and searched once."""
    for run in NAME_BEFORE_SLASH.finditer(text):
        if match := RESIDUE_START.search(text, run.start(), run.end()):
            return match
    return None


@lint_rule(
    "lint-url-encoding", Severity.ERROR, "URL-encoding residue such as `3A` (from `%3A`) glued to a name"
)
def url_encoding_damage(doc: Document) -> Iterator[Hit]:
    """URL-encoding residue such as `3A` (from `%3A`, a `:`) or `2F` (a `/`) glued to a name, where a
    scraper dropped the `%`. Restore the name."""
    yield from _first_match(
        url_encoding_residue, _all_lines(doc), "{match!r} is the residue of a URL-encoded `:`/`/` (`%3A`)"
    )


EMOJI_LOST = re.compile(
    r"^\s*\?(?=\s)|(?<=\s)\?(?=[\s。.!,，]|$)|(?:请参阅|請參閱|请查看|請查看|参见|參見)\?"
)
"""An emoji replaced by `?`: a `?` opening a line, standing alone between spaces (`4k ? 2.0T`), or
right after a verb that needs an object (`请参阅? RefinedWeb paper`); a real question mark ends words."""


@lint_rule("lint-emoji-lost", Severity.WARNING, "an emoji or symbol became `?` when the text was re-encoded")
def emoji_lost(doc: Document) -> Iterator[Hit]:
    """A `?` stands where an emoji or symbol was, lost when the text was re-encoded to a narrower
    character set. Restore the character or remove the `?`."""
    yield from _prose_matches(doc, EMOJI_LOST, "`?` where an emoji or symbol stood (lost in re-encoding)")


SUPERSCRIPT_LOST = re.compile(r"\b\d+(?:\.\d+)?\s*[x×]\s*10-\d+\b")


@lint_rule(
    "lint-superscript-lost",
    Severity.ERROR,
    "an exponent lost its superscript: `3.0 x 10-4` now reads as ten minus four",
)
def superscript_lost(doc: Document) -> Iterator[Hit]:
    """An exponent lost its superscript: `3.0 x 10-4` now reads as ten minus four. Write `10^-4`, `1e-4`
    or restore the superscript."""
    yield from _prose_matches(doc, SUPERSCRIPT_LOST, "{match!r} lost its superscript; write 10^-4 or 1e-4")


EMPTY_MARKUP = re.compile(r"<\s*>")


@lint_rule(
    "lint-markup-stripped",
    Severity.WARNING,
    "`<>` left where a tag-like token such as `<<SYS>>` was stripped as HTML",
)
def markup_stripped(doc: Document) -> Iterator[Hit]:
    """An empty `<>` is left where a tag-like token such as `<<SYS>>` or `<s>` was stripped as HTML,
    so a prompt format the card documents is now wrong. Restore the token (in a code span)."""
    yield from _prose_matches(doc, EMPTY_MARKUP, "empty `<>`: a token such as `<<SYS>>` was stripped as HTML")


SPAM_WORDS = re.compile(
    r"成人|小说|久久|亚洲|欧美|超碰|字幕|av女优|无码|色情|彩票|博彩|娱乐城|福利|视频在线|casino|porn|viagra|betting"
)


@lint_rule(
    "lint-injected-text",
    Severity.ERROR,
    "text unrelated to the model (SEO spam keywords, another script) injected into the card",
)
def injected_text(doc: Document) -> Iterator[Hit]:
    """Text unrelated to the model was injected into the card: SEO spam keywords, or lines in a
    script the card's languages do not use. Remove it."""
    for number, column, text in _prose(doc):
        spam = SPAM_WORDS.findall(text)
        if len(spam) >= 2:
            yield Hit(number, f"spam keywords injected into the card: {', '.join(spam[:4])}", column)
        elif _foreign_script_share(text) > 0.5:
            yield Hit(number, "line in a script the card's languages do not use", column)


FOREIGN = re.compile(r"[\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff\u0e00-\u0e7f\u0900-\u097f\uac00-\ud7af]")


def _foreign_script_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum(bool(FOREIGN.match(c)) for c in letters) / len(letters) if len(letters) >= 8 else 0.0


DOUBLED = re.compile(r"^\s*(\S.{3,79}?)\1")
HTML_TAG = re.compile(r"<[^<>\n]{0,200}>")
"""`<br><br>` repeats a tag, not a title: a doubled title has letters outside tags."""


@lint_rule("lint-doubled-title", Severity.ERROR, "the title is repeated and run into the first sentence")
def doubled_title(doc: Document) -> Iterator[Hit]:
    """The title is repeated and run into the first sentence ("Llama 2Llama 2 is ..."), a scrape that
    joined the page title and the card. Remove the copy."""
    for number, column, text in islice(_prose(doc), 8):
        if (match := DOUBLED.match(text)) and re.search(r"[A-Za-z]", HTML_TAG.sub("", match.group(1))):
            yield Hit(number, f"title {match.group(1)!r} appears twice, run together", column)


PAGE_CHROME = re.compile(
    r"^\s*+[•·*-]?\s*+(?:模型资讯|模型資訊|模型资料|模型資料|模型文件|Files and versions|Use this model|"
    r"Deploy|Community|Model card|Edit model card|Copy link)\s*+$"
)


@lint_rule("lint-page-chrome", Severity.WARNING, "navigation labels of the page the card was scraped from")
def page_chrome(doc: Document) -> Iterator[Hit]:
    """Navigation labels of the page the card was scraped from ("Files and versions", "Deploy", "Use
    this model") are in the card's text. Remove them."""
    yield from _prose_matches(doc, PAGE_CHROME, "page navigation label {match!r} is not part of the card")


LICENSE_GLUED = re.compile(
    "(?<![\\w-])(?:"
    + "|".join(re.escape(i) for i in sorted(HUB_LICENSE_IDS, key=len, reverse=True) if re.search(r"[-\d]", i))
    + ")(?=[A-Z])"
)
RUN_TOGETHER = [
    re.compile(r"(?<=[a-z)])\.(?=[A-Z][a-z]+[\s:,])"),  # `complete.Software:`, `laws).Use in`
    re.compile(
        rf"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{{2,}}(?=[{CJK}])"
    ),  # `lm@stability.ai该模型`
    LICENSE_GLUED,  # `cc-by-nc-sa-4.0StableLM-Tuned-Alpha`
    re.compile(r"^(?:软件|軟件|硬件|Software|Hardware)(?=[A-Z])"),  # heading glued to its paragraph
    re.compile(r"(?<=[.!?])\s+-\s+(?=[A-Z][\w()]*)"),  # `architecture. - Language(s): English`
]


HEADER_LABEL = re.compile(r"(?<=\S)(?:数据集|語言|语言|许可|許可|任务|任務|标签|標籤|模型)[:：]\s*$")
"""Mirror sites print Hub metadata as `label:` lines at the top; a value glued to the next label
(`ChatCombined语言:`) lost its line break. Only checked in that header, where labels are labels."""


def _header_lines(doc: Document) -> int:
    """Lines before the first sentence: the metadata header of a scrape."""
    for number, line in enumerate(doc.lines, start=1):
        if re.search(r"[。！？]|[.!?]\s", line):
            return number - 1
    return len(doc.lines)


@lint_rule(
    "lint-run-together",
    Severity.WARNING,
    "two sentences, list items or a label and its value run together without a break",
)
def run_together(doc: Document) -> Iterator[Hit]:
    """Two sentences, list items or a label and its value run together without a space or line break,
    where a scrape removed it. Put the break back."""
    header = _header_lines(doc)
    for number, column, text in _prose(doc):
        patterns = [*RUN_TOGETHER, HEADER_LABEL] if number <= header else RUN_TOGETHER
        for pattern in patterns:
            if match := pattern.search(text):
                context = text[max(0, match.start() - 12) : match.end() + 12]
                yield Hit(number, f"text run together: {context!r}", column + match.start())
                break


DANGLING = re.compile(rf"^[A-Za-z][\w .-]*\s(?:进行|進行|扩展的|擴展的|并且|並且)(?=[{CJK}\s])")


"""A name followed by a predicate that needs what came before it (`X 进行微调` "X undergoes fine-tuning"
is the tail of "we recommend that X undergoes..."): the sentence's head, often a link, was dropped."""


@lint_rule(
    "lint-dangling-fragment",
    Severity.WARNING,
    "a sentence that starts mid-clause: its beginning (often a label or link) was lost",
)
def dangling_fragment(doc: Document) -> Iterator[Hit]:
    """A sentence starts mid-clause: its beginning, often a label or a link, was lost in a scrape.
    Restore it from the original card."""
    yield from _prose_matches(doc, DANGLING, "sentence starts mid-clause ({match!r}); its beginning was lost")


@lint_rule(
    "lint-truncated", Severity.WARNING, "the card ends mid-sentence or on a colon: its end was cut off"
)
def truncated(doc: Document) -> Iterator[Hit]:
    """The card ends mid-sentence, on a colon or a comma: its end was cut off. Restore the rest from the
    original card."""
    last = next((n for n in range(len(doc.lines), 0, -1) if doc.line(n).strip()), None)
    if last is not None and last not in doc.code_lines and doc.line(last).rstrip().endswith((":", "：", ",")):
        yield Hit(last, "the card ends on an unfinished sentence; the rest was cut off")


FRONT_MATTER_KEY = re.compile(
    r"^(?:language|license|tags|datasets|model-index|library_name|pipeline_tag|base_model):"
)


@lint_rule(
    "lint-front-matter-flattened",
    Severity.ERROR,
    "Hub metadata without its `---` delimiters or indentation, so it no longer parses as intended",
)
def front_matter_flattened(doc: Document) -> Iterator[Hit]:
    """The README starts with Hub metadata keys (`license:`, `tags:`) but without the `---` lines around
    them, and maybe without their indentation, so the Hub reads no metadata and shows the keys as text.
    Restore the `---` block."""
    if doc.front_matter_lines or not doc.lines or not FRONT_MATTER_KEY.match(doc.lines[0]):
        return
    yield Hit(
        1, "YAML metadata at the top of the card has no `---` delimiters (and may have lost its nesting)"
    )


@lint_rule(
    "lint-front-matter-invalid",
    Severity.ERROR,
    "the `---` front matter is not a YAML mapping, so the Hub ignores the card's metadata",
)
def front_matter_invalid(doc: Document) -> Iterator[Hit]:
    """The `---` front matter does not load as a YAML mapping (a syntax error at the line given, a list,
    anchors or too deep nesting), so the Hub ignores the card's metadata. Fix the YAML."""
    if doc.front_matter_lines and doc.front_matter is None:
        line, why = doc.front_matter_problem or (1, "not a YAML mapping")
        yield Hit(line, f"front matter does not load as a YAML mapping ({why}); the Hub shows no metadata")
    elif not doc.front_matter_lines and opens_front_matter(doc.text):
        yield Hit(1, f"{NOT_A_BLOCK}; the Hub shows no metadata")
