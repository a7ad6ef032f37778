"""Which way a server can score a given answer, if any, told from what it says about itself.

* llama.cpp (and the built-in engine): ``/v1/models`` says ``owned_by: "llamacpp"``, or
  ``/props`` answers with llama.cpp's settings → :data:`~.result.METHOD_LLAMACPP`;
* vLLM: ``/v1/models`` says ``owned_by: "vllm"`` → :data:`~.result.METHOD_VLLM`;
* anything else cannot: OpenAI's API (and Ollama, SGLang's OpenAI routes, most others) give
  logprobs only for the tokens they generate, and have neither a grammar that holds the model
  to a given text nor the logprobs of prompt tokens. Scoring there says so in one line
  (:data:`ServerKind.reason`) instead of measuring something else, such as sampled answers.

Two requests at most, once per connection (:class:`~.scorer.Scorer` keeps the answer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import httpx

from tui.core.errors import RequestError
from tui.core.settings import Connection
from tui.core.wire.llamacpp import LlamaCppServer, is_llamacpp_props, owned_by_llamacpp
from tui.core.wire.vllm import owned_by_vllm

Kind = Literal["llama.cpp", "vllm", "openai", "other"]

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


def is_openai(base_url: str) -> bool:
    host = (urlsplit(base_url).hostname or "").lower()
    return host == "api.openai.com" or host.endswith(".openai.azure.com")


async def detect_server(
    connection: Connection, *, transport: httpx.AsyncBaseTransport | None = None
) -> ServerKind:
    """See the module docstring. Never raises for a server that will not say."""
    if is_openai(connection.base_url):
        return ServerKind("openai", OPENAI_REASON)
    async with LlamaCppServer(connection, transport=transport) as server:
        models = await server.models()
        if owned_by_llamacpp(models):
            return ServerKind("llama.cpp")
        if owned_by_vllm(models):
            return ServerKind("vllm")
        try:
            if is_llamacpp_props(await server.props()):
                return ServerKind("llama.cpp")
        except RequestError:
            pass
    return ServerKind("other", OTHER_REASON)
