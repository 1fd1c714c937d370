"""Finding codes of `cardkit validate`: the card against itself, config.json and the built model.

Declared once in `cardkit.core.codes`' registry; `cardkit explain CODE` prints the explanation.
"""

from __future__ import annotations

from cardkit.core.codes import ERROR, INFO, WARNING, declare

ARCH_HEADS_DIVIDE_HIDDEN = declare(
    "arch-heads-divide-hidden",
    ERROR,
    "the attention heads do not divide the hidden size (and no `head_dim` is given)",
    """
    Without an explicit `head_dim`, each attention head is `hidden_size / num_attention_heads`
    wide, so the head count must divide the hidden size exactly; no model can have the geometry the
    card states. One of the two numbers is wrong (often copied from another size of the family):
    check both against config.json, or state `head_dim`.
    """,
)
ARCH_KV_HEADS_DIVIDE_HEADS = declare(
    "arch-kv-heads-divide-heads",
    ERROR,
    "the KV heads do not divide the attention heads",
    """
    In grouped-query attention each key/value head serves an equal group of query heads, so
    `num_kv_heads` must divide `num_attention_heads`. Check both against config.json
    (`num_key_value_heads`; 1 for multi-query attention).
    """,
)
ARCH_ROTARY_FRACTION = declare(
    "arch-rotary-fraction",
    ERROR,
    "rotary positions without `rotary_fraction`, or a `rotary_fraction` for other positions",
    """
    How much of each head rotates is part of a rotary architecture (GPT-NeoX rotates 25%, Llama all
    of it), so a rotary `positional_embedding` must state `rotary_fraction` (1.0 when every
    dimension rotates), and ALiBi or learned positions must not. Add or remove the field.
    """,
)
TOKENIZER_EXCEEDS_EMBEDDINGS = declare(
    "tokenizer-exceeds-embeddings",
    ERROR,
    "the tokenizer has more tokens than the embedding has rows",
    """
    Every token id indexes a row of the embedding matrix, so `tokenizer.vocab_size` cannot exceed
    `architecture.vocab_size` (the embedding is often padded larger, never smaller). A token past
    the last row would crash the model. One of the two figures is wrong: the embedding's rows come
    from config.json, the tokenizer's size from the tokenizer.
    """,
)
IDENTITY_SIZE_LABEL = declare(
    "identity-size-label",
    ERROR,
    "the size label disagrees with the size in the model's name",
    """
    A repo called `...-13b` with a `7B` size label is the classic copy-paste between the sizes of a
    family. The label (`architecture.parameters.label`) must be one of the sizes the repo id or
    name states. Fix whichever is wrong.
    """,
)
IDENTITY_BASE_MODEL = declare(
    "identity-base-model",
    ERROR,
    "a tuned model does not name its `base_model`",
    """
    A model whose `identity.variant` is not `base` (chat, instruct, ...) was tuned from another
    model; the Hub links them through `base_model`, and readers need it to know what the tuning
    started from. Add `identity.base_model` with the base's repo id.
    """,
)
TRAINING_TOKENS_EPOCHS = declare(
    "training-tokens-epochs",
    ERROR,
    "training tokens are not unique tokens times epochs",
    """
    When a card states the training tokens, the unique tokens and the epochs, the first must be the
    product of the other two (within 0.5%, for rounding). One of the three figures is wrong.
    """,
)
TRAINING_TOTAL_MISMATCH = declare(
    "training-total-mismatch",
    ERROR,
    "a compute table's stated total is not the sum of its rows",
    """
    The total GPU hours or tonnes of CO2 of `training.compute.table` must be the sum of its rows,
    within what rounding to the table's `decimals` can explain. A total copied from another table,
    or rows edited without it, shows here. Fix the total or the rows.
    """,
)
TRAINING_DATASET_ID_DAMAGED = declare(
    "training-dataset-id-damaged",
    ERROR,
    "a dataset id starts with the residue of a URL-encoded `:` or `/` (`3Atatsu-lab/alpaca`)",
    """
    A scraper that dropped the `%` of `%3A` or `%2F` leaves `3A` or `2F` glued to the dataset id,
    which then names no dataset on the Hub. The expected value is the id without the residue.
    """,
)
USAGE_STOP_TOKEN_UNDECLARED = declare(
    "usage-stop-token-undeclared",
    WARNING,
    "a stop token that is not among the tokenizer's special tokens",
    """
    A stop token is matched as one token id; one that is not a declared special token (bos, eos,
    unk, pad or additional) is usually a typo or a token of another model's template, and may be
    split into several ids, so generation never stops on it. Declare it in
    `tokenizer.special_tokens` or correct it (`--generate` checks it against the real tokenizer).
    """,
)
USAGE_SNIPPET_SYNTAX = declare(
    "usage-snippet-syntax",
    ERROR,
    "a Python usage snippet does not parse",
    """
    Readers copy snippets as they are; one that does not parse fails at once. The finding points at
    the line inside the snippet. Snippets are parsed, never run (bounded in size and nesting).
    """,
)
USAGE_SNIPPET_REPO = declare(
    "usage-snippet-repo",
    ERROR,
    "a snippet loads another repository than the card's",
    """
    `from_pretrained("...")` in a snippet must load this card's `identity.repo_id`; another id is a
    snippet copied from another card or size, and readers would download the wrong model. Use the
    card's repo id.
    """,
)
USAGE_SNIPPET_REMOTE_CODE = declare(
    "usage-snippet-remote-code",
    WARNING,
    "a snippet sets `trust_remote_code=True`",
    """
    `trust_remote_code=True` runs Python code from the model repository on the reader's machine.
    cardkit cards describe models transformers implements natively, so the flag is unnecessary and
    teaches an unsafe habit. Remove it.
    """,
)
USAGE_REQUIREMENT_TOO_OLD = declare(
    "usage-requirement-too-old",
    ERROR,
    "a stated minimum version older than what a snippet's code uses",
    """
    A snippet's code is the truth about what it needs: `from_pretrained(..., dtype=...)` exists
    only since transformers 4.56 (older releases raise a TypeError, or take `dtype="auto"` as an
    unknown config attribute and load in float32), `attn_implementation=` since 4.36. A card that
    states `transformers>=4.38` above such a snippet promises readers a version on which its own
    code fails. The finding is at the requirement line; raise the minimum to the one named, or
    change the snippet. Every shipped snippet is also run on the stated minimums in CI.
    """,
)
USAGE_REQUIREMENT_MISSING = declare(
    "usage-requirement-missing",
    WARNING,
    "a snippet imports or needs a package no requirement lists",
    """
    The snippet imports a package (torch, accelerate, ...) or passes a keyword that needs one
    (`device_map=` needs accelerate, `attn_implementation="flash_attention_2"` needs flash-attn; a
    model class needs torch), and neither `usage.requirements` nor the snippet's own
    `requirements` names it, so a reader who installs what the README says gets an ImportError.
    The finding is at the line of the snippet that needs it. List the package (in the snippet's
    `requirements` when only that example needs it).
    """,
)
USAGE_REQUIREMENT_INVALID = declare(
    "usage-requirement-invalid",
    ERROR,
    "a requirement that is not a PEP 508 requirement string",
    """
    Requirements are what a reader pastes after `pip install`; one that pip cannot parse
    (`transformers >> 4`) cannot be installed or checked against the snippets. Write it as pip
    does: `transformers>=4.56.0`, `accelerate`, `flash-attn`.
    """,
)
USAGE_GREEDY_WITH_SAMPLING = declare(
    "usage-greedy-with-sampling",
    WARNING,
    "sampling settings (temperature, top_p, top_k) with greedy decoding",
    """
    With `do_sample: false`, transformers ignores temperature, top_p and top_k, so settings a reader
    would tune have no effect. Set `do_sample: true` or remove them.
    """,
)
PROSE_ZH_SPACE = declare(
    "prose-zh-space",
    WARNING,
    "a space between Chinese characters",
    """
    Chinese text has no spaces between characters; one usually comes from a folded YAML line, whose
    line break becomes a space. Keep each Chinese value on one line.
    """,
)
PROSE_ZH_PUNCTUATION = declare(
    "prose-zh-punctuation",
    WARNING,
    "ASCII punctuation next to Chinese text",
    """
    Chinese text uses full-width punctuation (，；：！？（）); ASCII `,;:!?()` next to Chinese
    characters reads as a typo. Use the full-width forms.
    """,
)
PROSE_TEMPLATE_CODE = declare(
    "prose-template-code",
    ERROR,
    "Jinja delimiters (`{{ }}`, `{% %}`, `{# #}`) in card text",
    """
    Card text is data: render prints it literally, never as a template. Template syntax in it is
    either an injection attempt or a paste from a template, and in neither case meant for readers.
    Remove it.
    """,
)
CARD_MIRROR_URL = declare(
    "card-mirror-url",
    ERROR,
    "a link to a mirror or proxy host instead of the canonical one",
    """
    Mirrors and proxies of huggingface.co (`hf-mirror.com`, `chatgptweb.us.kg`, ...) rewrite links in
    the cards they copy; a link to one leaves readers depending on a third party. The expected
    value names the canonical host to link instead.
    """,
)
CONFIG_INVALID_PATH = declare(
    "config-invalid-path",
    ERROR,
    "the card's `config` path cannot be resolved (a NUL byte, a symlink loop)",
    """
    The card's `config` field must be a path the system can resolve; a NUL byte, a symlink loop
    or another unresolvable path is refused before anything is opened. Write a plain relative path.
    """,
)
CONFIG_OUTSIDE_CARD = declare(
    "config-outside-card",
    ERROR,
    "the card's `config` path resolves outside the card's folder",
    """
    A card is checked against the config.json in its own folder; a path that leaves it (`../`, an
    absolute path, a symlink) is refused, so a card cannot make cardkit read files elsewhere on the
    machine. Copy the config.json next to the card.
    """,
)
CONFIG_MISMATCH = declare(
    "config-mismatch",
    ERROR,
    "the card states an architecture fact config.json contradicts",
    """
    A figure in the card's `architecture` (hidden size, layers, heads, vocabulary, positions, ...)
    differs from config.json as transformers' own config class reads it (aliases such as `n_head`,
    class defaults) or, with `--no-model`, from the keys every config class reads literally.
    `expected` is config.json's value. The card is what readers trust: fix it.
    """,
)
ARCH_MISMATCH = declare(
    "arch-mismatch",
    ERROR,
    "the card states a structure the architecture built from config.json does not have",
    """
    Facts only the built model shows (norm type and placement, parallel blocks, gated MLP, biases)
    are compared with the module tree transformers builds on the meta device from config.json; the
    card says otherwise. `expected` is what the built architecture has. Fix the card.
    """,
)
ARCH_FACT_ABSENT = declare(
    "arch-fact-absent",
    ERROR,
    "the card states a fact (experts, a sliding window, a bias) the built architecture lacks",
    """
    The card describes something the architecture built from config.json does not have at all,
    such as mixture-of-experts settings on a dense model. Usually the fact was copied from another
    model's card: remove it.
    """,
)
ARCH_FACT_UNCHECKED = declare(
    "arch-fact-unchecked",
    INFO,
    "the card states a fact cardkit cannot determine for this architecture; not checked",
    """
    cardkit could not read this fact from the built model of this family (the message says why), so
    the card's value is neither confirmed nor refuted. Nothing to fix; check the value by hand.
    """,
)
ARCH_FACT_UNSTATED = declare(
    "arch-fact-unstated",
    INFO,
    "the built architecture has a fact readers need that the card leaves out",
    """
    The architecture built from config.json has this fact (heads, KV heads, experts, sliding
    window, active parameters, ...) and the card does not state it. `expected` is the value; add it
    to the card's `architecture` so readers need not dig through config.json.
    """,
)
CONFIG_NOT_INTERPRETED = declare(
    "config-not-interpreted",
    INFO,
    "`--no-model`: a family-specific config key seems to disagree with the card",
    """
    The quick check reads only keys every config class takes literally. A family-specific key
    (its meaning decided by the config class) reads otherwise than the card, but without building
    the config class cardkit cannot say whether it means the same fact. Run without `--no-model`
    for the verdict.
    """,
)
PARAM_COUNT_MISMATCH = declare(
    "param-count-mismatch",
    ERROR,
    "the claimed parameter count differs from the architecture's, unacknowledged or over 0.1%",
    """
    The exact parameter count is computed from the architecture built on the meta device from
    config.json. A claimed count that differs is an error unless the card records the exact gap
    in `parameters.acknowledged_difference` with a reason, and then only for gaps up to 0.1%.
    Fix the count (`expected` is the computed one) or acknowledge a small published rounding.
    """,
)
PARAM_COUNT_ACKNOWLEDGED = declare(
    "param-count-acknowledged",
    WARNING,
    "the parameter count differs by the acknowledged amount (a documented gap)",
    """
    The card's count differs from the computed one by exactly its `acknowledged_difference`, within
    0.1%, so validate warns instead of failing: a published figure kept as published, with the
    reason on record. Nothing to fix unless the gap can be removed.
    """,
)
PARAM_ACK_STALE = declare(
    "param-ack-stale",
    WARNING,
    "an `acknowledged_difference` that is no longer needed",
    """
    The claimed count now matches the architecture exactly, so the acknowledgement documents a gap
    that does not exist. Remove `parameters.acknowledged_difference`.
    """,
)
CHECKPOINT_PARAM_COUNT_MISMATCH = declare(
    "checkpoint-param-count-mismatch",
    ERROR,
    "the parameters the headers add up to differ from the card's count (unless acknowledged, up to 0.1%)",
    """
    The parameters stored in the checkpoint (buffers and names transformers ignores left out)
    differ from `architecture.parameters.count`; an `acknowledged_difference` of exactly that
    amount applies here too. `expected` is the stored count.
    """,
)
LOAD_PARAM_COUNT_MISMATCH = declare(
    "load-param-count-mismatch",
    ERROR,
    "the loaded model's parameters differ from the card's count (unless acknowledged, up to 0.1%)",
    """
    The parameters of the model actually loaded differ from `architecture.parameters.count`, and
    no `acknowledged_difference` of exactly that amount applies. `expected` is the loaded count.
    """,
)
