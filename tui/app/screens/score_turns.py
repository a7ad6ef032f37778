"""The turns the score screen shows for one prompt: the answer as scored under it, and its
difference to the first prompt (the same answer, coloured by Δ), as chat turns, so a plain
:class:`~tui.app.widgets.chat_log.ChatLog` shows them (headers, heat, token cursor)."""

from __future__ import annotations

from dataclasses import replace

from tui.core.conversation import Turn
from tui.core.safety import safe_line
from tui.core.score.run import ScoreEntry, ScorePlan
from tui.core.settings import Sampling


def score_turns(plan: ScorePlan, entry: ScoreEntry, first: ScoreEntry, *, model: str) -> list[Turn]:
    """``[answer under entry]`` plus, for any prompt but the first with both scored,
    ``[difference to the first]``; ``[]`` when the entry has no score."""
    if entry.score is None:
        return []
    answer = entry.score.answer
    tokens = sum(1 for t in answer.tokens if t.bytes)
    sampling = Sampling(temperature=0.0, top_logprobs=plan.top_logprobs, max_tokens=max(1, tokens))
    prompt = entry.prompt
    # The header names the prompt by its label (what the table says), preset or not.
    under = Turn(
        plan.question,
        system_prompt=prompt.system,
        preset=prompt.label,
        sampling=sampling,
        model=model,
        answer=answer,
    )
    if entry.index == 0 or first.score is None:
        return [under]
    caption = (
        f"Difference: each token coloured by its logprob under «{safe_line(prompt.label)}» "
        f"minus under «{safe_line(first.label)}» (legend below)"
    )
    difference = Turn(
        caption,
        system_prompt=prompt.system,
        preset=f"{prompt.label} − {first.label}",
        sampling=sampling,
        model=model,
        answer=replace(answer, notices=[]),
    )
    return [under, difference]
