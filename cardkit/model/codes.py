"""Finding codes of what transformers and torch are asked about: the weights
(`--checkpoint`), the loaded model (`--load`) and a generation from it (`--generate`).

Declarations only: this module imports no torch or transformers, so the registry (explain, the
README table) can load it anywhere. Other packages still import it inside functions (TID253).
"""

from __future__ import annotations

from cardkit.core.codes import ERROR, WARNING, declare

CHECKPOINT_NOT_FOUND = declare(
    "checkpoint-not-found",
    ERROR,
    "DIR holds none of transformers' weight files (or its `transformers_weights` is not accepted)",
    """
    `--checkpoint DIR` checks the files `from_pretrained(DIR)` would load: config.json's
    `transformers_weights` when set, else the first regular file of `model.safetensors`, its index,
    `pytorch_model.bin` and its index. DIR does not exist, holds none of them, or names a weights
    file transformers refuses. Variant files (`model.fp16.safetensors`) load only with `variant=`.
    """,
)
CHECKPOINT_EMPTY = declare(
    "checkpoint-empty",
    ERROR,
    "the loaded files store no tensors (every weight would be random)",
    """
    The weights file transformers would load holds no tensor at all, so from_pretrained would leave
    every weight at random initialisation and report success. Upload the real weights.
    """,
)
CHECKPOINT_FILE_SKIPPED = declare(
    "checkpoint-file-skipped",
    ERROR,
    "a weight file name is present but not a regular file; transformers passes over it",
    """
    A weight file's name exists in DIR as a folder, FIFO or broken link. transformers skips it, so
    the file a reader expects is not what loads. Replace it with the real file or remove it.
    """,
)
CHECKPOINT_FILE_IGNORED = declare(
    "checkpoint-file-ignored",
    WARNING,
    "a weight file transformers does not load, because one it prefers is present",
    """
    transformers loads the first weights file present in its order (safetensors before pickle,
    single file before index); this one comes later and is never read, by cardkit or by
    from_pretrained. Remove it, or make sure it is the same weights.
    """,
)
CHECKPOINT_TOO_MANY_TENSORS = declare(
    "checkpoint-too-many-tensors",
    ERROR,
    "the shards read so far hold 1,000,000 tensors; the remaining shards are not read",
    """
    The largest public checkpoints hold about 100,000 tensors; past 1,000,000 cardkit stops reading
    shards so a hostile index cannot exhaust memory. Loading is not attempted.
    """,
)
CHECKPOINT_SHARD_UNREADABLE = declare(
    "checkpoint-shard-unreadable",
    ERROR,
    "a shard is not a regular file (a FIFO, a device); it is not opened",
    """
    Only regular files are read, so a FIFO cannot block the check. The shard is refused without
    being opened; replace it with the real file.
    """,
)
CHECKPOINT_HEADER_INVALID = declare(
    "checkpoint-header-invalid",
    ERROR,
    "a safetensors header is unsafe or corrupt",
    """
    cardkit reads only the safetensors header, with its own bounded parser, and checks it before
    believing it: an 8-byte length over 100 MiB or past the end of the file, over 100,000 tensors,
    a header that is not UTF-8 JSON, an unknown dtype, a bad shape, byte ranges overlapping, past
    the end, leaving unused bytes or not `numel x itemsize`. Re-save the file with safetensors.
    """,
)
CHECKPOINT_INDEX_INVALID = declare(
    "checkpoint-index-invalid",
    ERROR,
    "`*.index.json` is unusable (not JSON, over 32 MiB, no `metadata`/`weight_map`, ...)",
    """
    transformers needs an index's `metadata` and a `weight_map` from tensor names to shard files.
    This one is not JSON, is over 32 MiB, lacks them, has a NUL byte in a name, or names over
    10,000 shards. Regenerate the index with `save_pretrained`.
    """,
)
CHECKPOINT_OUTSIDE_FOLDER = declare(
    "checkpoint-outside-folder",
    ERROR,
    "a shard or index resolves outside DIR (a `..` path or a symlink); it is not read",
    """
    Shards named by an index, and config.json's `transformers_weights`, must stay inside DIR (a Hub
    cache snapshot may link into its repository's `blobs/`), so a checkpoint cannot make cardkit
    read arbitrary files. Keep the weights in the checkpoint folder.
    """,
)
CHECKPOINT_SHARD_MISSING = declare(
    "checkpoint-shard-missing",
    ERROR,
    "the index names a shard file that does not exist",
    """
    A shard listed in the index's `weight_map` is not in DIR, so from_pretrained would fail.
    Upload the missing shard, or regenerate the index.
    """,
)
CHECKPOINT_INDEX_MISMATCH = declare(
    "checkpoint-index-mismatch",
    ERROR,
    "the index places a tensor in a shard that does not store it, or misses one a shard stores",
    """
    The index and the shards disagree: a tensor is mapped to a shard that does not hold it, or a
    shard holds a tensor the index does not list (transformers would not load it). The first 20 per
    shard are listed, the rest counted. Regenerate the index with `save_pretrained`.
    """,
)
CHECKPOINT_DUPLICATE_TENSOR = declare(
    "checkpoint-duplicate-tensor",
    ERROR,
    "two shards store the same tensor",
    """
    A tensor name appears in more than one shard, so which copy loads depends on the order they are
    read. Keep it in the shard the index names.
    """,
)
CHECKPOINT_BIN_INVALID = declare(
    "checkpoint-bin-invalid",
    ERROR,
    "a pickle checkpoint refused before `torch.load` or by `torch.load(weights_only=True)`",
    """
    A `pytorch_model.bin` is a zip of pickles; cardkit checks the archive first (not a zip, a member
    inflating over 16x, records over 64 MiB, over 200,000 members) and then opens it with
    `torch.load(weights_only=True, map_location="meta")`, which runs no code and reads no data. It
    failed one of those: corrupt, a deflate bomb, or a pickle that would run code. Convert the
    weights to safetensors.
    """,
)
CHECKPOINT_MISSING_TENSOR = declare(
    "checkpoint-missing-tensor",
    ERROR,
    "the architecture needs a tensor no shard stores (a tied head may be absent)",
    """
    The architecture built from config.json expects this tensor under the name transformers loads
    it with, and no shard stores it, so from_pretrained would leave it at random initialisation.
    Upload the complete weights, or fix config.json if it describes another architecture.
    """,
)
CHECKPOINT_UNEXPECTED_TENSOR = declare(
    "checkpoint-unexpected-tensor",
    ERROR,
    "a stored tensor the architecture does not have",
    """
    The checkpoint stores a tensor the architecture built from config.json has no place for (after
    transformers' own renames and ignore patterns), so it would be dropped at load time: the weights
    and config.json describe different models. Check both.
    """,
)
CHECKPOINT_SHAPE_MISMATCH = declare(
    "checkpoint-shape-mismatch",
    ERROR,
    "a tensor's shape differs from the architecture's (e.g. transposed)",
    """
    The stored tensor has another shape than the architecture built from config.json needs (a
    transposed matrix, another hidden size or vocabulary), so it cannot be loaded into the model.
    `expected` is the architecture's shape.
    """,
)
CHECKPOINT_DTYPE_MISMATCH = declare(
    "checkpoint-dtype-mismatch",
    ERROR,
    "floating tensors stored in another dtype than config.json declares",
    """
    config.json's `dtype` (or `torch_dtype`) says what the weights are; floating tensors stored in
    another dtype load converted, using other memory than the card and config state. One finding
    when the whole checkpoint differs, else one per tensor. Fix the config or re-save the weights.
    """,
)
CHECKPOINT_MIXED_DTYPES = declare(
    "checkpoint-mixed-dtypes",
    WARNING,
    "the floating tensors use more than one dtype",
    """
    Some floating tensors are stored in one dtype and others in another, usually a partial
    conversion. The counts per dtype are in the finding.
    """,
)
BLOCKING_CODES = frozenset(
    {
        CHECKPOINT_NOT_FOUND,
        CHECKPOINT_HEADER_INVALID,
        CHECKPOINT_INDEX_INVALID,
        CHECKPOINT_OUTSIDE_FOLDER,
        CHECKPOINT_SHARD_MISSING,
        CHECKPOINT_BIN_INVALID,
        CHECKPOINT_SHARD_UNREADABLE,
        CHECKPOINT_EMPTY,
        CHECKPOINT_TOO_MANY_TENSORS,
    }
)
"""Checkpoint findings after which loading is not attempted: the files themselves are unsafe or absent."""

LOAD_SKIPPED = declare(
    "load-skipped",
    ERROR,
    "not loaded: the checkpoint's files are unusable, or the model would not fit in memory",
    """
    `--load` is not attempted when the checkpoint findings show unusable files (they are listed),
    or when the architecture config.json builds would not fit in the host memory available (the
    architecture, not the files, decides what from_pretrained allocates). Fix the checkpoint, or
    run on a machine with more memory.
    """,
)
LOAD_FAILED = declare(
    "load-failed",
    ERROR,
    "`from_pretrained` raised; the message says why",
    """
    transformers could not load DIR (local files only, config.json's dtype, the card's config so
    `auto_map` never runs). The message is the exception's type and first line. Users would see the
    same failure.
    """,
)
LOAD_MISSING_WEIGHTS = declare(
    "load-missing-weights",
    ERROR,
    "transformers left a weight at random initialisation",
    """
    from_pretrained reported this weight missing from the checkpoint, so it holds random values and
    the model's outputs are garbage. Upload the complete weights.
    """,
)
LOAD_UNEXPECTED_WEIGHTS = declare(
    "load-unexpected-weights",
    ERROR,
    "weights in the checkpoint transformers did not use",
    """
    from_pretrained reported these stored weights unused: the checkpoint and config.json describe
    different models, or names changed. Check both.
    """,
)
LOAD_MISMATCHED_WEIGHTS = declare(
    "load-mismatched-weights",
    ERROR,
    "weights transformers could not use because of their shape",
    """
    from_pretrained found these weights with another shape than the model's and left the model's
    at random initialisation. Check config.json's sizes against the checkpoint.
    """,
)
LOAD_LAYERS_MISMATCH = declare(
    "load-layers-mismatch",
    ERROR,
    "the loaded model has another number of decoder layers than the card",
    """
    Counted from the modules of the model actually loaded; `expected` is that count and `actual`
    the card's `architecture.num_layers`. Fix the card.
    """,
)
LOAD_HEADS_MISMATCH = declare(
    "load-heads-mismatch",
    ERROR,
    "the loaded model has another number of query heads than the card",
    """
    Counted from the loaded attention modules; `expected` is that count and `actual` the card's
    `architecture.num_attention_heads`. Fix the card.
    """,
)
LOAD_KV_HEADS_MISMATCH = declare(
    "load-kv-heads-mismatch",
    ERROR,
    "the loaded model has another number of KV heads than the card",
    """
    Counted from the loaded attention modules' key/value projections; `expected` is that count and
    `actual` the card's `architecture.num_kv_heads`. Fix the card.
    """,
)
GENERATE_TOKENIZER_FAILED = declare(
    "generate-tokenizer-failed",
    ERROR,
    "no tokenizer could be loaded from DIR",
    """
    `--generate` loads the tokenizer from DIR: each tokenizer file must be a regular file of at
    most 256 MiB and at least one vocabulary file must be present; then AutoTokenizer must not
    raise. None of that held (the message says which). Users could not tokenize either.
    """,
)
GENERATE_PROMPT_EMPTY = declare(
    "generate-prompt-empty",
    ERROR,
    "the tokenizer encodes the prompt to no tokens",
    """
    The card's example prompt, filled into its prompt format, encodes to zero tokens, so there is
    nothing to generate from: an empty vocabulary or a broken tokenizer.
    """,
)
GENERATE_STOP_TOKEN_MISSING = declare(
    "generate-stop-token-missing",
    ERROR,
    "a card stop token is not a token of the vocabulary",
    """
    Each of the card's `usage.stop_tokens` must be one token of the real tokenizer's vocabulary,
    or generation can never stop on it. Fix the token's spelling or the tokenizer.
    """,
)
GENERATE_STOP_TOKEN_SPLIT = declare(
    "generate-stop-token-split",
    WARNING,
    "a stop token is in the vocabulary but its text encodes to other ids",
    """
    The stop token exists as one id, but encoding its text gives other ids, so a model writing it
    as text would not stop. Usually the token is missing from the tokenizer's special tokens.
    """,
)
GENERATE_STOP_IGNORED = declare(
    "generate-stop-ignored",
    ERROR,
    "generation went on after a stop token",
    """
    With the card's stop tokens as end-of-sequence ids, generation continued past one (in the
    free run, or when each is forced once). The card's generation settings would not stop where it
    says. Check the stop tokens and the generation config.
    """,
)
GENERATE_LOGITS_NOT_FINITE = declare(
    "generate-logits-not-finite",
    ERROR,
    "the prompt's logits contain NaN or infinity (generation is then not attempted)",
    """
    The forward pass over the prompt produced NaN or infinite logits: corrupt weights, or a dtype
    the weights overflow in. Sampling from them would only crash, so generation is not attempted.
    """,
)
GENERATE_NO_TOKENS = declare(
    "generate-no-tokens",
    ERROR,
    "generate produced no new token",
    """
    `generate()` returned the prompt and nothing after it, with the card's settings. Check the
    generation settings (`max_new_tokens`) and the stop tokens.
    """,
)
GENERATE_FAILED = declare(
    "generate-failed",
    ERROR,
    "generate, or the tokenizer or model code during the smoke test, raised",
    """
    The smoke test (prompt formatting, tokenizing, the forward pass, `generate()`) raised; the
    message is the exception's type and first line. Users would see the same failure.
    """,
)
GENERATE_ROUNDTRIP_MISMATCH = declare(
    "generate-roundtrip-mismatch",
    WARNING,
    "decoding the encoded example prompt does not give it back",
    """
    Encoding the card's example prompt and decoding it again gives other text: the tokenizer loses
    characters (normalisation, unknown tokens), so some input cannot be represented.
    """,
)
