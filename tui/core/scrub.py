"""API keys out of every form of an answer: text, token strings, token bytes, alternatives and
the server's raw rows, even when the key is split over several tokens.

A server (or a proxy in front of it) can echo the request's key back in the answer: in its
text, and so in the token rows that spell it, their bytes, the alternatives at those
positions (one of which is the sampled token) and the raw rows as received. One mechanism
covers them all, for every secret given to :func:`tui.core.errors.register_secret` of at
least :data:`MIN_SECRET` characters (shorter "keys" such as ``EMPTY`` or ``none``, which
vLLM and Ollama accept, are not secrets, and scrubbing them would mangle model text):

* :func:`scrub_text` / :func:`scrub_bytes`: every occurrence becomes ``***``;
* :func:`scrub_rows`: the token records and raw rows, in place. The key is looked for in
  the rows' texts, wire strings and bytes joined in order, so ``sk-ab`` + ``cdef…`` is found:
  the first row it touches shows ``***`` in its place, the others lose their part of it.
  At every row the key touches, every alternative's text and bytes become ``***`` too (the
  sampled token is among them, and the others are other pieces of it); an alternative that
  holds a whole key elsewhere is scrubbed like text;
* :func:`scrub_answer`: all of an answer (:meth:`AnswerBuilder.finish` calls it);
* :func:`held_back` / :class:`LiveScrubber`: what is written while an answer streams (a
  checkpoint of the history, ``ask``'s live output) keeps back a tail that could be the
  start of a key until the next piece shows whether it is one.

With no secret registered every function returns at once: streaming pays nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tui.core.errors import registered_secrets

MIN_SECRET = 8
REDACTED = "***"
_REDACTED_BYTES = REDACTED.encode()


def secrets() -> list[str]:
    """The registered secrets long enough to be keys, longest first."""
    return sorted((s for s in registered_secrets() if len(s) >= MIN_SECRET), key=len, reverse=True)


def scrub_text(text: str, keys: Sequence[str] | None = None) -> str:
    for secret in secrets() if keys is None else keys:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def scrub_bytes(data: bytes, keys: Sequence[str] | None = None) -> bytes:
    for secret in secrets() if keys is None else keys:
        encoded = secret.encode("utf-8", "surrogatepass")
        if encoded in data:
            data = data.replace(encoded, _REDACTED_BYTES)
    return data


def _pieces_without(
    pieces: list[Any], secret: Any, redacted: Any, empty: Any
) -> tuple[list[Any], set[int]] | None:
    """``pieces`` with every occurrence of ``secret`` in their concatenation taken out (the
    piece where one starts gets ``redacted`` there), and the indexes of the pieces touched;
    ``None`` when there is none."""
    joined = empty.join(pieces)
    size = len(secret)
    found = []
    at = joined.find(secret)
    while at != -1:
        found.append(at)
        at = joined.find(secret, at + size)
    if not found:
        return None
    out = list(pieces)
    touched: set[int] = set()
    low = 0
    for i, piece in enumerate(pieces):
        high = low + len(piece)
        parts: list[Any] = []
        cursor = low
        hit = False
        for start in found:
            if start + size <= low or start >= high:
                continue  # (an empty piece is touched only from inside an occurrence)
            hit = True
            if start >= low:
                parts += [piece[cursor - low : start - low], redacted]
            cursor = max(cursor, min(high, start + size))
        if hit:
            parts.append(piece[cursor - low :])
            out[i] = empty.join(parts)
            touched.add(i)
        low = high
    return out, touched


def _alternatives_scrubbed(top: Any) -> None:
    """Each alternative of a row the key touches: text and bytes become ``***``."""
    for alt in top if type(top) is list else ():
        if type(alt) is dict:
            alt["token"] = REDACTED
            if alt.get("bytes") is not None:
                alt["bytes"] = list(_REDACTED_BYTES)


def _whole_keys_scrubbed(top: Any, keys: Sequence[str]) -> None:
    """Alternatives elsewhere that hold a whole key: scrubbed like text."""
    for alt in top if type(top) is list else ():
        if type(alt) is not dict:
            continue
        token = alt.get("token")
        if type(token) is str and len(token) >= MIN_SECRET:
            alt["token"] = scrub_text(token, keys)
        data = alt.get("bytes")
        if type(data) is list and len(data) >= MIN_SECRET:
            try:
                raw = bytes(data)
            except (TypeError, ValueError):
                continue
            cleaned = scrub_bytes(raw, keys)
            if cleaned != raw:
                alt["bytes"] = list(cleaned)


def scrub_rows(
    tokens: Sequence[Any], raw: Sequence[Any], keys: Sequence[str] | None = None
) -> bool:
    """Take every registered key out of ``tokens`` (``TokenRecord``) and ``raw`` (the
    server's rows), in place (see the module docstring). True when something changed."""
    keys = secrets() if keys is None else keys
    if not keys or (not tokens and not raw):
        return False
    changed = False
    for secret in keys:
        encoded = secret.encode("utf-8", "surrogatepass")
        touched: set[int] = set()
        for field in ("text", "token"):
            result = _pieces_without([getattr(t, field) for t in tokens], secret, REDACTED, "")
            if result is not None:
                for i in result[1]:
                    setattr(tokens[i], field, result[0][i])
                touched |= result[1]
        with_bytes = [i for i, t in enumerate(tokens) if t.bytes is not None]
        result = _pieces_without(
            [tokens[i].bytes for i in with_bytes], encoded, _REDACTED_BYTES, b""
        )
        if result is not None:
            for k in result[1]:
                tokens[with_bytes[k]].bytes = result[0][k]
                touched.add(with_bytes[k])
        for i in touched:
            _alternatives_scrubbed(tokens[i].raw_top)
        changed |= bool(touched)
        changed |= _scrub_raw_rows(raw, secret, encoded)
    for token in tokens:
        _whole_keys_scrubbed(token.raw_top, keys)
    for row in raw:
        if type(row) is dict:
            _whole_keys_scrubbed(row.get("top_logprobs"), keys)
    return changed


def _scrub_raw_rows(raw: Sequence[Any], secret: str, encoded: bytes) -> bool:
    rows = [row for row in raw if type(row) is dict]
    touched: set[int] = set()
    strings = [row.get("token") if type(row.get("token")) is str else "" for row in rows]
    result = _pieces_without(strings, secret, REDACTED, "")
    if result is not None:
        for i in result[1]:
            rows[i]["token"] = result[0][i]
        touched |= result[1]
    with_bytes = [i for i, row in enumerate(rows) if type(row.get("bytes")) is list]
    pieces = []
    for i in with_bytes:
        try:
            pieces.append(bytes(rows[i]["bytes"]))
        except (TypeError, ValueError):
            pieces.append(b"")
    found = _pieces_without(pieces, encoded, _REDACTED_BYTES, b"")
    if found is not None:
        for k in found[1]:
            rows[with_bytes[k]]["bytes"] = list(found[0][k])
            touched.add(with_bytes[k])
    for i in touched:
        _alternatives_scrubbed(rows[i].get("top_logprobs"))
    return bool(touched)


def scrub_answer(answer: Any) -> bool:
    """Every registered key out of a finished ``Answer``, in place: text, reasoning, error,
    notices, the reported model, token rows, alternatives, raw rows. True when one was
    there. Cheap without registered secrets (one call)."""
    keys = secrets()
    if not keys:
        return False
    before = (answer.text, answer.reasoning, answer.error, answer.model, list(answer.notices))
    answer.text = scrub_text(answer.text, keys)
    answer.reasoning = scrub_text(answer.reasoning, keys)
    if answer.error is not None:
        answer.error = scrub_text(answer.error, keys)
    if answer.model is not None:
        answer.model = scrub_text(answer.model, keys)
    answer.notices[:] = [scrub_text(n, keys) for n in answer.notices]
    rows = scrub_rows(answer.tokens, answer.raw, keys)
    after = (answer.text, answer.reasoning, answer.error, answer.model, list(answer.notices))
    return rows or before != after


def _prefix_tail(text: Any, keys: Sequence[Any]) -> int:
    """Length of the longest end of ``text`` that is the start (not the whole) of a key."""
    longest = 0
    for key in keys:
        for size in range(min(len(key) - 1, len(text)), longest, -1):
            if text.endswith(key[:size]):
                longest = size
                break
    return longest


def unsettled(text: str, keys: Sequence[str] | None = None) -> int:
    """How many characters at the end of ``text`` could be the start of a key (keep them
    back until more text shows whether they are)."""
    keys = secrets() if keys is None else keys
    return _prefix_tail(text, keys) if keys else 0


def held_back(tokens: Sequence[Any], keys: Sequence[str] | None = None) -> int:
    """How many rows at the end of ``tokens`` could be the start of a key (by their text,
    wire string or bytes): a checkpoint leaves them for the next one."""
    keys = secrets() if keys is None else keys
    if not keys or not tokens:
        return 0
    window = list(tokens[-max(len(k) for k in keys) :])
    held = 0
    for field in ("text", "token", "bytes"):
        values = [getattr(t, field) for t in window]
        if field == "bytes":
            values = [v or b"" for v in values]
            blank: Any = b""
            forms: list[Any] = [k.encode("utf-8", "surrogatepass") for k in keys]
        else:
            blank, forms = "", list(keys)
        tail = _prefix_tail(blank.join(values), forms)
        count = 0
        while tail > 0 and count < len(values):
            count += 1
            tail -= len(values[-count])
        held = max(held, count)
    return held


class LiveScrubber:
    """Text written as it streams (``ask`` on a terminal), keys taken out: :meth:`feed` gives
    what can be written now, keeping back an end that could start a key; :meth:`flush` the
    rest at the end."""

    def __init__(self, keys: Sequence[str] | None = None) -> None:
        self.keys = secrets() if keys is None else list(keys)
        self.pending = ""

    def feed(self, text: str) -> str:
        if not self.keys:
            return text
        data = scrub_text(self.pending + text, self.keys)
        keep = _prefix_tail(data, self.keys)
        self.pending = data[len(data) - keep :]
        return data[: len(data) - keep]

    def flush(self) -> str:
        rest, self.pending = self.pending, ""
        return rest
