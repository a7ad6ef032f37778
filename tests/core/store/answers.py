"""Realistic answers for store and export tests, built by the real normaliser.

* :func:`japanese_answer`: a real llama.cpp capture (copied from ``shared/fixtures/llamacpp``):
  split UTF-8 characters, merged-prefix alternatives, usage and llama.cpp timings.
* :func:`reasoning_answer`: a gpt-oss-style stream with a reasoning channel, a sentinel
  logprob, hostile text (escape sequences, Markdown pipes, a newline token).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.scripted_server import chat_chunk, token_row, usage_chunk
from tui.core.answer import Answer, AnswerBuilder
from tui.core.wire.chunks import StreamNormaliser
from tui.core.wire.events import Notice

_REPO_FIXTURES = Path(__file__).parent / "fixtures"


class FakeClock:
    """A monotonic clock tests move by hand."""

    def __init__(self, start: float = 100.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def japanese_chunks() -> list[Any]:
    path = _REPO_FIXTURES / "chat_stream_japanese.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        json.loads(line[len("data: ") :])
        for line in data["sse_lines"]
        if line.startswith("data: ") and line != "data: [DONE]"
    ]


def reasoning_chunks() -> list[Any]:
    top = [("Hi", -0.2), ("Hello", -1.9)]
    return [
        chat_chunk(role=True, content="", model="gpt-oss-20b"),
        chat_chunk(reasoning="Think", rows=[token_row("Think", -0.5, [("Think", -0.5)])]),
        chat_chunk(reasoning=" hard", rows=[token_row(" hard", -9999.0, [])]),
        chat_chunk(content="Hi", rows=[token_row("Hi", -0.2, top)]),
        chat_chunk(content=" a|b", rows=[token_row(" a|b", -2.5, [(" a|b", -2.5), (" c", -0.4)])]),
        chat_chunk(content="\x1b]0;pwn\x07", rows=[token_row("\x1b]0;pwn\x07", -3.0, [])]),
        chat_chunk(content="\n", rows=[token_row("\n", -0.01, [("\n", -0.01)])]),
        chat_chunk(content="[bold]x[/bold]", rows=[token_row("[bold]x[/bold]", -0.3, [])]),
        chat_chunk(finish="stop"),
        usage_chunk(7, prompt_tokens=12),
    ]


def build(
    chunks: list[Any],
    *,
    requested_top: int = 5,
    status: str = "complete",
    error: str | None = None,
    notice: str | None = None,
) -> Answer:
    """Feed chunks through the real normaliser into an AnswerBuilder and finish it."""
    normaliser = StreamNormaliser(requested_top)
    builder = AnswerBuilder()
    for chunk in chunks:
        for event in normaliser.feed(chunk):
            builder.apply(event)
    for event in normaliser.close():
        builder.apply(event)
    if notice:
        builder.apply(Notice(notice))
    return builder.finish(status, error)  # type: ignore[arg-type]


def japanese_answer() -> Answer:
    return build(japanese_chunks(), status="complete")


def reasoning_answer(**kwargs: Any) -> Answer:
    return build(reasoning_chunks(), **kwargs)
