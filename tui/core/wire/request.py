"""What a chat completion asks for: :class:`ChatRequest` and the JSON body it sends.

Also the one request rule that depends on the server: llama.cpp answers ``top_logprobs: 0``
with no logprobs at all, so the client sends 1 there and hides that alternative
(:func:`hide_alternatives`, :data:`ZERO_TOP_NOTICE`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tui.core.settings import Sampling
from tui.core.wire.records import TokenRecord

ZERO_TOP_NOTICE = (
    "top_logprobs 0: llama.cpp returns no logprobs at all for 0, so 1 was asked and its "
    "alternative is hidden"
)


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """One chat completion: messages in OpenAI form, a model, sampling and transport mode."""

    messages: Sequence[dict[str, str]]
    model: str
    sampling: Sampling
    stream: bool = True
    logprobs: bool = True
    hide_alternatives: bool = False
    """Set by the client when ``top_logprobs`` 0 was asked of llama.cpp (which returns no
    logprobs at all for 0): 1 is sent and the rows' alternatives are dropped."""

    def payload(self) -> dict[str, Any]:
        """The JSON body. ``top_logprobs`` is always explicit: llama-cpp-python returns no
        logprobs without it, llama.cpp would default to 20."""
        s = self.sampling
        body: dict[str, Any] = {
            "model": self.model,
            "messages": list(self.messages),
            "temperature": s.temperature,
            "max_tokens": s.max_tokens,
        }
        if self.logprobs:
            body["logprobs"] = True
            body["top_logprobs"] = s.top_logprobs
        if s.seed is not None:
            body["seed"] = s.seed
        if s.repeat_penalty is not None:
            # llama.cpp's own field (over its default window, the last 64 tokens): other
            # servers may refuse an unknown field, so it is sent only when set.
            body["repeat_penalty"] = s.repeat_penalty
        if self.stream:
            body["stream"] = True
            # Only with stream=True: vLLM rejects stream_options otherwise.
            body["stream_options"] = {"include_usage": True}
        return body


def hide_alternatives(rows: Iterable[TokenRecord]) -> None:
    """Drop the rows' alternatives (asked for only because llama.cpp needs one)."""
    for row in rows:
        row.raw_top, row.top_count, row.top_mass, row.top_entropy = None, 0, 0.0, None
