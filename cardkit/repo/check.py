"""`cardkit check`: is this folder fit to be uploaded as a Hub model repo?

A repo folder is what the Hub will show, so the checks start from the README the Hub parses (front
matter, licence, languages, model-index) and the files a user's `from_pretrained` needs, then, when
the folder holds a card, reuse validate for everything the card claims and compare the README's
metadata with the card it should have been rendered from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cardkit.card.codes import FILE_NOT_UTF8, YAML_BOM
from cardkit.card.config_json import ConfigFile, read_config
from cardkit.card.paths import display_path
from cardkit.card.yaml_source import FieldPath, dotted_path
from cardkit.core.codes import Code, lookup
from cardkit.core.errors import UsageError
from cardkit.core.findings import CardReport, Finding
from cardkit.core.hub_ids import HUB_LICENSE_IDS
from cardkit.core.safe_io import UnreadableFile, read_bytes_bounded
from cardkit.readme.document import MAX_README_BYTES
from cardkit.readme.frontmatter import NOT_A_BLOCK, opens_front_matter, read_front_matter
from cardkit.readme.frontmatter import FrontMatter as ReadmeFrontMatter
from cardkit.repo.codes import (
    CHECK_CONFIG_MISSING,
    CHECK_FRONT_MATTER_INVALID,
    CHECK_FRONT_MATTER_MISSING,
    CHECK_LANGUAGE_CODE,
    CHECK_LICENSE_FILE_MISSING,
    CHECK_LICENSE_MISSING,
    CHECK_LICENSE_OTHER,
    CHECK_LICENSE_UNKNOWN,
    CHECK_LOCAL_PATH,
    CHECK_MODEL_INDEX,
    CHECK_README_CARD_MISMATCH,
    CHECK_README_MISSING,
    CHECK_README_UNREADABLE,
    CHECK_SECRET,
    CHECK_TOKENIZER_MISSING,
)
from cardkit.repo.eval_results import eval_results_agree

if TYPE_CHECKING:
    from cardkit.schema import Card

TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "vocab.json", "tokenizer_config.json")
"""Any one of these lets `AutoTokenizer.from_pretrained` find a tokenizer in the repo."""

LICENSE_FILES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "LICENCE.md", "LICENCE.txt")

SECRET_PATTERNS = {
    "Hugging Face token": re.compile(r"\bhf_[A-Za-z0-9]{30,}\b"),
    "OpenAI API key": re.compile(r"\bsk-(?:proj-)?[A-Za-z0-9_-]{32,}\b"),
    "AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "private key": re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"),
}
"""Credentials that leak into READMEs pasted from a notebook or a shell history."""

LOCAL_PATH = re.compile(
    r"(?<![\w/.~-])(?:/home/[^/\s\"'`]+/|/Users/[^/\s\"'`]+/|/root/|[A-Za-z]:\\Users\\[^\\\s]+\\)\S*"
)
"""A path on the author's own machine: it means nothing to a reader and names the author's account."""


@dataclass(frozen=True)
class CheckOptions:
    model: bool = True
    """Also run validate's config and meta-device checks on the folder's card (imports torch)."""
    card: Path | None = None
    """The card the README was rendered from; default: `card.yaml` in the folder, when present."""
    checkpoint: bool = False
    """Inventory the folder's safetensors/bin weights against the card's architecture."""


@dataclass
class FrontMatter:
    """The README's YAML header as the Hub reads it, with where each key sits in the README."""

    data: dict[str, Any]
    source: ReadmeFrontMatter
    display: str

    def finding(
        self,
        code: Code,
        message: str,
        path: FieldPath,
        expected: Any = None,
        actual: Any = None,
    ) -> Finding:
        line, column = self.source.position(path)
        return code.finding(
            message, self.display, line, column, dotted_path(path) or None, expected, actual
        )


def check_repo(folder: Path, options: CheckOptions = CheckOptions()) -> CardReport:
    """Every finding for one repo folder; raises UsageError when `folder` is not a folder."""
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder")
    if options.checkpoint and not options.model:
        raise UsageError("--checkpoint compares with the meta-device architecture; drop --no-model")
    readme = folder / "README.md"
    report = CardReport(display_path(readme))
    report.findings += _required_files(folder)
    front_matter = None
    config = _read_config(folder)
    if readme.is_file():
        text, findings = _read_readme(readme, report.path)
        report.findings += findings
        if text is not None:
            front_matter, findings = _front_matter(text, report.path)
            report.findings += findings
            report.findings += _leaks(text, report.path)
            report.findings += _lint(text, report.path, config, options.model)
    if front_matter is not None:
        report.findings += _hub_metadata(front_matter, folder)
        report.model_id = front_matter.data.get("model_name") or None
    card_path = options.card or folder / "card.yaml"
    if card_path.is_file():
        report.findings += _card_checks(card_path, folder, front_matter, report, options)
    elif config is not None:  # with a card, validate reports the config.json it names
        report.findings += config.findings
    return report


def _read_readme(readme: Path, display: str) -> tuple[str | None, list[Finding]]:
    """README text read bounded (a regular file of at most lint's MAX_README_BYTES); a byte-order
    mark is dropped and reported, and a file that cannot be read is a finding, not an exception."""
    try:
        raw = read_bytes_bounded(readme, MAX_README_BYTES)
    except UnreadableFile as exc:
        return None, [CHECK_README_UNREADABLE.finding(exc.reason, display, 1, 1)]
    findings: list[Finding] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        message = "README starts with a UTF-8 byte-order mark; save it without"
        findings.append(YAML_BOM.finding(message, display, 1, 1))
    try:
        return raw.decode("utf-8"), findings
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        message = f"byte {exc.start} is not valid UTF-8; save the README as UTF-8"
        return None, [*findings, FILE_NOT_UTF8.finding(message, display, line, 1)]


def _required_files(folder: Path) -> Iterator[Finding]:
    if not (folder / "README.md").is_file():
        yield CHECK_README_MISSING.finding(
            "no README.md: the Hub shows it as the model card and reads its front matter",
            display_path(folder / "README.md"),
        )
    if not (folder / "config.json").is_file():
        yield CHECK_CONFIG_MISSING.finding(
            "no config.json: transformers cannot build the model from this repo",
            display_path(folder / "config.json"),
        )
    if not any((folder / name).is_file() for name in TOKENIZER_FILES):
        yield CHECK_TOKENIZER_MISSING.finding(
            f"no tokenizer files ({', '.join(TOKENIZER_FILES)}): users cannot load this repo's tokenizer",
            display_path(folder),
        )


def _front_matter(text: str, display: str) -> tuple[FrontMatter | None, list[Finding]]:
    """The `---` block the Hub parses, split by the Hub's own pattern (cardkit.readme.frontmatter)."""
    loaded = read_front_matter(text, display)
    if loaded is None:
        if opens_front_matter(text):
            message = f"{NOT_A_BLOCK}; the Hub shows no metadata"
        else:
            message = "README has no YAML front matter (a `---` block on line 1): the Hub shows no metadata"
        return None, [CHECK_FRONT_MATTER_MISSING.finding(message, display, 1, 1)]
    findings = list(loaded.findings)
    if loaded.not_a_mapping is not None:
        line, message = loaded.not_a_mapping
        findings.append(CHECK_FRONT_MATTER_INVALID.finding(message, display, line, 1))
    if loaded.data is None:
        return None, findings
    return FrontMatter(loaded.data, loaded, display), findings


def _hub_metadata(fm: FrontMatter, folder: Path) -> Iterator[Finding]:
    yield from _license(fm, folder)
    yield from _languages(fm)
    yield from _model_index(fm)


def _license(fm: FrontMatter, folder: Path) -> Iterator[Finding]:
    license_id = fm.data.get("license")
    if license_id is None:
        yield fm.finding(CHECK_LICENSE_MISSING, "front matter has no `license`", ())
        return
    if not isinstance(license_id, str) or license_id not in HUB_LICENSE_IDS:
        message = f"license {license_id!r} is not a Hub licence id; use a Hub id or `other`"
        yield fm.finding(CHECK_LICENSE_UNKNOWN, message, ("license",), actual=license_id)
        return
    if license_id == "other":
        for key in ("license_name", "license_link"):
            if not fm.data.get(key):
                message = f"license `other` needs `{key}` so the Hub can name and link the licence"
                yield fm.finding(CHECK_LICENSE_OTHER, message, ("license",))
        if not any((folder / name).is_file() for name in LICENSE_FILES):
            message = "license `other`: ship the licence text as LICENSE in the repo"
            yield fm.finding(CHECK_LICENSE_FILE_MISSING, message, ("license",))


def _languages(fm: FrontMatter) -> Iterator[Finding]:
    from babel import Locale  # lazy: locale data is only needed here

    languages: Any = fm.data.get("language")
    if languages is None:
        return
    values = languages if isinstance(languages, list) else [languages]
    known = {code for code in Locale("en").languages if isinstance(code, str) and "_" not in code}
    for index, code in enumerate(values):
        path: FieldPath = ("language", index) if isinstance(languages, list) else ("language",)
        if not isinstance(code, str) or code not in known:
            message = f"language {code!r} is not an ISO 639-1/639-3 code (e.g. `en`, `zh`)"
            yield fm.finding(CHECK_LANGUAGE_CODE, message, path, actual=code)


def _model_index(fm: FrontMatter) -> Iterator[Finding]:
    from huggingface_hub.repocard_data import model_index_to_eval_results

    model_index = fm.data.get("model-index")
    if model_index is None:
        return
    try:
        _, results = model_index_to_eval_results(model_index)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        message = f"model-index is not in the Hub's shape ({type(exc).__name__}: {exc})"
        yield fm.finding(CHECK_MODEL_INDEX, message, ("model-index",))
        return
    for index, result in enumerate(results):
        if not isinstance(result.metric_value, int | float) or isinstance(result.metric_value, bool):
            message = f"metric value {result.metric_value!r} of {result.dataset_name} is not a number"
            yield fm.finding(CHECK_MODEL_INDEX, message, ("model-index", 0, "results", index))


def _lint(text: str, display: str, config: ConfigFile | None, model: bool) -> list[Finding]:
    """Everything `cardkit lint --config` finds in the README, with the folder's config.json."""
    from cardkit.lint.engine import lint_text  # lazy: lint rules
    from cardkit.validate.facts_cache import reading_for

    data = config.data if config else None
    reading = reading_for(config, model) if config and data is not None else None
    findings = lint_text(text, display, data, reading=reading).findings
    # Lint rules whose ground check_repo covers itself, with the Hub's rules for front matter; looked
    # up in the registry (lint is loaded now), so a renamed or removed rule fails loudly.
    covered = {lookup("lint-front-matter-invalid"), lookup("lint-front-matter-flattened")}
    return [f for f in findings if f.code not in covered]


def _read_config(folder: Path) -> ConfigFile | None:
    """The folder's config.json as validate reads it (bounded, NaN, infinity and duplicate keys
    located by line); None when there is none (check-config-missing says so)."""
    path = folder / "config.json"
    return read_config(path, display_path(path)) if path.is_file() else None


def _leaks(text: str, display: str) -> Iterator[Finding]:
    for number, line in enumerate(text.split("\n"), start=1):
        for kind, pattern in SECRET_PATTERNS.items():
            if match := pattern.search(line):
                message = f"looks like a {kind}; revoke it and remove it from the README and its history"
                yield CHECK_SECRET.finding(message, display, number, match.start() + 1)
        if match := LOCAL_PATH.search(line):
            message = f"absolute path on the author's machine {match.group()!r}; use a repo-relative path"
            yield CHECK_LOCAL_PATH.finding(message, display, number, match.start() + 1)


def _card_checks(
    card_path: Path, folder: Path, fm: FrontMatter | None, report: CardReport, options: CheckOptions
) -> list[Finding]:
    """Validate the card (and the weights when asked), then hold the README to it."""
    from cardkit.validate.options import ValidateOptions
    from cardkit.validate.pipeline import validate_card

    checkpoint = folder if options.checkpoint else None
    card_report = validate_card(card_path, ValidateOptions(model=options.model, checkpoint=checkpoint))
    report.model_id = card_report.model_id
    report.parameters = card_report.parameters
    report.runtime = card_report.runtime
    findings = list(card_report.findings)
    if card_report.has_errors:
        return findings  # a README cannot be held to a card that is itself wrong
    from cardkit.card.load import CheckedCard, load_card

    loaded = load_card(card_path)
    if isinstance(loaded, CheckedCard):
        if fm is not None:
            findings += _readme_agrees_with_card(fm, loaded.card)
        findings += _rendered_readmes_are_current(loaded.card, folder)
        readme = folder / "README.md" if fm is not None else None
        findings += eval_results_agree(card_path, loaded.card, folder, readme)
    return findings


MAX_RENDERED_BYTES = 4 * 1024 * 1024
"""A README cardkit rendered is a few kilobytes; one past 4 MiB is not compared with the card."""


def _rendered_readmes_are_current(card: Card, folder: Path) -> list[Finding]:
    """A README cardkit rendered (it carries the hash marker, even if edited since) must be what
    the card renders today.

    README.md may be the English or the bilingual layout; a README written by hand (no marker) is
    held to the card only through its metadata.
    """
    from cardkit.render import check_readme, render_layouts, written_by_cardkit

    texts = render_layouts(card, ["en", "en+zh", "zh", "zh-Hant"])
    candidates = {"README.md": ("en", "en+zh"), "README_zh.md": ("zh",), "README_zh-Hant.md": ("zh-Hant",)}
    findings: list[Finding] = []
    for name, layouts in candidates.items():
        target = folder / name
        if not target.is_file():
            continue
        try:
            existing = read_bytes_bounded(target, MAX_RENDERED_BYTES).decode("utf-8", errors="replace")
        except UnreadableFile as exc:
            reason = exc.reason
            findings.append(CHECK_README_UNREADABLE.finding(reason, display_path(target)))
            continue
        if not written_by_cardkit(existing) or existing in (texts[lay] for lay in layouts):
            continue
        findings += check_readme(target, texts[layouts[0]], layouts[0])
    return findings


def _readme_agrees_with_card(fm: FrontMatter, card: Card) -> Iterator[Finding]:
    """The README is published from the card: every fact both state must be the same fact."""
    pairs: list[tuple[FieldPath, Any, Any]] = [
        (("license",), card.license.id, fm.data.get("license")),
        (("base_model",), card.identity.base_model, fm.data.get("base_model")),
    ]
    card_datasets = sorted(d.id for d in card.training.published_datasets if d.id)
    if card_datasets:
        pairs.append((("datasets",), card_datasets, sorted(_as_list(fm.data.get("datasets")))))
    languages = _as_list(fm.data.get("language"))
    missing_languages = [code for code in card.identity.languages if code not in languages]
    if missing_languages:
        pairs.append((("language",), sorted({*languages, *missing_languages}), sorted(languages)))
    for path, expected, actual in pairs:
        if expected is not None and expected != actual:
            message = f"README says {actual!r}, the card says {expected!r}; render the README again"
            yield fm.finding(CHECK_README_CARD_MISMATCH, message, path, expected, actual)
    yield from _eval_values_agree(fm, card)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _eval_values_agree(fm: FrontMatter, card: Card) -> Iterator[Finding]:
    from huggingface_hub.repocard_data import model_index_to_eval_results

    if card.evaluation is None or not card.evaluation.results:
        return
    try:
        _, published = model_index_to_eval_results(fm.data.get("model-index") or [])
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return  # already reported as check-model-index
    by_key = {(r.dataset_type, r.metric_type, r.dataset_config, r.dataset_split): r for r in published}
    for result in card.evaluation.results:
        key = (result.dataset.type, result.metric.type, result.dataset.config, result.dataset.split)
        found = by_key.get(key)
        if found is None:
            message = (
                f"card result {result.id!r} ({result.dataset.type}, {result.metric.type}) "
                "is not in the model-index"
            )
            yield fm.finding(
                CHECK_README_CARD_MISMATCH, message, ("model-index",), result.metric.value
            )
        elif found.metric_value != result.metric.value:
            message = (
                f"model-index gives {found.metric_value} for {result.dataset.type}/{result.metric.type}, "
                f"the card {result.metric.value}"
            )
            yield fm.finding(
                CHECK_README_CARD_MISMATCH,
                message,
                ("model-index",),
                result.metric.value,
                found.metric_value,
            )


def check_paths(folders: list[Path], options: CheckOptions = CheckOptions()) -> list[CardReport]:
    return [check_repo(folder, options) for folder in folders]
