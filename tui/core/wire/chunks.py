"""Turn chat-completion bodies (streamed chunks or a whole reply) into typed events.

Scope of rows (answer / reasoning / other) in a stream follows the delta they arrive with
(``content`` → answer, ``reasoning``/``reasoning_content`` → reasoning, ``tool_calls`` →
other). Rows wait ("held") until a delta's text accounts for them:

* an empty delta ``{}`` (or ``""``) that carries rows means the server held the text back
  (vLLM's reasoning parser, a character split over tokens): its rows go with the next text;
* a delta takes only the rows that spell its text (:func:`align.rows_spelling`), so rows a
  server attached to the wrong chunk (Ollama puts content rows on the reasoning chunk) wait
  for the delta they belong to; when the rows do not spell the text, the delta takes all;
* framing tokens (harmony markers, ``<think>``) always go to ``other``; rows still held at the
  end go to the last delta's scope.

A whole reply is split by aligning rows with ``message.content`` (:func:`align.split_by_content`).
"""

from __future__ import annotations

import re
from typing import Any

from tui.core.errors import ServerReportedError, one_line
from tui.core.wire.align import (
    Atom,
    fill_untrusted_text,
    row_atoms,
    rows_spelling,
    split_by_content,
)
from tui.core.wire.events import (
    Finished,
    Notice,
    ReasoningDelta,
    ResponseStarted,
    StreamEvent,
    TextDelta,
    TokensReceived,
    UsageReported,
)
from tui.core.wire.normalise import (
    TextRebuilder,
    assign_scope,
    is_marker,
    is_zero_width,
    normalise_row,
)
from tui.core.wire.records import Scope, TokenRecord
from tui.core.wire.values import bytes_are_trustworthy

_TAG = re.compile(r"<[^>]{0,200}>")


def error_message(body: Any) -> str | None:
    """The server's own message from any error-body shape, or ``None`` if there is none.

    Shapes: ``{"error": {"message": …}}`` (OpenAI, vLLM, llama.cpp, Ollama /v1),
    ``{"error": "text"}`` (Ollama native, LM Studio with HTTP 200), ``{"object": "error",
    "message": …}`` (old vLLM, SGLang), ``{"detail": …}`` (FastAPI 422), ``{"message": …}``.
    """
    if not isinstance(body, dict):
        return None
    err = body.get("error")
    if isinstance(err, dict):
        msg = err.get("message") or err.get("msg") or err.get("type") or err.get("code")
        return str(msg) if msg is not None else "unknown error"
    if isinstance(err, str) and err:
        return err
    if body.get("object") == "error":
        return str(body.get("message") or body.get("type") or "unknown error")
    detail = body.get("detail")
    if isinstance(detail, str) and detail:
        return detail
    if isinstance(detail, list) and detail:
        parts = []
        for item in detail[:3]:
            if isinstance(item, dict):
                loc = ".".join(str(x) for x in item.get("loc", []) if x != "body")
                parts.append(f"{loc}: {item.get('msg', '')}".strip(": "))
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return None


def text_error_message(text: str) -> str:
    """A readable line from a plain-text or HTML error body (a proxy's 502 page, say)."""
    title = re.search(r"(?is)<title>(.*?)</title>", text)
    if title:
        return one_line(title.group(1))
    return one_line(_TAG.sub(" ", text))


def _content_rows(logprobs: Any) -> list[Any] | None:
    """The row list of a ``logprobs`` object, or ``None``; converts the legacy completions
    shape (``tokens`` / ``token_logprobs`` / ``top_logprobs`` dicts) to chat rows."""
    if not isinstance(logprobs, dict):
        return None
    rows = logprobs.get("content")
    if isinstance(rows, list):
        return rows
    tokens = logprobs.get("tokens")
    values = logprobs.get("token_logprobs")
    if isinstance(tokens, list) and isinstance(values, list):
        tops = logprobs.get("top_logprobs") or [None] * len(tokens)
        return [
            {
                "token": tok,
                "logprob": lp,
                "top_logprobs": [{"token": k, "logprob": v} for k, v in top.items()]
                if isinstance(top, dict)
                else [],
            }
            for tok, lp, top in zip(tokens, values, tops, strict=False)
        ]
    return None


def _usage_events(body: dict[str, Any]) -> list[StreamEvent]:
    """``usage`` and llama.cpp's ``timings`` (which its finish chunk carries even when the
    usage chunk was not asked for; then ``usage`` is ``{}``)."""
    usage = body.get("usage")
    timings = body.get("timings")
    usage = usage if isinstance(usage, dict) else None
    timings = timings if isinstance(timings, dict) else None
    if usage is None and timings is None:
        return []
    return [UsageReported(usage or {}, timings)]


def _reasoning_of(obj: dict[str, Any]) -> str:
    # vLLM: `reasoning` (new), `reasoning_content` (old), sometimes both with the same text.
    value = obj.get("reasoning")
    if not isinstance(value, str) or not value:
        value = obj.get("reasoning_content")
    return value if isinstance(value, str) else ""


class StreamNormaliser:
    """Stateful translation of one stream's chunks into events."""

    def __init__(self, requested_top: int) -> None:
        self.requested_top = requested_top
        self.saw_finish = False
        self.started = False
        self._next_index = 0
        self._held: list[TokenRecord] = []
        self._held_raw: list[Any] = []
        self._rebuilders: dict[Scope, TextRebuilder] = {}
        self._previous_token: str | None = None
        self._last_scope: Scope | None = None

    def _rebuilder(self, scope: Scope) -> TextRebuilder:
        rebuilder = self._rebuilders.get(scope)
        if rebuilder is None:
            rebuilder = self._rebuilders[scope] = TextRebuilder()
        return rebuilder

    def feed(self, chunk: Any) -> list[StreamEvent]:
        """Events for one parsed ``data:`` payload. Raises on an ``error`` event."""
        if not isinstance(chunk, dict):
            raise ServerReportedError(f"unexpected stream event: {one_line(repr(chunk), 80)}")
        message = error_message(chunk) if ("error" in chunk or "object" in chunk) else None
        if message is not None:
            raise ServerReportedError(f"server error in stream: {message}")
        events: list[StreamEvent] = []
        if not self.started:
            self.started = True
            model = chunk.get("model")
            response_id = chunk.get("id")
            events.append(
                ResponseStarted(
                    model if isinstance(model, str) else None,
                    response_id if isinstance(response_id, str) else None,
                )
            )
        choices = chunk.get("choices")
        if isinstance(choices, list) and choices:
            choice = choices[0]
            if isinstance(choice, dict):
                self._feed_choice(choice, events)
        events.extend(_usage_events(chunk))
        return events

    def _feed_choice(self, choice: dict[str, Any], events: list[StreamEvent]) -> None:
        delta = choice.get("delta")
        if not isinstance(delta, dict):
            delta = choice.get("message") if isinstance(choice.get("message"), dict) else {}
        content = delta.get("content")
        content = content if isinstance(content, str) else ""
        reasoning = _reasoning_of(delta)
        raw_rows = _content_rows(choice.get("logprobs"))
        if raw_rows:
            self._held.extend(self._row(entry) for entry in raw_rows)
            self._held_raw.extend(raw_rows)
        # Reasoning comes before content when a delta has both (Ollama): each takes the rows
        # that spell its text, in order.
        if reasoning:
            events.append(ReasoningDelta(reasoning))
            self._release_spelled("reasoning", reasoning, events)
        if content:
            events.append(TextDelta(content))
            self._release_spelled("answer", content, events)
        if delta.get("tool_calls") and self._held:
            events.append(self._release("other", "", len(self._held)))
        finish = choice.get("finish_reason")
        if finish is not None:
            self.saw_finish = True
            events.extend(self.close())
            events.append(Finished(finish if isinstance(finish, str) else str(finish)))

    def _row(self, entry: Any) -> TokenRecord:
        row = normalise_row(entry, self._next_index, "answer", self.requested_top)
        self._next_index += 1
        return row

    def _release_spelled(self, scope: Scope, text: str, events: list[StreamEvent]) -> None:
        """Release the held rows that spell ``text`` (all of them when none or all do)."""
        self._last_scope = scope
        if not self._held:
            return
        count = self._rows_spelling(scope, text)
        events.append(self._release(scope, text, count))

    def _rows_spelling(self, scope: Scope, text: str) -> int:
        held = self._held
        texts = self._rebuilder(scope).preview(held)
        if "".join(texts) == text:
            return len(held)  # the common case: the rows spell the delta exactly
        patterns: list[list[Atom]] = []
        previous = self._previous_token
        for row, provisional in zip(held, texts, strict=True):
            if is_marker(row.token, previous) or is_zero_width(row):
                patterns.append([])  # framing: not part of any delta's text
            elif bytes_are_trustworthy(row.bytes):
                patterns.append(list(provisional))
            else:
                patterns.append(row_atoms(row))
            previous = row.token
        count = rows_spelling(patterns, text)
        return len(held) if count is None else count

    def _release(self, scope: Scope, text: str, count: int) -> TokensReceived:
        rows, raw = self._held[:count], self._held_raw[:count]
        del self._held[:count], self._held_raw[:count]
        self._previous_token = assign_scope(
            rows, scope, self._rebuilder(scope), self._previous_token
        )
        if text and any(not bytes_are_trustworthy(r.bytes) for r in rows):
            fill_untrusted_text([r for r in rows if r.scope == scope], text)
        return TokensReceived(rows, raw)

    def close(self) -> list[StreamEvent]:
        """Release rows still held at the end of the stream: framing tokens go to ``other``
        (:func:`wire.assign_scope`), text rows to the scope of the last delta (their text
        came earlier), or ``other`` when there was none."""
        if self._held:
            return [self._release(self._last_scope or "other", "", len(self._held))]
        return []


def response_events(body: Any, requested_top: int) -> list[StreamEvent]:
    """Events for a whole (non-streamed) chat completion body. Raises on an error body."""
    message = error_message(body)
    if message is not None:
        raise ServerReportedError(f"server error: {message}")
    if not isinstance(body, dict):
        raise ServerReportedError("the server's reply is not a JSON object")
    model, response_id = body.get("model"), body.get("id")
    events: list[StreamEvent] = [
        ResponseStarted(
            model if isinstance(model, str) else None,
            response_id if isinstance(response_id, str) else None,
            streamed=False,
        )
    ]
    choices = body.get("choices")
    choice = choices[0] if isinstance(choices, list) and choices else None
    finish: Any = None
    if isinstance(choice, dict):
        msg = choice.get("message") if isinstance(choice.get("message"), dict) else {}
        content = msg.get("content") if isinstance(msg.get("content"), str) else ""
        if not content and isinstance(choice.get("text"), str):
            content = choice["text"]  # legacy completions shape
        reasoning = _reasoning_of(msg)
        raw_rows = _content_rows(choice.get("logprobs")) or []
        rows = [normalise_row(e, i, "answer", requested_top) for i, e in enumerate(raw_rows)]
        split_ok = _assign_whole(rows, content, reasoning)
        if reasoning:
            events.append(ReasoningDelta(reasoning))
        if content:
            events.append(TextDelta(content))
        if rows:
            events.append(TokensReceived(rows, list(raw_rows)))
        if not split_ok:
            events.append(
                Notice(
                    "could not tell reasoning rows from answer rows; "
                    "all rows are counted as the answer"
                )
            )
        finish = choice.get("finish_reason")
    events.extend(_usage_events(body))
    events.append(Finished(finish if isinstance(finish, str) or finish is None else str(finish)))
    return events


def _assign_whole(rows: list[TokenRecord], content: str, reasoning: str) -> bool:
    """Scope and text for the rows of a whole reply; ``False`` when the split was a guess."""
    provisional = TextRebuilder()
    for row in rows:
        row.text = provisional.text_for(row.bytes, row.token)
    scopes, ok = split_by_content(rows, content, reasoning)
    rebuilders: dict[Scope, TextRebuilder] = {}
    previous: str | None = None
    for row, scope in zip(rows, scopes, strict=True):
        rebuilder = rebuilders.setdefault(scope, TextRebuilder())
        previous = assign_scope([row], scope, rebuilder, previous)
    if any(not bytes_are_trustworthy(r.bytes) for r in rows):
        fill_untrusted_text([r for r in rows if r.scope == "answer"], content)
        fill_untrusted_text([r for r in rows if r.scope == "reasoning"], reasoning)
    return ok
