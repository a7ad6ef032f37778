"""Score a given answer against one server: the method found once, then as many scores as
wanted.

:class:`Scorer` holds what a connection needs across scores: which kind of server it is
(asked once: :func:`~.detect.detect_server`), and the native client for its routes
(llama.cpp's forced token and ``/props`` are asked once too). :func:`score` is the one-shot
form.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from tui.core.recovery.run import ProgressCallback
from tui.core.score.detect import ServerKind, detect_server
from tui.core.score.llamacpp import score_llamacpp
from tui.core.score.result import METHOD_LLAMACPP, METHOD_VLLM, Score, ScoreError, ScoreUnsupported
from tui.core.score.vllm import score_vllm
from tui.core.settings import Connection
from tui.core.wire.llamacpp import LlamaCppServer
from tui.core.wire.native import NativeServer
from tui.core.wire.vllm import VllmServer


class Scorer:
    """Scores answers on ``connection`` (use as an async context manager).

    ``model``: the model name requests carry (vLLM routes by it). ``replicate_slots``: the
    server's slots are ours (the embedded engine), so split characters are measured in
    batches over all of them; only when nothing else runs on the engine meanwhile.
    """

    def __init__(
        self,
        connection: Connection,
        *,
        model: str | None = None,
        replicate_slots: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.connection = connection
        self.model = model or connection.model or ""
        self.replicate_slots = replicate_slots
        self.transport = transport
        self._kind: ServerKind | None = None
        self._server: NativeServer | None = None

    async def __aenter__(self) -> Scorer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._server is not None:
            await self._server.aclose()
            self._server = None

    async def kind(self) -> ServerKind:
        """What the server is, for scoring (asked once)."""
        if self._kind is None:
            self._kind = await detect_server(self.connection, transport=self.transport)
        return self._kind

    async def method(self) -> str:
        """The method scores will use; raises :class:`ScoreUnsupported` (one line) when the
        server cannot score a given answer."""
        kind = await self.kind()
        if kind.reason is not None:
            raise ScoreUnsupported(kind.reason)
        return METHOD_LLAMACPP if kind.kind == "llama.cpp" else METHOD_VLLM

    async def score(
        self,
        messages: Sequence[dict[str, str]],
        answer_text: str,
        top_logprobs: int,
        *,
        on_progress: ProgressCallback | None = None,
        replicate_slots: bool | None = None,
    ) -> Score:
        """``answer_text`` scored as the assistant's answer to ``messages`` (OpenAI chat
        messages, the system prompt first if any): the same records and metrics as a
        generated answer, the method, the stop probability. Raises :class:`ScoreError` (one
        line) when this answer cannot be scored, :class:`ScoreUnsupported` when no answer
        can be on this server, and the request errors of the connection.
        ``replicate_slots`` overrides the scorer's for this score (``False`` while other
        scores run on the engine)."""
        if not answer_text:
            raise ScoreError("the answer to score is empty")
        if not 0 <= top_logprobs <= 20:
            raise ScoreError(f"top_logprobs must be from 0 to 20, not {top_logprobs}")
        method = await self.method()
        if method == METHOD_LLAMACPP:
            server = self._native(LlamaCppServer)
            assert isinstance(server, LlamaCppServer)
            return await score_llamacpp(
                server,
                self.model,
                messages,
                answer_text,
                top_logprobs,
                replicate_slots=(
                    self.replicate_slots if replicate_slots is None else replicate_slots
                ),
                on_progress=on_progress,
            )
        server = self._native(VllmServer)
        assert isinstance(server, VllmServer)
        return await score_vllm(server, self.model, messages, answer_text, top_logprobs)

    def _native(self, kind: type[NativeServer]) -> NativeServer:
        if self._server is None:
            self._server = kind(self.connection, transport=self.transport)
        return self._server


async def score(
    connection: Connection,
    messages: Sequence[dict[str, str]],
    answer_text: str,
    top_logprobs: int,
    *,
    model: str | None = None,
) -> Score:
    """One answer scored once (a :class:`Scorer` for a single use; see :meth:`Scorer.score`)."""
    async with Scorer(connection, model=model) as scorer:
        return await scorer.score(messages, answer_text, top_logprobs)
