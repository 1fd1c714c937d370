"""Which repository a README is about: stated, inferred from what it names, or a family of several.

A card states its repo id in few places: config.json's `_name_or_path`, a mirror's `模型:` label, or
the snippets and Hub links whose name is the card's title. A GitHub README often describes a whole
family (sizes, chat and base, quantised copies); there "this repo" is every member, and loading a
sibling is the point of the snippet, not a defect. What is not stated stays unknown (None).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cardkit.readme.document import Document

MIRROR_OWNERS = frozenset({"modelscope", "ai-modelscope"})
MIRROR_SUFFIX = re.compile(r"-(?:hf|ms)$", re.IGNORECASE)
REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*$")
LABELLED_REPO = re.compile(r"^(?:模型|Model|model)\s*[:：]\s*$")
NAMED_IN_CODE = re.compile(
    r"""(?:from_pretrained|snapshot_download|hf_hub_download|pipeline)\(\s*(?:model\s*=\s*)?["']"""
    r"""([A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*)["']|"""
    r"""\b(?:model|model_id|model_name|model_path|checkpoint|repo_id|base_model)\s*=\s*["']"""
    r"""([A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*)["']|"""
    r"""--model[= ]+([A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*)"""
)
"""Repo ids a snippet loads: transformers, huggingface_hub, pipelines, assignments, `--model` flags."""
HUB_LINK = re.compile(
    r"(?:huggingface\.co|hf\.co|modelscope\.cn/models|wisemodel\.cn/models)/"
    r"(?!datasets/|spaces/|docs/|blog/|papers/)([A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*)"
)
DATASET_LOAD = re.compile(r"""repo_type\s*=\s*["']dataset["']""")
QUANTISED = re.compile(
    r"[-_.](?:int[48]|[48]bits?|gptq|awq|gguf|fp8|bnb|exl2|mlx|onnx|1m)(?:[-_.]\w+)?$", re.IGNORECASE
)
"""A quantised or long-context copy of a model (`-Int4`, `-4bits`, `-AWQ`, `-1M`) is the same model."""
MAX_TITLE_CHARS = 200
"""A title is a few words; only its first 200 characters are matched against each named repo, so a
crafted one-line README costs repos x 200, not repos x its length."""
MIN_FAMILY_MEMBERS = 3
"""A README that names three or more model repos of one owner describes a family, not one model."""


def normalised(name: str) -> str:
    return re.sub(r"[\s_.]+", "-", MIRROR_SUFFIX.sub("", name.split("/")[-1])).lower()


@dataclass
class Identity:
    """The repo ids a README names (with how often each spelling occurs) and what it is about."""

    named: Counter[str] = field(default_factory=Counter)
    linked: set[str] = field(default_factory=set)
    """Spellings from Hub links: copied from the address bar, so the repo's own letter case."""
    family: list[str] = field(default_factory=list)
    """The members when the README describes several repos (declared or recognised), else empty."""
    _by_lower: dict[str, list[str]] | None = field(default=None, repr=False)
    _owners: set[str] | None = field(default=None, repr=False)

    def spelling(self, repo: str) -> str:
        """The card's usual spelling of `repo` (letter case aside): a Hub link's, else the most
        frequent one; `repo` itself when no other spelling is more trustworthy."""
        if self._by_lower is None:  # built once: a lookup per loaded repo must not scan every name
            self._by_lower = {}
            for name in self.named:
                self._by_lower.setdefault(name.lower(), []).append(name)
        spellings = self._by_lower.get(repo.lower(), [])
        same = [(name in self.linked, self.named[name], name) for name in spellings]
        best = max(same) if same else (False, 0, repo)
        mine = (repo in self.linked, self.named[repo], repo)
        return best[2] if best[:2] > mine[:2] else repo

    def is_member(self, repo: str) -> bool:
        if self._owners is None:
            self._owners = {member.split("/")[0].lower() for member in self.family}
        return repo.split("/")[0].lower() in self._owners


def hub_links(doc: Document) -> set[str]:
    return {match.group(1).rstrip(".") for match in HUB_LINK.finditer(doc.text)}


def named_repos(doc: Document) -> Counter[str]:
    """Every model repo id the README names in its code or its Hub links (datasets excluded)."""
    found: Counter[str] = Counter()
    for block in doc.code_blocks:
        text = block.text
        for match in NAMED_IN_CODE.finditer(text):
            tail = text[match.end() : match.end() + 200].split(")")[0]
            if not DATASET_LOAD.search(tail):
                found[next(g for g in match.groups() if g)] += 1
    for match in HUB_LINK.finditer(doc.text):
        found[match.group(1).rstrip(".")] += 1
    return found


def family_members(named: Counter[str]) -> list[str]:
    """Repos of the one owner the README names at least MIN_FAMILY_MEMBERS models of (quantised
    copies counted with their model), or [] when it names fewer."""
    by_owner: dict[str, set[str]] = {}
    for repo in named:
        owner = repo.split("/")[0].lower()
        if owner not in MIRROR_OWNERS:
            by_owner.setdefault(owner, set()).add(QUANTISED.sub("", normalised(repo)))
    family = max(by_owner, key=lambda o: len(by_owner[o]), default=None)
    if family is None or len(by_owner[family]) < MIN_FAMILY_MEMBERS:
        return []
    return sorted(repo for repo in named if repo.split("/")[0].lower() == family)


def title(doc: Document) -> str:
    """The card's own title: the first heading, else the first prose line."""
    if doc.headings:
        return doc.headings[0][1]
    return next((s.text for s in doc.prose if s.text.strip()), "")


def inferred_repo_id(doc: Document, named: Counter[str]) -> str | None:
    """A named repo whose name the title states (`# Qwen-7B-Chat`, `Model Card for Mistral-7B-v0.1`);
    a mirror's copy is never the card's repository. None when no name or more than one fits."""
    heading = "-" + re.sub(r"[\s_.*:：]+", "-", title(doc)[:MAX_TITLE_CHARS]).lower() + "-"
    fits = {
        repo
        for repo in named
        if repo.split("/")[0].lower() not in MIRROR_OWNERS
        and not MIRROR_SUFFIX.search(repo)
        and f"-{normalised(repo)}-" in heading
    }
    longest = max((len(normalised(r)) for r in fits), default=0)
    fits = {r for r in fits if len(normalised(r)) == longest}
    if len({r.lower() for r in fits}) != 1:
        return None
    return max(fits, key=lambda r: named[r])


def declared_repo_id(doc: Document) -> str | None:
    """The repo the card says it is: config's `_name_or_path`, a `模型:` label, front matter."""
    name = (doc.config or {}).get("_name_or_path")
    if isinstance(name, str) and REPO_ID.match(name):
        return name
    for index, line in enumerate(doc.lines[:10]):
        if LABELLED_REPO.match(line) and index + 1 < len(doc.lines):
            candidate = doc.lines[index + 1].strip()
            if REPO_ID.match(candidate):
                return candidate
    for key in ("model_id", "repo_id"):
        value = (doc.front_matter or {}).get(key)
        if isinstance(value, str) and REPO_ID.match(value):
            return value
    return None


def read_identity(doc: Document, repo_id: str | None, family: bool) -> None:
    """Set `doc.repo_id` and `doc.identity`: a given id first, then a stated one, then the title's;
    a family card (recognised, or declared with `family`) lists its members beside it."""
    named = named_repos(doc)
    members = family_members(named)
    if family and not members:
        members = sorted(r for r in named if r.split("/")[0].lower() not in MIRROR_OWNERS)
    doc.identity = Identity(named, hub_links(doc), members)
    doc.repo_id = repo_id or declared_repo_id(doc) or inferred_repo_id(doc, named)
