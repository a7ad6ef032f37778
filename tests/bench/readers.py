"""The two baselines of the output case, each a whole process of its own (as ``ask`` is):

    python -m tests.bench.readers bare   URL TOKENS TOP   # httpx + json.loads per line
    python -m tests.bench.readers openai URL TOKENS TOP   # the openai SDK, streaming

* **bare**: ``httpx`` reading the body line by line and ``json.loads`` on each ``data:`` line,
  the least any client must do with the bytes (the same reader as case 1's baseline);
* **openai**: the official SDK streaming the same request (``stream=True``, ``logprobs``,
  ``top_logprobs``), collecting the text and the logprob rows: what a user would otherwise
  script.

Each imports only what it needs (no ``tui``), so its CPU time is that reader's alone. Each
checks it saw every token, and exits 0.
"""

from __future__ import annotations

import sys

QUESTION = "Tell me about Tokyo, at length."


def bare(url: str, tokens: int, top: int) -> int:
    import asyncio
    import json

    import httpx

    payload = {
        "model": "bench-model",
        "messages": [{"role": "user", "content": QUESTION}],
        "stream": True,
        "stream_options": {"include_usage": True},
        "temperature": 0.0,
        "max_tokens": tokens,
        "logprobs": True,
        "top_logprobs": top,
    }

    async def read() -> int:
        rows = 0
        async with (
            httpx.AsyncClient(trust_env=False) as http,
            http.stream("POST", url.rstrip("/") + "/chat/completions", json=payload) as reply,
        ):
            async for line in reply.aiter_lines():
                if line.startswith("data: "):
                    data = line[6:]
                    if data == "[DONE]":
                        break
                    chunk = json.loads(data)
                    for choice in chunk.get("choices") or ():
                        rows += len((choice.get("logprobs") or {}).get("content") or ())
        return rows

    return asyncio.run(read())


def openai_sdk(url: str, tokens: int, top: int) -> int:
    from openai import OpenAI

    client = OpenAI(base_url=url, api_key="none", max_retries=0)
    stream = client.chat.completions.create(
        model="bench-model",
        messages=[{"role": "user", "content": QUESTION}],
        stream=True,
        stream_options={"include_usage": True},
        temperature=0.0,
        max_tokens=tokens,
        logprobs=True,
        top_logprobs=top,
    )
    text: list[str] = []
    rows: list = []
    for chunk in stream:
        for choice in chunk.choices:
            if choice.delta.content:
                text.append(choice.delta.content)
            if choice.logprobs is not None and choice.logprobs.content:
                rows.extend(choice.logprobs.content)
    client.close()
    return len(rows)


READERS = {"bare": bare, "openai": openai_sdk}


def main(argv: list[str]) -> int:
    name, url, tokens, top = argv[0], argv[1], int(argv[2]), int(argv[3])
    rows = READERS[name](url, tokens, top)
    if rows != tokens:
        print(f"{name}: {rows} logprob rows, expected {tokens}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
