"""A scripted server that says it is llama.cpp (so the chat may branch: it continues an
assistant prefill), and the steps of a branch in the chat, shared by the branch tests."""

from __future__ import annotations

import math
from collections import deque
from typing import Any

from tests.app.support import TOKENS, send, wait_for
from tests.support.scripted_server import Reply, Request, ScriptedServer, stream_of

CONTINUATION = [
    (" away", math.log(0.7), [(" away", math.log(0.7)), (" off", math.log(0.2))]),
    (".", math.log(0.9), [(".", math.log(0.9))]),
]
"""What the scripted model writes after a branch's start."""


class LlamaServer(ScriptedServer):
    """The scripted server as llama.cpp: ``/v1/models`` names ``llamacpp`` as the owner; chat
    replies come from :attr:`chats` in order (the default answer when it is empty). ``kind``
    ``"other"``: a server that says nothing of itself (no prefill, like Ollama)."""

    def __init__(self, kind: str = "llamacpp") -> None:
        self.chats: deque[Reply] = deque()
        self.kind = kind
        super().__init__(self._route)

    def _route(self, request: Request) -> Reply:
        if request.path.rstrip("/").endswith("/models"):
            owner = {"owned_by": self.kind} if self.kind != "other" else {}
            return Reply.json({"object": "list", "data": [{"id": "scripted-model", **owner}]})
        if request.path.endswith("/chat/completions"):
            if self.chats:
                return self.chats.popleft()
            return Reply.sse(stream_of(TOKENS))
        return Reply.json({"error": {"message": "not found"}}, status=404)

    def answers(self, *answers: Any) -> None:
        """Queue chat replies (token lists, streamed)."""
        self.chats.extend(Reply.sse(stream_of(tokens)) for tokens in answers)


async def ask_and_branch(pilot: Any, question: str = "Where did the cat sit?") -> None:
    """Ask, put the token cursor on the least likely token, open the branch dialog (b) and
    take what it offers first (Enter), then wait for the branch to end."""
    app = pilot.app
    await send(pilot, question)
    await pilot.press("f8", "m", "b")
    await wait_for(pilot, lambda: type(app.screen).__name__ == "BranchScreen")
    await pilot.pause()
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.main.chat.views[-1].turn.origin == "branch")
    view = app.main.chat.views[-1]
    await wait_for(pilot, lambda: view.turn.answer is not None)
    await pilot.pause()
