"""What a chat completion asks for: :class:`ChatRequest` and the JSON body it sends.

Also the request rules that depend on the server: llama.cpp answers ``top_logprobs: 0``
with no logprobs at all, so the client sends 1 there and hides that alternative
(:func:`hide_alternatives`, :data:`ZERO_TOP_NOTICE`); a prefill (the start of the answer,
for the model to continue) is sent in the server's own way (:data:`PrefillStyle`, chosen by
:mod:`tui.core.wire.prefill`); a refusal of the logprobs asked for is asked again
(:func:`logprobs_fallback`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from tui.core.errors import HTTPStatusError
from tui.core.settings import Sampling
from tui.core.wire.records import TokenRecord

ZERO_TOP_NOTICE = (
    "top_logprobs 0: llama.cpp returns no logprobs at all for 0, so 1 was asked and its "
    "alternative is hidden"
)


PrefillStyle = Literal["llama.cpp", "vllm", "sglang"]
"""How a server is asked to continue a trailing assistant message: llama.cpp (and the
built-in engine) does it by default; vLLM wants ``continue_final_message: true`` with
``add_generation_prompt: false``; SGLang ``continue_final_message: true``."""


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
    prefill: str | None = None
    """The start of the assistant's answer, exactly, for the model to continue: sent as a
    final assistant message (``messages`` end with the question)."""
    prefill_style: PrefillStyle | None = None
    """Set by the client once it knows the server (:func:`~tui.core.wire.prefill.
    prefill_style`)."""

    def payload(self) -> dict[str, Any]:
        """The JSON body. ``top_logprobs`` is always explicit: llama-cpp-python returns no
        logprobs without it, llama.cpp would default to 20."""
        s = self.sampling
        messages = list(self.messages)
        if self.prefill is not None:
            messages.append({"role": "assistant", "content": self.prefill})
        body: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": s.temperature,
            "max_tokens": s.max_tokens,
        }
        if self.prefill is not None and self.prefill_style in ("vllm", "sglang"):
            body["continue_final_message"] = True
            if self.prefill_style == "vllm":
                # The two cannot both be true (vLLM rejects it), and the default adds one.
                body["add_generation_prompt"] = False
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


_TOP_LIMIT = re.compile(
    r"max(?:imum)? allowed:? (\d+)|between 0 and (\d+)|less than or equal to (\d+)"
    r"|at most (\d+)"
)


def logprobs_fallback(request: ChatRequest, exc: HTTPStatusError) -> tuple[ChatRequest, str] | None:
    """The request to try next when the server refused the logprobs asked for, and a note.

    A refusal is a 400/403/422/500 whose message mentions logprobs (llama.cpp "logprobs is
    not supported with tools + stream"; older builds send it as 500). When the message names
    a limit below the ``top_logprobs`` sent (vLLM "greater than max allowed: 5", OpenAI
    "between 0 and 5"), ask again with that many; otherwise ask without logprobs.
    """
    if not request.logprobs or exc.status not in (400, 403, 422, 500):
        return None
    message = exc.server_message
    if "logprob" not in message.lower():
        return None
    match = _TOP_LIMIT.search(message)
    if match:
        limit = int(next(g for g in match.groups() if g is not None))
        if limit < request.sampling.top_logprobs:
            sampling = request.sampling.with_changes(top_logprobs=limit)
            return (
                replace(request, sampling=sampling),
                f"the server allows at most {limit} alternatives per token "
                f"({message}); asked again with top_logprobs={limit}",
            )
    return (
        replace(request, logprobs=False),
        f"the server refused logprobs ({message}); asked again without them",
    )
