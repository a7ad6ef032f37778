"""Score a given answer on vLLM: the answer as the final assistant message, with
``prompt_logprobs`` (shapes and sources: :mod:`tui.core.wire.vllm`, ``research/
vllm_scoring.md``).

Of the two ways vLLM offers, this one: structured outputs (a regex admitting only the
answer) would report the logprobs of the *masked* distribution, the grammar bitmask being
applied to the logits before the sampler computes them, so forced tokens come out near 1;
``prompt_logprobs`` are the model's own, for every token of the prompt.

Requests:

1. ``POST /tokenize`` of the conversation plus ``{"role": "assistant", "content": answer}``
   with ``continue_final_message: true`` (the turn left open, so the answer's tokens are the
   last ones) and ``return_token_strs``: the answer's tokens and their pieces, found as the
   shortest tail of pieces that spells the answer's bytes (:mod:`.pieces`);
2. ``POST /v1/chat/completions`` of the same messages with the turn *closed*
   (``add_generation_prompt: false, continue_final_message: false``, both sent),
   ``prompt_logprobs: K``, ``max_tokens: 1``, ``return_token_ids``: the logprob of each
   prompt token (the entry's first key is the token itself), so of the answer's tokens, and
   of the token that closes the turn right after it (the end-of-turn token: the stop
   probability). The open rendering must be the start of the closed one; else (gpt-oss's
   harmony rendering, which ignores both switches) the answer's ids are looked up as a run
   in the prompt, from its end.

A server that allows fewer alternatives (``--max-logprobs``) says so in its 400 reply
("… greater than max allowed: 5"): the request is sent again with that many, and a notice
says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from tui.core.answer import AnswerBuilder
from tui.core.score.pieces import decode_pieces, suffix_start
from tui.core.score.result import METHOD_VLLM, Score, ScoreError, Tokenization, check_spelling
from tui.core.wire.chunks import response_events
from tui.core.wire.vllm import VllmError, VllmServer

_MAX_ALLOWED = re.compile(r"max(?:imum)? allowed:? (\d+)")


def request_body(
    model: str, messages: Sequence[dict[str, str]], top_logprobs: int
) -> dict[str, Any]:
    """The scoring chat completion (the answer is the last message, its turn closed)."""
    return {
        "model": model,
        "messages": list(messages),
        "add_generation_prompt": False,
        "continue_final_message": False,
        "prompt_logprobs": top_logprobs,
        "max_tokens": 1,
        "temperature": 0.0,
        "return_token_ids": True,
        "stream": False,
    }


async def score_vllm(
    server: VllmServer,
    model: str,
    messages: Sequence[dict[str, str]],
    text: str,
    top_logprobs: int,
) -> Score:
    """``text`` scored as the assistant's answer to ``messages`` (see the module docstring)."""
    full = [*messages, {"role": "assistant", "content": text}]
    wanted = text.encode("utf-8")
    opened = await server.tokenize_chat(
        full, add_generation_prompt=False, continue_final_message=True, pieces=True
    )
    assert opened.pieces is not None
    start = suffix_start(opened.pieces, wanted)
    if start is None:
        raise ScoreError(
            "the chat template does not end the open turn with the answer's own text (it "
            "trims or changes it): the answer's tokens cannot be found"
        )
    answer_ids = opened.ids[start:]
    data = decode_pieces(opened.pieces[start:], wanted)
    assert data is not None  # suffix_start checked it
    body = request_body(model, full, top_logprobs)
    notices: list[str] = []
    reply = await _chat(server, body, notices)
    prompt_ids, logprobs = prompt_rows(reply)
    begin = _locate(prompt_ids, opened.ids, start, answer_ids)
    rows = [
        _row(logprobs[begin + k], answer_ids[k], data[k], top_logprobs) for k in range(len(data))
    ]
    end = begin + len(data)
    if end < len(prompt_ids) and prompt_ids[end] is not None:
        rows.append(_row(logprobs[end], prompt_ids[end], b"", top_logprobs))
    builder = AnswerBuilder()
    chat_body = {
        "model": reply.get("model") or model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "logprobs": {"content": rows},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": len(prompt_ids), "completion_tokens": len(rows)},
    }
    for event in response_events(chat_body, top_logprobs):
        builder.apply(event)
    answer = builder.finish("complete")
    answer.tokens_per_second = None  # scored, not generated: no generation rate to speak of
    answer.notices.extend(notices)
    check_spelling(answer, text)
    return Score(answer, METHOD_VLLM, Tokenization(len(data)))


async def _chat(server: VllmServer, body: dict[str, Any], notices: list[str]) -> dict[str, Any]:
    try:
        return await server.chat(body)
    except VllmError as exc:
        match = _MAX_ALLOWED.search(str(exc))
        if match is None or int(match.group(1)) >= body["prompt_logprobs"]:
            raise
        limit = int(match.group(1))
        notices.append(
            f"the server allows at most {limit} alternatives per token (--max-logprobs); "
            f"asked again with prompt_logprobs={limit}"
        )
        return await server.chat({**body, "prompt_logprobs": limit})


def prompt_rows(reply: dict[str, Any]) -> tuple[list[int | None], list[dict[str, Any] | None]]:
    """The prompt's token ids and their logprob entries. An entry's first key is the prompt
    token itself (``vllm/logprobs.py``: ``token_ids = [actual_token, top1, …]``); the first
    entry is ``null`` (nothing predicts the first token), so its id is known only from
    ``prompt_token_ids``."""
    entries = reply.get("prompt_logprobs")
    if not isinstance(entries, list) or not entries:
        raise ScoreError(
            "the server sent no prompt_logprobs: it is not a vLLM that supports them "
            "(a vLLM extension of chat completions)"
        )
    ids: list[int | None] = []
    for entry in entries:
        first = next(iter(entry), None) if isinstance(entry, dict) else None
        ids.append(int(first) if isinstance(first, str) and first.lstrip("-").isdigit() else None)
    given = reply.get("prompt_token_ids")
    if isinstance(given, list) and len(given) == len(ids) and all(type(i) is int for i in given):
        if any(a is not None and a != b for a, b in zip(ids, given, strict=True)):
            raise ScoreError("prompt_logprobs and prompt_token_ids disagree: the reply is damaged")
        ids = list(given)
    return ids, [e if isinstance(e, dict) else None for e in entries]


def _locate(
    prompt: Sequence[int | None], opened: Sequence[int], start: int, answer: Sequence[int]
) -> int:
    """Where the answer's tokens begin in the scored prompt (see the module docstring)."""
    if len(prompt) >= len(opened) and all(
        p is None or p == o for p, o in zip(prompt, opened, strict=False)
    ):
        return start
    for at in range(len(prompt) - len(answer), -1, -1):
        if list(prompt[at : at + len(answer)]) == list(answer):
            return at
    raise ScoreError(
        "the answer's tokens are not in the prompt the server scored (its chat template "
        "renders the answer differently when the turn is closed)"
    )


def _row(entry: dict[str, Any] | None, token: int | None, data: bytes, top: int) -> dict[str, Any]:
    """One prompt position as a chat-completion logprob row (OpenAI's shape plus ``id``)."""
    if entry is None or token is None:
        raise ScoreError("the server sent no logprob for a token of the answer")
    own = entry.get(str(token))
    logprob = own.get("logprob") if isinstance(own, dict) else None
    alternatives = sorted(
        (
            (value.get("rank") or 0, key, value)
            for key, value in entry.items()
            if isinstance(value, dict) and isinstance(value.get("rank"), int)
        ),
        key=lambda item: item[0],
    )
    return {
        "id": token,
        "token": data.decode("utf-8", "ignore"),  # the text is rebuilt from the bytes
        "bytes": list(data),
        "logprob": logprob,
        "top_logprobs": [
            {
                "id": int(key),
                "token": value.get("decoded_token") or "",
                "logprob": value.get("logprob"),
                "bytes": None,
            }
            for rank, key, value in alternatives
            if 1 <= rank <= top and key.lstrip("-").isdigit()
        ],
    }
