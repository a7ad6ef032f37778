"""Normalise every server's logprob rows into :class:`TokenRecord` values.

Shapes handled (see ``shared/reference/logprob_anchors.md`` part 2):

* OpenAI / vLLM / llama.cpp / Ollama / SGLang: ``{"token", "logprob", "bytes", "top_logprobs"}``
  (llama.cpp adds ``id``); llama.cpp ``post_sampling_probs``: ``prob`` / ``top_probs`` (0..1).
* llama-cpp-python: ``bytes: null`` and ``""`` tokens for partial characters.
* Sentinels ``-9999.0`` (OpenAI, vLLM) and ``-3.4028e38`` (llama.cpp), NaN, ±inf and null: unknown.
* Probabilities placed in the ``logprob`` field (Ollama, ooba fallbacks): a value in (0, 1] is
  read as a probability, ln(p) is used and the row is marked.
* llama.cpp speculative tokens: ``logprob == 0.0`` with an empty top list although top-k was
  asked for: unknown, not certainty.
* ``top_logprobs`` unsorted, short, over-long, or missing the sampled token: sorted on demand.

Display text is rebuilt from ``bytes`` with an incremental UTF-8 decoder when the bytes are
trustworthy (present, and not the bytes of U+FFFD that vLLM sends for split characters), so a
Japanese character split across two tokens shows once, on the token that completes it.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from typing import Any

from tui.core.wire.records import Scope, TokenRecord
from tui.core.wire.values import (
    NOTE_NON_FINITE,
    NOTE_SPECULATIVE,
    REPLACEMENT_BYTES,
    SENTINEL_FLOOR,
    clean_logprob,
    clean_probability,
    prob_to_logprob_alt,
    surface_text,
    token_bytes,
    top_summary,
)

# Special tokens of chat formats that are framing, never visible text: harmony (gpt-oss)
# `<|channel|>`, `<|message|>`, `<|end|>`..., ChatML `<|im_end|>`, and `<think>` markers.
_MARKER_RE = re.compile(r"<\|[^|<>]{1,40}\|>|</?think>")
# Harmony puts a role after <|start|> and a channel name after <|channel|>: framing too, but
# only those names (a reasoning that starts right after <|channel|> is text, not framing).
_MARKER_ARGUMENTS = {
    "<|start|>": frozenset({"assistant", "system", "developer", "user", "tool"}),
    "<|channel|>": frozenset({"analysis", "final", "commentary"}),
}


def is_marker(token: str, previous_token: str | None) -> bool:
    """True for chat-format framing tokens (harmony channels, ``<think>``), never shown text."""
    if _MARKER_RE.fullmatch(token):
        return True
    names = _MARKER_ARGUMENTS.get(previous_token or "")
    return names is not None and token in names


class TextRebuilder:
    """Rebuilds display text for one scope's rows, in order, from their bytes.

    Bytes go through one incremental UTF-8 decoder, so the first bytes of a split character
    yield ``""`` and the row that completes it yields the whole character. A row without
    trustworthy bytes shows its token string (and flushes any half character before it).
    :meth:`place` also marks the rows that form one character (``TokenRecord.char_start``).
    """

    __slots__ = ("_decoder", "_run")

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._run: list[TokenRecord] = []  # rows holding the start of a character, so far

    def text_for(self, raw_bytes: bytes | None, token: str) -> str:
        if raw_bytes is not None and REPLACEMENT_BYTES not in raw_bytes:
            return self._decoder.decode(raw_bytes)
        return self.flush() + surface_text(token)

    def place(self, row: TokenRecord) -> None:
        """Set ``row.text``, and ``char_start`` on rows that together make one character:
        the rows that showed nothing while a character was unfinished, and the row that
        finished it. (A row that finishes one character and starts the next belongs to the
        first: its own bytes are one row, it can mark one group.)"""
        raw_bytes = row.bytes
        if raw_bytes is None or REPLACEMENT_BYTES in raw_bytes:
            row.text = self.flush() + surface_text(row.token)
            return
        row.text = text = self._decoder.decode(raw_bytes)
        if not text:
            if raw_bytes and self._decoder.getstate()[0]:
                self._run.append(row)  # part of a character, nothing to show yet
            return
        if self._run:
            first = self._run[0].index
            for piece in self._run:
                piece.char_start = first
            row.char_start = first
            self._run = []

    def preview(self, rows: Iterable[TokenRecord]) -> list[str]:
        """The texts :meth:`text_for` would give these rows, without consuming them."""
        state, run = self._decoder.getstate(), self._run
        self._run = list(run)
        try:
            return [self.text_for(row.bytes, row.token) for row in rows]
        finally:
            self._decoder.setstate(state)
            self._run = run

    def flush(self) -> str:
        """Emit what is left of a half character (as U+FFFD) and reset."""
        self._run = []
        if not self._decoder.getstate()[0]:
            return ""
        text = self._decoder.decode(b"", final=True)
        self._decoder.reset()
        return text


def normalise_row(entry: Any, index: int, scope: Scope, requested_top: int) -> TokenRecord:
    """One wire row → a :class:`TokenRecord` (text is filled in later, per scope)."""
    if type(entry) is not dict:
        return TokenRecord(index, scope, "", "", None, None, note=NOTE_NON_FINITE)
    token = entry.get("token")
    if type(token) is not str:
        token = "" if token is None else str(token)
    raw_top = entry.get("top_logprobs")
    probabilities = False
    if raw_top is None and "top_probs" in entry:
        raw_top = entry.get("top_probs")
        probabilities = True
    if type(raw_top) is not list:
        raw_top = None
    if "logprob" in entry:
        v = entry["logprob"]
        if type(v) is float and SENTINEL_FLOOR < v < 0.0:
            logprob, note = v, ""
        else:
            logprob, note = clean_logprob(v)
    elif "prob" in entry:
        probabilities = True
        logprob, note = clean_probability(entry["prob"])
    else:
        logprob, note = None, NOTE_NON_FINITE
    if logprob == 0.0 and not raw_top and requested_top > 0 and not note:
        # llama.cpp speculative decoding: accepted draft tokens carry 0.0 and no alternatives.
        logprob, note = None, NOTE_SPECULATIVE
    mass, entropy = top_summary(raw_top, probabilities=probabilities)
    if probabilities and raw_top:
        raw_top = [prob_to_logprob_alt(alt) for alt in raw_top]
    token_id = entry.get("id")
    return TokenRecord(
        index,
        scope,
        token,
        "",
        token_bytes(token, entry.get("bytes")),
        logprob,
        token_id if type(token_id) is int else None,
        note,
        mass,
        entropy,
        len(raw_top) if raw_top else 0,
        raw_top or None,
    )


def is_zero_width(row: TokenRecord) -> bool:
    """A row whose token produced no bytes at all (``bytes: []``): an end-of-sequence or other
    control token (llama.cpp sends one for EOS in non-streamed replies, none when streaming)."""
    return row.bytes is not None and not row.bytes and not row.token


def assign_scope(
    rows: Iterable[TokenRecord], scope: Scope, rebuilder: TextRebuilder, previous: str | None
) -> str | None:
    """Set scope and display text on rows whose scope just became known.

    Framing tokens (:func:`is_marker`) go to ``other`` whatever the delta said. Returns the
    last token seen, to carry marker context across chunks.
    """
    for row in rows:
        if is_marker(row.token, previous) or is_zero_width(row):
            row.scope = "other"
            row.text = (
                surface_text(row.token)
                if row.bytes is None
                else row.bytes.decode("utf-8", "replace")
            )
        else:
            row.scope = scope
            rebuilder.place(row)
        previous = row.token
    return previous
