"""One-line summaries shown in the chat log around each answer.

* the header names what shaped the answer (number, prompt, model, sampling), so two answers
  asked under different prompts can be told apart at a glance;
* the footer (the "chat line") gives its state and its headline numbers: live while it
  streams, "recovering …" while llama.cpp's hidden tokens are measured, then how it ended.

How it ended is said in the words every surface uses (:func:`tui.core.report.finish_label`):
an answer cut by ``max_tokens`` or by a full context reads ``✂ cut: max_tokens``, never
``✓ complete``; and whenever the numbers leave tokens out, "covers 54 of 96 tokens" comes
right after the state, so it is the last thing a narrow terminal would cut.
"""

from __future__ import annotations

from tui.app.text.status import prompt_label
from tui.core.answer import Answer
from tui.core.conversation import Turn
from tui.core.metrics import Metrics
from tui.core.report import (
    FINISH_CUT_CONTEXT,
    FINISH_CUT_MAX_TOKENS,
    coverage_words,
    finish_label,
    fmt_prob,
    fmt_seconds,
)
from tui.core.safety import safe_line

STATE_MARK = {
    "queued": "…",
    "streaming": "…",
    "complete": "✓",
    "stopped": "■",
    "error": "✗",  # (its error line below starts with ⚠: one warning sign is enough)
    "incomplete": "◌",
    FINISH_CUT_MAX_TOKENS: "✂",
    FINISH_CUT_CONTEXT: "✂",
    "refusal": "⊘",
}

RECOVERING_MARK = "⟳"

ALIVE_AFTER = 1.0
"""Seconds of keep-alives alone before the chat line says the server is alive but silent
(the client reports :class:`~tui.core.wire.events.ServerAlive` at most once a second)."""


def sibling_mark(siblings: tuple[int, int]) -> str:
    """ "‹2/3›": sibling 2 of 3 ("" for an answer without siblings)."""
    k, n = siblings
    return f"‹{k}/{n}›" if n > 1 else ""


def answer_header(turn: Turn, number: int, siblings: tuple[int, int] = (1, 1)) -> str:
    """``#2 ‹2/3› · polite · smollm2-135m-instruct · T0.7 k5 max512 seed–`` (``‹2/3›``:
    the answer is sibling 2 of 3, only when it has siblings)."""
    s = turn.sampling
    seed = "–" if s.seed is None else str(s.seed)
    mark = sibling_mark(siblings)
    number_part = f"#{number} {mark}" if mark else f"#{number}"
    parts = [number_part, prompt_label(turn.preset, turn.system_prompt)]
    if turn.model:
        parts.append(safe_line(turn.model))
    penalty = "" if s.repeat_penalty is None else f" rep{s.repeat_penalty:g}"
    parts.append(f"T{s.temperature:g} k{s.top_logprobs} max{s.max_tokens} seed{seed}{penalty}")
    return " · ".join(parts)


ORIGIN_WORDS = {"regenerate": "↻ regenerated", "edit": "✎ question edited and sent again"}


def lineage_line(turn: Turn) -> str | None:
    """How a sibling was made, under its header: a branch says where it left its source
    ("⑂ branch at token #12: “ Kyoto” (38.0%) instead of “ Tokyo” (41.0%)"), a regenerated
    answer or an edited question says so; ``None`` for a question asked."""
    if turn.point is not None:
        prefix = "⑂ branch" if turn.origin == "branch" else "↻ branch regenerated"
        return f"{prefix} {turn.point.describe()}"
    return ORIGIN_WORDS.get(turn.origin)


def metrics_summary(m: Metrics) -> list[str]:
    parts = [f"{m.tokens} tokens"]
    if m.mean_prob is not None:
        parts.append(f"mean p {fmt_prob(m.mean_prob)}")
    if m.min_prob is not None:
        parts.append(f"min p {fmt_prob(m.min_prob)}")
    if m.low_prob_count:
        parts.append(f"{m.low_prob_count} below {m.low_prob_threshold:g}")
    return parts


def state_words(answer: Answer, max_tokens: int | None = None) -> str:
    """``✓ complete``, ``✂ cut: max_tokens``, ``⊘ refusal``, ``■ stopped``…: how the answer
    ended, with its mark."""
    label = finish_label(answer, max_tokens)
    return f"{STATE_MARK.get(label, '?')} {label}"


READING_PROMPT = "reading the prompt…"
"""Said from the request until the first token: a model reads a long prompt for seconds, and
"streaming · 0 tokens" meanwhile looked stuck."""


def alive_words(idle: float | None) -> str | None:
    """ "server alive, no tokens for 12 s (ctrl+c stops)" while a stream carries only
    keep-alives (``idle`` seconds since its last piece), else ``None``."""
    if idle is None or idle < ALIVE_AFTER:
        return None
    return f"server alive, no tokens for {idle:.0f} s (ctrl+c stops)"


def live_footer(
    m: Metrics, waiting: bool = False, alive: float | None = None, reading: float | None = None
) -> str:
    """While streaming: state and the running numbers (O(1) to build). ``reading``: seconds
    since the request, while no token has come yet (:data:`READING_PROMPT`, with the seconds
    from the first whole one); ``alive``: seconds of keep-alives alone (:func:`alive_words`)."""
    if waiting:
        parts = ["… waiting for the model"]
    elif reading is not None:
        parts = [f"… {READING_PROMPT}" + (f" {reading:.0f} s" if reading >= 1 else "")]
    else:
        parts = ["… streaming", *metrics_summary(m)]
    silent = alive_words(alive)
    if silent is not None:
        parts.append(silent)
    return " · ".join(parts)


def answer_footer(
    answer: Answer, max_tokens: int | None = None, recovering: str | None = None
) -> str:
    """After the answer ended: state, coverage, numbers and timing. ``recovering``: the
    progress words of the recovery running now (``recovering 42 split-character tokens…
    10/43``), shown instead of the state, with the key that skips it."""
    if recovering is not None:
        parts = [f"{RECOVERING_MARK} {recovering} (ctrl+c skips)"]
    else:
        parts = [state_words(answer, max_tokens)]
    if answer.has_logprobs:
        metrics = answer.metrics
        covers = coverage_words(metrics)
        if covers is not None:
            parts.append(covers)
        parts += metrics_summary(metrics)
    elif answer.text:
        parts.append("no logprobs returned")
    if answer.ttft is not None:
        parts.append(f"TTFT {fmt_seconds(answer.ttft)}")
    if answer.tokens_per_second is not None:
        parts.append(f"{answer.tokens_per_second:.1f} tok/s")
    reason = answer.finish_reason
    if reason and reason not in ("stop", "length"):  # "length" is said by the cut label
        parts.append(f"finish {safe_line(reason)}")
    return " · ".join(parts)
