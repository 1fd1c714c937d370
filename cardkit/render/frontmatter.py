"""The README's YAML front matter, built with huggingface_hub so the Hub reads exactly what we mean.

Using `ModelCardData` and `EvalResult` rather than hand-written YAML means the `model-index` layout,
key names and quoting are the Hub library's own; a test loads every rendered README back with
`huggingface_hub.ModelCard` and gets every evaluation result, the licence and the datasets.
"""

from __future__ import annotations

import re
from typing import Any

from huggingface_hub import EvalResult, ModelCardData

from cardkit.core.errors import CardkitError
from cardkit.render.markdown import inline
from cardkit.schema import Card
from cardkit.schema.evaluation import EvalResult as CardEvalResult

_FRONT_MATTER_END = re.compile(r"^---[ \t]*$", re.MULTILINE)


def _eval_result(result: CardEvalResult) -> EvalResult:
    source = result.source if result.source is not None and result.source.url else None
    return EvalResult(
        task_type=result.task.type,
        task_name=result.task.name,
        dataset_type=result.dataset.type,
        dataset_name=result.dataset.name,
        dataset_config=result.dataset.config,
        dataset_split=result.dataset.split,
        dataset_revision=result.dataset.revision,
        dataset_args={"num_few_shot": result.few_shot} if result.few_shot is not None else None,
        metric_type=result.metric.type,
        metric_value=result.metric.value,
        metric_name=result.metric.name,
        source_name=source.name if source else None,
        source_url=source.url if source else None,
    )


def _md_text(text: str) -> str:
    """Card text for the Markdown the Hub renders in the access form (no link can be opened by it)."""
    return inline(text).replace("[", "\\[").replace("]", "\\]")


def _destination(url: str) -> str:
    """A link destination that stays one: `<`, `>` and whitespace percent-encoded."""
    return re.sub(r"[<>\s]", lambda match: f"%{ord(match.group(0)):02X}", url)


def gating(card: Card) -> dict[str, Any]:
    """The Hub's gated-access keys when the licence must be accepted before download, else none.

    Written from card facts (model, developer, licence name and address): a heading, a prompt that
    links the licence, one checkbox the user ticks to accept it, and the button's label.
    """
    license_ = card.license
    if not license_.acceptance_required:
        return {}
    model, name = card.identity.name, license_.name
    linked = f"[{_md_text(name)}](<{_destination(license_.url)}>)" if license_.url else _md_text(name)
    return {
        "extra_gated_heading": f"Accept the {name} to access {model}",
        "extra_gated_prompt": (
            f"{_md_text(card.identity.developer)} releases {_md_text(model)} under the {linked}. "
            "Read the licence before you request access: "
            "submitting this form states that you accept its terms."
        ),
        "extra_gated_fields": {f"I have read and accept the {name}": "checkbox"},
        "extra_gated_button_content": "Accept the licence and request access",
    }


def card_data(card: Card) -> ModelCardData:
    """The Hub metadata of `card`: licence, languages, tags, datasets, lineage, model-index and, when
    the licence must be accepted first, the gated-access form."""
    identity, license_ = card.identity, card.license
    other = license_.id == "other"
    datasets = [dataset.id for dataset in card.training.published_datasets if dataset.id]
    results = [_eval_result(r) for r in card.evaluation.results] if card.evaluation else None
    return ModelCardData(
        language=list(identity.languages),
        license=license_.id,
        license_name=license_.hub_name if other else None,
        license_link=license_.url if other else None,
        library_name=identity.library_name,
        pipeline_tag=identity.pipeline_tag,
        tags=list(identity.tags) or None,
        datasets=datasets or None,
        base_model=identity.base_model,
        model_name=identity.name,
        eval_results=results,
        **gating(card),
    )


def front_matter(card: Card) -> str:
    """`---`-delimited YAML; refuses YAML that has a line the Hub would take for the closing `---`."""
    body = card_data(card).to_yaml(line_break="\n")
    if _FRONT_MATTER_END.search(body):
        raise CardkitError(f"{card.identity.repo_id}: front matter would contain a bare `---` line")
    return f"---\n{body}\n---\n"
