"""Which way a server can score a given answer, if any: the program's one detector
(:meth:`~tui.core.wire.native.NativeServer.kind`) read for scoring.

* llama.cpp (and the built-in engine) → :data:`~.result.METHOD_LLAMACPP`;
* vLLM → :data:`~.result.METHOD_VLLM`;
* anything else cannot: OpenAI's API (and Ollama, SGLang's OpenAI routes, most others) give
  logprobs only for the tokens they generate, and have neither a grammar that holds the model
  to a given text nor the logprobs of prompt tokens. Scoring there says so in one line
  (:data:`ServerKind.reason`) instead of measuring something else, such as sampled answers.

Two requests at most, once per connection (:class:`~.scorer.Scorer` keeps the answer).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from tui.core.settings import Connection
from tui.core.wire.native import Kind, detect_kind

OPENAI_REASON = (
    "OpenAI's API cannot score a given answer: it returns logprobs only for the tokens it "
    "generates (no prompt logprobs, no grammar to hold the model to your text)"
)
OTHER_REASON = (
    "this server cannot score a given answer: it is neither llama.cpp (which can hold the "
    "model to the text with a grammar) nor vLLM (which returns prompt logprobs); an "
    "OpenAI-compatible API alone gives logprobs only for tokens the model generates"
)


@dataclass(frozen=True, slots=True)
class ServerKind:
    """What the server is, for scoring; ``reason`` says why it cannot score (``None`` when
    it can)."""

    kind: Kind
    reason: str | None = None

    @property
    def can_score(self) -> bool:
        return self.reason is None


def scoring_kind(kind: Kind) -> ServerKind:
    """``kind`` with the reason it cannot score, where it cannot."""
    if kind in ("llama.cpp", "vllm"):
        return ServerKind(kind)
    return ServerKind(kind, OPENAI_REASON if kind == "openai" else OTHER_REASON)


async def detect_server(
    connection: Connection, *, transport: httpx.AsyncBaseTransport | None = None
) -> ServerKind:
    """See the module docstring. Never raises for a server that will not say."""
    return scoring_kind(await detect_kind(connection, transport=transport))
