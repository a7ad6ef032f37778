"""Which servers can score, asked once per connection; the others say why in one line and
are never asked to generate instead."""

from __future__ import annotations

import pytest

from tests.support.fixtures import body
from tests.support.scripted_server import Reply, Request, ScriptedServer
from tui.core.score import Scorer, ScoreUnsupported, detect_server
from tui.core.score.detect import OPENAI_REASON, OTHER_REASON
from tui.core.settings import Connection

MESSAGES = [{"role": "user", "content": "Hi?"}]


def models(owned_by: str | None):
    def reply(request: Request) -> Reply:
        if request.path == "/v1/models":
            item = {"id": "m", "object": "model"}
            if owned_by:
                item["owned_by"] = owned_by
            return Reply.json({"object": "list", "data": [item]})
        return Reply.json({"error": {"message": "not found"}}, status=404)

    return reply


@pytest.mark.parametrize(
    ("owned_by", "kind"),
    [("llamacpp", "llama.cpp"), ("vllm", "vllm"), ("openai", "other"), (None, "other")],
)
async def test_kind_from_the_models_list(owned_by: str | None, kind: str) -> None:
    with ScriptedServer(models(owned_by)) as server:
        found = await detect_server(Connection(server.base_url))
    assert found.kind == kind
    assert found.can_score == (kind in ("llama.cpp", "vllm"))


async def test_llamacpp_without_owned_by_is_told_by_its_props() -> None:
    def reply(request: Request) -> Reply:
        if request.path == "/props":
            return Reply.json({"default_generation_settings": {}, "total_slots": 1})
        return models(None)(request)

    with ScriptedServer(reply) as server:
        assert (await detect_server(Connection(server.base_url))).kind == "llama.cpp"


async def test_openai_is_named_without_a_request() -> None:
    found = await detect_server(Connection("https://api.openai.com/v1", api_key="k"))
    assert found.kind == "openai" and found.reason == OPENAI_REASON


async def test_a_server_that_cannot_gets_one_line_and_no_generation() -> None:
    with ScriptedServer(models(None)) as server:
        async with Scorer(Connection(server.base_url, model="m")) as scorer:
            for _ in range(2):
                with pytest.raises(ScoreUnsupported) as caught:
                    await scorer.score(MESSAGES, "Hello.", 5)
                assert str(caught.value) == OTHER_REASON
                assert "\n" not in str(caught.value)
        # Asked once (the models list, then /props), never a chat completion.
        assert [r.path for r in server.requests] == ["/v1/models", "/props"]


async def test_detection_is_asked_once_per_connection() -> None:
    def vllm(request: Request) -> Reply:
        if request.path == "/v1/models":
            return Reply.json(body("vllm/score_models.json"))
        if request.path == "/tokenize":
            return Reply.json(body("vllm/score_tokenize_open.json"))
        return Reply.json(body("vllm/score_chat_prompt_logprobs.json"))

    messages = [
        {"role": "system", "content": "Be terse."},
        {"role": "user", "content": "What is the capital of Japan?"},
    ]
    with ScriptedServer(vllm) as server:
        async with Scorer(Connection(server.base_url, model="q")) as scorer:
            for _ in range(3):
                await scorer.score(messages, "Tokyo (東京).", 2)
        assert sum(r.path == "/v1/models" for r in server.requests) == 1
