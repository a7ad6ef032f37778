"""Typed events a chat completion yields, streamed or not, for any consumer (CLI, TUI, compare).

A non-streamed reply is turned into the same events, so there is one consumer code path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tui.core.wire.records import TokenRecord


@dataclass(slots=True, frozen=True)
class ResponseStarted:
    """The first chunk arrived: the model name the server reports and the response id.

    ``streamed`` is ``False`` when the whole reply came at once (``stream: false``, or a
    server that ignored ``stream: true``): then there is no per-token timing to measure.
    """

    model: str | None
    response_id: str | None
    streamed: bool = True


@dataclass(slots=True, frozen=True)
class TextDelta:
    """More answer text (``message.content``)."""

    text: str


@dataclass(slots=True, frozen=True)
class ReasoningDelta:
    """More reasoning text (``reasoning`` / ``reasoning_content``)."""

    text: str


@dataclass(slots=True, frozen=True)
class TokensReceived:
    """Logprob rows, normalised (``tokens``) and as the server sent them (``raw``).

    Every row appears exactly once across all events. Rows held back by a server (empty
    delta) are released with the delta that reveals their scope.
    """

    tokens: list[TokenRecord]
    raw: list[Any]


@dataclass(slots=True, frozen=True)
class UsageReported:
    """Token usage, plus llama.cpp's own ``timings`` when present."""

    usage: dict[str, Any]
    timings: dict[str, Any] | None = None


@dataclass(slots=True, frozen=True)
class Finished:
    """The choice finished: ``stop``, ``length``, ``tool_calls``, ``abort``... or ``None``."""

    reason: str | None


REFUSAL_NOTICE = "the model refused: its refusal is shown as the answer"
"""The notice an OpenAI refusal (``delta.refusal`` / ``message.refusal``) comes with: the
refusal text arrives as :class:`TextDelta` and its rows as answer rows, so it is shown and
scored like an answer; this notice, kept with the answer's notices in the history and the
exports, is what marks it as a refusal (``Answer.refusal``)."""


@dataclass(slots=True, frozen=True)
class Notice:
    """Something worth telling the user that is not an error (a retry, a guess, a quirk)."""

    message: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, frozen=True)
class ServerAlive:
    """The server keeps the stream open (SSE comments, empty events, empty deltas) but has
    sent no part of the answer for ``idle`` seconds (since the reply began or since its last
    piece). Yielded at most once a second while it lasts, so a front end can show "server
    alive, no tokens for N s"; the read timeout still ends it (keep-alives are not progress).
    Consumers that do not show it ignore it (``AnswerBuilder.apply`` does)."""

    idle: float


StreamEvent = (
    ResponseStarted
    | TextDelta
    | ReasoningDelta
    | TokensReceived
    | UsageReported
    | Finished
    | Notice
    | ServerAlive
)
