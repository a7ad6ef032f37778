"""The benchmark's answer: ``tokens`` streamed tokens with ``top`` alternatives each, as the
exact SSE bytes an OpenAI-compatible server sends (one chunk per token, then a finish chunk,
a usage chunk and ``[DONE]``).

The text looks like prose: words of mixed lengths, Japanese now and then (multi-byte UTF-8),
a paragraph break every ~80 tokens, logprobs that vary so the heatmap uses every colour.
"""

from __future__ import annotations

import json
import math

WORDS = (
    " the",
    " capital",
    " of",
    " Japan",
    " is",
    " 東京",
    "。",
    " It",
    " has",
    " about",
    " fourteen",
    " million",
    " people",
    ",",
    " and",
    " its",
    " economy",
    " is",
    " large",
    ".",
)
PARAGRAPH = 80


def token_at(i: int) -> str:
    if i % PARAGRAPH == PARAGRAPH - 1:
        return "\n\n"
    return WORDS[(i * 7 + i // 13) % len(WORDS)]


def logprob_at(i: int) -> float:
    """Probabilities from ~0.99 down to ~0.02 in a fixed, varied pattern."""
    return math.log(0.02 + 0.97 * ((i * 37) % 100) / 100)


def _row(i: int, top: int) -> dict:
    token = token_at(i)
    lp = logprob_at(i)
    alternatives = [{"token": token, "logprob": lp, "bytes": list(token.encode())}]
    for j in range(1, top):
        alt = f"{WORDS[(i + j) % len(WORDS)]}{j}"
        alternatives.append({"token": alt, "logprob": lp - 0.4 * j, "bytes": list(alt.encode())})
    return {
        "token": token,
        "logprob": lp,
        "bytes": list(token.encode()),
        "top_logprobs": alternatives,
    }


def _chunk(delta: dict, *, rows: list | None = None, finish: str | None = None) -> dict:
    choice: dict = {"index": 0, "delta": delta, "finish_reason": finish}
    if rows is not None:
        choice["logprobs"] = {"content": rows}
    return {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "bench-model",
        "choices": [choice],
    }


def events(tokens: int, top: int) -> list[dict]:
    chunks = [_chunk({"role": "assistant", "content": ""})]
    for i in range(tokens):
        chunks.append(_chunk({"content": token_at(i)}, rows=[_row(i, top)]))
    chunks.append(_chunk({}, finish="length"))
    usage = {"prompt_tokens": 10, "completion_tokens": tokens, "total_tokens": tokens + 10}
    chunks.append({**_chunk({}), "choices": [], "usage": usage})
    return chunks


def stream_body(tokens: int, top: int) -> bytes:
    """The whole ``text/event-stream`` body."""
    lines = [
        b"data: " + json.dumps(e, ensure_ascii=False).encode() + b"\n\n"
        for e in events(tokens, top)
    ]
    lines.append(b"data: [DONE]\n\n")
    return b"".join(lines)


def answer_text(tokens: int) -> str:
    return "".join(token_at(i) for i in range(tokens))
