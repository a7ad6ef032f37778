"""Human-readable stats of an answer: one labelled list used by the CLI, the TUI pane, "copy
stats" and the Markdown export, so every place says the same thing in the same words.

The words that must read the same on every surface are functions here:

* :func:`token_number` — the one token number people read: 1-based, the token's position
  among everything the model generated for the answer (``TokenRecord.index`` + 1; exports
  keep the 0-based ``index``);
* :func:`coverage_words` — "covers 54 of 96 tokens", whenever the numbers leave tokens out;
* :func:`finish_label` — "complete", "cut: max_tokens", "cut: context full", "refusal",
  "stopped", "error"…, never "complete" for an answer that was cut.
"""

from __future__ import annotations

import math

from tui.core.answer import Answer
from tui.core.metrics import Metrics
from tui.core.safety import safe_line
from tui.core.table import Column, fit_table


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


def token_number(index: int) -> int:
    """The token number shown to people: 1-based (the first generated token is #1)."""
    return index + 1


def coverage_words(m: Metrics) -> str | None:
    """ "covers 54 of 96 tokens" when the rows leave some of the server's completion tokens
    without a logprob (llama.cpp's hidden split characters not recovered, a piece cut at the
    end, a server that dropped rows), ``None`` when every token is covered or the server
    gave no count to compare with. Shown next to the headline numbers, never only deep down."""
    total = m.completion_tokens
    if not total or m.rows_received >= total:
        return None
    return f"covers {m.rows_received} of {total} tokens"


FINISH_CUT_MAX_TOKENS = "cut: max_tokens"
FINISH_CUT_CONTEXT = "cut: context full"


def finish_label(answer: Answer, max_tokens: int | None = None) -> str:
    """How the answer ended, in the words every surface uses.

    ``finish_reason == "length"`` is a cut: by ``max_tokens`` when it generated that many
    tokens (or ``max_tokens`` is not known), else by a full context (llama.cpp also says
    ``length`` when the slot's context fills first). A refusal says ``refusal``; an answer
    that did not end on its own says its status (``stopped``, ``error``, ``incomplete``,
    ``streaming``).
    """
    if answer.status != "complete":
        return answer.status
    if answer.refusal:
        return "refusal"
    if answer.finish_reason == "length":
        generated = answer.completion_tokens
        if max_tokens is not None and generated is not None and generated < max_tokens:
            return FINISH_CUT_CONTEXT
        return FINISH_CUT_MAX_TOKENS
    return "complete"


def finish_text(answer: Answer, max_tokens: int | None = None) -> str:
    """The "Finish" line: the server's finish reason, with :func:`finish_label` where it
    says more ("stop", "cut: max_tokens (length)", "refusal (stop)", "stop (stopped)")."""
    reason = safe_line(answer.finish_reason or "–")
    label = finish_label(answer, max_tokens)
    if label == "complete":
        return reason
    if answer.status != "complete":
        return f"{reason} ({label})"
    return f"{label} ({reason})"


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
        lowest += f" at token #{token_number(m.min_prob_index)}"
    coverage = "–"
    if m.coverage is not None and m.completion_tokens:
        coverage = f"{m.rows_received}/{m.completion_tokens} = {m.coverage * 100:.0f}%"
    elif m.rows_received:
        coverage = f"{m.rows_received} rows (server sent no usage)"
    rows = [
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
    if m.stop_prob is not None:
        rows.append(("Stop probability", fmt_prob(m.stop_prob) + " (end token, not above)"))
    return rows


NO_LOGPROBS = ("Logprobs", "none returned by the server")
"""The first row of an answer the server sent no logprobs for (every other number is "–")."""


PREFILL_SHOWN = 40
"""Characters of a given start shown in the stats (the answer shows all of it)."""


def continued_rows(answer: Answer) -> list[tuple[str, str]]:
    """What a continued answer's numbers cover (none for an answer that was not): a branch
    holds its given tokens (the prefix copied from its parent and the chosen token), so its
    headline numbers cover the whole answer and the new tokens get a line of their own; a
    given start without tokens (``ask --prefill``) is not scored at all."""
    if answer.prefill is None:
        return []
    if not answer.prefill_tokens:
        shown = safe_line(answer.prefill)
        if len(shown) > PREFILL_SHOWN:
            shown = shown[: PREFILL_SHOWN - 1] + "…"
        return [("Given start", f"“{shown}” ({len(answer.prefill)} characters, not scored)")]
    new = answer.new_metrics
    given = answer.prefill_tokens
    return [
        (
            "Branch",
            f"{given} token{'s' if given != 1 else ''} given (prefix and chosen token), "
            f"{new.tokens} new; the numbers below cover all of them",
        ),
        (
            "New tokens",
            f"Σ {fmt_num(new.sum_logprob)}, mean logprob {fmt_num(new.mean_logprob)}, "
            f"mean prob {fmt_prob(new.mean_prob)}",
        ),
    ]


def answer_rows(answer: Answer, max_tokens: int | None = None) -> list[tuple[str, str]]:
    """Metric rows plus timing, finish and model lines for one answer: after
    :data:`NO_LOGPROBS` when the server sent none, after a "Covers" line when the numbers
    leave tokens out (:func:`coverage_words`), and after what a continued answer's numbers
    cover (:func:`continued_rows`)."""
    metrics = answer.metrics
    rows = [] if answer.has_logprobs else [NO_LOGPROBS]
    covers = coverage_words(metrics)
    if covers is not None:
        rows.append(("Covers", covers))
    rows += continued_rows(answer)
    rows += metric_rows(metrics)
    rows += [
        ("Time to first token", fmt_seconds(answer.ttft)),
        (
            "Tokens/s",
            "–" if answer.tokens_per_second is None else f"{answer.tokens_per_second:.1f}",
        ),
        ("Finish", finish_text(answer, max_tokens)),
        ("Model", safe_line(answer.model or "–")),
    ]
    reasoning = [t for t in answer.tokens if t.scope == "reasoning"]
    if reasoning:
        r = answer.reasoning_metrics
        rows.append(
            ("Reasoning tokens", f"{r.tokens} (mean prob {fmt_prob(r.mean_prob)}, not above)")
        )
    return rows


STATS_COLUMNS = (Column(wrap=True, min_cells=12), Column(wrap=True, min_cells=12))


def stats_text(answer: Answer, max_tokens: int | None = None, width: int | None = None) -> str:
    """A plain-text block of :func:`answer_rows`, labels aligned (for the CLI and copy),
    within ``width`` terminal cells (``None``: one line per row)."""
    rows = [list(row) for row in answer_rows(answer, max_tokens)]
    return fit_table(STATS_COLUMNS, rows, width, header=False).text
