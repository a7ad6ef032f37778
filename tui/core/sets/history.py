"""A question set in the history: a comparison (kind ``sample`` or ``score``) with its
prompts, questions (text, reference answer, id) and one result per request, written as each
finishes, so a run stopped any way (Ctrl+C, kill -9, a closed SSH session) is carried on
from what is there (:mod:`tui.core.store.comparisons`; no new tables or columns needed).

Settings kept (``settings`` JSON): ``set: true``, ``samples``, ``sampling`` (temperature,
top_logprobs, max_tokens, seed), ``top_logprobs`` (scored alternatives), ``low_prob_threshold``,
``stream``, ``source`` (the question file's name) and ``concurrency`` (the last run's).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tui.core.compare.plan import ComparePlan, PromptSpec
from tui.core.compare.samples import Sample
from tui.core.metrics import Metrics
from tui.core.questions import Question
from tui.core.sets.plan import SetPlan
from tui.core.sets.results import SetResult, metrics_values, result_values
from tui.core.settings import Sampling
from tui.core.store.comparisons import (
    ComparedPrompt,
    ComparedQuestion,
    ComparisonSummary,
    ResultValues,
    StoredComparison,
)


def comparison_fields(plan: SetPlan, *, model: str | None, base_url: str | None) -> dict[str, Any]:
    """The keyword arguments of ``Store.create_comparison`` for this set."""
    return {
        "kind": plan.mode,
        "title": plan.source,
        "prompts": [ComparedPrompt(p.label, p.system, p.preset) for p in plan.prompts],
        "questions": [ComparedQuestion(q.question, q.answer, q.id) for q in plan.questions],
        "model": model,
        "base_url": base_url,
        "settings": settings_of(plan),
    }


def settings_of(plan: SetPlan) -> dict[str, Any]:
    return {
        "set": True,
        "samples": plan.samples,
        "sampling": plan.sampling.to_dict(),
        "top_logprobs": plan.top_logprobs,
        "low_prob_threshold": plan.threshold,
        "stream": plan.stream,
        "source": plan.source,
        "concurrency": plan.concurrency,
    }


def is_set(stored: StoredComparison | ComparisonSummary | dict[str, Any]) -> bool:
    """Whether a stored comparison is a question set (else a one-question comparison)."""
    settings = stored if isinstance(stored, dict) else getattr(stored, "settings", None)
    if settings is None:  # a summary: several questions make a set
        return getattr(stored, "questions", 0) > 1
    return bool(settings.get("set"))


def result_fields(result: SetResult) -> dict[str, Any]:
    """The keyword arguments of ``Store.save_result`` for one finished request."""
    return {
        "prompt": result.prompt,
        "question": result.question,
        "sample": result.sample,
        "status": result.status,
        "answer": result.answer,
        "error": result.error,
        "method": result.method,
        "seed": result.seed,
    }


def set_of_one(plan: ComparePlan) -> SetPlan:
    """A one-question sampled comparison as a set of one question (how it is kept: F6 lists
    it, the set screen shows it, ``--resume`` carries it on)."""
    return SetPlan(
        plan.prompts,
        (Question("1", plan.message),),
        samples=plan.samples,
        sampling=plan.sampling,
        concurrency=plan.concurrency,
        stream=plan.stream,
        threshold=plan.threshold,
    )


def sample_result(sample: Sample) -> SetResult | None:
    """A finished sample of a one-question comparison as the set's result (``None`` while
    it is not finished, or cancelled: nothing to keep)."""
    if sample.status not in ("ok", "error"):
        return None
    answer = sample.answer if sample.ok else None
    return SetResult(
        sample.prompt_index,
        0,
        sample.index,
        "ok" if sample.ok else "error",
        result_values(answer),
        answer.text if answer else "",
        sample.error,
        sample.seed,
        None,
        answer,
    )


def plan_of(stored: StoredComparison, *, concurrency: int | None = None) -> SetPlan:
    """The stored set back as its plan (``concurrency`` overrides the stored one). A
    one-question comparison (a scored answer) reads as a set of one question, so the set
    screen shows it too."""
    settings = stored.settings
    sampling = Sampling(**settings.get("sampling", {}))
    return SetPlan(
        tuple(PromptSpec(p.label, p.system_prompt, p.preset) for p in stored.prompts),
        tuple(
            Question(q.external_id or str(j + 1), q.question, q.answer, 0)
            for j, q in enumerate(stored.questions)
        ),
        mode=stored.kind,
        samples=int(settings.get("samples", 1)),
        sampling=sampling,
        concurrency=concurrency or int(settings.get("concurrency", 4)),
        top_logprobs=int(settings.get("top_logprobs", sampling.top_logprobs)),
        threshold=float(settings.get("low_prob_threshold", 0.1)),
        stream=bool(settings.get("stream", True)),
        source=settings.get("source"),
    )


def results_of(rows: Iterable[ResultValues]) -> list[SetResult]:
    """Stored results (without tokens) as the set's results: ``ok`` and ``error`` ones
    (``cancelled`` rows are requests that never finished: they are asked again)."""
    results = []
    for row in rows:
        if row.status not in ("ok", "error"):
            continue
        metrics = Metrics.from_dict(row.metrics) if row.metrics else None
        results.append(
            SetResult(
                row.prompt,
                row.question,
                row.sample,
                row.status,
                metrics_values(metrics),
                row.text,
                row.error,
                row.seed,
                row.method,
            )
        )
    return results


def to_resume(results: Iterable[SetResult]) -> list[SetResult]:
    """The results a resumed run keeps: the ``ok`` ones. Failed requests are asked again
    (a server that was down, a timeout: the retry is what a person resuming wants)."""
    return [r for r in results if r.ok]
