"""Prefill (continuing a given start of the answer) per server, over real HTTP: what is sent
to vLLM and SGLang (fixtures built from their source, see the fixtures' READMEs), the start
a whole llama.cpp reply repeats taken off exactly, and one line, with no chat request, for the
servers that cannot; the server found once per client."""

from __future__ import annotations

import pytest

from tests.support.fixtures import body, load, reply
from tests.support.scripted_server import Reply, Request, ScriptedServer, completion_of, stream_of
from tui.core.answer import AnswerBuilder, Prefill
from tui.core.settings import Connection, Sampling
from tui.core.wire.client import ChatClient, ChatRequest
from tui.core.wire.native import detect_kind, kind_from_models
from tui.core.wire.prefill import (
    HARMONY_NO_PREFILL,
    NOT_REPEATED_NOTICE,
    OPENAI_NO_PREFILL,
    OTHER_NO_PREFILL,
    PrefillUnsupported,
    can_prefill,
    prefill_style,
    without_repeated_prefill,
)

QUESTION = [{"role": "user", "content": "What is the capital of Japan?"}]
START = "The capital of Japan is"


def server_of(models: dict | None, chat: Reply | None = None):
    """A server whose /v1/models lists ``models`` (404 when None) and answers chats."""

    def answer(request: Request) -> Reply:
        if request.path == "/v1/models" and models is not None:
            return Reply.json(models)
        if request.path.endswith("/chat/completions") and chat is not None:
            return chat
        return Reply.json({"error": {"message": "not found"}}, status=404)

    return answer


async def continued(server: ScriptedServer, *, stream: bool, model: str = "m"):
    """Ask for the continuation of START; the answer as a builder makes it, and the events."""
    builder = AnswerBuilder(prefill=Prefill(START))
    events = []
    request = ChatRequest(QUESTION, model, Sampling(top_logprobs=2), stream=stream, prefill=START)
    async with ChatClient(Connection(server.base_url)) as client:
        async for event in client.chat(request):
            events.append(event)
            builder.apply(event)
    return builder.finish("complete"), events


# ------------------------------------------------------------------ which server, which way


@pytest.mark.parametrize(
    ("kind", "model", "style"),
    [("llama.cpp", "m", "llama.cpp"), ("vllm", "Qwen", "vllm"), ("sglang", "Qwen", "sglang")],
)
def test_servers_that_continue_a_prefill(kind, model, style) -> None:
    assert prefill_style(kind, model) == style
    assert can_prefill(kind, model) is None


@pytest.mark.parametrize(
    ("kind", "model", "reason"),
    [
        ("openai", "gpt-4o", OPENAI_NO_PREFILL),
        ("other", "llama3", OTHER_NO_PREFILL),
        ("vllm", "openai/gpt-oss-20b", HARMONY_NO_PREFILL),
    ],
)
def test_servers_that_cannot_say_why_in_one_line(kind, model, reason) -> None:
    with pytest.raises(PrefillUnsupported) as caught:
        prefill_style(kind, model)
    assert str(caught.value) == reason and "\n" not in reason
    assert can_prefill(kind, model) == reason


def test_the_kind_a_models_list_names() -> None:
    assert kind_from_models(body("vllm/score_models.json")) == "vllm"
    assert kind_from_models(body("sglang/models.json")) == "sglang"
    assert kind_from_models(body("llamacpp/models.json")) == "llama.cpp"
    assert kind_from_models({"data": [{"id": "gpt-4o", "owned_by": "openai"}]}) is None
    assert kind_from_models("not a body") is None


# ------------------------------------------------------------------ vLLM and SGLang


@pytest.mark.parametrize("stream", [False, True])
async def test_vllm_gets_its_switches_and_its_text_is_kept_whole(stream: bool) -> None:
    chat = reply("vllm/prefill_stream.sse") if stream else reply("vllm/prefill_chat.json")
    with ScriptedServer(server_of(body("vllm/score_models.json"), chat)) as server:
        answer, _ = await continued(server, stream=stream, model="Qwen/Qwen2.5-7B-Instruct")
        (sent,) = server.chat_requests()
    expected = load("vllm/prefill_chat.json")["request"]
    assert sent.json["messages"] == expected["messages"]
    assert sent.json["continue_final_message"] is True
    assert sent.json["add_generation_prompt"] is False
    assert "echo" not in sent.json
    # The reply holds the new text only: nothing is taken off it.
    assert answer.text == START + " Tokyo." and answer.new_text == " Tokyo."
    assert [t.text for t in answer.tokens] == [" Tokyo", "."]
    assert answer.prefill == START and answer.prefill_tokens == 0
    assert answer.metrics.tokens == 2 and not answer.notices


async def test_sglang_gets_continue_final_message_only() -> None:
    chat = reply("sglang/prefill_chat.json")
    with ScriptedServer(server_of(body("sglang/models.json"), chat)) as server:
        answer, _ = await continued(server, stream=False, model="Qwen/Qwen3-8B")
        (sent,) = server.chat_requests()
    assert sent.json["messages"] == load("sglang/prefill_chat.json")["request"]["messages"]
    assert sent.json["continue_final_message"] is True
    assert "add_generation_prompt" not in sent.json
    assert answer.new_text == " Tokyo." and [t.text for t in answer.tokens] == [" Tokyo", "."]


# ------------------------------------------------------------------ llama.cpp

LLAMACPP = {"data": [{"id": "m", "object": "model", "owned_by": "llamacpp"}]}


async def test_llamacpp_whole_reply_repeats_the_start_which_is_taken_off_exactly() -> None:
    whole = completion_of([(" Tokyo", -0.1), (".", -0.2)])
    whole["choices"][0]["message"]["content"] = START + " Tokyo."  # as llama.cpp sends it
    with ScriptedServer(server_of(LLAMACPP, Reply.json(whole))) as server:
        answer, _ = await continued(server, stream=False)
        (sent,) = server.chat_requests()
    assert sent.json["messages"] == [*QUESTION, {"role": "assistant", "content": START}]
    assert "continue_final_message" not in sent.json  # llama.cpp continues by default
    assert answer.text == START + " Tokyo."  # once, not twice
    assert [t.text for t in answer.tokens] == [" Tokyo", "."]
    assert not answer.notices


async def test_llamacpp_stream_sends_only_the_new_text() -> None:
    chunks = stream_of([(" Tokyo", -0.1), (".", -0.2)])
    with ScriptedServer(server_of(LLAMACPP, Reply.sse(chunks))) as server:
        answer, _ = await continued(server, stream=True)
    assert answer.text == START + " Tokyo." and not answer.notices


async def test_a_whole_reply_that_does_not_repeat_the_start_is_kept_and_said() -> None:
    whole = completion_of([(" Tokyo", -0.1), (".", -0.2)])  # content " Tokyo." alone
    with ScriptedServer(server_of(LLAMACPP, Reply.json(whole))) as server:
        answer, _ = await continued(server, stream=False)
    assert answer.new_text == " Tokyo."
    assert answer.notices == [NOT_REPEATED_NOTICE]


def test_taking_the_start_off_leaves_the_body_given_alone() -> None:
    whole = {"choices": [{"message": {"content": "日本の首都は東京です。"}}]}
    stripped, notice = without_repeated_prefill(whole, "日本の首都は東")
    assert notice is None
    assert stripped["choices"][0]["message"]["content"] == "京です。"
    assert whole["choices"][0]["message"]["content"] == "日本の首都は東京です。"
    error = {"error": {"message": "bad"}}
    assert without_repeated_prefill(error, "x") == (error, None)


# ------------------------------------------------------------------ the others


@pytest.mark.parametrize(
    ("models", "reason"),
    [
        ({"data": [{"id": "llama3", "owned_by": "library"}]}, OTHER_NO_PREFILL),  # Ollama
        (None, OTHER_NO_PREFILL),
    ],
)
async def test_other_servers_get_one_line_and_no_chat_request(models, reason) -> None:
    with ScriptedServer(server_of(models, Reply.json(completion_of([("x", -1.0)])))) as server:
        with pytest.raises(PrefillUnsupported) as caught:
            await continued(server, stream=True)
        assert str(caught.value) == reason
        assert server.chat_requests() == []


async def test_openai_is_refused_without_any_request() -> None:
    request = ChatRequest(QUESTION, "gpt-4o", Sampling(), prefill=START)
    async with ChatClient(Connection("https://api.openai.com/v1", api_key="sk-x")) as client:
        with pytest.raises(PrefillUnsupported, match="OpenAI's API cannot continue"):
            async for _ in client.chat(request):
                pass


async def test_the_server_is_found_once_per_client() -> None:
    chunks = stream_of([(" Tokyo", -0.1)])
    with ScriptedServer(server_of(LLAMACPP, Reply.sse(chunks))) as server:
        request = ChatRequest(QUESTION, "m", Sampling(top_logprobs=0), prefill=START)
        async with ChatClient(Connection(server.base_url)) as client:
            for _ in range(3):
                async for _ in client.chat(request):
                    pass
            assert await client.server_kind() == "llama.cpp"
        paths = [r.path for r in server.requests]
    assert paths.count("/v1/models") == 1 and "/props" not in paths
    assert len(server.chat_requests()) == 3
    assert await detect_kind(Connection("https://x.openai.azure.com/v1")) == "openai"
