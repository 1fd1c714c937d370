"""Load a checkpoint with transformers, as a user of the card would, and count what was built.

The header inventory proves the files match the architecture; loading proves transformers accepts
them: every weight found (none silently left at random initialisation), and the module tree it
builds has the layers, heads and parameters the card claims. Remote code runs only when the user
passes `--trust-remote-code`.
"""

from __future__ import annotations

import resource
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cardkit.card.load import CheckedCard
from cardkit.card.paths import display_path
from cardkit.core.dependencies import require
from cardkit.core.errors import MissingDependencyError
from cardkit.core.findings import Finding
from cardkit.model.codes import (
    LOAD_FAILED,
    LOAD_HEADS_MISMATCH,
    LOAD_KV_HEADS_MISMATCH,
    LOAD_LAYERS_MISMATCH,
    LOAD_MISMATCHED_WEIGHTS,
    LOAD_MISSING_WEIGHTS,
    LOAD_SKIPPED,
    LOAD_UNEXPECTED_WEIGHTS,
)

ARCH = "architecture"


@dataclass(frozen=True)
class ModelCounts:
    """What the loaded module tree says about itself."""

    parameters: int
    num_layers: int
    num_attention_heads: int
    num_kv_heads: int


@dataclass
class LoadedModel:
    model: Any
    device: str
    seconds: float
    counts: ModelCounts
    figures: dict[str, Any] = field(default_factory=dict)


def peak_host_rss_bytes() -> int:
    """Peak resident memory of this process so far (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _torch_dtype(name: str | None) -> Any:
    import torch  # lazy: heavy; only --load needs it

    table = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64}
    return table.get(name or "", "auto")


def placement(parameter_bytes: int) -> tuple[str, Any]:
    """Where the weights go: one GPU when they fit (with 10% headroom), all GPUs plus CPU otherwise."""
    import torch

    if not torch.cuda.is_available():
        return "cpu", None
    free, _ = torch.cuda.mem_get_info(0)
    if parameter_bytes * 1.1 < free:
        return "cuda:0", {"": 0}
    return "auto", "auto"


def load_model(
    folder: Path, config: Any, dtype: str | None, parameter_bytes: int, trust_remote_code: bool
) -> tuple[Any, dict[str, Any], str, float]:
    """from_pretrained on local files only; returns the model, its loading info, device and seconds."""
    torch = require("torch")  # lazy: heavy; only --load needs it
    auto = require("transformers").AutoModelForCausalLM
    device, device_map = placement(parameter_bytes)
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    kwargs: dict[str, Any] = {"dtype": _torch_dtype(dtype), "local_files_only": True}
    kwargs["trust_remote_code"] = trust_remote_code
    if not trust_remote_code:
        kwargs["config"] = config  # the card's own config.json, native class; auto_map never runs
    if device_map is not None:
        kwargs["device_map"] = device_map
    start = time.perf_counter()
    # A (model, info) pair with output_loading_info; transformers annotates the model alone.
    pair: Any = auto.from_pretrained(str(folder), output_loading_info=True, **kwargs)
    model, info = pair
    seconds = time.perf_counter() - start
    model.eval()
    return model, info, device, seconds


def decoder_layers(model: Any) -> int:
    """Blocks in the heaviest ModuleList of identical modules: the decoder stack, whatever its name.

    The heaviest, not the longest: per-head norms (StableLM 2's QK norm) are ModuleLists too.
    """
    import torch

    best, best_weight = 0, -1
    for module in model.modules():
        if isinstance(module, torch.nn.ModuleList) and len({type(child).__name__ for child in module}) == 1:
            weight = sum(p.numel() for p in module.parameters())
            if weight > best_weight:
                best, best_weight = len(module), weight
    return best


def attention_heads(model: Any, config_heads: int, config_kv: int) -> tuple[int, int]:
    """Query and KV heads from the first attention block's projection widths and head size.

    Separate projections give both directly; a fused `query_key_value` holds heads + 2 x KV heads
    (KV heads from the config, since one width cannot give two unknowns). Modules that name neither
    layout fall back to the config.
    """
    for module in model.modules():
        head_dim = getattr(module, "head_dim", None) or getattr(module, "head_size", None)
        if not isinstance(head_dim, int) or head_dim <= 0:
            continue
        q, k = getattr(module, "q_proj", None), getattr(module, "k_proj", None)
        if q is not None and k is not None:
            return q.out_features // head_dim, k.out_features // head_dim
        fused = getattr(module, "query_key_value", None)
        if fused is not None:
            width = fused.out_features // head_dim
            if config_kv == config_heads:
                return width // 3, width // 3
            return width - 2 * config_kv, config_kv
    return config_heads, config_kv


def count_loaded(model: Any) -> ModelCounts:
    """Parameters, layers and heads from the modules built (the config only where modules are silent)."""
    from cardkit.model.model_config import facts_from_config

    facts = facts_from_config(model.config)
    heads, kv_heads = attention_heads(model, facts.num_attention_heads, facts.num_kv_heads)
    return ModelCounts(
        parameters=sum(p.numel() for p in model.parameters()),
        num_layers=decoder_layers(model),
        num_attention_heads=heads,
        num_kv_heads=kv_heads,
    )


def _loading_findings(info: dict[str, Any], display: str) -> list[Finding]:
    """Weights transformers could not place: missing ones stay randomly initialised, which is silent."""
    findings = []
    for key, code, what in (
        ("missing_keys", LOAD_MISSING_WEIGHTS, "left at random initialisation: not in the checkpoint"),
        ("unexpected_keys", LOAD_UNEXPECTED_WEIGHTS, "in the checkpoint but not used by the model"),
        ("mismatched_keys", LOAD_MISMATCHED_WEIGHTS, "in the checkpoint with the wrong shape"),
    ):
        for item in sorted(info.get(key) or [], key=str):
            name = item[0] if isinstance(item, tuple) else str(item)
            findings.append(code.finding(what, display, field=name))
    return findings


COUNT_FIELDS = (
    ("num_layers", LOAD_LAYERS_MISMATCH, (ARCH, "num_layers")),
    ("num_attention_heads", LOAD_HEADS_MISMATCH, (ARCH, "num_attention_heads")),
    ("num_kv_heads", LOAD_KV_HEADS_MISMATCH, (ARCH, "num_kv_heads")),
)


def compare_counts(loaded: CheckedCard, counts: ModelCounts) -> list[Finding]:
    """The loaded model's layers and heads against the card: `expected` is the loaded figure,
    `actual` the card's. Its parameter count is judged by `cardkit.validate.parameters`."""
    arch = loaded.card.architecture
    findings = []
    for attribute, code, path in COUNT_FIELDS:
        truth, claim = getattr(counts, attribute), getattr(arch, attribute)
        if truth != claim:
            message = f"the loaded model has {truth}; the card says {claim}"
            findings.append(loaded.finding(code, message, path, expected=truth, actual=claim))
    return findings


def available_host_bytes() -> int | None:
    """MemAvailable from /proc/meminfo (Linux); None where it cannot be read."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def too_big_for_host(parameter_bytes: int, display: str) -> Finding | None:
    """A CPU load that cannot fit is refused up front: the kernel's OOM killer gives no finding."""
    import torch

    available = available_host_bytes()
    if torch.cuda.is_available() or available is None or parameter_bytes <= available:
        return None
    message = (
        f"not loaded: the weights need {parameter_bytes / 2**30:.1f} GiB and only "
        f"{available / 2**30:.1f} GiB of host memory is available (no CUDA device)"
    )
    return LOAD_SKIPPED.finding(
        message, display, expected=parameter_bytes, actual=available
    )


ITEMSIZE = {"F32": 4, "F16": 2, "BF16": 2, "F64": 8}


def architecture_bytes(config: Any, dtype: str | None) -> int:
    """Bytes from_pretrained allocates for this config, whatever the files hold: a checkpoint that
    stores one tensor of a 70B architecture still builds all 70B parameters (randomly initialised)."""
    from cardkit.model.meta_model import build_meta_model  # lazy: imports torch

    model = build_meta_model(config)
    tensors = {id(t): t for t in [*model.parameters(), *model.buffers()]}.values()
    return sum(t.numel() * ITEMSIZE.get(dtype or "", t.element_size()) for t in tensors)


def load_and_check(
    loaded: CheckedCard,
    folder: Path,
    config: Any,
    dtype: str | None,
    parameter_bytes: int,
    trust_remote_code: bool = False,
) -> tuple[LoadedModel | None, list[Finding]]:
    """Load the checkpoint and compare the built model with the card; a failed load is a finding."""
    display = display_path(folder)
    needed = max(parameter_bytes, architecture_bytes(config, dtype))
    if refusal := too_big_for_host(needed, display):
        return None, [refusal]
    try:
        model, info, device, seconds = load_model(folder, config, dtype, needed, trust_remote_code)
    except MissingDependencyError:
        raise
    except Exception as exc:  # transformers raises anything from OSError to KeyError on a bad folder
        reason = str(exc).strip().splitlines()[0][:400] if str(exc).strip() else type(exc).__name__
        return None, [LOAD_FAILED.finding(f"{type(exc).__name__}: {reason}", display)]
    counts = count_loaded(model)
    findings = _loading_findings(info, display) + compare_counts(loaded, counts)
    return LoadedModel(model, device, seconds, counts, _figures(device, seconds, counts)), findings


def _figures(device: str, seconds: float, counts: ModelCounts) -> dict[str, Any]:
    import torch

    figures: dict[str, Any] = {
        "device": device,
        "seconds": round(seconds, 3),
        "parameters": counts.parameters,
        "num_layers": counts.num_layers,
        "num_attention_heads": counts.num_attention_heads,
        "num_kv_heads": counts.num_kv_heads,
        "peak_host_rss_bytes": peak_host_rss_bytes(),
    }
    if torch.cuda.is_available():
        figures["peak_device_bytes"] = torch.cuda.max_memory_allocated()
    return figures
