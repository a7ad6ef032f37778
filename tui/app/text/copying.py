"""What the copy keys put on the clipboard: an answer's numbers with the context a note needs.

A number pasted into a note is worthless without what produced it, so every copy of stats
or JSON starts with the question, the system prompt (or preset), the model, the sampling and
when it was asked (:func:`context_rows`). Two forms each:

* full: ``s`` every stat as labelled lines (:func:`stats_document`); ``c`` the server's rows
  as received, under ``"content"``, beside ``"context"`` (:func:`json_document`; ``w`` saves
  the same document to a file);
* compact, one line per token (``S`` / ``C``): :func:`compact_stats` (``#3  ␣sat  p 4.00%
  lp -3.2189  ␣ran 60.0% · ␣sat 4.00%``) and :func:`compact_json` (JSON Lines: a context
  object, then one ``{"n", "token", "logprob", "top"}`` object per token).

Token numbers are the ones people read everywhere (1-based: ``n`` = ``index`` + 1).
Text forms go through ``safe_line`` (a pasted note must not carry escape sequences); JSON
keeps the exact strings (escaped by :func:`tui.core.jsonio.dumps`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tui.app.text.inspect import visible
from tui.core import jsonio
from tui.core.answer import Answer
from tui.core.conversation import Turn
from tui.core.report import fmt_num, fmt_prob, stats_text, token_number
from tui.core.safety import safe_line

COMPACT_ALTERNATIVES = 5
"""Alternatives listed per token in the compact text form."""


def asked_at(answer: Answer) -> str | None:
    """When the request went out, local time with its offset (``2026-12-06T23:10:05+01:00``),
    or ``None`` when it is not known."""
    if not answer.started_at:
        return None
    return datetime.fromtimestamp(answer.started_at).astimezone().isoformat(timespec="seconds")


def context(turn: Turn, answer: Answer) -> dict[str, Any]:
    """The context as data (for the JSON forms): exact strings, ``None`` when unknown."""
    s = turn.sampling
    return {
        "question": turn.question,
        "preset": turn.preset,
        "system_prompt": turn.system_prompt or None,
        "model": answer.model or turn.model or None,
        "temperature": s.temperature,
        "top_logprobs": s.top_logprobs,
        "max_tokens": s.max_tokens,
        "seed": s.seed,
        "asked_at": asked_at(answer),
        "status": answer.status,
        "finish_reason": answer.finish_reason,
    }


def context_rows(turn: Turn, answer: Answer) -> list[tuple[str, str]]:
    """The context as labelled one-line rows (for the text forms)."""
    data = context(turn, answer)
    if turn.preset:
        prompt = f"preset {safe_line(turn.preset)}: {safe_line(turn.system_prompt)}"
    else:
        prompt = safe_line(turn.system_prompt) if turn.system_prompt.strip() else "(none)"
    seed = "–" if data["seed"] is None else str(data["seed"])
    return [
        ("Question", safe_line(turn.question)),
        ("System prompt", prompt),
        ("Model", safe_line(data["model"] or "–")),
        (
            "Sampling",
            f"temperature {data['temperature']:g} · top_logprobs {data['top_logprobs']} · "
            f"max_tokens {data['max_tokens']} · seed {seed}",
        ),
        ("Asked at", data["asked_at"] or "–"),
    ]


def _aligned(rows: list[tuple[str, str]]) -> str:
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


def stats_document(turn: Turn, answer: Answer) -> str:
    """``s``: the context, a blank line, then every stat (:func:`tui.core.report.stats_text`)."""
    return (
        _aligned(context_rows(turn, answer)) + "\n\n" + stats_text(answer, turn.sampling.max_tokens)
    )


def token_line(token: Any) -> str:
    """One token in one line: number, text, p, logprob, the top alternatives."""
    alternatives = " · ".join(
        f"{visible(alt.text)} {fmt_prob(alt.prob)}"
        for alt in token.alternatives()[:COMPACT_ALTERNATIVES]
    )
    line = (
        f"#{token_number(token.index)}  {visible(token.text) or '(piece)'}  "
        f"p {fmt_prob(token.prob)}  lp {fmt_num(token.logprob, 4)}"
    )
    return f"{line}  {alternatives}" if alternatives else line


def compact_stats(turn: Turn, answer: Answer) -> str:
    """``S``: the context, then one line per answer token (:func:`token_line`)."""
    lines = [token_line(t) for t in answer.tokens if t.scope == "answer"]
    return _aligned(context_rows(turn, answer)) + "\n\n" + "\n".join(lines)


def json_document(turn: Turn, answer: Answer) -> dict[str, Any] | None:
    """``c`` and ``w``: ``{"context": …, "content": [the server's rows as received]}``, or
    ``None`` when the server sent no logprobs."""
    raw = answer.raw_logprobs()
    if raw is None:
        return None
    return {"context": context(turn, answer), **raw}


def compact_json(turn: Turn, answer: Answer) -> str | None:
    """``C``: JSON Lines, the context object first, then one object per token (every
    scope, ``scope`` said when it is not the answer): ``{"n": 3, "token": " sat",
    "logprob": -3.2189, "top": [[" ran", -0.51], [" sat", -3.22]]}``."""
    if not answer.tokens:
        return None
    answer.load_raw()
    lines = [jsonio.dumps({"context": context(turn, answer)}, indent=None)]
    for token in answer.tokens:
        row: dict[str, Any] = {"n": token_number(token.index), "token": token.token}
        if token.scope != "answer":
            row["scope"] = token.scope
        row["logprob"] = token.logprob
        row["top"] = [[alt.token, alt.logprob] for alt in token.alternatives()]
        lines.append(jsonio.dumps(row, indent=None))
    return "\n".join(lines)
