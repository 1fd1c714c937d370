"""What a validate run is asked to do: a leaf module, so the pipeline and the checks share it
without importing each other."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ValidateOptions:
    model: bool = True
    """Read config.json through transformers and build the meta-device model (imports torch).

    Without it, config.json is still compared, but only on the keys it states explicitly.
    """
    cache: bool = True
    """Reuse the report of an unchanged card (`cardkit.validate.report_cache`) and the architecture facts of
    an identical config.json (`cardkit.validate.facts_cache`); False reads and writes no cache at all."""
    checkpoint: Path | None = None
    """A folder of weights to check against the card from its safetensors headers (no data read)."""
    load: bool = False
    """Also load the checkpoint with transformers and count what it builds (needs `checkpoint`)."""
    generate: bool = False
    """Also generate with the card's prompt, stop tokens and defaults (implies `load`)."""
    trust_remote_code: bool = False
    """Let transformers run the repository's own code when loading; off unless the user asks."""


DEFAULT_OPTIONS = ValidateOptions()
"""Schema, card rules, config.json and the meta-device build, with the cache: what `cardkit validate` does."""
