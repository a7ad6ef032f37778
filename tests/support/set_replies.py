"""Scripted replies for question-set tests: each question's answer has a known mean
logprob per system prompt, so every statistic can be worked by hand."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.support.compare_replies import system_of
from tests.support.scripted_server import Pause, Reply, Request, default_reply, stream_of

CAREFUL = "Be careful."
TERSE = "Be terse."


def question_of(request: Request) -> int:
    """Questions are written "question <j>"."""
    return int(request.json["messages"][-1]["content"].split()[-1])


def set_reply(pause: float = 0.0, terse: Callable[[int], float] = lambda j: -0.1):
    """Mean logprob −(j + 1)/10 for question j, ``terse(j)`` more under :data:`TERSE`
    (0.1 lower by default); ``pause`` seconds before the answer's last token (a slow
    server)."""

    def reply(request: Request) -> Reply:
        if not request.path.endswith("/chat/completions"):
            return default_reply(request)
        j = question_of(request)
        lp = -(j + 1) / 10 + (terse(j) if system_of(request) == TERSE else 0)
        events: list = stream_of([("a", lp), ("b", lp)])
        if pause:
            events.insert(2, Pause(pause))
        return Reply.sse(events)

    return reply


JAPANESE = ("日本の首都は", "富士山の高さは", "一番長い川は", "桜が咲くのは", "寿司の由来は")


def write_questions(
    path: Path, count: int, *, answers: bool = True, japanese: bool = False
) -> Path:
    """``count`` questions "question <j>" (or "<Japanese> <j>") with answers "answer <j>"."""
    lines = [
        json.dumps(
            {
                "question": f"{JAPANESE[j % len(JAPANESE)] if japanese else 'question'} {j}",
                **({"answer": f"answer {j}"} if answers else {}),
            },
            ensure_ascii=False,
        )
        for j in range(count)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
