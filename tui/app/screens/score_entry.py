"""How the score screen is opened: on an answer of the chat (:class:`ScoreSource` of its
turn) or from the compare screen's "score a given answer" mode (its question and prompts,
scored at once)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.widgets import TextArea

from tui.core.compare.form import NO_SYSTEM, CandidateKey
from tui.core.metrics import DEFAULT_LOW_PROB_THRESHOLD


@dataclass(frozen=True)
class ScoreSource:
    """The answer to score and what it replies to. ``baseline``: the prompt it was written
    under (first on the list); ``what``: how the title names it ("answer #3")."""

    question: str
    answer: str
    history: tuple[dict[str, str], ...] = ()
    baseline: CandidateKey = NO_SYSTEM
    what: str = "the answer"
    top_logprobs: int = 5
    threshold: float = DEFAULT_LOW_PROB_THRESHOLD
    concurrency: int = 1


def score_from_compare(compare: Any, answer: str) -> None:
    """The compare screen's "score a given answer" mode: its question and prompts (in its
    order, the baseline first), this answer, scored at once on the score screen. A missing
    piece is said under the form, as the compare screen says its own."""
    question = compare.query_one("#compare-question", TextArea).text
    prompts = [c.spec for c in compare._candidates_now()]
    problem = ""
    if not answer:
        problem = "type the answer to score (or select one in the chat before F12)"
    elif not question.strip():
        problem = "the question is empty: the answer is scored as the reply to it"
    elif not prompts:
        problem = "tick or write at least one prompt to score the answer under"
    compare._show_error("run", problem)
    if problem:
        compare.app.bell()
        return
    source = ScoreSource(
        question,
        answer,
        what="the given answer",
        top_logprobs=compare.sampling.top_logprobs,
        threshold=getattr(compare.app, "low_prob_threshold", DEFAULT_LOW_PROB_THRESHOLD),
        concurrency=compare.concurrency,
    )
    from tui.app.screens.score import ScoreScreen

    compare.app.push_screen(ScoreScreen(source, prompts=prompts))
