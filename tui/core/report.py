"""Human-readable stats of an answer: one labelled list used by the CLI, the TUI pane, "copy
stats" and the Markdown export, so every place says the same thing in the same words."""

from __future__ import annotations

import math

from tui.core.answer import Answer
from tui.core.metrics import Metrics
from tui.core.safety import safe_line


def fmt_prob(p: float | None) -> str:
    """A probability as a percentage with precision that suits its size (0.0123 → 1.23%)."""
    if p is None:
        return "–"
    if p == 0:
        return "0%"
    pct = p * 100
    if pct >= 10:
        return f"{pct:.1f}%"
    if pct >= 0.01:
        return f"{pct:.2f}%"
    return f"{p:.2e}"


def fmt_num(x: float | None, digits: int = 3) -> str:
    if x is None:
        return "–"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x != 0 and abs(x) < 10 ** (-digits):
        return f"{x:.{digits - 1}e}"
    return f"{x:.{digits}f}"


def fmt_seconds(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def metric_rows(m: Metrics) -> list[tuple[str, str]]:
    """(label, value) pairs for every metric, labels saying what the number is."""
    known = m.tokens - m.unknown
    tokens = f"{m.tokens}"
    if m.unknown:
        tokens += f" ({m.unknown} without a usable logprob)"
    if m.joint_prob is None:
        joint = "–"
    else:
        # exp(Σ) underflows to 0.0 for long answers; log10 still says how small it is.
        joint = fmt_prob(m.joint_prob) if m.joint_prob > 0 else "underflow"
        joint += f"  (log10 {m.joint_log10:.2f})"
    lowest = fmt_prob(m.min_prob)
    if m.min_prob_index is not None:
        lowest += f" at token #{m.min_prob_index}"
    coverage = "–"
    if m.coverage is not None and m.completion_tokens:
        coverage = f"{m.rows_received}/{m.completion_tokens} = {m.coverage * 100:.0f}%"
    elif m.rows_received:
        coverage = f"{m.rows_received} rows (server sent no usage)"
    return [
        ("Tokens", tokens),
        ("Σ logprob", fmt_num(m.sum_logprob)),
        ("Mean logprob", fmt_num(m.mean_logprob) + (" nats/token" if known else "")),
        ("Mean prob exp(mean) = 1/PPL", fmt_prob(m.mean_prob)),
        ("Perplexity exp(−mean)", fmt_num(m.perplexity)),
        ("Joint prob exp(Σ)", joint),
        ("Arithmetic mean prob", fmt_prob(m.arithmetic_mean_prob)),
        ("Lowest prob", lowest),
        (f"Tokens with p < {m.low_prob_threshold:g}", str(m.low_prob_count)),
        (
            "Mean top-k entropy",
            fmt_num(m.mean_entropy) + (" nats" if m.mean_entropy is not None else ""),
        ),
        ("Mean residual 1 − Σ top-k p", fmt_prob(m.mean_residual_mass)),
        ("Coverage rows/completion tokens", coverage),
    ]


NO_LOGPROBS = ("Logprobs", "none returned by the server")
"""The first row of an answer the server sent no logprobs for (every other number is "–")."""


def answer_rows(answer: Answer) -> list[tuple[str, str]]:
    """Metric rows plus timing, finish and model lines for one answer, after
    :data:`NO_LOGPROBS` when the server sent none."""
    rows = [] if answer.has_logprobs else [NO_LOGPROBS]
    rows += metric_rows(answer.metrics)
    rows += [
        ("Time to first token", fmt_seconds(answer.ttft)),
        (
            "Tokens/s",
            "–" if answer.tokens_per_second is None else f"{answer.tokens_per_second:.1f}",
        ),
        ("Finish", safe_line(answer.finish_reason or "–") + _status_suffix(answer)),
        ("Model", safe_line(answer.model or "–")),
    ]
    reasoning = [t for t in answer.tokens if t.scope == "reasoning"]
    if reasoning:
        r = answer.reasoning_metrics
        rows.append(
            ("Reasoning tokens", f"{r.tokens} (mean prob {fmt_prob(r.mean_prob)}, not above)")
        )
    return rows


def _status_suffix(answer: Answer) -> str:
    return "" if answer.status == "complete" else f" ({answer.status})"


def stats_text(answer: Answer) -> str:
    """A plain-text block of :func:`answer_rows`, labels aligned (for the CLI and copy)."""
    rows = answer_rows(answer)
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)
