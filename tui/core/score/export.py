"""One answer scored under K prompts, as JSON and CSV: ``score --json``, and the files the
score screen writes (``x``) like a comparison's.

JSON (:func:`score_document`)::

    {"question", "answer", "history", "method", "model", "base_url", "top_logprobs",
     "results": [{"label", "system", "preset", "status", "error", "method",
                  "metrics": {...}, "stop_logprob", "difference_nats", "tokenization",
                  "notices", "tokens": [... ask --json's token objects ...]}]}

``tokens`` are :func:`tui.core.json_stream.token_object`, exactly as ``ask --json`` writes
them (the final zero-width end token last, ``scope`` ``"other"``: its logprob is
``stop_logprob``). CSV: one row per prompt (the table at full precision), and one row per
token with its logprob under every prompt (the difference heatmap as numbers), when the
prompts scored the same tokens.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from tui.core import json_stream
from tui.core.presets import write_private
from tui.core.safety import safe_text
from tui.core.score.run import ScoreEntry, ScorePlan
from tui.core.score.table import score_rows

PROMPT_COLUMNS = (
    "prompt_index",
    "label",
    "preset",
    "system",
    "status",
    "error",
    "method",
    "tokens",
    "sum_logprob",
    "mean_logprob",
    "mean_prob",
    "perplexity",
    "min_prob",
    "min_prob_token",
    "stop_logprob",
    "difference_nats",
    "coverage",
)


def score_document(
    plan: ScorePlan,
    entries: Sequence[ScoreEntry],
    *,
    method: str | None,
    model: str | None,
    base_url: str | None,
) -> dict[str, Any]:
    """The JSON object (token arrays :class:`~tui.core.json_stream.Lazy`: write it with
    :func:`tui.core.json_stream.write`)."""
    rows = score_rows(entries)
    return {
        "question": plan.question,
        "answer": plan.answer,
        "history": list(plan.history),
        "method": method,
        "model": model,
        "base_url": base_url,
        "top_logprobs": plan.top_logprobs,
        "results": json_stream.Lazy(
            [_result(entry, row.difference) for entry, row in zip(entries, rows, strict=True)]
        ),
    }


def _result(entry: ScoreEntry, difference: float | None) -> dict[str, Any]:
    score = entry.score
    tokenization = score.tokenization if score is not None else None
    return {
        "label": entry.label,
        "system": entry.prompt.system,
        "preset": entry.prompt.preset,
        "status": entry.status,
        "error": entry.error,
        "method": score.method if score else None,
        "metrics": score.metrics.to_dict() if score else None,
        "stop_logprob": score.stop_logprob if score else None,
        "difference_nats": difference,
        "tokenization": None
        if tokenization is None
        else {
            "scored": tokenization.scored,
            "canonical": tokenization.canonical,
            "first_difference": tokenization.first_difference,
        },
        "notices": list(score.answer.notices) if score else [],
        "tokens": json_stream.Lazy(map(json_stream.token_object, score.answer.tokens))
        if score
        else [],
    }


def prompt_rows(entries: Sequence[ScoreEntry]) -> list[dict[str, Any]]:
    """One row per prompt (:data:`PROMPT_COLUMNS`); text made terminal-safe."""
    out = []
    for entry, row in zip(entries, score_rows(entries), strict=True):
        m = entry.score.metrics if entry.score else None
        out.append(
            {
                "prompt_index": entry.index,
                "label": safe_text(entry.label),
                "preset": safe_text(entry.prompt.preset) if entry.prompt.preset else None,
                "system": safe_text(entry.prompt.system),
                "status": entry.status,
                "error": safe_text(entry.error) if entry.error else None,
                "method": entry.score.method if entry.score else None,
                "tokens": row.tokens,
                "sum_logprob": row.sum_logprob,
                "mean_logprob": row.mean_logprob,
                "mean_prob": row.mean_prob,
                "perplexity": row.perplexity,
                "min_prob": row.lowest_prob,
                "min_prob_token": row.lowest_number,
                "stop_logprob": m.stop_logprob if m else None,
                "difference_nats": row.difference,
                "coverage": m.coverage if m else None,
            }
        )
    return out


def token_rows(entries: Sequence[ScoreEntry]) -> tuple[list[str], list[dict[str, Any]]]:
    """Columns and one row per token with its logprob under each prompt and the difference
    to the first (``lp_1``, ``lp_2``…, ``diff_2``…); only prompts whose scored tokens are the
    first one's (same ids): otherwise a token of one is not a token of the other."""
    scored = [e for e in entries if e.score is not None]
    if not scored:
        return ["token"], []
    first = scored[0].score
    assert first is not None
    ids = [t.id for t in first.answer.tokens]
    same = [e for e in scored if e.score and [t.id for t in e.score.answer.tokens] == ids]
    columns = ["token", "text", "id"] + [f"lp_{e.index + 1}" for e in same]
    columns += [f"diff_{e.index + 1}" for e in same[1:]]
    rows = []
    for k, token in enumerate(first.answer.tokens):
        row: dict[str, Any] = {
            "token": token.index + 1,
            "text": safe_text(token.text),
            "id": token.id,
        }
        base = token.logprob
        for entry in same:
            assert entry.score is not None
            value = entry.score.answer.tokens[k].logprob
            row[f"lp_{entry.index + 1}"] = value
            if entry is not same[0]:
                row[f"diff_{entry.index + 1}"] = (
                    None if value is None or base is None else value - base
                )
        rows.append(row)
    return columns, rows


def to_csv(columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return out.getvalue()


def document_bytes(document: dict[str, Any]) -> bytes:
    pieces: list[bytes] = []
    json_stream.write(document, pieces.append, indent=True)
    return b"".join(pieces) + b"\n"


SUFFIXES = (".json", "-prompts.csv", "-tokens.csv")


def write_score_exports(
    plan: ScorePlan,
    entries: Sequence[ScoreEntry],
    directory: Path,
    now: datetime,
    *,
    method: str | None,
    model: str | None,
    base_url: str | None,
) -> list[Path]:
    """``score-<time>.json``, ``…-prompts.csv`` and ``…-tokens.csv`` in ``directory``
    (owner-only, written atomically); their paths."""
    base = f"score-{now:%Y%m%d-%H%M%S}"
    stem, n = directory / base, 2
    while any(stem.with_name(stem.name + s).exists() for s in SUFFIXES):
        stem, n = directory / f"{base}-{n}", n + 1
    document = score_document(plan, entries, method=method, model=model, base_url=base_url)
    columns, tokens = token_rows(entries)
    contents = (
        document_bytes(document).decode("utf-8"),
        to_csv(PROMPT_COLUMNS, prompt_rows(entries)),
        to_csv(columns, tokens),
    )
    paths = []
    for suffix, text in zip(SUFFIXES, contents, strict=True):
        path = stem.with_name(stem.name + suffix)
        write_private(path, text)
        paths.append(path)
    return paths
