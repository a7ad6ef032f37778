"""Wire values made usable: logprobs, probabilities, token bytes and top-k alternatives.

The lowest layer of :mod:`tui.core.wire`: plain functions over the JSON values servers send,
importing nothing else of the package, so :mod:`~tui.core.wire.records` and
:mod:`~tui.core.wire.normalise` can both build on it.

* Sentinels ``-9999.0`` (OpenAI, vLLM) and ``-3.4028e38`` (llama.cpp), NaN, ±inf and null:
  unknown (``None`` with a ``NOTE_*`` saying why), never a number.
* A probability in the ``logprob`` field (a value in (0, 1]) is read as p and ln(p) is used.
* ``top_logprobs`` are sorted on demand; llama.cpp's merged split-character rows get their
  alternatives shown as the text they would have made after the merged bytes.
"""

from __future__ import annotations

import codecs
import math
import operator
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Why each kind of "unknown" happened; shown in the inspector and counted in the stats.
NOTE_SENTINEL = "sentinel"  # -9999.0 (OpenAI/vLLM) or -3.4e38 (llama.cpp): "probability 0"
NOTE_NON_FINITE = "non-finite"  # NaN, +/-Infinity, null, or not a number at all
NOTE_SPECULATIVE = "speculative"  # llama.cpp draft token: logprob 0.0 with no alternatives
NOTE_FROM_PROBABILITY = "from-probability"  # a 0..1 probability arrived in the logprob field
NOTE_OUT_OF_RANGE = "out-of-range"  # a positive value above 1: neither a logprob nor a probability
NOTE_NOT_FOUND = "not-found"  # a recovered token outside even the widest top list asked for
NOTE_TYPED = "typed"  # a branch's text typed by the user, not among the alternatives there


@dataclass(slots=True, frozen=True)
class Alternative:
    """One of the top-k candidates at a position, normalised.

    ``logprob`` is the natural-log probability (≤ 0) or ``None`` when unusable.
    """

    token: str
    text: str
    logprob: float | None
    bytes: bytes | None
    id: int | None

    @property
    def prob(self) -> float | None:
        """Probability p = exp(logprob), in 0..1."""
        return None if self.logprob is None else math.exp(self.logprob)


SENTINEL_FLOOR = -9999.0
"""Any logprob at or below this is a "probability zero" sentinel (OpenAI/vLLM use exactly
-9999.0; llama.cpp uses float lowest, -3.4028e38)."""

REPLACEMENT_BYTES = "\ufffd".encode()
_exp = math.exp
_log = math.log


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


def prob_to_logprob_alt(alt: Any) -> Any:
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


def alternative_cells(
    raw_top: Sequence[Any] | None,
    row_bytes: bytes | None,
    row_id: int | None,
    cache: dict[str, tuple[Any, str, bool]],
    cell: Mapping[str, str],
) -> tuple[list[str], list[float | None]]:
    """``([cell[text₁], cell[text₂], …], [logprob₁, logprob₂, …])``: the alternatives in the
    order of :func:`normalise_alternatives` and with its texts and logprobs, without an
    :class:`Alternative` per entry: the lean path of the CSV export (2 million alternative
    cells for 200 answers × 500 tokens × top-20). ``cell`` maps a text to what the caller
    writes for it (the CSV's finished cell).

    ``cache`` is the caller's, kept across rows: token → (its wire bytes, its cell, whether
    those bytes start inside a character). A token's text depends on its bytes alone unless
    llama.cpp merged bytes in front of the row (:func:`merged_prefix`), and alternatives
    repeat the vocabulary; rows with merged bytes take the full path."""
    if not raw_top:
        return [], []
    prefix = merged_prefix(raw_top, row_bytes, row_id)
    # Whether a cached text holds here: always without merged bytes, except that a token
    # starting inside a character is completed from the row's bytes when the merged bytes
    # cannot be told (prefix None): those are cached as "starts inside" and recomputed.
    cacheable = not prefix
    strict = cacheable and prefix is None and bool(row_bytes)
    try:  # the usual row: every entry a dict with the three keys (read in C)
        entries = list(map(_WIRE_FIELDS, raw_top))
    except (KeyError, TypeError):
        entries = [
            (alt.get("token"), alt.get("logprob"), alt.get("bytes"))
            for alt in raw_top
            if type(alt) is dict
        ]
    texts: list[str] = []
    logprobs: list[float | None] = []
    for token, logprob, wire in entries:
        if not (type(logprob) is float and SENTINEL_FLOOR < logprob <= 0.0):
            logprob = clean_logprob(logprob)[0]
        logprobs.append(logprob)
        cached = cache.get(token) if cacheable and type(token) is str else None
        if cached is not None and cached[0] == wire and not (strict and cached[2]):
            texts.append(cached[1])
            continue
        token = token if type(token) is str else ("" if token is None else str(token))
        raw_bytes = token_bytes(token, wire)
        text = cell[_alternative_text(token, raw_bytes, prefix, row_bytes)]
        if cacheable:
            starts_inside = raw_bytes is not None and _is_continuation(raw_bytes)
            if not (strict and starts_inside):
                cache[token] = (wire, text, starts_inside)
        texts.append(text)
    if None in logprobs or sorted(logprobs, reverse=True) != logprobs:
        # Stable and descending, unknowns last: the order of normalise_alternatives (most
        # rows come sorted already, and skip this).
        pairs = sorted(zip(texts, logprobs, strict=True), key=_cell_order, reverse=True)
        texts = [text for text, _ in pairs]
        logprobs = [logprob for _, logprob in pairs]
    return texts, logprobs


_WIRE_FIELDS = operator.itemgetter("token", "logprob", "bytes")


def _cell_order(pair: tuple[str, float | None]) -> float:
    logprob = pair[1]
    return -math.inf if logprob is None else logprob


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
