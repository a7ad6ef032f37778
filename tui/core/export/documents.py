"""JSON and JSONL exports of a stored conversation.

JSON (``format: logprob-chat.conversation``, ``version: 1``): one document with everything,
raw logprobs included::

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
              "notices", "metrics", "reasoning_metrics", "tokens": [TokenRecord.to_dict()],
              "raw": {"content": [rows as the server sent them]} | null}

JSONL: one answer per line, flat enough for ``pandas.read_json(lines=True)`` and ``jq``:
the answer fields above (without ``raw``, which only the JSON export carries, to keep lines
a manageable size) plus ``conversation_id``, ``conversation_title``, ``answer_number``
(1-based in the conversation), ``question`` and ``text``/``reasoning``.

Times are ISO 8601 in UTC. Non-finite numbers (an infinite perplexity) are written as null.
Everything goes through :func:`tui.core.jsonio.dumps`, so the text is terminal-safe.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tui.core.jsonio import dumps, dumps_compact
from tui.core.store.models import Conversation, StoredAnswer, StoredMessage

FORMAT_NAME = "logprob-chat.conversation"
FORMAT_VERSION = 1


def iso_time(epoch: float | None) -> str | None:
    """Epoch seconds → ``2026-11-28T09:30:00.123Z`` (``None`` stays ``None``)."""
    if epoch is None:
        return None
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def answer_document(stored: StoredAnswer) -> dict[str, Any]:
    """Everything about one answer except its text (kept on the message) and raw rows."""
    answer = stored.answer
    reasoning = answer.reasoning_metrics
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
        "tokens": [token.to_dict() for token in answer.tokens],
    }


def _message_document(message: StoredMessage) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": message.id,
        "position": message.position,
        "role": message.role,
        "text": message.text,
        "reasoning": message.reasoning,
        "created_at": iso_time(message.created_at),
    }
    if message.answer is not None:
        answer = answer_document(message.answer)
        answer["raw"] = message.answer.answer.raw_logprobs()
        document["answer"] = answer
    return document


def conversation_document(
    conversation: Conversation, *, exported_at: float | None = None
) -> dict[str, Any]:
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
        "messages": [_message_document(m) for m in conversation.messages],
    }


def to_json(conversation: Conversation, *, exported_at: float | None = None) -> str:
    return dumps(conversation_document(conversation, exported_at=exported_at)) + "\n"


def answer_lines(conversation: Conversation) -> list[dict[str, Any]]:
    """The JSONL records, one per answer, in conversation order."""
    texts = {m.id: m.text for m in conversation.messages}
    records = []
    number = 0
    for message in conversation.messages:
        if message.answer is None:
            continue
        number += 1
        document = answer_document(message.answer)
        records.append(
            {
                "conversation_id": conversation.id,
                "conversation_title": conversation.display_title,
                "answer_number": number,
                "message_id": message.id,
                "question_id": message.answer.question_id,
                "question": texts.get(message.answer.question_id or -1),
                "text": message.text,
                "reasoning": message.reasoning,
                "created_at": iso_time(message.created_at),
                **{k: v for k, v in document.items() if k not in ("id", "question_id")},
            }
        )
    return records


def to_jsonl(conversation: Conversation) -> str:
    return "".join(dumps_compact(record) + "\n" for record in answer_lines(conversation))


def _now() -> float:
    return datetime.now(UTC).timestamp()
