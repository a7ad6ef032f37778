"""JSON and JSONL exports of a stored conversation, written as they are serialised.

JSON (``format: logprob-chat.conversation``, ``version: 2``): one document with everything::

    {"format", "version", "exported_at",
     "conversation": {"id", "title", "display_title", "created_at", "updated_at", "preset",
                      "system_prompt", "model", "base_url"},
     "messages": [{"id", "position", "role", "text", "reasoning", "created_at",
                   "answer": <answer, assistant messages only>}]}

    answer = {"id", "question_id", "status", "error", "finish_reason", "model" (as the
              server reported it), "request": {model, base_url, system_prompt, preset,
              temperature, top_logprobs, max_tokens, seed}, "usage",
              "timings": {"started_at", "ttft_s", "duration_s", "tokens_per_second",
                          "server"},
              "notices", "metrics", "reasoning_metrics",
              "tree": {"origin": "ask" | "regenerate" | "edit" | "branch",
                       "follows_id" (the answer this exchange comes after; null: the first
                       question), "source_id" (the answer it was made from), "sibling",
                       "siblings" (it is sibling 2 of 3), "selected", "on_path" (on the
                       conversation's selected path), "turn" (its question's number on its
                       path), "branch": {"position", "token_number", "choice", "typed",
                       "choice_logprob", "original", "original_logprob"} | null},
              "prefill": {"text", "tokens"} | null   (the given start of a continued
                       answer, and how many of its leading tokens belong to it),
              "new_metrics": the new tokens' metrics | null   (a continued answer only),
              "tokens": [token objects, as ``ask --json`` writes them],
              "raw": {"content": [rows as the server sent them]} | null   (with raw=True only)}

Siblings (regenerated, edited, branched answers) are messages like any other, in the order
written; ``tree`` says where each sits (:mod:`tui.core.store.lineage`). The headline
``metrics`` of a branch cover its whole text (the prefix copied from its parent, the chosen
token, the new tokens); ``new_metrics`` the new tokens alone.

A token object holds each field of the token record (``tui.core.json_stream.token_object``):
``index``, ``scope``, ``token``, ``text``, ``bytes``, ``logprob``, ``id``, ``note``,
``top_mass``, ``top_entropy``, ``top_count`` and ``top_logprobs`` (the alternatives as the
server sent them). Version 1 also had normalised alternatives and the raw rows: every row
twice; the server's rows are now only written when asked for (``export --raw``).

The structure is indented; each token is one line of compact JSON.

JSONL: one answer per line, flat enough for ``pandas.read_json(lines=True)`` and ``jq``:
the answer fields above (without ``raw``) plus ``conversation_id``, ``conversation_title``,
``answer_number`` (1-based in the conversation), ``question`` and ``text``/``reasoning``.

Times are ISO 8601 in UTC. Non-finite numbers (an infinite perplexity) are written as null.
Every piece is terminal-safe (``tui.core.json_stream``). Answers reopened from the history
have their raw rows parsed one at a time while written (:func:`~.rows.raw_rows`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from tui.core import json_stream
from tui.core.export.rows import raw_rows
from tui.core.json_stream import Lazy, token_object
from tui.core.report import token_number
from tui.core.store.lineage import AnswerTree, answer_trees
from tui.core.store.models import Conversation, StoredAnswer, StoredMessage

FORMAT_NAME = "logprob-chat.conversation"
FORMAT_VERSION = 2


def iso_time(epoch: float | None) -> str | None:
    """Epoch seconds → ``2026-11-28T09:30:00.123Z`` (``None`` stays ``None``)."""
    if epoch is None:
        return None
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def tree_document(stored: StoredAnswer, tree: AnswerTree | None) -> dict[str, Any] | None:
    """The ``tree`` object of an answer (``None`` without its conversation's tree)."""
    if tree is None:
        return None
    point = stored.lineage.branch
    return {
        "origin": tree.origin,
        "follows_id": tree.follows_id,
        "source_id": tree.source_id,
        "sibling": tree.sibling,
        "siblings": tree.siblings,
        "selected": tree.selected,
        "on_path": tree.on_path,
        "turn": tree.turn,
        "branch": None
        if point is None
        else {**point.to_dict(), "token_number": token_number(point.position)},
    }


def answer_document(stored: StoredAnswer, tree: AnswerTree | None = None) -> dict[str, Any]:
    """Everything about one answer except its text (kept on the message) and raw rows, with
    its place among its siblings when ``tree`` is given. Its tokens are
    :class:`~tui.core.json_stream.Lazy`: write it while its rows are loaded."""
    answer = stored.answer
    reasoning = answer.reasoning_metrics
    continued = answer.prefill is not None
    return {
        "id": stored.id,
        "question_id": stored.question_id,
        "status": answer.status,
        "error": answer.error,
        "finish_reason": answer.finish_reason,
        "model": answer.model,
        "request": stored.params.to_dict(),
        "usage": answer.usage,
        "timings": {
            "started_at": iso_time(answer.started_at or None),
            "ttft_s": answer.ttft,
            "duration_s": answer.duration,
            "tokens_per_second": answer.tokens_per_second,
            "server": answer.server_timings,
        },
        "notices": list(answer.notices),
        "metrics": answer.metrics.to_dict(),
        "reasoning_metrics": reasoning.to_dict() if reasoning.tokens else None,
        "tree": tree_document(stored, tree),
        "prefill": {"text": answer.prefill, "tokens": answer.prefill_tokens} if continued else None,
        "new_metrics": answer.new_metrics.to_dict() if continued else None,
        "tokens": Lazy(map(token_object, answer.tokens)),
    }


def _message_document(message: StoredMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "position": message.position,
        "role": message.role,
        "text": message.text,
        "reasoning": message.reasoning,
        "created_at": iso_time(message.created_at),
    }


def _messages(conversation: Conversation, raw: bool) -> Iterator[dict[str, Any]]:
    """Each message's document; an answer's rows stay loaded until the writer asks for the
    next message, i.e. while this one is written."""
    trees = answer_trees(conversation)
    for message in conversation.messages:
        document = _message_document(message)
        stored = message.answer
        if stored is None:
            yield document
            continue
        with raw_rows(stored.answer) as rows:
            answer = answer_document(stored, trees.get(stored.id))
            if raw:
                answer["raw"] = {"content": Lazy(rows)} if rows else None
            document["answer"] = answer
            yield document
            del document, answer, rows  # written: let raw_rows free them (collector paused)


def conversation_document(
    conversation: Conversation, *, exported_at: float | None = None, raw: bool = False
) -> dict[str, Any]:
    """The JSON document, its messages and tokens :class:`~tui.core.json_stream.Lazy`."""
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": iso_time(exported_at if exported_at is not None else _now()),
        "conversation": {
            "id": conversation.id,
            "title": conversation.title,
            "display_title": conversation.display_title,
            "created_at": iso_time(conversation.created_at),
            "updated_at": iso_time(conversation.updated_at),
            "preset": conversation.preset,
            "system_prompt": conversation.system_prompt,
            "model": conversation.model,
            "base_url": conversation.base_url,
        },
        "messages": Lazy(_messages(conversation, raw)),
    }


def json_pieces(
    conversation: Conversation, *, exported_at: float | None = None, raw: bool = False
) -> Iterator[bytes]:
    document = conversation_document(conversation, exported_at=exported_at, raw=raw)
    yield from json_stream.pieces(document, indent=True)
    yield b"\n"


def to_json(
    conversation: Conversation, *, exported_at: float | None = None, raw: bool = False
) -> str:
    return b"".join(json_pieces(conversation, exported_at=exported_at, raw=raw)).decode()


def answer_lines(conversation: Conversation) -> Iterator[dict[str, Any]]:
    """The JSONL records, one per answer, in conversation order (tokens lazy: write each
    record before asking for the next)."""
    texts = {m.id: m.text for m in conversation.messages}
    trees = answer_trees(conversation)
    number = 0
    for message in conversation.messages:
        stored = message.answer
        if stored is None:
            continue
        number += 1
        with raw_rows(stored.answer):
            document = answer_document(stored, trees.get(stored.id))
            yield {
                "conversation_id": conversation.id,
                "conversation_title": conversation.display_title,
                "answer_number": number,
                "message_id": message.id,
                "question_id": stored.question_id,
                "question": texts.get(stored.question_id or -1),
                "text": message.text,
                "reasoning": message.reasoning,
                "created_at": iso_time(message.created_at),
                **{k: v for k, v in document.items() if k not in ("id", "question_id")},
            }


def jsonl_pieces(conversation: Conversation) -> Iterator[bytes]:
    for record in answer_lines(conversation):
        yield from json_stream.pieces(record)
        yield b"\n"


def to_jsonl(conversation: Conversation) -> str:
    return b"".join(jsonl_pieces(conversation)).decode()


def _now() -> float:
    return datetime.now(UTC).timestamp()
