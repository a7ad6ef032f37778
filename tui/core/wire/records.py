"""The normalised token record every server's logprobs are turned into.

One ``TokenRecord`` per logprob row the server sent, whatever its wire shape (OpenAI, vLLM,
llama.cpp, llama-cpp-python, Ollama, SGLang). Values that are not usable numbers (sentinels,
NaN, infinities, null) are ``None``: they are counted by the metrics, never averaged.

Alternatives are kept as the server sent them and normalised on demand
(:meth:`TokenRecord.alternatives`), because a 20-alternative row is read far more often by the
metrics (two sums) than by a person (the inspector), and building 20 objects per token would
dominate the cost of ingesting a fast stream.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from tui.core.wire.values import Alternative, normalise_alternatives, top_summary

Scope = Literal["answer", "reasoning", "other"]
"""Which part of the output a row belongs to: the visible answer, the reasoning (thinking)
channel of gpt-oss-style servers, or other generated tokens (tool calls, channel markers)."""


@dataclass(slots=True)
class TokenRecord:
    """One generated token with its logprob and its top-k candidates.

    Attributes:
        index: position of the row among all rows of its answer, in arrival order.
        scope: ``answer``, ``reasoning`` or ``other``.
        token: the token string exactly as the server sent it.
        text: what to show for it: rebuilt from ``bytes`` with an incremental UTF-8 decoder when
            the bytes are trustworthy, so a character split over two tokens shows once.
        bytes: the raw bytes the server gave (``None`` when absent or not trustworthy).
        logprob: natural-log probability of the sampled token, ≤ 0, or ``None`` when unknown.
        id: the token id when the server sends one (llama.cpp).
        note: why ``logprob`` is unknown or was converted (``NOTE_*``), else ``""``.
        top_mass: Σ p over the known top-k alternatives (0..1); 0.0 when there are none.
        top_entropy: truncated entropy −Σ p·ln p over the top-k, in nats; ``None`` without top-k.
        top_count: number of alternatives the server sent.
        raw_top: the alternatives as received (list of dicts), normalised by ``alternatives()``.
        char_start: for an entry that is one of several tokens forming one character (a
            Japanese character split over byte pieces), the ``index`` of the first of them;
            ``None`` for an entry whose text stands alone. The character shows once, on the
            last of them (the others' ``text`` is ``""``).
        recovered: ``True`` when the server hid this entry and it was measured afterwards
            (:mod:`tui.core.recovery`: llama.cpp drops the rows of tokens ending inside a
            character); its logprob is the engine's own, read from ``/completion``.
    """

    index: int
    scope: Scope
    token: str
    text: str
    bytes: bytes | None
    logprob: float | None
    id: int | None = None
    note: str = ""
    top_mass: float = 0.0
    top_entropy: float | None = None
    top_count: int = 0
    raw_top: list[Any] | None = None
    char_start: int | None = None
    recovered: bool = False

    @property
    def prob(self) -> float | None:
        """Probability p = exp(logprob), in 0..1, or ``None`` when unknown."""
        return None if self.logprob is None else math.exp(self.logprob)

    @property
    def residual_mass(self) -> float | None:
        """1 − Σ p over the top-k: the probability the top-k list does not cover (0..1)."""
        if not self.top_count:
            return None
        return max(0.0, 1.0 - self.top_mass)

    def alternatives(self) -> list[Alternative]:
        """The top-k candidates, normalised and sorted by logprob, most likely first."""
        return normalise_alternatives(self.raw_top, self.bytes, self.id)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (bytes as a list of ints, alternatives normalised)."""
        return {
            "index": self.index,
            "scope": self.scope,
            "token": self.token,
            "text": self.text,
            "bytes": None if self.bytes is None else list(self.bytes),
            "logprob": self.logprob,
            "prob": self.prob,
            "id": self.id,
            "note": self.note,
            "top_logprobs": [
                {
                    "token": alt.token,
                    "text": alt.text,
                    "logprob": alt.logprob,
                    "prob": alt.prob,
                    "bytes": None if alt.bytes is None else list(alt.bytes),
                    "id": alt.id,
                }
                for alt in self.alternatives()
            ],
            "residual_mass": self.residual_mass,
            "char_start": self.char_start,
            "recovered": self.recovered,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TokenRecord:
        """Inverse of :meth:`to_dict` (alternatives come back in normalised form)."""
        raw_top = [
            {
                "token": alt.get("token", ""),
                "logprob": alt.get("logprob"),
                "bytes": alt.get("bytes"),
                "id": alt.get("id"),
            }
            for alt in data.get("top_logprobs") or []
        ]
        mass, entropy = top_summary(raw_top, probabilities=False)
        raw_bytes = data.get("bytes")
        return cls(
            index=int(data["index"]),
            scope=data.get("scope", "answer"),
            token=data.get("token", ""),
            text=data.get("text", ""),
            bytes=None if raw_bytes is None else bytes(raw_bytes),
            logprob=data.get("logprob"),
            id=data.get("id"),
            note=data.get("note", ""),
            top_mass=mass,
            top_entropy=entropy,
            top_count=len(raw_top),
            raw_top=raw_top or None,
            char_start=data.get("char_start"),
            recovered=bool(data.get("recovered", False)),
        )
