"""The draft's identity and licence: repo id, name, developer, languages, tags and base model, and
the licence id, name and link, from front matter first, then from what the README's text states.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from cardkit.core.hub_ids import HUB_LICENSE_IDS
from cardkit.importing.draft import Draft, as_items, as_text, prose_text, todo, todo_text
from cardkit.readme.claims import display_name, licence, prose_sections, section_bodies, title_text
from cardkit.readme.document import Document
from cardkit.readme.identity import MIRROR_OWNERS


def repo_from_snippets(doc: Document) -> str | None:
    """The repository the card's own snippets load most often (they state it; nothing is guessed);
    a mirror's copy (`modelscope/...`) is not the repository the card describes."""
    loaded = Counter(
        repo
        for block in doc.code_blocks
        for repo in re.findall(r"""from_pretrained\(\s*["']([\w.-]+/[\w.-]+)["']""", block.text)
        if repo.split("/")[0].lower() not in MIRROR_OWNERS
    )
    return loaded.most_common(1)[0][0] if loaded else None


def draft_identity(doc: Document, meta: dict[str, Any]) -> Draft:
    languages = [t for t in map(as_text, as_items(meta.get("language")) or [meta.get("language")]) if t]
    developer = _developer(doc.text)
    name = display_name(doc)
    identity: Draft = {
        "repo_id": doc.repo_id or todo("Hub repo id, owner/name"),
        "name": name or todo("display name"),
        "developer": developer.group(1).strip()
        if developer
        else _summary_developer(doc) or todo("organisation that built the model"),
        "family": todo("model family, e.g. StableLM"),
        "variant": _variant(name, doc.repo_id) or _stated_base(doc) or todo("base | instruct | chat"),
        "languages": languages or todo("ISO 639 codes"),
    }
    if contact := _contact_section(doc):
        identity["contact"] = contact
    elif contact_match := re.search(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", prose_text(doc)):
        identity["contact"] = contact_match.group(0)
    if isinstance(meta.get("base_model"), str):
        identity["base_model"] = meta["base_model"]
    if tags := [t for t in map(as_text, as_items(meta.get("tags"))) if t is not None]:
        identity["tags"] = tags
    return identity

ORG_WORD = r"[A-Z][\w&-]*(?:\.[\w&-]+)*"
BUILT_BY = re.compile(
    rf"\b(?:built|developed|created|released|proposed) by (?:the )?\[?({ORG_WORD}(?: {ORG_WORD}){{0,3}})"
)
ZH_WORD = r"[^\s\[\]()，。、（）]{1,12}"
BUILT_BY_ZH = re.compile(
    rf"是\s*\[?({ZH_WORD}(?: {ZH_WORD})?)(?:\]\([^()\s]{{0,300}}\))?\]?\s*(?:研发|推出|开发|发布|从零训练)的"
)
"""`Falcon-7B is a ... model built by TII`, `Qwen-7B是阿里云研发的`: the developer the summary names."""


def _summary_developer(doc: Document) -> str | None:
    """The organisation the summary (or the text under the title) says built the model: the English
    text's, else the Chinese text's; two different names in one language leave it TODO."""
    sources = (title_text(doc), prose_sections(doc).get("summary", {}))
    for lang, pattern in (("en", BUILT_BY), ("zh", BUILT_BY_ZH)):
        names = {m.group(1).strip() for texts in sources for m in pattern.finditer(texts.get(lang, ""))}
        if len(names) == 1:
            return names.pop()
        if names:
            return None
    return None


VARIANT_WORDS = {"chat": "chat", "instruct": "instruct", "base": "base"}


def _variant(name: str | None, repo_id: str | None) -> str | None:
    """`Qwen-7B-Chat`, `glm-4-9b-chat`: the variant the name's last word states. Both the name and
    the repo's, where both exist, must say the same (`ChatGLM3-6B` says nothing)."""
    words = {
        VARIANT_WORDS.get(re.split(r"[-_ ]", text)[-1].lower())
        for text in (name, repo_id.split("/")[-1] if repo_id else None)
        if text
    }
    return words.pop() if len(words) == 1 else None


BASE_MODEL = re.compile(r"\bis a (?:raw, )?pretrained (?:base )?model\b", re.I)
"""`This is a raw, pretrained model`, `X is a pretrained base model`: the card says it is a base model."""


def _stated_base(doc: Document) -> str | None:
    return "base" if BASE_MODEL.search(prose_text(doc)) else None


CONTACT_HEADING = re.compile(r"^(?:(?:model card )?contact(?: us)?|模型卡联系方式|联系方式|联系我们)$", re.I)
CONTACT = re.compile(r"<?(https://[^\s<>]{1,500}|[\w.+-]{1,100}@[\w.-]{1,100}\.[a-z]{2,})>?")


def _contact_section(doc: Document) -> str | None:
    """A contact section whose whole text is one address: `<https://...>` or an email."""
    for _, heading, body in section_bodies(doc):
        if CONTACT_HEADING.match(heading.replace("*", "").strip()):
            lines = [line.strip() for line in body if line.strip() and not line.strip().startswith("<!--")]
            if len(lines) == 1 and (match := CONTACT.fullmatch(lines[0])):
                return match.group(1)
    return None


DEVELOPER_LABEL = re.compile(r"Developed by|Model Developers")

DEVELOPER_NAME = re.compile(r"\**+[:\s]++\**+\s*+([A-Z][\w .()-]++)\s*$", re.M)

MAX_DEVELOPER_LABELS = 20
"""The name is tried after the first 20 labels only: each try reads to the end of its line, and a
line of `Developed by Developed by ...` would otherwise cost labels x line length."""


def _developer(text: str) -> re.Match[str] | None:
    """`Developed by: Stability AI` (the name may sit on the next line); group 1 is the name."""
    for index, label in enumerate(DEVELOPER_LABEL.finditer(text)):
        if index == MAX_DEVELOPER_LABELS:
            break
        if match := DEVELOPER_NAME.match(text, label.end()):
            return match
    return None

LICENSE_NAMES = {
    r"apache(?: license)?,? (?:version )?2\.0": "apache-2.0",
    r"cc by-sa-4\.0|cc-by-sa-4\.0": "cc-by-sa-4.0",
    r"cc by-nc-sa-4\.0|cc-by-nc-sa-4\.0": "cc-by-nc-sa-4.0",
    r"\bmit license\b": "mit",
}

LICENSE_FULL_NAMES = {
    "apache-2.0": "Apache License 2.0",
    "mit": "MIT License",
    "cc-by-sa-4.0": "Creative Commons Attribution-ShareAlike 4.0",
    "cc-by-nc-sa-4.0": "Creative Commons Attribution-NonCommercial-ShareAlike 4.0",
}


def _licence_name(license_id: str | None) -> str | None:
    """The standard name of a standard id. The Hub's `license_name` of an `other` licence is a slug
    (`stabilityai-non-commercial-research-community-license`), not the name a reader sees: the name
    comes from the README's licence row (`importing.labelled`), or stays TODO."""
    return LICENSE_FULL_NAMES.get(license_id or "")


def draft_license(doc: Document, meta: dict[str, Any]) -> Draft:
    stated = meta.get("license")
    license_id = stated if isinstance(stated, str) and stated in HUB_LICENSE_IDS else None
    link = meta.get("license_link")
    if license_id is None:
        for index, line in enumerate(doc.lines[:12]):  # a mirror's `许可:` label, value on the next line
            if re.search(r"(?:许可|license)[:：]\s*$", line, re.I) and index + 1 < len(doc.lines):
                following = doc.lines[index + 1]
                license_id = next(
                    (i for i in sorted(HUB_LICENSE_IDS, key=len, reverse=True) if following.startswith(i)),
                    None,
                )
    hint = ""
    if license_id is None:
        license_id, hint = licence(doc, LICENSE_NAMES)
    return {
        "id": license_id or todo(f"Hub licence id, or `other` with a url{hint}"),
        "name": _licence_name(license_id) or todo("full licence name"),
        **({"url": link} if license_id == "other" and isinstance(link, str) and link.startswith("https://")
           else {}),
        "commercial_use": todo_text("whether and how commercial use is allowed"),
    }
