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

from typing import Any

from tui.core.errors import ServerReportedError, one_line
from tui.core.wire.align import (
    Atom,
    fill_untrusted_text,
    row_atoms,
    rows_spelling,
    split_by_content,
)
from tui.core.wire.error_bodies import error_message
from tui.core.wire.events import (
    REFUSAL_NOTICE,
    Finished,
    Notice,
    ReasoningDelta,
    ResponseStarted,
    StreamEvent,
    TextDelta,
    TokensReceived,
    UsageReported,
)
from tui.core.wire.harmony import (
    FRAMING_STARTS,
    ChannelTracker,
    ReasoningTags,
    is_harmony_framing,
    split_tags,
)
from tui.core.wire.normalise import (
    TextRebuilder,
    assign_scope,
    is_marker,
    is_zero_width,
    normalise_row,
)
from tui.core.wire.records import Scope, TokenRecord
from tui.core.wire.values import bytes_are_trustworthy, surface_text


def _content_rows(logprobs: Any) -> list[Any] | None:
    """The row list of a ``logprobs`` object, or ``None``; converts the legacy completions
    shape (``tokens`` / ``token_logprobs`` / ``top_logprobs`` dicts) to chat rows."""
    if not isinstance(logprobs, dict):
        return None
    rows = logprobs.get("content")
    refusal = logprobs.get("refusal")  # OpenAI: the rows of a refusal, `content` is null
    if isinstance(refusal, list) and refusal:
        return (rows if isinstance(rows, list) else []) + refusal
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


def _refusal_of(obj: dict[str, Any]) -> str:
    value = obj.get("refusal")  # OpenAI: a refusal comes instead of content
    return value if isinstance(value, str) else ""


def _delta_event(scope: Scope, text: str) -> StreamEvent:
    return ReasoningDelta(text) if scope == "reasoning" else TextDelta(text)


class StreamNormaliser:
    """Stateful translation of one stream's chunks into events.

    Once a row is harmony framing (gpt-oss: :mod:`tui.core.wire.harmony`), every later row
    gets its scope from the channel it was generated in, whatever delta it rode on, and the
    text of a delta goes to the scope of the rows that spell it (Bedrock's ``<reasoning>``
    tags are taken off first).
    """

    def __init__(self, requested_top: int) -> None:
        self.requested_top = requested_top
        self.saw_finish = False
        self.started = False
        self._next_index = 0
        self._held: list[TokenRecord] = []
        self._held_raw: list[Any] = []
        # Harmony only (empty before): each held row's channel scope, None for "no channel".
        self._held_channel: list[Scope | None] = []
        self._rebuilders: dict[Scope, TextRebuilder] = {}
        self._previous_token: str | None = None
        self._last_scope: Scope | None = None
        self._channels: ChannelTracker | None = None  # set at the first harmony framing row
        self._tags = ReasoningTags()
        self._refused = False

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
        refusal = _refusal_of(delta)
        raw_rows = _content_rows(choice.get("logprobs"))
        if raw_rows:
            self._hold(raw_rows)
        # Reasoning comes before content when a delta has both (Ollama): each takes the rows
        # that spell its text, in order.
        if self._channels is None and not refusal and (not content or self._tags.idle(content)):
            # The common case, kept lean (every chunk of a fast stream comes here).
            if reasoning:
                events.append(ReasoningDelta(reasoning))
                self._release_spelled("reasoning", reasoning, events)
            if content:
                events.append(TextDelta(content))
                self._release_spelled("answer", content, events)
        else:
            self._feed_parts(content, reasoning, refusal, events)
        if delta.get("tool_calls") and self._held:
            events.append(self._release("other", "", len(self._held)))
        finish = choice.get("finish_reason")
        if finish is not None:
            self.saw_finish = True
            events.extend(self.close())
            events.append(Finished(finish if isinstance(finish, str) else str(finish)))

    def _feed_parts(
        self, content: str, reasoning: str, refusal: str, events: list[StreamEvent]
    ) -> None:
        """A delta with a refusal, ``<reasoning>`` tags or harmony rows: its texts by scope."""
        parts: list[tuple[Scope, str]] = [("reasoning", reasoning)] if reasoning else []
        if content:
            parts += self._tags.feed(content)
        if refusal:
            if not self._refused:
                self._refused = True
                events.append(Notice(REFUSAL_NOTICE))
            parts.append(("answer", refusal))
        for scope, text in parts:
            if self._channels is not None:
                self._release_by_channel(scope, text, events)
            else:
                events.append(_delta_event(scope, text))
                self._release_spelled(scope, text, events)

    def _row(self, entry: Any) -> TokenRecord:
        row = normalise_row(entry, self._next_index, "answer", self.requested_top)
        self._next_index += 1
        return row

    def _hold(self, entries: list[Any]) -> None:
        """Keep rows until a delta accounts for them; harmony rows get their channel's scope
        now (``other`` for framing), the order they were generated in being all it takes."""
        held, channels = self._held, self._held_channel
        tracker = self._channels
        for entry in entries:
            row = self._row(entry)
            if tracker is None:
                held.append(row)
                if row.token in FRAMING_STARTS:  # harmony from here on
                    tracker = self._channels = ChannelTracker()
                    channels.extend([None] * (len(held) - 1))
                    channels.append(tracker.scope_of(row.token))
                continue
            held.append(row)
            channels.append(tracker.scope_of(row.token))
        self._held_raw.extend(entries)

    def _take(self, count: int, scope: Scope) -> tuple[list[TokenRecord], list[Any]]:
        """The first ``count`` held rows and raw rows, off the queue; rows of a harmony
        channel get its scope, the others ``scope``."""
        rows, raw = self._held[:count], self._held_raw[:count]
        del self._held[:count], self._held_raw[:count]
        if self._channels is not None:
            channels = self._held_channel[:count]
            del self._held_channel[:count]
            for row, channel in zip(rows, channels, strict=True):
                row.scope = scope if channel is None else channel
                if is_zero_width(row):
                    row.scope = "other"  # an end token, never text
        return rows, raw

    def _release_spelled(self, scope: Scope, text: str, events: list[StreamEvent]) -> None:
        """Release the held rows that spell ``text`` (all of them when none or all do)."""
        self._last_scope = scope
        if not self._held:
            return
        count = self._rows_spelling(scope, text)
        events.append(self._release(scope, text, count))

    def _release_by_channel(self, kind: Scope, text: str, events: list[StreamEvent]) -> None:
        """Harmony output: release the rows that spell ``text`` with their channels' scopes,
        and give the text to those scopes (split where the rows change channel). Text that
        no body row spells goes where the rows say text goes now, else to ``kind``."""
        channels = self._channels
        assert channels is not None
        count = self._rows_spelling(kind, text) if self._held else 0
        rows, raw = self._take(count, kind)
        previous = self._previous_token
        for row in rows:
            if row.scope == "other":
                row.text = _framing_text(row)
            else:
                self._rebuilder(row.scope).place(row)
            previous = row.token
        self._previous_token = previous
        body = [row for row in rows if row.scope != "other"]
        if body and "".join(row.text for row in body) == text:
            parts = _runs(body)
        else:
            now = channels.body_scope
            scope = body[-1].scope if body else (kind if now in (None, "other") else now)
            parts = [(scope, text)]
        for scope, part in parts:
            events.append(_delta_event(scope, part))
            self._last_scope = scope
            untrusted = [r for r in body if r.scope == scope]
            if any(not bytes_are_trustworthy(r.bytes) for r in untrusted):
                fill_untrusted_text(untrusted, part)
        if rows:
            events.append(TokensReceived(rows, raw))

    def _rows_spelling(self, scope: Scope, text: str) -> int:
        held = self._held
        texts = self._rebuilder(scope).preview(held)
        if "".join(texts) == text:
            return len(held)  # the common case: the rows spell the delta exactly
        patterns: list[list[Atom]] = []
        previous = self._previous_token
        channels = self._held_channel if self._channels is not None else [None] * len(held)
        for row, channel, provisional in zip(held, channels, texts, strict=True):
            if channel == "other" or is_marker(row.token, previous):
                patterns.append([])  # framing: not part of any delta's text
            elif is_zero_width(row):
                patterns.append([])
            elif bytes_are_trustworthy(row.bytes):
                patterns.append(list(provisional))
            else:
                patterns.append(row_atoms(row))
            previous = row.token
        count = rows_spelling(patterns, text)
        return len(held) if count is None else count

    def _release(self, scope: Scope, text: str, count: int) -> TokensReceived:
        rows, raw = self._take(count, scope)
        if self._channels is not None:
            for row in rows:
                if row.scope == "other":
                    row.text = _framing_text(row)
                else:
                    self._rebuilder(row.scope).place(row)
                self._previous_token = row.token
            return TokensReceived(rows, raw)
        self._previous_token = assign_scope(
            rows, scope, self._rebuilder(scope), self._previous_token
        )
        if text and any(not bytes_are_trustworthy(r.bytes) for r in rows):
            fill_untrusted_text([r for r in rows if r.scope == scope], text)
        return TokensReceived(rows, raw)

    def close(self) -> list[StreamEvent]:
        """Release rows still held at the end of the stream: framing tokens go to ``other``
        (:func:`wire.assign_scope`), text rows to the scope of the last delta (their text
        came earlier), or ``other`` when there was none. A tag cut at the very end is text."""
        events: list[StreamEvent] = []
        for scope, text in self._tags.flush():
            events.append(_delta_event(scope, text))
        if self._held:
            events.append(self._release(self._last_scope or "other", "", len(self._held)))
        return events


def _framing_text(row: TokenRecord) -> str:
    return surface_text(row.token) if row.bytes is None else row.bytes.decode("utf-8", "replace")


def _runs(rows: list[TokenRecord]) -> list[tuple[Scope, str]]:
    """Consecutive rows of one scope joined: ``[(scope, text), ...]`` in order."""
    parts: list[tuple[Scope, str]] = []
    for row in rows:
        if parts and parts[-1][0] == row.scope:
            parts[-1] = (row.scope, parts[-1][1] + row.text)
        else:
            parts.append((row.scope, row.text))
    return [(scope, text) for scope, text in parts if text]


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
        tagged, content = split_tags(content)  # Bedrock's gpt-oss: <reasoning>…</reasoning>
        reasoning = reasoning or tagged
        refusal = _refusal_of(msg)
        if refusal and not content:
            events.append(Notice(REFUSAL_NOTICE))
            content = refusal
        raw_rows = _content_rows(choice.get("logprobs")) or []
        rows = [normalise_row(e, i, "answer", requested_top) for i, e in enumerate(raw_rows)]
        by_channel = None
        if any(is_harmony_framing(row.token) for row in rows):
            by_channel = _assign_channels(rows, content, reasoning)
        if by_channel is not None:
            content, reasoning = by_channel
            split_ok = True
        else:
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


def _assign_channels(
    rows: list[TokenRecord], content: str, reasoning: str
) -> tuple[str, str] | None:
    """Scope and text for the rows of a whole harmony reply, by channel
    (:class:`ChannelTracker`); returns ``(content, reasoning)``, split by channel when the
    server put both in ``content`` (vLLM without a reasoning parser) and the rows say where.
    ``None`` (rows untouched in effect: :func:`_assign_whole` redoes them) when the server
    split the text itself and the channels disagree with it (framing rows missing)."""
    tracker = ChannelTracker()
    rebuilders: dict[Scope, TextRebuilder] = {}
    for row in rows:
        channel = tracker.scope_of(row.token)
        row.scope = "other" if is_zero_width(row) else (channel or "answer")
        if row.scope == "other":
            row.text = _framing_text(row)
        else:
            rebuilders.setdefault(row.scope, TextRebuilder()).place(row)
    said = {
        scope: "".join(r.text for r in rows if r.scope == scope)
        for scope in ("reasoning", "answer")
    }
    if not reasoning and said["reasoning"] and content == said["reasoning"] + said["answer"]:
        content, reasoning = said["answer"], said["reasoning"]
    elif reasoning and said["answer"].strip() != content.strip():
        return None
    if any(not bytes_are_trustworthy(r.bytes) for r in rows):
        fill_untrusted_text([r for r in rows if r.scope == "answer"], content)
        fill_untrusted_text([r for r in rows if r.scope == "reasoning"], reasoning)
    return content, reasoning


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
