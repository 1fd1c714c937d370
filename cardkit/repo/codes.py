"""Finding codes of `cardkit check`: a repository folder's Hub readiness before upload.

Declared once in `cardkit.core.codes`' registry; `cardkit explain CODE` prints the explanation.
"""

from __future__ import annotations

from cardkit.core.codes import ERROR, WARNING, declare

CHECK_README_MISSING = declare(
    "check-readme-missing",
    ERROR,
    "the repo folder has no README.md",
    """
    The Hub shows README.md as the model card and reads its front matter for the licence, tags
    and evaluation results; a repo without one has neither. Render it from the card with
    `cardkit render`.
    """,
)
CHECK_CONFIG_MISSING = declare(
    "check-config-missing",
    ERROR,
    "the repo folder has no config.json",
    """
    transformers builds the model from config.json; without it `from_pretrained` cannot load the
    repo. Add the model's config.json.
    """,
)
CHECK_TOKENIZER_MISSING = declare(
    "check-tokenizer-missing",
    WARNING,
    "no tokenizer file (`tokenizer.json`, `tokenizer.model`, `vocab.json`, `tokenizer_config.json`)",
    """
    Users load the tokenizer from the same repo; with none of its files there, AutoTokenizer fails.
    Add the tokenizer files (`tokenizer.save_pretrained`).
    """,
)
CHECK_README_UNREADABLE = declare(
    "check-readme-unreadable",
    ERROR,
    "README.md is over 1 MiB or not a regular file, so it was not read",
    """
    cardkit reads only regular files, bounded in size: a README.md over 1 MiB (a rendered README of
    another language over 4 MiB), a folder, a FIFO or a device is not read, so nothing in it was
    checked. Replace it with the real README.
    """,
)
CHECK_FRONT_MATTER_MISSING = declare(
    "check-front-matter-missing",
    ERROR,
    "no `---` metadata block on line 1, or one never closed",
    """
    The Hub reads a model's metadata (licence, languages, tags, model-index) from a YAML block
    between `---` lines at the very start of README.md; only a block on line 1 counts. This README
    has none, or never closes it. Render the README with `cardkit render`.
    """,
)
CHECK_FRONT_MATTER_INVALID = declare(
    "check-front-matter-invalid",
    ERROR,
    "the front matter is not a YAML mapping",
    """
    The `---` block parses but is a list or a scalar, not the mapping of metadata keys the Hub
    reads, so the Hub ignores it. Write `key: value` lines.
    """,
)
CHECK_LICENSE_MISSING = declare(
    "check-license-missing",
    ERROR,
    "the front matter has no `license`",
    """
    The Hub shows and filters models by their `license`; without it users cannot tell whether they
    may use the model. Add the Hub licence id (or `other` with `license_name` and `license_link`).
    """,
)
CHECK_LICENSE_UNKNOWN = declare(
    "check-license-unknown",
    ERROR,
    "`license` is not a licence id the Hub knows",
    """
    The Hub accepts a fixed list of licence ids (`apache-2.0`, `llama2`, ...); any other value is
    not recognised. Use a Hub id, or `other` with `license_name` and `license_link`.
    """,
)
CHECK_LICENSE_OTHER = declare(
    "check-license-other",
    ERROR,
    "`license: other` without `license_name` or `license_link`",
    """
    A licence the Hub does not list is `other`, and then the Hub needs `license_name` and
    `license_link` to show which licence it is. Add both.
    """,
)
CHECK_LICENSE_FILE_MISSING = declare(
    "check-license-file-missing",
    ERROR,
    "`license: other` without a LICENSE file in the repo",
    """
    A custom licence must travel with the weights: ship its text as LICENSE (or LICENSE.md,
    LICENSE.txt) in the repository.
    """,
)
CHECK_LANGUAGE_CODE = declare(
    "check-language-code",
    ERROR,
    "a `language` entry that is not an ISO 639 code (`english`, `cn`)",
    """
    The Hub filters models by ISO 639-1 or 639-3 language codes; a name such as `english` or a
    country code such as `cn` matches no filter. Use `en`, `zh`, ...
    """,
)
CHECK_MODEL_INDEX = declare(
    "check-model-index",
    ERROR,
    "`model-index` not in the Hub's shape, or a metric value that is not a number",
    """
    The Hub reads evaluation results from `model-index` with huggingface_hub's parser; this one
    fails it, or a metric value is not a number, so the Hub shows no results. Render the README
    from the card with `cardkit render`.
    """,
)
CHECK_SECRET = declare(
    "check-secret",
    ERROR,
    "a credential (Hub, OpenAI, AWS, GitHub token, a private key) in the README",
    """
    A line of the README matches the pattern of an access token or private key. Publishing it hands
    it to everyone: revoke the credential, then remove it from the README and its history.
    """,
)
CHECK_LOCAL_PATH = declare(
    "check-local-path",
    ERROR,
    "an absolute path on the author's machine in the README",
    """
    A path such as `/home/alice/...` or `C:\\Users\\alice\\...` means nothing to a reader and names
    the author's account. Use a path relative to the repository.
    """,
)
CHECK_README_CARD_MISMATCH = declare(
    "check-readme-card-mismatch",
    ERROR,
    "the README's licence, base model, datasets, languages or a score differ from the card",
    """
    The README is published from the card, so every fact both state must be the same: its front
    matter's licence, base model, datasets and languages, and each evaluation result in its
    model-index. One differs (the README is stale or was edited). Render it again with `cardkit
    render`.
    """,
)
CHECK_EVAL_RESULTS_MISSING = declare(
    "check-eval-results-missing",
    ERROR,
    "the card has results on Hub benchmark datasets but the folder has no `.eval_results/`",
    """
    The Hub shows a model on a benchmark dataset's page from the repo's `.eval_results/*.yaml`
    files, one entry per score; render writes them for every card result whose `dataset.type`
    is a Hub dataset repo (`cais/mmlu`). This folder has none, so those scores reach the README's
    model-index only. Run `cardkit render`.
    """,
)
