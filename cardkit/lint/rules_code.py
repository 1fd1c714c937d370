"""Rules about the card's code: snippets must parse, load this repository and need no remote code.

A snippet is what a reader copies first, so a broken one costs every reader; these rules check the
code as written (never run it): `ast.parse` for syntax, string literals for repository ids.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator

from cardkit.core.citation import bibtex_problems
from cardkit.core.findings import Severity
from cardkit.core.python_snippet import SnippetError, parse_snippet
from cardkit.core.text_patterns import TRUST_REMOTE
from cardkit.lint.registry import Hit, lint_rule
from cardkit.readme.claims import MAX_BIBTEX_ENTRIES
from cardkit.readme.document import CodeBlock, Document, bibtex_entries
from cardkit.readme.identity import DATASET_LOAD, MIRROR_OWNERS, MIRROR_SUFFIX, NAMED_IN_CODE, QUANTISED


def _python(doc: Document) -> Iterator[CodeBlock]:
    return (block for block in doc.code_blocks if block.language == "python")


@lint_rule(
    "lint-snippet-flattened",
    Severity.ERROR,
    "a code snippet was run together onto one line (newlines lost), so it no longer runs",
)
def snippet_flattened(doc: Document) -> Iterator[Hit]:
    """Several statements of a code block stand on one line: the snippet's newlines were lost on
    the way (a scrape, a paste through a form), so it no longer runs as written. Restore the line breaks
    from the original card."""
    for block in _python(doc):
        if block.flattened:
            yield Hit(
                block.start, "several statements run together on one line: the snippet's newlines were lost"
            )


@lint_rule(
    "lint-snippet-run-together",
    Severity.ERROR,
    "a code snippet runs straight into the next snippet or into prose on the same line",
)
def snippet_run_together(doc: Document) -> Iterator[Hit]:
    """A code block runs straight into the next block or into prose on the same line, where a scrape
    removed the break between them. Readers copying it get both. Put the break back."""
    for line, column in doc.code_breaks:
        glued = doc.line(line)[max(0, column - 16) : column + 16]
        yield Hit(line, f"code runs into the following text: {glued!r}", column + 1)


@lint_rule("lint-snippet-syntax", Severity.ERROR, "a Python snippet does not parse")
def snippet_syntax(doc: Document) -> Iterator[Hit]:
    """A Python code block does not parse, at the line given; readers who copy it get an error at
    once. Snippets are parsed, never run, and bounded (100,000 characters, nesting of 100 brackets).
    Fix the code."""
    for block in _python(doc):
        if block.flattened:
            continue
        try:
            parse_snippet(_dedent(block.text))
        except SnippetError as exc:
            yield Hit(block.start + max(0, exc.line - 1), f"snippet does not parse as Python: {exc.message}")


def _dedent(code: str) -> str:
    return textwrap.dedent(code)


def _loaded_repos(block: CodeBlock) -> Iterator[tuple[int, str]]:
    """(line, repo) for every repo a snippet loads: `from_pretrained`, `snapshot_download`,
    `hf_hub_download`, `pipeline`, `model_id = ...`, a shell `--model owner/name`; datasets skipped."""
    text = block.text  # joined once: the property joins the lines on every use
    line, counted = block.start, 0  # lines counted on from the previous match, not from the top each time
    for match in NAMED_IN_CODE.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        repo = next(group for group in match.groups() if group)
        tail = text[match.end() : match.end() + 200].split(")")[0]
        if "/" in repo and not repo.startswith((".", "/")) and not DATASET_LOAD.search(tail):
            yield line, repo


def _normalised_name(repo: str) -> str:
    return MIRROR_SUFFIX.sub("", repo.split("/")[-1]).lower()


def _repo_problem(loaded: str, card: str) -> str | None:
    """Which of the repo rules `loaded` breaks for a card published as `card`, if any."""
    if loaded == card:
        return None
    owner = loaded.split("/")[0].lower()
    if loaded.lower() == card.lower():
        return "case"
    if _normalised_name(loaded) == _normalised_name(card) and (
        owner in MIRROR_OWNERS or loaded.lower().endswith("-ms")
    ):
        return "mirror"
    if owner == card.split("/")[0].lower() and QUANTISED.sub("", loaded) == card:
        return None  # the card's own quantised copy (`-Int4`, `-4bits`): the same model, on purpose
    return "other"


def _problem_in(doc: Document, repo: str) -> tuple[str, str] | None:
    """(rule, the repo it should be) for a loaded repo: against the card's id; in a family card
    against the member it spells differently, a sibling being no defect; without an id, only a
    spelling that differs in case from how the card spells that repo elsewhere."""
    identity = doc.identity
    usual = identity.spelling(repo)
    if doc.repo_id is not None and (problem := _repo_problem(repo, doc.repo_id)) != "other":
        return (problem, doc.repo_id) if problem else None
    if usual != repo:
        return "case", usual
    if doc.repo_id is None or identity.is_member(repo):
        return None
    if _normalised_name(repo) == _normalised_name(doc.repo_id):
        # the same model under another owner: a mirror when the card also names its own repo, else a
        # card written for that host (a ModelScope card loading ZhipuAI/x for the Hub's THUDM/x)
        return ("mirror", doc.repo_id) if identity.named[doc.repo_id] else None
    return "other", doc.repo_id


def _repo_hits(doc: Document, wanted: str) -> Iterator[Hit]:
    seen: set[int] = set()
    for block in doc.code_blocks:
        for line, repo in _loaded_repos(block):
            problem = _problem_in(doc, repo)
            if line in seen or problem is None or problem[0] != wanted:
                continue
            seen.add(line)
            whose = "this card's" if problem[1] == doc.repo_id else "the card's usual spelling"
            yield Hit(
                line,
                f"snippet loads {repo!r}, not {whose} {problem[1]!r}",
                expected=problem[1],
                actual=repo,
            )


@lint_rule("lint-snippet-repo", Severity.ERROR, "a snippet loads a different repository than the card's")
def snippet_repo(doc: Document) -> Iterator[Hit]:
    """A snippet's `from_pretrained` loads another repository than the card's own (a copy from a sibling
    model's card, or another size), so readers would download the wrong model. Use the card's repo id."""
    yield from _repo_hits(doc, "other")


@lint_rule(
    "lint-snippet-repo-case",
    Severity.WARNING,
    "a snippet loads the card's repository in other letter case (the Hub redirects; caches and links break)",
)
def snippet_repo_case(doc: Document) -> Iterator[Hit]:
    """A snippet loads the card's repository in other letter case. The Hub redirects it, but caches,
    links and exact-match tools treat it as another name. Write the repo id as the Hub spells it."""
    yield from _repo_hits(doc, "case")


@lint_rule(
    "lint-mirror-repo",
    Severity.ERROR,
    "a snippet loads a mirror of the card's repository (e.g. a ModelScope copy) instead of the Hub original",
)
def mirror_repo(doc: Document) -> Iterator[Hit]:
    """A snippet loads a mirror's copy of the card's repository (a ModelScope or proxy id) instead of the
    Hub original, as cards copied through mirrors are rewritten. Load the original repo id."""
    yield from _repo_hits(doc, "mirror")


@lint_rule(
    "lint-snippet-remote-code",
    Severity.WARNING,
    "a snippet sets `trust_remote_code=True` for a model_type transformers supports natively",
)
def snippet_remote_code(doc: Document) -> Iterator[Hit]:
    """A snippet sets `trust_remote_code=True` although transformers implements the model's
    `model_type` natively (config.json's, asked of the installed transformers: needs `--config` and
    the model extra, and is not asked with `--no-model`). The flag runs Python code from the
    repository on the reader's machine for nothing. Drop it."""
    if doc.model_type is None or doc.reading.native is not True:
        return
    for block in _python(doc):
        for match in TRUST_REMOTE.finditer(block.text):
            yield Hit(
                block.start + block.text.count("\n", 0, match.start()),
                f"trust_remote_code=True runs repository code, but transformers supports "
                f"{doc.model_type!r} natively; drop it",
            )
            break


BIBTEX_FIELD = re.compile(r"\b(primaryclass|archiveprefix|eprint|year)\s*=\s*[{\"]([^{}\"\n]{0,2000})", re.I)
FIELD_FORMS = {
    "primaryclass": (re.compile(r"[a-z-]+(?:\.[A-Za-z-]+)?"), "an arXiv category such as cs.CL"),
    "archiveprefix": (re.compile(r"arXiv", re.I), "arXiv"),
    "eprint": (
        re.compile(r"\d{4}\.\d{4,5}(?:v\d+)?|[a-z-]+(?:\.[A-Z]{2})?/\d{7}"),
        "an arXiv id such as 2406.12793",
    ),
    "year": (re.compile(r"\d{4}"), "a four-digit year"),
}
"""Fields whose form is fixed: a value copied from an API object's repr (`primaryClass={id='cs.CL'
full_name=...}`) parses as BibTeX but is not a category any reference manager understands."""


def field_problems(entry: str) -> Iterator[tuple[int, str]]:
    """(offset in the entry, why) for each arXiv/year field whose value has not the field's form."""
    for match in BIBTEX_FIELD.finditer(entry):
        name, value = match.group(1).lower(), match.group(2).strip()
        form, what = FIELD_FORMS[name]
        if not form.fullmatch(value):
            yield match.start(), f"{match.group(1)} is {value[:40]!r}, not {what}"


MARKDOWN_LINK = re.compile(r"\[[^\[\]]*+\]\(https?://[^\s()\[\]]*+\)")
"""Link text and URL stop at the next bracket: "anything but `]`" let each `[` of `[[[[` scan to the end."""


@lint_rule(
    "lint-citation-invalid",
    Severity.ERROR,
    "a BibTeX entry does not parse, lacks title/author/year, or holds Markdown instead of a plain URL",
)
def citation_invalid(doc: Document) -> Iterator[Hit]:
    """A BibTeX entry does not parse, lacks its title, author or year, has a malformed field (an arXiv
    id, eprint or URL), or holds a Markdown link instead of a plain URL, so citation managers reject
    it. The first 50 entries are checked. Fix the entry."""
    for index, (offset, entry) in enumerate(bibtex_entries(doc.text)):
        if index == MAX_BIBTEX_ENTRIES:
            yield Hit(
                doc.line_of(offset),
                f"more than {MAX_BIBTEX_ENTRIES} BibTeX entries; entries from here on were not checked",
            )
            return
        for where, problem in field_problems(entry):
            yield Hit(doc.line_of(offset + where), f"BibTeX field: {problem}")
        problems = bibtex_problems(entry)
        if MARKDOWN_LINK.search(entry):
            problems.append("a field holds a Markdown link, not a plain URL")
        if problems:
            yield Hit(doc.line_of(offset), f"BibTeX entry: {'; '.join(problems)}")
