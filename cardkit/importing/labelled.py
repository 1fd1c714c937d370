"""Draft fields read from labelled facts (`| Hidden size | 5,120 |`, `**Model developer**: Meta`).

Each field has the labels that name it (English and Chinese: the Hub template's, publishers' and
the ones `cardkit render` writes, so a rendered README imports back to its card) and a reader that
takes the value only in the form that field has; a value it cannot read, or two labels stating
different values, leave the field as it was (TODO, or what config.json and front matter gave).
Only TODO or absent fields are filled: config.json and front matter stay first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from cardkit.importing.draft import Draft, fill_field, is_todo, todo
from cardkit.importing.labelled_rows import fill_from_model_row, fill_licence
from cardkit.importing.labelled_values import (
    as_biases,
    as_bool,
    as_code,
    as_count_text,
    as_date,
    as_float_text,
    as_languages,
    as_name,
    as_numbers,
    as_precision,
    as_published_count,
    as_repo_link,
    as_signed_count,
    as_url,
    choice,
    codes,
    is_estimate,
    names_list,
)
from cardkit.readme.claims import is_chinese
from cardkit.readme.document import Document
from cardkit.readme.labels import Labelled, values_for

Reader = Callable[[str], Any]

VARIANTS = {
    "pretrained base model": "base",
    "预训练基础模型": "base",
    "instruction-tuned model": "instruct",
    "指令微调模型": "instruct",
    "chat model": "chat",
    "对话模型": "chat",
}
STAGES = {
    "pretraining": "pretraining",
    "预训练": "pretraining",
    "fine-tuning": "fine-tuning",
    "微调": "fine-tuning",
}
POSITIONAL = {
    "rotary (rope)": "rotary",
    "旋转位置编码（rope）": "rotary",
    "alibi (linear attention biases)": "alibi",
    "learned position embeddings": "learned",
    "fixed sinusoidal positions": "sinusoidal",
    "relative position biases": "relative",
}
PLACEMENTS = {
    "before each sublayer (pre-norm)": "pre",
    "每个子层之前（前归一化）": "pre",
    "after each residual sum (post-norm)": "post",
}
BLOCK_NORMS = {
    "one norm shared by attention and mlp": "shared",
    "注意力与 mlp 共用一个归一化": "shared",
    "one norm each": "separate",
}
TOKENIZER_TYPES = ("bpe", "byte-level-bpe", "sentencepiece-bpe", "sentencepiece-unigram", "wordpiece")


def _labels(*names: str) -> frozenset[str]:
    return frozenset(names)


# (draft path, labels, reader, model-specific: skipped on a family card, whose figures are its members')
FIELDS: list[tuple[tuple[str, ...], frozenset[str], Reader, bool]] = [
    (
        ("identity", "developer"),
        _labels("developed by", "model developer", "model developers", "开发者"),
        as_name,
        False,
    ),
    (("identity", "family"), _labels("model family", "模型系列"), as_name, False),
    (
        ("identity", "variant"),
        _labels("model type", "模型类别"),
        lambda v: choice(VARIANTS, v, prefix=True),
        True,
    ),
    (
        ("architecture", "model_type"),
        _labels("model type", "模型类别", "transformers model type", "transformers 模型类型"),
        lambda v: as_code(v, last=True),
        True,
    ),
    (
        ("identity", "languages"),
        _labels("language(s)", "languages", "supported languages", "语言"),
        as_languages,
        False,
    ),
    (("identity", "release_date"), _labels("release date", "发布日期"), as_date, True),
    (("identity", "repo_id"), _labels("repository", "仓库"), as_repo_link, True),
    (("identity", "base_model"), _labels("fine-tuned from", "微调自"), as_repo_link, True),
    (("architecture", "hidden_size"), _labels("hidden size", "隐藏层维度"), as_count_text, True),
    (("architecture", "num_layers"), _labels("layers", "层数"), as_count_text, True),
    (("architecture", "num_attention_heads"), _labels("attention heads", "注意力头数"), as_count_text, True),
    (("architecture", "num_kv_heads"), _labels("key/value heads", "键/值头数"), as_count_text, True),
    (("architecture", "head_dim"), _labels("head width", "注意力头维度", "head_dim"), as_count_text, True),
    (("architecture", "intermediate_size"), _labels("feed-forward size", "前馈层维度"), as_count_text, True),
    (("architecture", "gated_mlp"), _labels("gated feed-forward", "门控前馈层"), as_bool, True),
    (("architecture", "vocab_size"), _labels("embedding rows", "嵌入矩阵行数"), as_count_text, True),
    (
        ("architecture", "max_position_embeddings"),
        _labels("position limit (tokens)", "位置上限（token）"),
        as_count_text,
        True,
    ),
    (
        ("architecture", "normalization"),
        _labels("normalisation", "normalization", "归一化"),
        lambda v: as_code(v, allowed=("layernorm", "rmsnorm")),
        True,
    ),
    (
        ("architecture", "norm_placement"),
        _labels("norm placement", "归一化位置"),
        lambda v: choice(PLACEMENTS, v),
        True,
    ),
    (
        ("architecture", "qk_normalization"),
        _labels("query/key normalisation", "查询/键归一化"),
        as_bool,
        True,
    ),
    (
        ("architecture", "activation"),
        _labels("activation", "激活函数"),
        lambda v: as_code(v, allowed=("gelu", "gelu_new", "silu", "relu")),
        True,
    ),
    (("architecture", "parallel_residual"), _labels("parallel residual", "并行残差"), as_bool, True),
    (
        ("architecture", "parallel_norms"),
        _labels("norms in the parallel block", "并行块中的归一化"),
        lambda v: choice(BLOCK_NORMS, v),
        True,
    ),
    (
        ("architecture", "tied_embeddings"),
        _labels("tied input and output embeddings", "输入与输出嵌入共享"),
        as_bool,
        True,
    ),
    (
        ("tokenizer", "type"),
        _labels("algorithm", "算法"),
        lambda v: as_code(v, allowed=TOKENIZER_TYPES),
        True,
    ),
    (("tokenizer", "vocab_size"), _labels("vocabulary size", "词表大小"), as_count_text, True),
    (("training", "stage"), _labels("training stage", "训练阶段"), lambda v: choice(STAGES, v), True),
    (
        ("training", "tokens"),
        _labels("tokens processed (all epochs)", "训练 token 总数（含所有轮次）"),
        as_count_text,
        True,
    ),
    (("training", "epochs"), _labels("epochs", "训练轮数"), lambda v: as_float_text(v, integral=True), True),
    (("training", "software"), _labels("software", "软件"), names_list, True),
    (
        ("training", "compute", "gpu_hours"),
        _labels("gpu hours", "gpu 时长（小时）"),
        as_published_count,
        True,
    ),
    (
        ("training", "compute", "power_watts"),
        _labels("peak power per device (w)", "单卡峰值功率（瓦）"),
        as_published_count,
        True,
    ),
    (
        ("training", "compute", "co2_tonnes"),
        _labels("emissions (tco2eq)", "碳排放（吨二氧化碳当量）"),
        lambda v: None if is_estimate(v) else as_float_text(v),
        True,
    ),
    (
        ("training", "compute", "co2_offset_percent"),
        _labels("share of emissions offset (per cent)"),
        as_published_count,
        True,
    ),
    (("training", "unique_tokens"), _labels("unique tokens", "不重复 token 数"), as_count_text, True),
    (("training", "start_date"), _labels("training start", "训练开始日期"), as_date, True),
    (
        ("training", "duration_days"),
        _labels("training duration (days)", "训练时长（天）"),
        as_float_text,
        True,
    ),
    (
        ("architecture", "parameters", "acknowledged_difference", "amount"),
        _labels("computed minus published parameters", "架构计算值与公布值之差"),
        as_signed_count,
        True,
    ),
    (
        ("architecture", "linear_biases"),
        _labels("linear layers with a bias", "带偏置的线性层"),
        as_biases,
        True,
    ),
    (("usage", "example_prompt"), _labels("example prompt", "示例提示词"), as_code, True),
    (("usage", "stop_tokens"), _labels("stop tokens", "停止 token"), codes, True),
    (("usage", "generation", "do_sample"), _labels("sampling", "采样"), as_bool, True),
    (("usage", "generation", "temperature"), _labels("temperature", "温度"), as_float_text, True),
    (("usage", "generation", "top_p"), _labels("top-p", "top-p 采样阈值"), as_float_text, True),
    (
        ("usage", "generation", "top_k"),
        _labels("top-k", "top-k 采样数"),
        lambda v: as_float_text(v, integral=True),
        True,
    ),
    (
        ("usage", "generation", "max_new_tokens"),
        _labels("maximum new tokens", "最多生成 token 数"),
        as_count_text,
        True,
    ),
]
TOKENIZER_HEADINGS = frozenset({"tokenizer", "分词器"})
SECTION_FIELDS: list[tuple[tuple[str, ...], frozenset[str], frozenset[str], Reader]] = [
    (("tokenizer", "name"), _labels("tokenizer", "分词器"), _labels("name", "名称"), as_name),
    (
        ("tokenizer", "special_tokens", "bos"),
        _labels("tokenizer", "分词器"),
        _labels("beginning-of-sequence token", "序列开始 token"),
        as_code,
    ),
    (
        ("tokenizer", "special_tokens", "eos"),
        _labels("tokenizer", "分词器"),
        _labels("end-of-sequence token", "序列结束 token"),
        as_code,
    ),
]
SECTION_FIELDS += [
    (
        ("tokenizer", "special_tokens", "unk"),
        TOKENIZER_HEADINGS,
        _labels("unknown token", "未知 token"),
        as_code,
    ),
    (
        ("tokenizer", "special_tokens", "pad"),
        TOKENIZER_HEADINGS,
        _labels("padding token", "填充 token"),
        as_code,
    ),
    (
        ("tokenizer", "special_tokens", "additional"),
        TOKENIZER_HEADINGS,
        _labels("other special tokens", "其他特殊 token"),
        codes,
    ),
]
"""Fields whose label is generic (`Name`): read only under the heading that gives it its meaning."""
OPTIMIZER_FIELDS: list[tuple[str, frozenset[str], Reader]] = [
    ("betas", _labels("adam betas", "adam 的 β 参数"), lambda v: as_numbers(v, 2)),
    ("epsilon", _labels("adam epsilon", "adam 的 ε 参数"), as_float_text),
    ("batch_size_tokens", _labels("global batch (tokens)", "批量大小（token 数）"), as_count_text),
    ("schedule", _labels("learning-rate schedule", "学习率调度"), as_code),
    ("name", _labels("optimizer", "优化器"), as_name),
    ("learning_rate", _labels("peak learning rate", "learning rate", "峰值学习率", "学习率"), as_float_text),
    ("weight_decay", _labels("weight decay", "权重衰减"), as_float_text),
    (
        "warmup_steps",
        _labels("warm-up steps", "warmup steps", "预热步数"),
        lambda v: as_float_text(v, integral=True),
    ),
    (
        "batch_size_sequences",
        _labels("global batch (sequences)", "batch size", "批量大小（序列数）"),
        lambda v: as_float_text(v, integral=True),
    ),
]
HARDWARE_FIELDS: list[tuple[str, frozenset[str], Reader]] = [
    ("type", _labels("accelerator", "加速器"), as_name),
    ("count", _labels("number of accelerators", "加速器数量"), as_count_text),
    ("provider", _labels("provider", "算力提供方"), as_name),
]


SOURCES = {
    "paper": _labels("paper", "论文"),
    "technical_report": _labels("technical report", "技术报告"),
    "repository": _labels("code repository", "代码仓库"),
    "demo": _labels("demo", "演示"),
}
PROSE_LABELS = {"out_of_scope_use": _labels("out-of-scope", "out-of-scope use", "out-of-scope uses")}
"""Prose a publisher writes after a bold label (`**Out-of-scope** Use in any manner that ...`)."""


def _plain_prose(value: str) -> str:
    return value.strip()


def _one(items: list[Labelled], read: Reader) -> Any:
    """The one value the labelled facts state; None when none reads or two read differently."""
    values = [value for item in items if (value := read(item.value)) is not None]
    distinct = {repr(value) for value in values}
    return values[0] if len(distinct) == 1 else None


def fill_labelled(doc: Document, draft: Draft) -> None:
    """Fill the draft's TODO fields from the README's labelled facts (in place)."""
    family = bool(doc.identity.family) and not doc.repo_id
    stated = _one(values_for(doc, _labels("precision", "数值精度")), as_precision)
    if stated is not None and not family:  # the Precision row, not a sentence that mentions bf16
        draft["training"]["precision"] = stated
    for path, labels, read, specific in FIELDS:
        if specific and family:
            continue
        if (value := _one(values_for(doc, labels), read)) is not None:
            fill_field(draft, path, value)
    if family:
        return
    for path, sections, labels, read in SECTION_FIELDS:
        items = [item for item in values_for(doc, labels) if item.section in sections]
        if (value := _one(items, read)) is not None:
            fill_field(draft, path, value)
    for key, labels in SOURCES.items():
        if (value := _one(values_for(doc, labels), as_url)) is not None:
            fill_field(draft, ("identity", "sources", key), value)
    for field, labels in PROSE_LABELS.items():
        for item in values_for(doc, labels)[:1]:
            text = _plain_prose(item.value)
            fill_field(draft, ("prose", field, "zh" if is_chinese(text) else "en"), text)
    fill_from_model_row(doc, draft)
    _fill_parameters(doc, draft)
    _fill_positional(doc, draft)
    fill_licence(doc, draft)
    for group, fields in (("optimizer", OPTIMIZER_FIELDS), ("hardware", HARDWARE_FIELDS)):
        for key, labels, read in fields:
            if (value := _one(values_for(doc, labels), read)) is not None:
                fill_field(draft, ("training", group, key), value)


PARAMETERS = re.compile(r"^([\d,]+)\s*[(（]`(\d+(?:\.\d+)?[BM])`[)）]$")


def _fill_parameters(doc: Document, draft: Draft) -> None:
    """`12,143,605,760 (`12B`)`: the published count and its size label."""
    stated = _one(values_for(doc, _labels("parameters", "参数量")), lambda v: PARAMETERS.match(v) and v)
    if stated and (match := PARAMETERS.match(stated)):
        fill_field(draft, ("architecture", "parameters", "count"), int(match.group(1).replace(",", "")))
        fill_field(draft, ("architecture", "parameters", "label"), match.group(2))


POSITIONAL_LABELS = _labels("positional embeddings", "positionnal embeddings", "position embeddings")


def _positional_word(value: str) -> str | None:
    match = re.match(r"(rotary|alibi|learned)\b", value.strip().lower())
    return match.group(1) if match else None


def _fill_positional(doc: Document, draft: Draft) -> None:
    kind = _one(values_for(doc, _labels("positional encoding", "位置编码")), lambda v: choice(POSITIONAL, v))
    if kind is None:  # `**Positionnal embeddings:** rotary (Su et al., 2021);`
        kind = _one(values_for(doc, POSITIONAL_LABELS), _positional_word)
    if kind is None or not is_todo(draft["architecture"].get("positional_embedding")):
        return
    positional: Draft = {"type": kind}
    if kind == "rotary":
        positional["rotary_fraction"] = todo("rotary_fraction")
    if kind == "rotary":
        for key, labels in (
            ("rotary_fraction", ("rotary fraction", "旋转维度占比")),
            ("rope_theta", ("rotary base (theta)", "旋转基频（θ）")),
        ):
            if (value := _one(values_for(doc, frozenset(labels)), as_float_text)) is not None:
                positional[key] = value
    draft["architecture"]["positional_embedding"] = positional
