"""gpt-oss output read the way the model wrote it: harmony channels and ``<reasoning>`` tags.

gpt-oss frames everything it generates in "harmony" messages::

    <|channel|>analysis<|message|>…reasoning…<|end|><|start|>assistant<|channel|>final<|message|>…answer…<|return|>

Servers that run a harmony parser (vLLM ``--reasoning-parser``) split the text for us, but
their logprob rows still cover every generated token, framing included. Others do not split
at all: AWS Bedrock's OpenAI endpoint sends the analysis text inside ``content`` wrapped in
``<reasoning>…</reasoning>`` and the framing rows on ``content: null`` deltas, and vLLM
without a reasoning parser sends it as plain ``content``. Whatever the text fields say, the
rows carry the framing, so :class:`ChannelTracker` follows it token by token:

* ``<|start|>`` opens a message header (the role, ``assistant``, follows);
* ``<|channel|>`` starts the channel header (``analysis``, ``final``, ``commentary to=…``,
  ``<|constrain|>json``) that runs to ``<|message|>``;
* ``<|message|>`` starts the body: ``analysis`` → reasoning, ``final`` → the answer,
  ``commentary`` → other (tool calls and their preambles);
* ``<|end|>``, ``<|return|>`` and ``<|call|>`` end the message.

Framing tokens and header text are ``other``: never the answer, never the reasoning.
:class:`ReasoningTags` takes Bedrock's tags off the text (they have no rows of their own).
"""

from __future__ import annotations

from tui.core.wire.records import Scope

START = "<|start|>"
CHANNEL = "<|channel|>"
MESSAGE = "<|message|>"
MESSAGE_ENDS = frozenset({"<|end|>", "<|return|>", "<|call|>"})

FRAMING_STARTS = frozenset({START, CHANNEL, MESSAGE})
"""Tokens that only harmony output contains: seeing one among the rows switches the stream
to channel tracking."""

CHANNEL_SCOPES: dict[str, Scope] = {
    "analysis": "reasoning",
    "final": "answer",
    "commentary": "other",
}
"""Scope of a message body by its channel; a message without a channel is the answer."""


def is_harmony_framing(token: str) -> bool:
    """True for the tokens that mark harmony output (``<|start|>``, ``<|channel|>``,
    ``<|message|>``)."""
    return token in FRAMING_STARTS


class ChannelTracker:
    """The scope of each row of harmony-framed output, fed in generation order.

    :meth:`scope_of` returns ``None`` for body text whose channel is not known (before any
    framing, or after a ``<|channel|>`` not followed by a channel name): the caller then
    follows the delta the text came in. States: ``role`` (after ``<|start|>``), ``header``
    (after ``<|channel|>``, to ``<|message|>``), ``body``, ``between`` (after a message
    ended, before the next one starts).
    """

    __slots__ = ("_header", "_state", "channel")

    def __init__(self) -> None:
        self._state = "body"
        self._header: list[str] = []
        self.channel: str | None = None

    def scope_of(self, token: str) -> Scope | None:
        """The scope of the next row (its token string as the server sent it)."""
        if token == START:
            self._state = "role"
            return "other"
        if token == CHANNEL:
            self._state = "header"
            self._header = []
            return "other"
        if token == MESSAGE:
            words = "".join(self._header).split()
            self.channel = words[0] if words and words[0] in CHANNEL_SCOPES else None
            self._state = "body"
            return "other"
        if token in MESSAGE_ENDS:
            self._state = "between"
            return "other"
        if self._state in ("role", "between"):
            return "other"
        if self._state == "header":
            before = "".join(self._header).strip()
            self._header.append(token)
            if _could_name_channel("".join(self._header)):
                return "other"
            # Not header text: the body started without <|message|> (after a channel name,
            # that channel's body), or there was no channel name at all.
            self._state = "body"
            self.channel = before if before in CHANNEL_SCOPES else None
            return self.body_scope
        return self.body_scope

    @property
    def body_scope(self) -> Scope | None:
        """The scope text would have if it arrived now: ``None`` in a body of unknown
        channel (follow the delta) or outside a body (``other``)."""
        if self._state != "body":
            return "other"
        return None if self.channel is None else CHANNEL_SCOPES[self.channel]


def _could_name_channel(header: str) -> bool:
    """Whether header text so far starts, or could start, with a channel name
    (``comment`` + ``ary to=functions.x``)."""
    words = header.split()
    if not words:
        return True
    first = words[0]
    if len(words) == 1 and not header[-1:].isspace():
        return any(name.startswith(first) for name in CHANNEL_SCOPES)  # may still grow
    return first in CHANNEL_SCOPES


OPEN_TAG = "<reasoning>"
CLOSE_TAG = "</reasoning>"


class ReasoningTags:
    """Split ``content`` that wraps reasoning in ``<reasoning>…</reasoning>`` (gpt-oss on
    AWS Bedrock) into reasoning and answer parts, across deltas.

    The opening tag counts only at the start of a delta or right after a closing tag (where
    Bedrock puts it: every reasoning chunk is wrapped on its own), so an answer that talks
    about a ``<reasoning>`` tag mid-sentence is left alone. Inside reasoning, a closing tag
    cut between two deltas is held back until the next one completes it.
    """

    __slots__ = ("_inside", "_pending")

    def __init__(self) -> None:
        self._inside = False
        self._pending = ""

    def idle(self, text: str) -> bool:
        """True when ``text`` is plain answer text as it is (no tag under way, none at its
        start): the caller may skip :meth:`feed`."""
        return not self._inside and not self._pending and text[:1] != "<"

    def feed(self, text: str) -> list[tuple[Scope, str]]:
        """The ``(scope, text)`` parts of one delta, tags removed, in order."""
        if not self._inside and not self._pending and text[:1] != "<":
            return [("answer", text)]  # the common case, every delta of a stream: no tags
        parts: list[tuple[Scope, str]] = []
        text = self._pending + text
        self._pending = ""
        at_start = True
        while text:
            if not self._inside:
                if at_start and text.startswith(OPEN_TAG):
                    self._inside = True
                    text = text[len(OPEN_TAG) :]
                    continue
                if at_start and OPEN_TAG.startswith(text):
                    self._pending = text  # maybe the start of a tag: wait for the rest
                    break
                parts.append(("answer", text))
                break
            end = text.find(CLOSE_TAG)
            if end < 0:
                keep = _partial_suffix(text, CLOSE_TAG)
                if len(text) > keep:
                    parts.append(("reasoning", text[: len(text) - keep]))
                self._pending = text[len(text) - keep :]
                break
            if end:
                parts.append(("reasoning", text[:end]))
            self._inside = False
            text = text[end + len(CLOSE_TAG) :]
            at_start = True
        return _merge(parts)

    def flush(self) -> list[tuple[Scope, str]]:
        """What was held back, as text of the current side (the stream ended)."""
        pending, self._pending = self._pending, ""
        if not pending:
            return []
        return [("reasoning" if self._inside else "answer", pending)]


def split_tags(text: str) -> tuple[str, str]:
    """``(reasoning, answer)`` of a whole ``content`` (see :class:`ReasoningTags`)."""
    tags = ReasoningTags()
    reasoning: list[str] = []
    answer: list[str] = []
    for scope, part in tags.feed(text) + tags.flush():
        (reasoning if scope == "reasoning" else answer).append(part)
    return "".join(reasoning), "".join(answer)


def _partial_suffix(text: str, tag: str) -> int:
    """Length of the longest end of ``text`` that is a proper start of ``tag``."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if tag.startswith(text[-size:]):
            return size
    return 0


def _merge(parts: list[tuple[Scope, str]]) -> list[tuple[Scope, str]]:
    merged: list[tuple[Scope, str]] = []
    for scope, text in parts:
        if not text:
            continue
        if merged and merged[-1][0] == scope:
            merged[-1] = (scope, merged[-1][1] + text)
        else:
            merged.append((scope, text))
    return merged
