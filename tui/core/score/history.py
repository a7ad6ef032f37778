"""A scored answer in the history: a comparison of kind ``score`` (one question, the answer
scored, one result per prompt), written as it runs and read back as the same plan and
entries (:mod:`tui.core.store.comparisons`).

Settings kept: ``top_logprobs``, ``method``, ``low_prob_threshold``; the question's
``answer`` is the scored text and its ``history`` the earlier turns sent before it.
"""

from __future__ import annotations

from typing import Any

from tui.core.compare.plan import PromptSpec
from tui.core.score.result import Score
from tui.core.score.run import ScoreEntry, ScorePlan
from tui.core.store.comparisons import ComparedPrompt, ComparedQuestion, StoredComparison


def comparison_fields(
    plan: ScorePlan,
    *,
    method: str | None,
    model: str | None,
    base_url: str | None,
    conversation_id: int | None = None,
    source_answer_id: int | None = None,
) -> dict[str, Any]:
    """The keyword arguments of ``Store.create_comparison`` for this plan."""
    return {
        "kind": "score",
        "prompts": [ComparedPrompt(p.label, p.system, p.preset) for p in plan.prompts],
        "questions": [ComparedQuestion(plan.question, plan.answer, None, plan.history)],
        "model": model,
        "base_url": base_url,
        "settings": {
            "top_logprobs": plan.top_logprobs,
            "method": method,
            "low_prob_threshold": plan.threshold,
        },
        "conversation_id": conversation_id,
        "source_answer_id": source_answer_id,
    }


def result_fields(entry: ScoreEntry) -> dict[str, Any]:
    """The keyword arguments of ``Store.save_result`` for one finished entry."""
    status = entry.status if entry.status in ("ok", "error") else "cancelled"
    score = entry.score
    return {
        "prompt": entry.index,
        "status": status,
        "answer": score.answer if score else None,
        "error": entry.error,
        "method": score.method if score else None,
    }


def plan_of(stored: StoredComparison) -> tuple[ScorePlan, list[ScoreEntry]]:
    """A stored score comparison back as its plan and entries (prompts never run are
    ``cancelled``)."""
    question = stored.questions[0]
    settings = stored.settings
    plan = ScorePlan(
        tuple(PromptSpec(p.label, p.system_prompt, p.preset) for p in stored.prompts),
        question.question,
        question.answer or "",
        top_logprobs=int(settings.get("top_logprobs", 5)),
        history=question.history,
        threshold=float(settings.get("low_prob_threshold", 0.1)),
    )
    entries = [ScoreEntry(k, prompt, "cancelled") for k, prompt in enumerate(plan.prompts)]
    for result in stored.results:
        if result.question != 0 or not 0 <= result.prompt < len(entries):
            continue
        entry = entries[result.prompt]
        entry.status, entry.error = result.status, result.error
        if result.answer is not None:
            entry.score = Score(result.answer, result.method or str(settings.get("method")))
    return plan, entries
