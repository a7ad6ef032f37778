"""Helpers shared by the fault cases: a client on the scripted server, one chat run to the end
(answer kept on error), tiny timeouts so every fault costs milliseconds; several
``logprob-chat`` processes at once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from tests.support.scripted_server import ScriptedServer
from tui.core.answer import Answer, AnswerBuilder
from tui.core.errors import RequestError
from tui.core.settings import Connection, Sampling
from tui.core.wire.client import ChatClient, ChatRequest

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = [{"role": "user", "content": "Hi"}]


def client_for(server: ScriptedServer | str, **options: object) -> ChatClient:
    """A client on ``server`` (or a base URL), short timeouts unless given."""
    url = server if isinstance(server, str) else server.base_url
    options.setdefault("connect_timeout", 2.0)
    options.setdefault("read_timeout", 2.0)
    return ChatClient(Connection(url, **options))  # type: ignore[arg-type]


def chat_request(*, stream: bool = True, **sampling: object) -> ChatRequest:
    return ChatRequest(MESSAGES, "scripted-model", Sampling(**sampling), stream=stream)  # type: ignore[arg-type]


async def run_chat(client: ChatClient, request: ChatRequest) -> tuple[Answer, RequestError | None]:
    """One chat to its end: the answer (partial, status ``error``, on failure) and the error.
    Anything but a :class:`RequestError` escapes: that is a crash, and fails the test."""
    builder = AnswerBuilder()
    error: RequestError | None = None
    try:
        async for event in client.chat(request):
            builder.apply(event)
    except RequestError as exc:
        error = exc
    return builder.finish("error" if error else "complete", str(error) if error else None), error


def run_together(commands: Iterable[list[str]]) -> list[subprocess.CompletedProcess[str]]:
    """Several ``logprob-chat`` commands at once (each a process), their results in order."""
    started = [
        (command, subprocess.Popen(
            [sys.executable, "-m", "tui", *command], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, cwd=ROOT, env=dict(os.environ),
        ))
        for command in commands
    ]  # fmt: skip
    done = []
    for command, process in started:
        out, err = process.communicate(timeout=60)
        done.append(subprocess.CompletedProcess(command, process.returncode, out, err))
    return done
