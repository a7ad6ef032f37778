"""One-line summaries shown in the chat log around each answer.

* the header names what shaped the answer (number, prompt, model, sampling), so two answers
  asked under different prompts can be told apart at a glance;
* the footer gives its state and its headline numbers (live while it streams).
"""

from __future__ import annotations

from tui.app.text.status import prompt_label
from tui.core.answer import Answer
from tui.core.conversation import Turn
from tui.core.metrics import Metrics
from tui.core.report import fmt_prob, fmt_seconds
from tui.core.safety import safe_line

STATE_MARK = {
    "queued": "…",
    "streaming": "…",
    "complete": "✓",
    "stopped": "■",
    "error": "✗",  # (its error line below starts with ⚠: one warning sign is enough)
    "incomplete": "◌",
}


def answer_header(turn: Turn, number: int) -> str:
    """``#2 · polite · smollm2-135m-instruct · T0.7 k5 max512 seed–``."""
    s = turn.sampling
    seed = "–" if s.seed is None else str(s.seed)
    parts = [f"#{number}", prompt_label(turn.preset, turn.system_prompt)]
    if turn.model:
        parts.append(safe_line(turn.model))
    penalty = "" if s.repeat_penalty is None else f" rep{s.repeat_penalty:g}"
    parts.append(f"T{s.temperature:g} k{s.top_logprobs} max{s.max_tokens} seed{seed}{penalty}")
    return " · ".join(parts)


def metrics_summary(m: Metrics) -> list[str]:
    parts = [f"{m.tokens} tokens"]
    if m.mean_prob is not None:
        parts.append(f"mean p {fmt_prob(m.mean_prob)}")
    if m.min_prob is not None:
        parts.append(f"min p {fmt_prob(m.min_prob)}")
    if m.low_prob_count:
        parts.append(f"{m.low_prob_count} below {m.low_prob_threshold:g}")
    return parts


READING_PROMPT = "reading the prompt…"
"""Said from the request until the first token: a model reads a long prompt for seconds, and
"streaming · 0 tokens" meanwhile looked stuck."""


def live_footer(m: Metrics, waiting: bool = False, reading: float | None = None) -> str:
    """While streaming: state and the running numbers (O(1) to build). ``reading``: seconds
    since the request, while no token has come yet (:data:`READING_PROMPT`, with the seconds
    from the first whole one)."""
    if waiting:
        return "… waiting for the model"
    if reading is not None:
        return f"… {READING_PROMPT}" + (f" {reading:.0f} s" if reading >= 1 else "")
    return " · ".join(["… streaming", *metrics_summary(m)])


def answer_footer(answer: Answer) -> str:
    """After the answer ended: state, numbers and timing."""
    parts = [f"{STATE_MARK.get(answer.status, '?')} {answer.status}"]
    if answer.has_logprobs:
        parts += metrics_summary(answer.metrics)
    elif answer.text:
        parts.append("no logprobs returned")
    if answer.ttft is not None:
        parts.append(f"TTFT {fmt_seconds(answer.ttft)}")
    if answer.tokens_per_second is not None:
        parts.append(f"{answer.tokens_per_second:.1f} tok/s")
    if answer.finish_reason and answer.finish_reason != "stop":
        parts.append(f"finish {safe_line(answer.finish_reason)}")
    return " · ".join(parts)
