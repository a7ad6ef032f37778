"""A question set as JSON and CSV: one row per sample or score (prompt, question id,
metrics), one row per prompt (the summary), or one JSON document with both."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tui.core.compare.export import to_csv
from tui.core.sets.plan import SetPlan
from tui.core.sets.results import VALUE_NAMES, SetResult
from tui.core.sets.stats import SET_METRICS, TIE_TOLERANCE, SetSummary

RESULT_COLUMNS = (
    "prompt_index",
    "prompt",
    "preset",
    "system",
    "question_index",
    "question_id",
    "question",
    "sample",
    "seed",
    "status",
    "error",
    "method",
    *VALUE_NAMES,
    "text",
)
"""One row per request; ``text`` is the sampled answer, or the scored reference answer."""

SUMMARY_COLUMNS = (
    "prompt_index",
    "prompt",
    "preset",
    "questions",
    "ok",
    "failed",
    *(
        f"{metric}_{part}"
        for metric in SET_METRICS
        for part in ("mean", "diff", "ci_low", "ci_high", "wins", "ties", "losses", "verdict")
    ),
)
"""One row per prompt: the mean over questions of each metric and, against the baseline,
the paired difference with its 95 % interval and the wins/ties/losses by question (empty on
the baseline's own row)."""


def result_rows(plan: SetPlan, results: Iterable[SetResult]) -> list[dict[str, Any]]:
    """Rows of :data:`RESULT_COLUMNS`, in plan order (question, prompt, sample)."""
    rows = []
    for r in sorted(results, key=lambda r: (r.question, r.prompt, r.sample)):
        prompt, question = plan.prompts[r.prompt], plan.questions[r.question]
        rows.append(
            {
                "prompt_index": r.prompt,
                "prompt": prompt.label,
                "preset": prompt.preset,
                "system": prompt.system,
                "question_index": r.question,
                "question_id": question.id,
                "question": question.question,
                "sample": r.sample,
                "seed": r.seed,
                "status": r.status,
                "error": r.error,
                "method": r.method,
                **{name: r.values.get(name) for name in VALUE_NAMES},
                "text": r.text,
            }
        )
    return rows


def summary_rows(summary: SetSummary) -> list[dict[str, Any]]:
    rows = []
    for p in summary.prompts:
        row: dict[str, Any] = {
            "prompt_index": p.index,
            "prompt": p.label,
            "preset": p.prompt.preset,
            "questions": p.questions,
            "ok": p.ok,
            "failed": p.failed,
        }
        for metric in SET_METRICS:
            row[f"{metric}_mean"] = p.values[metric]
            if p.index == 0:
                continue
            paired = summary.paired_for(p.index, metric)
            d = paired.difference
            row |= {
                f"{metric}_diff": d.diff,
                f"{metric}_ci_low": d.ci_low,
                f"{metric}_ci_high": d.ci_high,
                f"{metric}_wins": paired.wins,
                f"{metric}_ties": paired.ties,
                f"{metric}_losses": paired.losses,
                f"{metric}_verdict": paired.verdict,
            }
        rows.append(row)
    return rows


def set_document(
    summary: SetSummary,
    results: Iterable[SetResult],
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything as one JSON object: the plan, the per-prompt summary with the paired
    differences, and every sample or score with its question id."""
    plan = summary.plan
    return {
        "kind": "question_set",
        "mode": plan.mode,
        **(extra or {}),
        "source": plan.source,
        "samples": plan.samples,
        "sampling": plan.sampling.to_dict() if plan.mode == "sample" else None,
        "complete": summary.complete,
        "done": summary.done,
        "total": plan.total,
        "prompts": [
            {"label": p.label, "system": p.system, "preset": p.preset} for p in plan.prompts
        ],
        "questions": [
            {"id": q.id, "question": q.question, "answer": q.answer} for q in plan.questions
        ],
        "summary": summary_rows(summary),
        "tie_tolerance": dict(TIE_TOLERANCE),
        "results": result_rows(plan, results),
    }


def results_csv(plan: SetPlan, results: Iterable[SetResult], *, raw_cells: bool = False) -> str:
    return to_csv(RESULT_COLUMNS, result_rows(plan, results), raw_cells=raw_cells)


def summary_csv(summary: SetSummary, *, raw_cells: bool = False) -> str:
    return to_csv(SUMMARY_COLUMNS, summary_rows(summary), raw_cells=raw_cells)


__all__: Sequence[str] = [
    "RESULT_COLUMNS",
    "SUMMARY_COLUMNS",
    "result_rows",
    "results_csv",
    "set_document",
    "summary_csv",
    "summary_rows",
]
