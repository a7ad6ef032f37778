"""vLLM's own routes and chat extensions that scoring a given answer needs.

No vLLM server runs here: the shapes are read from vLLM's source (``research/
vllm_scoring.md`` has the full notes), and ``tests/fixtures/vllm/score_*.json`` are replies
built from them, each citing its source lines.

* detection: ``GET /v1/models`` lists ``owned_by: "vllm"`` (``ModelCard.owned_by`` defaults
  to ``"vllm"``: ``vllm/entrypoints/openai/engine/protocol.py`` @ d7e52523), read by
  :meth:`~tui.core.wire.native.NativeServer.kind`;
* ``POST /tokenize`` at the server root (no ``/v1``: ``vllm/entrypoints/serve/tokenize/
  api_router.py`` @ b91ee1b4) with chat ``messages`` and the template switches
  ``add_generation_prompt`` / ``continue_final_message`` (``TokenizeChatRequest``), and
  ``return_token_strs`` → ``{"count", "max_model_len", "tokens", "token_strs"}``
  (``TokenizeResponse``; the strings are raw vocabulary pieces, ``convert_ids_to_tokens``);
* ``POST /v1/chat/completions`` with ``prompt_logprobs: k`` (a vLLM extension of
  ``ChatCompletionRequest``, non-streamed only): the reply carries ``prompt_logprobs`` at the
  top level, one entry per prompt token, the first ``null``, each a dict from the token id
  (a string key in JSON) to ``{"logprob", "rank", "decoded_token"}`` whose first key is the
  prompt's own token (``vllm/logprobs.py`` @ 578b601c, ``create_prompt_logprobs`` and
  ``append_logprobs_for_next_position``), ``-inf`` written as ``-9999.0``
  (``clamp_prompt_logprobs``, ``vllm/entrypoints/openai/engine/serving.py`` @ 619e4b31);
  ``return_token_ids: true`` adds ``prompt_token_ids``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tui.core.errors import RequestError
from tui.core.wire.native import NativeServer


class VllmError(RequestError):
    """A vLLM request failed (one readable line)."""


@dataclass(frozen=True, slots=True)
class Tokenized:
    """A ``/tokenize`` reply: the ids, and the vocabulary pieces when asked for."""

    ids: list[int]
    pieces: list[str] | None = None
    max_model_len: int | None = None


class VllmServer(NativeServer):
    """vLLM's ``/tokenize`` and its chat completions with prompt logprobs."""

    error = VllmError

    async def tokenize_chat(
        self,
        messages: Sequence[dict[str, str]],
        *,
        add_generation_prompt: bool,
        continue_final_message: bool,
        pieces: bool = False,
    ) -> Tokenized:
        """``messages`` rendered by the chat template and tokenised, as a chat completion
        with the same switches would render them (both switches are sent: vLLM rejects only
        a request with both true, and the template default would otherwise add a generation
        prompt)."""
        body = {
            "messages": list(messages),
            "add_generation_prompt": add_generation_prompt,
            "continue_final_message": continue_final_message,
            "add_special_tokens": False,
            "return_token_strs": pieces,
        }
        reply = await self._json("POST", "tokenize", body)
        ids = reply.get("tokens") if isinstance(reply, dict) else None
        if not isinstance(ids, list) or not all(type(i) is int for i in ids):
            raise VllmError("/tokenize gave no token ids")
        strs = reply.get("token_strs")
        if pieces and (
            not isinstance(strs, list)
            or len(strs) != len(ids)
            or not all(isinstance(s, str) for s in strs)
        ):
            raise VllmError("/tokenize gave no token strings (return_token_strs)")
        limit = reply.get("max_model_len")
        return Tokenized(ids, strs if pieces else None, limit if type(limit) is int else None)

    async def chat(self, body: dict[str, Any]) -> dict[str, Any]:
        """One whole (non-streamed) chat completion's JSON body."""
        reply = await self._json("POST", "chat/completions", body, native=False)
        if not isinstance(reply, dict):
            raise VllmError("chat/completions: the reply is not a JSON object")
        return reply
