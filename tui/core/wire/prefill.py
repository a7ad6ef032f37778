"""Continuing a given start of the answer (an assistant prefill), the way each server does it.

The request ends with ``{"role": "assistant", "content": <prefill>}`` and the model goes on
from there. Each server is told in its own way, or not asked at all:

* **llama.cpp and the built-in engine** continue a trailing assistant message by default
  (``--no-prefill-assistant`` turns it off). Checked on the built-in engine: the logprob rows
  cover only the new tokens; a *whole* reply's ``content`` repeats the prefill before the new
  text (``"The capital of Japan is Tokyo."`` for the prefill ``"The capital of Japan is"``,
  rows ``[" Tokyo", ".", ""]``), a *streamed* one sends only the new text. The repeated
  prefill is taken off a whole reply exactly (:func:`without_repeated_prefill`), before its
  rows are matched with its text; when the content does not start with it, nothing is taken
  off and a notice says so.
* **vLLM**: ``continue_final_message: true`` with ``add_generation_prompt: false`` (the two
  cannot both be true). ``content`` holds only the new text unless ``echo`` is sent (it is
  not), and the rows cover only the new tokens (``vllm/entrypoints/openai/chat_completion/
  serving.py`` @ 5e918640, ``chat_completion_full_generator``; tests ``test_chat_echo.py``
  @ cd20a578 and @ fa0f818e, echo false: the prefix is not in ``message.content``).
  gpt-oss is rendered through harmony, which ignores both switches and always opens a new
  turn (``research/vllm_scoring.md`` §6.1): refused.
* **SGLang**: ``continue_final_message: true`` (``ChatCompletionRequest``, ``python/sglang/
  srt/entrypoints/openai/protocol.py`` @ 004c82e0): the prefix is taken off the messages and
  its tokens appended after the generation prompt; ``content`` is the generated text only
  (``serving_chat.py`` @ 0c078e6f).
* **OpenAI and other servers**: no prefill. A final assistant message would be read as a
  finished turn and answered anew: :class:`PrefillUnsupported` says so in one line and
  nothing is sent, rather than something that does another thing.
"""

from __future__ import annotations

import copy
from typing import Any

from tui.core.errors import RequestError
from tui.core.wire.native import Kind
from tui.core.wire.request import PrefillStyle

OPENAI_NO_PREFILL = (
    "OpenAI's API cannot continue a given start of the answer (no assistant prefill: it would "
    "answer the question anew); nothing was sent"
)
OTHER_NO_PREFILL = (
    "this server is not known to continue a given start of the answer (llama.cpp, vLLM and "
    "SGLang do): it would answer the question anew instead; nothing was sent"
)
HARMONY_NO_PREFILL = (
    "vLLM renders gpt-oss through harmony, which ignores continue_final_message and always "
    "starts a new answer: it cannot continue a given start; nothing was sent"
)
NOT_REPEATED_NOTICE = (
    "the server's reply did not start with the given start of the answer: it was kept as "
    "sent (the server may have answered anew instead of continuing)"
)


class PrefillUnsupported(RequestError):
    """The server cannot continue a prefill (one line: which, and why)."""


def prefill_style(kind: Kind, model: str = "") -> PrefillStyle:
    """How ``kind`` of server is asked to continue a prefill, or :class:`PrefillUnsupported`.
    ``model``: the model asked for (gpt-oss on vLLM cannot)."""
    if kind == "llama.cpp":
        return "llama.cpp"
    if kind == "vllm":
        if "gpt-oss" in model.lower():
            raise PrefillUnsupported(HARMONY_NO_PREFILL)
        return "vllm"
    if kind == "sglang":
        return "sglang"
    raise PrefillUnsupported(OPENAI_NO_PREFILL if kind == "openai" else OTHER_NO_PREFILL)


def can_prefill(kind: Kind, model: str = "") -> str | None:
    """``None`` when ``kind`` of server can continue a prefill, else the line saying why not
    (for a front end to say before anything is asked)."""
    try:
        prefill_style(kind, model)
    except PrefillUnsupported as exc:
        return str(exc)
    return None


def without_repeated_prefill(body: Any, prefill: str) -> tuple[Any, str | None]:
    """A whole llama.cpp reply with the prefill its ``content`` repeats taken off, exactly
    (a copy; the body given is not changed), and ``None``; or the body as it was and
    :data:`NOT_REPEATED_NOTICE` when the content does not start with the prefill."""
    choices = body.get("choices") if isinstance(body, dict) else None
    choice = choices[0] if isinstance(choices, list) and choices else None
    message = choice.get("message") if isinstance(choice, dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str):
        return body, None  # an error body, or no text: nothing to take off
    if not content.startswith(prefill):
        return body, NOT_REPEATED_NOTICE
    stripped = copy.copy(body)
    stripped["choices"] = [
        {**choice, "message": {**message, "content": content[len(prefill) :]}},
        *choices[1:],
    ]
    return stripped, None
