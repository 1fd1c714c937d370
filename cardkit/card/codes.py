"""Finding codes of reading a card and its config.json: the file, its YAML, the schema, and what
transformers' config class says of the config (`config-invalid`, `config-remote-code`, ...).

Declared once in `cardkit.core.codes`' registry; `cardkit explain CODE` prints the explanation.
"""

from __future__ import annotations

from cardkit.core.codes import ERROR, INFO, WARNING, declare

FILE_TOO_LARGE = declare(
    "file-too-large",
    ERROR,
    "the card file is over 2 MiB",
    """
    A card is a few kilobytes of YAML; cardkit refuses to read one over 2 MiB (2,097,152 bytes), so
    a huge or endless file cannot exhaust memory or time. The limit is checked while reading, before
    anything is parsed. A real card this large holds something it should not (a pasted dataset):
    move that out of the card.
    """,
)
FILE_NOT_UTF8 = declare(
    "file-not-utf8",
    ERROR,
    "the card (or README) is not UTF-8",
    """
    Cards and READMEs are read as UTF-8 only, as the Hub reads them. The finding points at the line
    and column of the first byte that is not valid UTF-8; a file saved as Latin-1, GBK or UTF-16
    usually fails at its first non-ASCII character. Save the file as UTF-8 (without a byte-order
    mark).
    """,
)
YAML_BOM = declare(
    "yaml-bom",
    ERROR,
    "the file starts with a UTF-8 byte-order mark",
    """
    A byte-order mark (EF BB BF) at the start of a card or README is invisible in most editors but
    is part of the first line for other tools: the Hub's front-matter pattern and the editor's
    `yaml-language-server` comment no longer match. cardkit drops it to go on checking, and reports
    it so the file gets fixed: save it as UTF-8 without BOM.
    """,
)
YAML_SYNTAX = declare(
    "yaml-syntax",
    ERROR,
    "the YAML does not parse",
    """
    The safe YAML parser stopped at the line and column given: an indentation error, an unclosed
    quote or bracket, a tab used for indentation, a control character YAML forbids. Nothing else in
    the card can be checked until it parses. Fix the text at that position.
    """,
)
YAML_DUPLICATE_KEY = declare(
    "yaml-duplicate-key",
    ERROR,
    "a mapping repeats a key",
    """
    YAML loaders silently keep the last of two equal keys, so the first value a reader sees in the
    file is not the one any tool uses. cardkit refuses the repetition at the second key's line.
    Keep one of the two.
    """,
)
YAML_ALIAS = declare(
    "yaml-alias",
    ERROR,
    "the YAML uses anchors or aliases (`&x`, `*x`)",
    """
    Anchors and aliases are how a "billion laughs" YAML bomb expands a few lines into gigabytes.
    A card needs neither, so cardkit refuses them, found by a linear pre-scan of the raw text before
    any parser runs (and again by node identity). Write the value out where it is used.
    """,
)
YAML_UNSAFE_TAG = declare(
    "yaml-unsafe-tag",
    ERROR,
    "a language tag such as `!!python/object` (never constructed)",
    """
    Tags such as `!!python/object` or unknown `!custom` tags ask a loader to build objects of a
    programming language. Cards are plain data, read only with the safe loader, which constructs
    none of them; cardkit reports the tag at its position. Remove the tag and write the plain
    value.
    """,
)
YAML_TOO_DEEP = declare(
    "yaml-too-deep",
    ERROR,
    "YAML nested deeper than 64 levels",
    """
    A card's structure is a few levels deep; nesting past 64 levels is an attack on the parser (a
    recursion that exhausts the stack). Depth is counted on the raw text before any parser runs, so
    the verdict is the same with or without libyaml. Flatten the structure.
    """,
)
YAML_NOT_JSON = declare(
    "yaml-not-json",
    ERROR,
    "a value that is not JSON data (`!!binary`, `!!set`, `!!omap`, `!!pairs`)",
    """
    A card is JSON-shaped data (mappings, lists, strings, numbers, booleans, null) so that it can
    be validated, cached and printed as JSON. The YAML tags that construct bytes, sets or ordered
    pairs are refused at their position. Write the value as a string, list or mapping.
    """,
)
YAML_NUMBER_TOO_LONG = declare(
    "yaml-number-too-long",
    ERROR,
    "a number over 100 characters",
    """
    Numbers in a card are counts and measures (a 2^63 count has 19 digits). Converting a longer one
    is slow (quadratic for sexagesimal `1:2:3...`) and fails past 4,300 digits, so it is refused
    before conversion. Write the number with at most 100 characters.
    """,
)
YAML_BAD_VALUE = declare(
    "yaml-bad-value",
    ERROR,
    "a value its tag cannot convert (`!!float abc`)",
    """
    An explicit tag names a type the value is not (`!!float abc`, `!!int 1.5`); the safe loader
    cannot convert it. The finding points at the value when it can be found. Remove the tag or fix
    the value. Dates and `=` are read as text and never fail this way.
    """,
)
CARD_SCHEMA_COMMENT = declare(
    "card-schema-comment",
    WARNING,
    "the first line is not the `yaml-language-server` schema comment",
    """
    A card's first line should be `# yaml-language-server: $schema=<path to card.schema.json>`,
    which makes editors with the YAML language server check the card as it is typed (completion,
    types, required fields). cardkit checks the card either way; the warning is about the editor.
    Add the comment as the first line (`cardkit new` writes it).
    """,
)
SCHEMA_NOT_A_MAPPING = declare(
    "schema-not-a-mapping",
    ERROR,
    "the card is not a YAML mapping of sections",
    """
    The card parsed, but its top level is a list, a string or a number, not the mapping of
    sections (`identity`, `architecture`, ...) the schema describes. Nothing else can be checked.
    Start from a card `cardkit new` writes.
    """,
)
SCHEMA = declare(
    "schema-*",
    ERROR,
    "the card breaks its schema; the rest of the code is the Pydantic error type (`schema-missing`)",
    """
    The card does not match cardkit's Pydantic schema. The code is `schema-` and Pydantic's error
    type, so one code tells what kind of error it is: `schema-missing` (a required field),
    `schema-extra-forbidden` (an unknown key, often a typo), `schema-int-type`, `schema-string-type`
    and other type errors, `schema-less-than-equal` and other bounds, and cardkit's own checks such
    as `schema-license-unknown` (not a Hub licence id), `schema-citation-invalid` (BibTeX that does
    not parse) and `schema-path-outside-card` (a path leaving the card's folder). The finding names
    the field and its line; `schemas/card.schema.json` documents every field.
    """,
)
TODO = declare(
    "todo",
    ERROR,
    "a `{TODO: ...}` left by `cardkit new` or `cardkit import`, at its line",
    """
    `cardkit new` and `cardkit import` never invent a value: what they cannot read from config.json
    or the README is written as a `{TODO: hint}` mapping, with a hint saying what belongs there. A
    draft with TODOs left cannot pass. Replace each TODO with the value (the hint lists candidates
    when several readings were possible).
    """,
)
CONFIG_MISSING = declare(
    "config-missing",
    ERROR,
    "config.json is not where the card's `config` says",
    """
    A card is checked against the config.json transformers builds the model from; the card's
    `config` field (default `config.json`) names it, relative to the card's folder, and it does not
    exist. Put the model's config.json there, or correct the path.
    """,
)
CONFIG_UNREADABLE = declare(
    "config-unreadable",
    ERROR,
    "config.json is not a regular file (a folder, FIFO or device), so it is not read",
    """
    cardkit reads only regular files: a folder, FIFO or device named config.json is refused without
    being opened (a FIFO could block the run for ever), and so is one the system will not let it
    read. Replace it with the regular config.json file.
    """,
)
CONFIG_TOO_LARGE = declare(
    "config-too-large",
    ERROR,
    "config.json is over 1 MiB",
    """
    A config.json is a few kilobytes; cardkit refuses one over 1 MiB while reading it, before
    parsing, so a huge file cannot exhaust memory. A config that large holds something else (an
    embedded vocabulary); use the model's real config.json.
    """,
)
CONFIG_NOT_UTF8 = declare(
    "config-not-utf8",
    ERROR,
    "config.json is not UTF-8",
    """
    JSON is UTF-8. The finding gives the line and column of the first byte that is not; transformers
    would fail on it as well. Save config.json as UTF-8.
    """,
)
CONFIG_INVALID_JSON = declare(
    "config-invalid-json",
    ERROR,
    "config.json is not valid JSON",
    """
    Python's JSON parser rejects config.json at the line and column given (a trailing comma, a
    comment, single quotes). transformers uses the same parser, so the model cannot be loaded from
    it either. Fix the JSON at that position.
    """,
)
CONFIG_NO_MODEL_TYPE = declare(
    "config-no-model-type",
    ERROR,
    "config.json is not an object with a string `model_type`",
    """
    transformers picks the config class, and so the architecture, by `model_type`; without it (or
    when the file is a list or a string) nothing can be built or compared. Add the model's
    `model_type` (`"llama"`, `"gpt_neox"`, ...).
    """,
)
CONFIG_TOO_DEEP = declare(
    "config-too-deep",
    ERROR,
    "config.json nested deeper than 32 levels",
    """
    Configs nest a few levels (`rope_scaling`, `quantization_config`). Deeper nesting is refused by
    cardkit's linear token scan, at the line and key where it passes 32 levels, before the JSON
    parser could recurse into it. Flatten the structure.
    """,
)
CONFIG_NUMBER_TOO_LONG = declare(
    "config-number-too-long",
    ERROR,
    "a number in config.json over 100 characters",
    """
    Config values are sizes and rates; a number over 100 characters is refused at its line and key
    before conversion (Python refuses integers past 4,300 digits, slowly). Write the number with at
    most 100 characters.
    """,
)
CONFIG_NOT_FINITE = declare(
    "config-not-finite",
    ERROR,
    "`NaN` or a number that overflows to infinity in config.json (error); a literal `Infinity` (warning)",
    """
    `NaN` is not JSON, though Python's parser accepts it, and no setting of a model is meaningfully
    NaN (comparisons with it are always false); `1e999` reads as infinity, a typo no serialiser
    writes. Both are errors at their line and key: write the finite value.

    A literal `Infinity` is different: it is how Python's json, and so transformers 4, saved an
    unbounded limit (Mamba-2's `time_step_limit: [0.0, Infinity]`), and transformers reads it back,
    so the model loads. It is a warning, because other JSON readers refuse it, and the value is read
    as transformers reads it. transformers 5 writes `{"__float__": "Infinity"}` instead.
    """,
    also=(WARNING,),
)
CONFIG_DUPLICATE_KEY = declare(
    "config-duplicate-key",
    WARNING,
    "a key repeated in one object of config.json; JSON readers keep the last",
    """
    JSON parsers, transformers' included, keep the last of two equal keys in one object, so the
    first value a reader sees is not the one used. Reported at the second key's line. Keep one.
    """,
)
CONFIG_INVALID_VALUE = declare(
    "config-invalid-value",
    ERROR,
    "a size in config.json that is not a positive whole number",
    """
    The sizes cardkit builds the architecture from (layers, hidden and intermediate size, vocabulary,
    heads, experts, under any of their family spellings) must be whole numbers; a string, float or
    boolean there is refused before anything is built. Write the size as an integer.
    """,
)
CONFIG_OUT_OF_RANGE = declare(
    "config-out-of-range",
    ERROR,
    "a size in config.json outside cardkit's limits (layers 1,024, hidden size 65,536, ...)",
    """
    Building the architecture on the meta device costs time and memory in proportion to its size,
    so each size is bounded before anything is built: layers 1 to 1,024, hidden size to 65,536,
    intermediate size to 2^20, vocabulary to 2^22, heads to 1,024, experts to 65,536. The largest
    published models are well inside them; a value outside is a typo or an attack. Fix the value.
    """,
)
CONFIG_MODEL_TOO_LARGE = declare(
    "config-model-too-large",
    ERROR,
    "the architecture would exceed about 10^13 parameters or 2,000,000 modules",
    """
    Each size may be within its limit and the product still too large to build on the meta device
    in reasonable time. cardkit estimates the parameter and module counts from config.json first and
    refuses past about 10^13 parameters or 2,000,000 modules. Check the sizes in config.json.
    """,
)
CONFIG_REMOTE_CODE = declare(
    "config-remote-code",
    INFO,
    "the config's `model_type` exists only as repository code; cardkit will not run it",
    """
    transformers does not implement this `model_type`: loading it would run the repository's own
    Python code, which cardkit never does. validate then checks the card from config.json's keys
    alone and notes (info) that the exact parameter count needs the repository's code
    (`--trust-remote-code`); where the architecture must be built (`cardkit new`), it is an error.
    When transformers implements the architecture under another model_type, the message names it:
    convert the config to it.
    """,
    also=(ERROR,),
)
CONFIG_AUTO_MAP = declare(
    "config-auto-map",
    INFO,
    "the config declares remote code (`auto_map`) that cardkit ignores for the native class",
    """
    config.json has an `auto_map`, pointing transformers at modelling code in the repository, but
    its `model_type` is implemented natively. cardkit builds the native implementation and never
    runs the repository's code; users loading with `trust_remote_code=True` would get the other.
    Nothing to fix unless the repository's code differs from the native class.
    """,
)
CONFIG_INVALID = declare(
    "config-invalid",
    ERROR,
    "transformers' config class rejects config.json's values",
    """
    transformers' own config class raised on these values (a wrong type, an unknown rope type, a
    value out of its range), so no one can load the model from this config. The finding names the
    key transformers blamed when it can be told. Fix the value.
    """,
)
CONFIG_BUILD_FAILED = declare(
    "config-build-failed",
    ERROR,
    "transformers or torch rejects the config's values while building the model",
    """
    The config class accepted config.json, but building the architecture on the meta device failed
    (an activation transformers does not know, sizes that do not fit together). The finding names
    the key the error is about when it can be told. Fix the config; the model cannot be loaded as
    it is.
    """,
)
