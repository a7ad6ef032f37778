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

import bisect
import codecs
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

from tui.core.records import (
    NOTE_FROM_PROBABILITY,
    NOTE_NON_FINITE,
    NOTE_OUT_OF_RANGE,
    NOTE_SENTINEL,
    NOTE_SPECULATIVE,
    Alternative,
    Scope,
    TokenRecord,
)

SENTINEL_FLOOR = -9999.0
"""Any logprob at or below this is a "probability zero" sentinel (OpenAI/vLLM use exactly
-9999.0; llama.cpp uses float lowest, -3.4028e38)."""

REPLACEMENT_BYTES = "\ufffd".encode()
_exp = math.exp
_log = math.log

# Special tokens of chat formats that are framing, never visible text: harmony (gpt-oss)
# `<|channel|>`, `<|message|>`, `<|end|>`..., ChatML `<|im_end|>`, and `<think>` markers.
_MARKER_RE = re.compile(r"<\|[^|<>]{1,40}\|>|</?think>")
# Harmony puts a role after <|start|> and a channel name after <|channel|>: framing too, but
# only those names (a reasoning that starts right after <|channel|> is text, not framing).
_MARKER_ARGUMENTS = {
    "<|start|>": frozenset({"assistant", "system", "developer", "user", "tool"}),
    "<|channel|>": frozenset({"analysis", "final", "commentary"}),
}


def clean_logprob(value: Any) -> tuple[float | None, str]:
    """Turn a wire ``logprob`` value into a usable natural-log probability.

    Returns ``(logprob, note)``: ``logprob`` is ≤ 0 or ``None``; ``note`` says why it is
    unknown or converted (empty when the value was an ordinary logprob).
    """
    if type(value) is float or type(value) is int:
        v = float(value)
        if v != v or v in (math.inf, -math.inf):
            return None, NOTE_NON_FINITE
        if v <= SENTINEL_FLOOR:
            return None, NOTE_SENTINEL
        if v <= 0.0:
            return v, ""
        if v <= 1.0:
            # A probability in the logprob field: p = v, logprob = ln p.
            return _log(v), NOTE_FROM_PROBABILITY
        return None, NOTE_OUT_OF_RANGE
    return None, NOTE_NON_FINITE


def clean_probability(value: Any) -> tuple[float | None, str]:
    """Turn a wire ``prob`` value (0..1, llama.cpp ``post_sampling_probs``) into ln(p)."""
    if type(value) is float or type(value) is int:
        p = float(value)
        if p != p or p in (math.inf, -math.inf):
            return None, NOTE_NON_FINITE
        if p == 0.0:
            return None, NOTE_SENTINEL
        if 0.0 < p <= 1.0:
            return _log(p), ""
        return None, NOTE_OUT_OF_RANGE
    return None, NOTE_NON_FINITE


def top_summary(
    raw_top: Sequence[Any] | None, *, probabilities: bool
) -> tuple[float, float | None]:
    """Σ p and truncated entropy over a top-k list, skipping unusable values.

    mass = Σ_j p_j, entropy = −Σ_j p_j · ln p_j (nats), both over the top-k only.
    Returns ``(0.0, None)`` for an empty or missing list.
    """
    if not raw_top:
        return 0.0, None
    mass = 0.0
    entropy = 0.0
    key = "prob" if probabilities else "logprob"
    for alt in raw_top:
        if type(alt) is not dict:
            continue
        v = alt.get(key)
        # Fast path for the common case (a plain float logprob), slow path for the rest.
        if not probabilities and type(v) is float and SENTINEL_FLOOR < v <= 0.0:
            lp = v
        else:
            lp = (clean_probability(v) if probabilities else clean_logprob(v))[0]
            if lp is None:
                continue
        p = _exp(lp)
        mass += p
        entropy -= p * lp
    return min(mass, 1.0), entropy


def bytes_are_trustworthy(raw_bytes: bytes | None) -> bool:
    """Raw bytes can rebuild the text unless absent or holding U+FFFD (vLLM's lost bytes)."""
    return raw_bytes is not None and REPLACEMENT_BYTES not in raw_bytes


def _as_bytes(value: Any) -> bytes | None:
    if type(value) is list:
        try:
            return bytes(value)
        except (TypeError, ValueError):
            return None
    return None


_BYTE_ESCAPES = re.compile(r"(?:\\x[0-9a-fA-F]{2})+")


def token_bytes(token: str, raw_bytes: Any) -> bytes | None:
    """The row's bytes: the wire ``bytes`` list, else bytes spelled by an escape-only token.

    OpenAI writes a token holding part of a character as escape text (``"\\xf0\\x9f\\x92"``)
    and normally sends the real ``bytes`` too; when ``bytes`` is null, a token that is nothing
    but ``\\xNN`` escapes is read as those bytes (Mikupad does the same).
    """
    value = _as_bytes(raw_bytes)
    if value is None and token and _BYTE_ESCAPES.fullmatch(token):
        return bytes(int(token[i + 2 : i + 4], 16) for i in range(0, len(token), 4))
    return value


def surface_text(token: str) -> str:
    """Display form of a token string when no bytes can be trusted.

    Undoes the raw BPE surface forms some servers leak (SillyTavern's rule): a leading
    SentencePiece ``▁`` or byte-level ``Ġ`` is a space, ``Ċ`` a newline.
    """
    if token[:1] in ("▁", "Ġ"):
        token = " " + token[1:]
    return token.replace("Ċ", "\n")


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
    """

    __slots__ = ("_decoder",)

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def text_for(self, raw_bytes: bytes | None, token: str) -> str:
        if raw_bytes is not None and REPLACEMENT_BYTES not in raw_bytes:
            return self._decoder.decode(raw_bytes)
        return self.flush() + surface_text(token)

    def preview(self, rows: Iterable[TokenRecord]) -> list[str]:
        """The texts :meth:`text_for` would give these rows, without consuming them."""
        state = self._decoder.getstate()
        try:
            return [self.text_for(row.bytes, row.token) for row in rows]
        finally:
            self._decoder.setstate(state)

    def flush(self) -> str:
        """Emit what is left of a half character (as U+FFFD) and reset."""
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
        raw_top = [_prob_to_logprob_alt(alt) for alt in raw_top]
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


def _prob_to_logprob_alt(alt: Any) -> Any:
    if type(alt) is not dict or "logprob" in alt:
        return alt
    converted = dict(alt)
    converted["logprob"] = clean_probability(alt.get("prob"))[0]
    return converted


def normalise_alternatives(
    raw_top: Sequence[Any] | None, row_bytes: bytes | None, row_id: int | None
) -> list[Alternative]:
    """The top-k list normalised and sorted by logprob (most likely first, unknowns last).

    llama.cpp drops the rows of tokens that end inside a character and merges their bytes
    into the row that completes it, while the alternatives carry only their own bytes
    (``[169]`` where the row has ``[227, 129, 169]``). Each alternative is shown as the text
    it would have made after those merged bytes (:func:`merged_prefix`), so a Japanese user
    sees ``ち`` rather than ``\ufffd``.
    """
    if not raw_top:
        return []
    prefix = merged_prefix(raw_top, row_bytes, row_id)
    result: list[Alternative] = []
    for alt in raw_top:
        if type(alt) is not dict:
            continue
        token = alt.get("token")
        token = token if type(token) is str else ("" if token is None else str(token))
        logprob = clean_logprob(alt.get("logprob"))[0]
        raw_bytes = token_bytes(token, alt.get("bytes"))
        alt_id = alt.get("id")
        result.append(
            Alternative(
                token=token,
                text=_alternative_text(token, raw_bytes, prefix, row_bytes),
                logprob=logprob,
                bytes=raw_bytes,
                id=alt_id if type(alt_id) is int else None,
            )
        )
    result.sort(key=lambda a: -math.inf if a.logprob is None else a.logprob, reverse=True)
    return result


def merged_prefix(
    raw_top: Sequence[Any], row_bytes: bytes | None, row_id: int | None
) -> bytes | None:
    """The bytes llama.cpp merged in front of this row's own token, when they can be known.

    Known exactly when the sampled token (same ``id``) is among the alternatives and its
    bytes are a strict suffix of the row's bytes. ``None`` when it cannot be told (the
    sampled token is not in the list, or no ids): :func:`_alternative_text` then guesses per
    alternative.
    """
    if row_id is None or not row_bytes:
        return None
    for alt in raw_top:
        if type(alt) is dict and alt.get("id") == row_id:
            own = _as_bytes(alt.get("bytes"))
            if own is not None and len(own) < len(row_bytes) and row_bytes.endswith(own):
                return row_bytes[: -len(own)]
            return b""
    return None


def _alternative_text(
    token: str, raw_bytes: bytes | None, prefix: bytes | None, row_bytes: bytes | None
) -> str:
    if not bytes_are_trustworthy(raw_bytes):
        return surface_text(token)
    assert raw_bytes is not None
    if prefix:
        joined = prefix + raw_bytes
        try:
            return joined.decode("utf-8")
        except UnicodeDecodeError:
            pass
        if _is_continuation(raw_bytes) and _ends_inside_character(joined):
            # Still part of a character after the merged bytes: show all of it, escaped.
            return joined.decode("utf-8", "backslashreplace")
    elif prefix is None and row_bytes and _is_continuation(raw_bytes):
        # The alternative starts inside a character and the merged bytes are unknown: use the
        # longest start of the row's bytes that ends inside a character and that this
        # alternative completes into valid text.
        for cut in range(len(row_bytes) - 1, 0, -1):
            head = row_bytes[:cut]
            if not _ends_inside_character(head):
                continue
            try:
                return (head + raw_bytes).decode("utf-8")
            except UnicodeDecodeError:
                continue
    # Bytes that make no whole character on their own are shown as escapes (OpenAI's form).
    return raw_bytes.decode("utf-8", "backslashreplace")


def _is_continuation(data: bytes) -> bool:
    """True when ``data`` starts inside a character (a UTF-8 continuation byte)."""
    return bool(data) and 0x80 <= data[0] <= 0xBF


def _ends_inside_character(data: bytes) -> bool:
    """True when ``data`` is valid UTF-8 up to an unfinished character at its end."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        decoder.decode(data)
    except UnicodeDecodeError:
        return False
    return bool(decoder.getstate()[0])


Atom = str | None
"""One step of a row's text pattern: a literal character, or ``None`` for "zero or one
unknown character" (a piece of a split character whose bytes the server lost)."""


def row_atoms(row: TokenRecord) -> list[Atom]:
    """The text pattern a row stands for, for aligning rows with the server's text.

    A row with trustworthy bytes stands for exactly its decoded text. A row without them
    stands for its token string, where each U+FFFD (vLLM's split characters) is an unknown
    character, and an empty token (llama-cpp-python, Ollama) is one unknown character.
    """
    if bytes_are_trustworthy(row.bytes):
        return list(row.text)
    token = surface_text(row.token)
    if not token:
        return [None]
    return [None if ch == "\ufffd" else ch for ch in token]


def is_zero_width(row: TokenRecord) -> bool:
    """A row whose token produced no bytes at all (``bytes: []``): an end-of-sequence or other
    control token (llama.cpp sends one for EOS in non-streamed replies, none when streaming)."""
    return row.bytes is not None and not row.bytes and not row.token


def align_rows(patterns: Sequence[Sequence[Atom]], text: str) -> list[tuple[int, int]] | None:
    """Match rows, in order, against ``text``; return each row's ``(start, end)`` in ``text``.

    Whitespace the server trimmed from either end of ``text`` may be left over in the rows.
    Unknown characters take one character when they can. ``None`` when the rows cannot spell
    ``text``. Cost: O(atoms × live states); literals keep the state set small.
    """
    target = text.strip()
    offset = len(text) - len(text.lstrip())
    size = len(target)
    flat: list[tuple[int, Atom]] = [(i, a) for i, atoms in enumerate(patterns) for a in atoms]
    history: list[States] = [_START]
    states = _START
    for _, atom in flat:
        states = _step(states, atom, target, size)
        if not states:
            return None
        history.append(states)
    if not _has(states, size):
        return None
    # Walk back from the end, choosing for each atom a predecessor state.
    ends = [0] * len(flat)
    pos = size
    for k in range(len(flat) - 1, -1, -1):
        atom = flat[k][1]
        before = history[k]
        ends[k] = pos
        pos = _predecessor(before, atom, pos, target)
    spans: list[tuple[int, int]] = []
    k = 0
    start = 0
    for atoms in patterns:
        end = ends[k + len(atoms) - 1] if atoms else start
        spans.append((offset + start, offset + end))
        k += len(atoms)
        start = end
    return spans


States = list[tuple[int, int]]
"""Positions reached in the target text, as sorted, disjoint, non-adjacent inclusive
intervals: a run of unknown characters widens one interval instead of adding positions, so
alignment stays linear in the rows even when every row is unknown (an emoji-only answer from
vLLM)."""

_START: States = [(0, 0)]


def _has(states: States, pos: int) -> bool:
    i = bisect.bisect_right(states, (pos, math.inf)) - 1
    return i >= 0 and states[i][0] <= pos <= states[i][1]


def _merged(intervals: Iterable[tuple[int, int]]) -> States:
    merged: States = []
    for lo, hi in intervals:
        if merged and lo <= merged[-1][1] + 1:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def _step(states: States, atom: Atom, target: str, size: int, *, trim: bool = True) -> States:
    """Positions after one more atom: an unknown character takes zero or one character, a
    literal must be the next character (or, with ``trim``, whitespace at either end)."""
    if atom is None:
        return _merged((lo, min(hi + 1, size)) for lo, hi in states)
    points: list[int] = []
    for lo, hi in states:
        if trim and lo == 0 and atom.isspace():
            points.append(0)  # whitespace the server trimmed from the start
        stop = min(hi, size - 1) + 1
        found = target.find(atom, lo, stop)
        while found >= 0:
            points.append(found + 1)
            found = target.find(atom, found + 1, stop)
        if trim and hi == size and atom.isspace():
            points.append(size)  # ... or from the end
    points.sort()
    return _merged((q, q) for q in points)


def _predecessor(before: States, atom: Atom, pos: int, target: str) -> int:
    """A position in ``before`` from which ``atom`` reaches ``pos`` (taking a character when
    it can)."""
    if atom is None:
        return pos - 1 if pos > 0 and _has(before, pos - 1) else pos
    if pos > 0 and target[pos - 1] == atom and _has(before, pos - 1):
        return pos - 1
    return pos  # a skipped end whitespace


def rows_spelling(patterns: Sequence[Sequence[Atom]], text: str) -> int | None:
    """The most leading rows whose patterns spell ``text`` exactly, or ``None``.

    Used on streams, where a server may attach rows to the wrong delta (Ollama puts the rows
    of content tokens on the reasoning chunk): a delta takes the rows that spell its text,
    and the rest wait for the next delta. The *longest* such prefix, because a row holding
    part of a character (an unknown character, or bytes that decode to nothing yet) spells
    "" as well as the character, and belongs with the rows that complete it.
    """
    size = len(text)
    states = _START
    best = 0 if not size else None
    for count, atoms in enumerate(patterns, 1):
        for atom in atoms:
            states = _step(states, atom, text, size, trim=False)
            if not states:
                return best
        if _has(states, size):
            best = count
    return best


def fill_untrusted_text(rows: Sequence[TokenRecord], text: str) -> bool:
    """Give rows that hold unknown characters the characters of ``text`` they stand for.

    ``rows`` are consecutive rows of one scope whose visible text is ``text``. Rows whose
    pattern (:func:`row_atoms`) has unknown characters, taken in runs of consecutive such
    rows, get the characters the run spans, all on the run's last row, so a character whose
    bytes vLLM lost (``"\ufffd"`` pieces) or llama-cpp-python dropped (``""``) shows once,
    whole. Other rows keep their text. Returns ``False`` (and changes nothing) when the rows
    cannot spell ``text``.
    """
    patterns = [row_atoms(r) for r in rows]
    spans = align_rows(patterns, text)
    if spans is None:
        return False
    run: list[int] = []
    for i, atoms in enumerate(patterns):
        if None in atoms:
            run.append(i)
        else:
            _give_run(rows, run, spans, text)
            run = []
    _give_run(rows, run, spans, text)
    return True


def _give_run(
    rows: Sequence[TokenRecord], run: list[int], spans: list[tuple[int, int]], text: str
) -> None:
    if not run:
        return
    start, end = spans[run[0]][0], spans[run[-1]][1]
    for i in run:
        rows[i].text = ""
    rows[run[-1]].text = text[start:end]


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
            row.text = rebuilder.text_for(row.bytes, row.token)
        previous = row.token
    return previous


def split_by_content(
    rows: Sequence[TokenRecord], content: str, reasoning: str
) -> tuple[list[Scope], bool]:
    """Decide, for a non-streamed answer, which rows are reasoning and which are the answer.

    Servers with a reasoning parser (vLLM gpt-oss, llama.cpp, SGLang) return rows for every
    generated token, reasoning included, while ``content`` holds only the answer. The answer
    starts (in this order of trust):

    1. after the model's own switch to the answer, when the rows have it: harmony's
       ``<|channel|>final<|message|>`` or ``</think>`` (the last one);
    2. else at a cut where the rows before it spell ``reasoning`` and the rows after it spell
       ``content`` (:func:`reasoning_cuts`, :func:`answer_starts`; the earliest such cut);
    3. else where the shortest tail of rows spells ``content``.

    Framing tokens (:func:`is_marker`) and zero-width control tokens (:func:`is_zero_width`)
    are ``other``. Returns the scopes and whether the split could be made (``False``: no
    tail spells ``content``, so everything but framing was counted as answer).
    """
    n = len(rows)
    other = [False] * n
    previous: str | None = None
    for i, row in enumerate(rows):
        other[i] = is_marker(row.token, previous) or is_zero_width(row)
        previous = row.token
    if not reasoning:
        return ["other" if other[i] else "answer" for i in range(n)], True
    start = answer_switch(rows)
    if start is None:
        patterns = [None if other[i] else row_atoms(r) for i, r in enumerate(rows)]
        starts = answer_starts(patterns, content)
        if not starts:
            return ["other" if other[i] else "answer" for i in range(n)], False
        agreeing = starts & reasoning_cuts(patterns, reasoning)
        start = min(agreeing) if agreeing else max(starts)
    scopes: list[Scope] = []
    for i in range(n):
        if other[i]:
            scopes.append("other")
        elif i < start:
            scopes.append("reasoning")
        else:
            scopes.append("answer")
    return scopes, True


def answer_switch(rows: Sequence[TokenRecord]) -> int | None:
    """Index after the last token sequence with which the model starts its answer: harmony's
    ``<|channel|>final…<|message|>`` or ``</think>``; ``None`` when there is none."""
    switch: int | None = None
    in_final = False
    previous: str | None = None
    for i, row in enumerate(rows):
        token = row.token
        if token == "</think>":
            switch = i + 1
        elif previous == "<|channel|>":
            in_final = token == "final"
        elif token == "<|message|>" and in_final:
            switch = i + 1
            in_final = False
        previous = token
    return switch


def answer_starts(patterns: Sequence[Sequence[Atom] | None], content: str) -> set[int]:
    """Every row index from which the rows to the end spell ``content``.

    ``patterns`` holds each row's :func:`row_atoms` (``None`` for framing rows, skipped).
    Leading whitespace of ``content`` is matched when the rows have it (SGLang's ``"\n\n"``
    after ``</think>``), else may be missing; trailing whitespace may be missing too.
    ``{len(patterns)}`` when ``content`` is blank.
    """
    if not content.strip():
        return {len(patterns)}
    found = _tail_starts(patterns, content.rstrip())
    if not found and content != content.lstrip():
        found = _tail_starts(patterns, content.strip())
    return found


def _tail_starts(patterns: Sequence[Sequence[Atom] | None], text: str) -> set[int]:
    target = text[::-1]
    size = len(target)
    states = _START
    found: set[int] = set()
    for i in range(len(patterns) - 1, -1, -1):
        atoms = patterns[i]
        if atoms is None:
            continue
        for atom in reversed(atoms):
            states = _step(states, atom, target, size)
            if not states:
                return found
        if _has(states, size):
            found.add(i)
    return found


def reasoning_cuts(patterns: Sequence[Sequence[Atom] | None], reasoning: str) -> set[int]:
    """Every ``k`` such that ``patterns[:k]`` spell ``reasoning`` (ends' whitespace free)."""
    target = reasoning.strip()
    size = len(target)
    states = _START
    found = {0} if not size else set()
    for k, atoms in enumerate(patterns, 1):
        for atom in atoms or ():
            states = _step(states, atom, target, size)
            if not states:
                return found
        if _has(states, size):
            found.add(k)
    return found
