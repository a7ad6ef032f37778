"""Comparisons in the history: a run of system prompts, sampled or scored, with its prompts,
questions, settings and every result (tables: :mod:`tui.core.store.schema`, version 4).

Plain functions over an open ``sqlite3`` connection, each one transaction, called by
:class:`~tui.core.store.Store`. The layout serves what comes next as it is: a question set
is more rows of ``comparison_questions``; a sampled comparison stores its samples as results
with ``sample`` 0…N−1; a run resumed after a crash skips the (prompt, question, sample)
results already there (:func:`done_keys`) and writes the rest with :func:`save_result`, which
replaces a result of the same key (a retried write is never a duplicate).
"""

from __future__ import annotations

import os
import socket
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from tui.core.answer import Answer
from tui.core.errors import redact
from tui.core.store import codec
from tui.core.store.opening import process_alive
from tui.core.store.writes import clean, safe_url, transaction

Kind = Literal["sample", "score"]
ComparisonStatus = Literal["running", "complete", "stopped", "error", "incomplete"]
ResultStatus = Literal["ok", "error", "cancelled"]


@dataclass(frozen=True, slots=True)
class ComparedPrompt:
    label: str
    system_prompt: str = ""
    preset: str | None = None


@dataclass(frozen=True, slots=True)
class ComparedQuestion:
    """A question of a comparison; ``answer`` the text scored (or a reference answer)."""

    question: str
    answer: str | None = None
    external_id: str | None = None
    history: tuple[dict[str, str], ...] = ()


@dataclass(slots=True)
class StoredResult:
    """One result: prompt × question × sample, its answer with tokens when it has one."""

    prompt: int
    question: int
    sample: int
    status: ResultStatus
    error: str | None
    method: str | None
    seed: int | None
    answer: Answer | None
    created_at: float


@dataclass(slots=True)
class StoredComparison:
    id: int
    kind: Kind
    title: str | None
    status: ComparisonStatus
    error: str | None
    created_at: float
    updated_at: float
    model: str | None
    base_url: str | None
    settings: dict[str, Any]
    conversation_id: int | None
    source_answer_id: int | None
    prompts: list[ComparedPrompt] = field(default_factory=list)
    questions: list[ComparedQuestion] = field(default_factory=list)
    results: list[StoredResult] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ComparisonSummary:
    """A line of the list: what, when, how far (``results`` of ``planned``)."""

    id: int
    kind: Kind
    title: str | None
    status: ComparisonStatus
    updated_at: float
    model: str | None
    first_question: str
    prompts: int
    questions: int
    results: int


def create(
    conn: sqlite3.Connection,
    now: float,
    *,
    kind: Kind,
    prompts: Sequence[ComparedPrompt],
    questions: Sequence[ComparedQuestion],
    model: str | None = None,
    base_url: str | None = None,
    settings: dict[str, Any] | None = None,
    title: str | None = None,
    conversation_id: int | None = None,
    source_answer_id: int | None = None,
) -> int:
    """A new comparison, ``running``, owned by this process; its id."""
    with transaction(conn):
        cursor = conn.execute(
            "INSERT INTO comparisons (kind, title, status, created_at, updated_at, model, "
            "base_url, settings, conversation_id, source_answer_id, owner_pid, owner_host) "
            "VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                kind,
                clean(title),
                now,
                now,
                clean(model),
                safe_url(base_url),
                codec.dump_json_text(settings or {}),
                conversation_id,
                source_answer_id,
                os.getpid(),
                socket.gethostname(),
            ),
        )
        comparison_id = int(cursor.lastrowid or 0)
        conn.executemany(
            "INSERT INTO comparison_prompts (comparison_id, position, label, system_prompt, "
            "preset) VALUES (?, ?, ?, ?, ?)",
            [
                (
                    comparison_id,
                    k,
                    codec.scrub_text(p.label),
                    codec.scrub_text(p.system_prompt),
                    clean(p.preset),
                )
                for k, p in enumerate(prompts)
            ],
        )
        conn.executemany(
            "INSERT INTO comparison_questions (comparison_id, position, question, answer, "
            "external_id, history) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    comparison_id,
                    k,
                    codec.scrub_text(q.question),
                    clean(q.answer),
                    clean(q.external_id),
                    codec.dump_json_text(list(q.history)) if q.history else None,
                )
                for k, q in enumerate(questions)
            ],
        )
        return comparison_id


def save_result(
    conn: sqlite3.Connection,
    now: float,
    comparison_id: int,
    *,
    prompt: int,
    question: int = 0,
    sample: int = 0,
    status: ResultStatus,
    answer: Answer | None = None,
    error: str | None = None,
    method: str | None = None,
    seed: int | None = None,
) -> None:
    """Write one result (replacing one of the same prompt, question and sample)."""
    part: tuple[bytes, bytes] | None = None
    metrics = None
    if answer is not None:
        answer.load_raw()
        part = codec.encode_part(answer.tokens, answer.raw)
        metrics = answer.metrics
    with transaction(conn):
        conn.execute(
            "INSERT OR REPLACE INTO comparison_results (comparison_id, prompt_position, "
            "question_position, sample, status, error, method, seed, text, reasoning, "
            "reported_model, finish_reason, usage, notices, started_at, duration, "
            "low_prob_threshold, metrics, mean_logprob, mean_prob, sum_logprob, stop_logprob, "
            "token_count, format, tokens, raw, created_at) "
            f"VALUES ({', '.join('?' * 27)})",
            (
                comparison_id,
                prompt,
                question,
                sample,
                status,
                None if error is None else codec.scrub_text(redact(error)),
                method,
                seed,
                codec.scrub_text(answer.text) if answer else "",
                codec.scrub_text(answer.reasoning) if answer else "",
                clean(answer.model) if answer else None,
                clean(answer.finish_reason) if answer else None,
                codec.dump_json_text(answer.usage) if answer else None,
                codec.dump_json_text([redact(n) for n in answer.notices])
                if answer and answer.notices
                else None,
                answer.started_at or None if answer else None,
                answer.duration if answer else None,
                answer.low_prob_threshold if answer else None,
                codec.dump_json_text(metrics.to_dict()) if metrics else None,
                metrics.mean_logprob if metrics else None,
                metrics.mean_prob if metrics else None,
                metrics.sum_logprob if metrics else None,
                metrics.stop_logprob if metrics else None,
                len(answer.tokens) if answer else 0,
                codec.TOKENS_FORMAT if part else None,
                part[0] if part else None,
                part[1] if part else None,
                now,
            ),
        )
        _touch(conn, comparison_id, now)


def finish(
    conn: sqlite3.Connection,
    now: float,
    comparison_id: int,
    status: ComparisonStatus,
    error: str | None = None,
) -> None:
    """The run ended (``complete``, ``stopped``, ``error``): no process owns it any more."""
    with transaction(conn):
        conn.execute(
            "UPDATE comparisons SET status = ?, error = ?, updated_at = ?, owner_pid = NULL, "
            "owner_host = NULL WHERE id = ?",
            (
                status,
                None if error is None else codec.scrub_text(redact(error)),
                now,
                comparison_id,
            ),
        )


def _touch(conn: sqlite3.Connection, comparison_id: int, now: float) -> None:
    found = conn.execute(
        "UPDATE comparisons SET updated_at = ? WHERE id = ?", (now, comparison_id)
    ).rowcount
    if not found:
        raise sqlite3.OperationalError(f"comparison {comparison_id} is not in the history")


def done_keys(conn: sqlite3.Connection, comparison_id: int) -> set[tuple[int, int, int]]:
    """(prompt, question, sample) of the results already written with status ``ok``: what a
    resumed run need not ask again."""
    rows = conn.execute(
        "SELECT prompt_position, question_position, sample FROM comparison_results "
        "WHERE comparison_id = ? AND status = 'ok'",
        (comparison_id,),
    )
    return {(int(p), int(q), int(s)) for p, q, s in rows}


def list_summaries(
    conn: sqlite3.Connection, *, kind: Kind | None = None, limit: int = 500
) -> list[ComparisonSummary]:
    """Newest first; a run left ``running`` by a process that is gone reads ``incomplete``."""
    where, args = ("WHERE c.kind = ?", [kind]) if kind else ("", [])
    rows = conn.execute(
        "SELECT c.id, c.kind, c.title, c.status, c.updated_at, c.model, c.owner_pid, "
        "c.owner_host, (SELECT substr(q.question, 1, 200) FROM comparison_questions q "
        " WHERE q.comparison_id = c.id ORDER BY q.position LIMIT 1), "
        "(SELECT count(*) FROM comparison_prompts p WHERE p.comparison_id = c.id), "
        "(SELECT count(*) FROM comparison_questions q WHERE q.comparison_id = c.id), "
        "(SELECT count(*) FROM comparison_results r WHERE r.comparison_id = c.id) "
        f"FROM comparisons c {where} ORDER BY c.updated_at DESC, c.id DESC LIMIT ?",
        (*args, limit),
    ).fetchall()
    return [
        ComparisonSummary(
            id=row[0],
            kind=row[1],
            title=row[2],
            status=_status(row[3], row[6], row[7]),
            updated_at=row[4],
            model=row[5],
            first_question=row[8] or "",
            prompts=row[9],
            questions=row[10],
            results=row[11],
        )
        for row in rows
    ]


def _status(status: str, pid: int | None, host: str | None) -> Any:
    if status == "running" and not process_alive(pid, host):
        return "incomplete"
    return status


def load(
    conn: sqlite3.Connection, comparison_id: int, *, results: bool = True
) -> StoredComparison | None:
    """The whole comparison with every result's answer and tokens (``None`` if unknown);
    without its results when ``results`` is false (a large set's head, read at once)."""
    row = conn.execute(
        "SELECT id, kind, title, status, error, created_at, updated_at, model, base_url, "
        "settings, conversation_id, source_answer_id, owner_pid, owner_host "
        "FROM comparisons WHERE id = ?",
        (comparison_id,),
    ).fetchone()
    if row is None:
        return None
    stored = StoredComparison(
        *row[:3],
        _status(row[3], row[12], row[13]),
        *row[4:9],
        codec.load_json(row[9]) or {},
        row[10],
        row[11],
    )
    stored.prompts = [
        ComparedPrompt(*r)
        for r in conn.execute(
            "SELECT label, system_prompt, preset FROM comparison_prompts "
            "WHERE comparison_id = ? ORDER BY position",
            (comparison_id,),
        )
    ]
    stored.questions = [
        ComparedQuestion(q, a, e, tuple(codec.load_json(h) or ()))
        for q, a, e, h in conn.execute(
            "SELECT question, answer, external_id, history FROM comparison_questions "
            "WHERE comparison_id = ? ORDER BY position",
            (comparison_id,),
        )
    ]
    if results:
        stored.results = load_results(conn, comparison_id)
    return stored


def load_results(
    conn: sqlite3.Connection, comparison_id: int, question: int | None = None
) -> list[StoredResult]:
    """Every result of the comparison with its answer and tokens, or only those of
    ``question`` (a question set's one question, opened on its own)."""
    where, args = "comparison_id = ?", [comparison_id]
    if question is not None:
        where, args = where + " AND question_position = ?", [comparison_id, question]
    return [
        _result(r)
        for r in conn.execute(
            "SELECT prompt_position, question_position, sample, status, error, method, seed, "
            "text, reasoning, reported_model, finish_reason, usage, notices, started_at, "
            "duration, low_prob_threshold, format, tokens, raw, created_at "
            f"FROM comparison_results WHERE {where} "
            "ORDER BY question_position, prompt_position, sample",
            args,
        )
    ]


@dataclass(frozen=True, slots=True)
class ResultValues:
    """One result without its tokens: what a question set's tables and statistics need
    (``metrics`` as written, a dict of :class:`~tui.core.metrics.Metrics` fields)."""

    prompt: int
    question: int
    sample: int
    status: ResultStatus
    error: str | None
    method: str | None
    seed: int | None
    text: str
    metrics: dict[str, Any] | None


def load_values(conn: sqlite3.Connection, comparison_id: int) -> list[ResultValues]:
    """Every result's numbers and text, no token blobs: a set of thousands of answers reads
    in a moment and its memory is the numbers'."""
    return [
        ResultValues(p, q, s, status, error, method, seed, text, codec.load_json(metrics))
        for p, q, s, status, error, method, seed, text, metrics in conn.execute(
            "SELECT prompt_position, question_position, sample, status, error, method, seed, "
            "text, metrics FROM comparison_results WHERE comparison_id = ? "
            "ORDER BY question_position, prompt_position, sample",
            (comparison_id,),
        )
    ]


def reopen(conn: sqlite3.Connection, now: float, comparison_id: int) -> None:
    """Take a comparison back to carry it on: ``running`` again, owned by this process.
    Raises :class:`ComparisonBusy` when a live process still runs it."""
    with transaction(conn):
        row = conn.execute(
            "SELECT status, owner_pid, owner_host FROM comparisons WHERE id = ?",
            (comparison_id,),
        ).fetchone()
        if row is None:
            raise sqlite3.OperationalError(f"comparison {comparison_id} is not in the history")
        status, pid, host = row
        if status == "running" and process_alive(pid, host) and pid != os.getpid():
            raise ComparisonBusy(
                f"comparison {comparison_id} is still running (process {pid} on {host})"
            )
        conn.execute(
            "UPDATE comparisons SET status = 'running', error = NULL, updated_at = ?, "
            "owner_pid = ?, owner_host = ? WHERE id = ?",
            (now, os.getpid(), socket.gethostname(), comparison_id),
        )


class ComparisonBusy(Exception):
    """Another live process is running this comparison (one line)."""


def _result(row: tuple[Any, ...]) -> StoredResult:
    (prompt, question, sample, status, error, method, seed) = row[:7]
    (text, reasoning, model, finish_reason, usage, notices, started_at, duration) = row[7:15]
    (threshold, fmt, tokens_blob, raw_blob, created_at) = row[15:20]
    answer = None
    if fmt is not None:
        tokens, raw = codec.decode_part(fmt, tokens_blob, raw_blob)
        answer = Answer(
            text=text,
            reasoning=reasoning,
            tokens=tokens,
            raw=raw,
            usage=codec.load_json(usage),
            finish_reason=finish_reason,
            model=model,
            status="complete",
            notices=codec.load_json(notices) or [],
            started_at=started_at or 0.0,
            duration=duration,
        )
        if threshold is not None:
            answer.low_prob_threshold = threshold
    return StoredResult(prompt, question, sample, status, error, method, seed, answer, created_at)


def delete(conn: sqlite3.Connection, comparison_id: int) -> bool:
    with transaction(conn):
        cursor = conn.execute("DELETE FROM comparisons WHERE id = ?", (comparison_id,))
    return cursor.rowcount > 0
