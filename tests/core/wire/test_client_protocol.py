"""The client against the scripted server, over real sockets: what it sends, how it reads
every server's replies, and one typed error per way a request can fail."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator

import pytest

from tests.support import fixtures
from tests.support.scripted_server import (
    Close,
    Pause,
    Reply,
    Reset,
    ScriptedServer,
    Stall,
    chat_chunk,
    completion_of,
    stream_of,
    token_row,
    usage_chunk,
)
from tui.core.answer import Answer, AnswerBuilder
from tui.core.backend import BackendOptions, open_backend
from tui.core.errors import (
    ConfigError,
    ConnectFailed,
    HTTPStatusError,
    MalformedResponse,
    RequestError,
    RequestTimeout,
    ServerReportedError,
    StreamCut,
)
from tui.core.settings import Connection, Sampling, normalise_base_url
from tui.core.wire.chunks import StreamNormaliser, response_events
from tui.core.wire.client import ChatClient, ChatRequest, _is_loopback
from tui.core.wire.events import Notice, TextDelta

MESSAGES = [{"role": "user", "content": "Hi"}]


def connect(server: ScriptedServer, **options) -> ChatClient:
    return ChatClient(Connection(normalise_base_url(server.url), **options))


def request(stream: bool = True, **sampling) -> ChatRequest:
    return ChatRequest(MESSAGES, "scripted-model", Sampling(**sampling), stream=stream)


async def ask(client: ChatClient, req: ChatRequest) -> tuple[Answer, list, RequestError | None]:
    """Run one chat; return the answer (partial on error), the events and the error."""
    builder = AnswerBuilder()
    events = []
    error = None
    try:
        async for event in client.chat(req):
            events.append(event)
            builder.apply(event)
    except RequestError as exc:
        error = exc
    return (
        builder.finish("error" if error else "complete", str(error) if error else None),
        events,
        error,
    )


# ------------------------------------------------------------------ what is sent


async def test_streaming_request_body_and_headers(scripted):
    async with connect(scripted, api_key="sk-test-123456") as client:
        answer, _, error = await ask(
            client, request(temperature=0.3, top_logprobs=3, max_tokens=17, seed=42)
        )
    assert error is None and answer.text == "Hello world!"
    (sent,) = scripted.requests
    assert (sent.method, sent.path) == ("POST", "/v1/chat/completions")
    assert sent.headers["authorization"] == "Bearer sk-test-123456"
    assert sent.headers["content-type"] == "application/json"
    assert sent.json == {
        "model": "scripted-model",
        "messages": MESSAGES,
        "temperature": 0.3,
        "max_tokens": 17,
        "logprobs": True,
        "top_logprobs": 3,
        "seed": 42,
        "stream": True,
        "stream_options": {"include_usage": True},
    }


async def test_non_streaming_request_has_no_stream_options(scripted):
    async with connect(scripted) as client:
        answer, _, error = await ask(client, request(stream=False, top_logprobs=0))
    assert error is None and answer.text == "Hello world!"
    body = scripted.chat_requests()[0].json
    assert "stream_options" not in body and not body.get("stream")
    # Not llama.cpp (its /models does not say so): 0 is sent as asked, explicitly.
    assert body["top_logprobs"] == 0 and body["logprobs"] is True
    assert "seed" not in body
    assert all("authorization" not in r.headers for r in scripted.requests)  # no key, no header


@pytest.mark.parametrize("suffix", ["", "/", "/v1", "/v1/"])
async def test_base_url_forms_and_model_resolution(scripted, suffix):
    backend = open_backend(BackendOptions(base_url=scripted.url + suffix, api_key="k-123456"))
    async with ChatClient(backend.connection) as client:
        model = await client.resolve_model()
        _, _, error = await ask(client, ChatRequest(MESSAGES, model, Sampling()))
    assert model == "scripted-model" and error is None
    assert [r.path for r in scripted.requests] == ["/v1/models", "/v1/chat/completions"]
    assert scripted.requests[0].headers["authorization"] == "Bearer k-123456"


async def test_models_from_every_list_shape(scripted):
    scripted.queue(
        Reply.json(fixtures.body("llamacpp/models.json")),
        Reply.json({"models": [{"name": "llama3.2:latest", "model": "llama3.2:latest"}]}),
        Reply.json({"object": "list", "data": []}),
    )
    async with connect(scripted) as client:
        assert await client.resolve_model() == "-"  # llama.cpp without an alias
        assert await client.list_models() == ["llama3.2:latest"]  # Ollama native shape
        with pytest.raises(ConfigError, match="lists no models; pass one with --model"):
            await client.resolve_model()
    async with connect(scripted, model="given") as client:
        assert await client.resolve_model() == "given"
    assert len(scripted.requests) == 3  # a given model needs no /models request


# ------------------------------------------------------------------ every shape over the wire


STREAMS = [
    "openai/chat_stream_hello.sse",
    "openai/chat_stream_blue_heart.sse",
    "vllm/gptoss_stream.sse",
    "vllm/gptoss_stream_held_rows.sse",
    "llamacpp/chat_stream_japanese.json",
    "llama_cpp_python/chat_stream_japanese.sse",
    "ollama/chat_stream_thinking.sse",
    "sglang/chat_stream_reasoning.sse",
]
WHOLE = [
    "openai/chat_nonstream_blue_heart.json",
    "vllm/gptoss_nonstream_full_harmony.json",
    "vllm/nonstream_odd_values.json",
    "llamacpp/chat_nonstream_japanese.json",
    "llamacpp/constructed_post_sampling_probs.json",
    "ollama/chat_nonstream_prob_in_logprob.json",
    "sglang/chat_nonstream_reasoning.json",
]


def _direct(events) -> Answer:
    builder = AnswerBuilder()
    for event in events:
        builder.apply(event)
    return builder.finish("complete")


def _summary(answer: Answer):
    return (
        answer.text,
        answer.reasoning,
        answer.finish_reason,
        [(t.index, t.scope, t.text, t.logprob, t.note) for t in answer.tokens],
        answer.metrics,
    )


@pytest.mark.parametrize("name", STREAMS)
async def test_every_stream_shape_reads_the_same_over_a_socket(scripted, name):
    # The unit tests check each shape's values; here the bytes go through a real socket,
    # the HTTP stack and the SSE parser (CRLF, comments, pings) and must give the same.
    scripted.queue(fixtures.reply(name))
    normaliser = StreamNormaliser(2)
    direct = []
    for chunk in fixtures.sse_chunks(name):
        direct += normaliser.feed(chunk)
    direct += normaliser.close()
    async with connect(scripted) as client:
        answer, _, error = await ask(client, request(top_logprobs=2))
    assert error is None
    assert answer.tokens and _summary(answer) == _summary(_direct(direct))


@pytest.mark.parametrize("name", WHOLE)
async def test_every_whole_reply_shape_reads_the_same_over_a_socket(scripted, name):
    scripted.queue(fixtures.reply(name))
    async with connect(scripted) as client:
        answer, _, error = await ask(client, request(stream=False))
    assert error is None
    assert _summary(answer) == _summary(_direct(response_events(fixtures.body(name), 5)))


async def test_gzip_reply_and_sse_pings(scripted):
    chunks = stream_of([("A", -0.5), ("B", -1.5)])
    scripted.queue(
        Reply.json(completion_of([("Hi", -0.25)])).gzipped(),
        Reply.sse([": ping", *chunks[:2], "event: ping\ndata: 2026-11-28", *chunks[2:]]),
    )
    async with connect(scripted) as client:
        whole, _, error = await ask(client, request(stream=False))
        assert error is None and whole.text == "Hi" and whole.tokens[0].logprob == -0.25
        streamed, _, error = await ask(client, request())
    assert error is None and streamed.text == "AB"
    assert streamed.metrics.sum_logprob == -0.5 + -1.5


async def test_server_that_ignores_stream_true_is_read_as_a_whole_reply(scripted):
    scripted.queue(Reply.json(completion_of([("Hi", -0.25)])))
    async with connect(scripted) as client:
        answer, _, error = await ask(client, request())
    assert error is None and answer.text == "Hi"
    assert "the server did not stream; showing its complete reply" in answer.notices


# ------------------------------------------------------------------ failures, one type each


@pytest.fixture
def refused_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    return port


async def test_connection_refused(refused_port):
    url = f"http://127.0.0.1:{refused_port}/v1"
    async with ChatClient(Connection(url)) as client:
        with pytest.raises(ConnectFailed) as caught:
            await client.list_models()
        _, _, error = await ask(client, request())
    assert str(caught.value) == (
        f"cannot connect to {url}: connection refused (is the server running?)"
    )
    assert isinstance(error, ConnectFailed)


@pytest.fixture
def unaccepting_port() -> Iterator[int]:
    """A port whose listen queue is full: a new connection is never accepted (SYN dropped),
    which is what a firewalled or overloaded host looks like."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    yield port
    for sock in [*fillers, listener]:
        sock.close()


async def test_connect_timeout(unaccepting_port):
    url = f"http://127.0.0.1:{unaccepting_port}/v1"
    async with ChatClient(Connection(url, connect_timeout=0.3)) as client:
        _, _, error = await ask(client, request())
    assert isinstance(error, RequestTimeout)
    assert str(error) == f"could not connect to {url} within 0.3 s"


async def test_read_timeout_mid_stream_keeps_the_partial_answer(scripted):
    scripted.queue(Reply.sse([*stream_of([("Par", -0.1)])[:2], Stall()], done=False))
    async with connect(scripted, read_timeout=0.3) as client:
        answer, _, error = await ask(client, request())
    assert isinstance(error, RequestTimeout)
    assert (
        str(error) == f"{normalise_base_url(scripted.url)} sent nothing for 0.3 s; gave up waiting"
    )
    assert answer.text == "Par" and answer.status == "error" and len(answer.tokens) == 1


async def test_read_timeout_before_a_whole_reply(scripted):
    scripted.queue(Reply(200, {"Content-Type": "application/json"}, [b'{"id":', Stall()]))
    async with connect(scripted, read_timeout=0.3) as client:
        _, _, error = await ask(client, request(stream=False))
    assert isinstance(error, RequestTimeout)


ERROR_BODIES = [
    ("openai/error_reasoning_refuses_logprobs.json", 403, "not allowed to request logprobs"),
    ("llamacpp/error_bad_messages.json", 400, "Expected 'messages' to be an array"),
    ("vllm/error_current.json", 500, "list index out of range"),
    ("vllm/error_old_toplevel.json", 400, "Extra inputs are not permitted"),
    ("ollama/error_native_string.json", 400, "top_logprobs must be between 0 and 20"),
    ("llama_cpp_python/error_internal.json", 500, "logits_all=False"),
    ("generic/error_fastapi_detail.json", 422, "messages: Field required"),
    ("generic/proxy_502.html", 502, "502 Bad Gateway"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "status", "message"), ERROR_BODIES)
@pytest.mark.parametrize("stream", [True, False])
async def test_http_status_with_the_server_s_own_message(scripted, name, status, message, stream):
    scripted.queue(fixtures.reply(name))
    no_logprobs = ChatRequest(MESSAGES, "m", Sampling(), stream=stream, logprobs=False)
    async with connect(scripted) as client:
        _, _, error = await ask(client, no_logprobs)
    assert isinstance(error, HTTPStatusError)
    assert error.status == status
    assert message in error.server_message
    assert str(error).startswith(f"HTTP {status} ")
    assert "\n" not in str(error)


async def test_http_status_with_a_plain_text_body_and_retry_after(scripted):
    scripted.queue(
        Reply.text("rate limited, slow down\n", 429, headers={"Retry-After": "7"}),
        Reply.text("", 503),
    )
    async with connect(scripted) as client:
        _, _, first = await ask(client, request())
        _, _, second = await ask(client, request())
    assert str(first) == "HTTP 429 Too Many Requests: rate limited, slow down (retry after 7 s)"
    assert first.retry_after == 7
    assert str(second) == "HTTP 503 Service Unavailable"


async def test_http_200_with_an_error_body(scripted):
    scripted.queue(fixtures.reply("generic/error_lmstudio_200.json"))
    async with connect(scripted) as client:
        _, _, error = await ask(client, request(stream=False))
    assert isinstance(error, ServerReportedError)
    assert str(error) == "server error: Unexpected endpoint or method. (POST /chat/completions)"


async def test_error_event_inside_a_stream_keeps_the_partial_answer(scripted):
    scripted.queue(fixtures.reply("vllm/stream_error_event.sse"))
    async with connect(scripted) as client:
        answer, _, error = await ask(client, request())
    assert isinstance(error, ServerReportedError)
    assert str(error) == "server error in stream: GenerationError: the engine failed"
    assert answer.text == "Hel" and [t.token for t in answer.tokens] == ["Hel"]


async def test_named_error_event_inside_a_stream(scripted):
    scripted.queue(Reply.sse(['event: error\ndata: {"message": "overloaded"}']))
    async with connect(scripted) as client:
        _, _, error = await ask(client, request())
    assert isinstance(error, ServerReportedError) and "overloaded" in str(error)


async def test_malformed_sse_data(scripted):
    scripted.queue(Reply.sse([stream_of([("A", -0.1)])[1], "data: {bad json"]))
    async with connect(scripted) as client:
        answer, _, error = await ask(client, request())
    assert isinstance(error, MalformedResponse)
    assert str(error) == "the server sent an event that is not JSON: {bad json"
    assert answer.text == "A"


async def test_malformed_whole_reply_and_wrong_content_type(scripted):
    scripted.queue(
        Reply.text("<html>oops</html>", 200, "text/html"),
        Reply.text("<html><title>Login</title></html>", 200, "text/html"),
    )
    async with connect(scripted) as client:
        _, _, whole = await ask(client, request(stream=False))
        _, _, streamed = await ask(client, request())
    assert isinstance(whole, MalformedResponse) and str(whole) == "the reply is not JSON: oops"
    assert isinstance(streamed, MalformedResponse)
    assert str(streamed) == "expected an event stream, got text/html: Login"


def _partial_stream():
    return stream_of([("Par", -0.1), ("tial", -0.2)])[:3]  # role chunk + two tokens


@pytest.mark.parametrize(
    ("ending", "message"),
    [
        ([], "the stream ended before the answer was complete"),
        ([Close()], "the connection to"),
        ([Reset()], "the connection to"),
    ],
    ids=["clean-end", "close-mid-body", "reset"],
)
async def test_stream_cut_before_done_keeps_the_partial_answer(scripted, ending, message):
    scripted.queue(Reply.sse([*_partial_stream(), *ending], done=False))
    async with connect(scripted) as client:
        answer, _, error = await ask(client, request())
    assert isinstance(error, StreamCut)
    assert message in str(error)
    assert answer.text == "Partial"
    assert [t.logprob for t in answer.tokens] == [-0.1, -0.2]
    assert answer.status == "error" and answer.error == str(error)


async def test_cut_stream_still_hands_over_rows_it_was_holding(scripted):
    held = chat_chunk(content="", rows=[token_row("X", -0.7)])  # text not sent yet
    scripted.queue(Reply.sse([*_partial_stream(), held, Reset()], done=False))
    async with connect(scripted) as client:
        answer, _, error = await ask(client, request())
    assert isinstance(error, StreamCut)
    assert [t.token for t in answer.tokens] == ["Par", "tial", "X"]


async def test_finish_without_done_is_complete_with_a_notice(scripted):
    scripted.queue(Reply.sse(stream_of([("A", -0.1)]), done=False))
    async with connect(scripted) as client:
        answer, _, error = await ask(client, request())
    assert error is None and answer.text == "A"
    assert answer.notices == ["the stream ended without [DONE]"]


async def test_limits_on_a_misbehaving_server(scripted):
    many = [chat_chunk(content="x", rows=[token_row("x", -0.1)]) for _ in range(300)]
    scripted.queue(Reply.sse(many), Reply.json(completion_of([("big", -0.1)] * 50)))
    async with connect(scripted) as client:
        _, _, too_many = await ask(client, request(max_tokens=1))  # allowance 4 × 1 + 256
    assert isinstance(too_many, MalformedResponse)
    assert str(too_many) == "the server sent more than 260 tokens for max_tokens=1; stopped reading"
    small = ChatClient(Connection(normalise_base_url(scripted.url)), max_body_bytes=1000)
    async with small:
        _, _, too_big = await ask(small, request(stream=False))
    assert isinstance(too_big, MalformedResponse) and "larger than" in str(too_big)
    # A body that never ends is cut at the limit, not read into memory first.
    endless = [b"{" + b" " * 4096] * 1000 + [Stall()]
    scripted.queue(Reply(200, {"Content-Type": "application/json"}, endless, chunked=True))
    async with ChatClient(Connection(scripted.base_url), max_body_bytes=100_000) as limited:
        _, _, runaway = await ask(limited, request(stream=False))
    assert isinstance(runaway, MalformedResponse) and "larger than" in str(runaway)


# ------------------------------------------------------------------ cancellation


async def test_cancelling_closes_the_stream(scripted):
    scripted.queue(Reply.sse([*_partial_stream(), Stall()], done=False))
    got_text = asyncio.Event()

    async def consume(client: ChatClient) -> None:
        async for event in client.chat(request()):
            if type(event) is TextDelta:
                got_text.set()

    async with connect(scripted) as client:
        task = asyncio.create_task(consume(client))
        await asyncio.wait_for(got_text.wait(), 10)
        # The server has sent everything and waits: only the client can end it now.
        assert await asyncio.to_thread(scripted.wait_until, lambda: scripted.stalls == 1)
        assert scripted.connections_open == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The client is still open: only the stream's connection was closed.
        closed = await asyncio.to_thread(
            scripted.wait_until, lambda: scripted.connections_open == 0
        )
    assert closed and scripted.connections_closed_by_client == 1


async def test_stopping_early_with_aclosing_closes_the_stream(scripted):
    scripted.queue(Reply.sse([*_partial_stream(), Stall()], done=False))
    async with connect(scripted) as client:
        async with contextlib.aclosing(client.chat(request())) as events:
            async for event in events:
                if type(event) is TextDelta:
                    stalled = await asyncio.to_thread(
                        scripted.wait_until, lambda: scripted.stalls == 1
                    )
                    assert stalled and scripted.connections_open == 1
                    break
        closed = await asyncio.to_thread(
            scripted.wait_until, lambda: scripted.connections_open == 0
        )
    assert closed and scripted.connections_closed_by_client == 1


async def test_paused_stream_is_not_a_timeout(scripted):
    chunks = stream_of([("A", -0.1), ("B", -0.2)])
    scripted.queue(Reply.sse([*chunks[:2], Pause(0.2), *chunks[2:]]))
    async with connect(scripted, read_timeout=5) as client:
        answer, _, error = await ask(client, request())
    assert error is None and answer.text == "AB"


# ------------------------------------------------------------------ refused logprobs


TOOLS_REFUSALS = [
    "llamacpp/constructed_error_tools_stream.json",
    "llamacpp/constructed_error_tools_stream_old.json",
]


@pytest.mark.parametrize("name", TOOLS_REFUSALS)
async def test_retry_without_logprobs_when_the_server_refuses_them(scripted, name):
    scripted.queue(fixtures.reply(name))
    async with connect(scripted) as client:
        answer, events, error = await ask(client, request())
    assert error is None and answer.text == "Hello world!"
    first, second = (r.json for r in scripted.chat_requests())
    assert first["logprobs"] is True and first["top_logprobs"] == 5
    assert "logprobs" not in second and "top_logprobs" not in second
    assert second["stream"] is True and second["stream_options"] == {"include_usage": True}
    notices = [e.message for e in events if type(e) is Notice]
    assert notices == [
        "the server refused logprobs (logprobs is not supported with tools + stream); "
        "asked again without them"
    ]


@pytest.mark.parametrize(
    "name", ["vllm/error_max_logprobs.json", "openai/error_top_logprobs_range.json"]
)
async def test_retry_with_the_top_logprobs_limit_the_server_names(scripted, name):
    scripted.queue(fixtures.reply(name))
    async with connect(scripted) as client:
        answer, events, error = await ask(client, request(top_logprobs=20))
    assert error is None and answer.tokens
    assert [r.json["top_logprobs"] for r in scripted.chat_requests()] == [20, 5]
    (notice,) = [e.message for e in events if type(e) is Notice]
    assert notice.startswith("the server allows at most 5 alternatives per token")


async def test_retry_ladder_ends_without_logprobs_and_then_gives_up(scripted):
    scripted.queue(
        fixtures.reply("vllm/error_max_logprobs.json"),
        fixtures.reply("openai/error_reasoning_refuses_logprobs.json"),
        fixtures.reply("vllm/error_current.json"),
    )
    async with connect(scripted) as client:
        _, events, error = await ask(client, request(top_logprobs=20))
    sent = [r.json for r in scripted.chat_requests()]
    assert [r.get("top_logprobs") for r in sent] == [20, 5, None]
    assert isinstance(error, HTTPStatusError) and error.status == 500
    assert len([e for e in events if type(e) is Notice]) == 2


async def test_an_error_not_about_logprobs_is_not_retried(scripted):
    scripted.queue(fixtures.reply("llamacpp/error_bad_messages.json"))
    async with connect(scripted) as client:
        _, _, error = await ask(client, request())
    assert isinstance(error, HTTPStatusError) and len(scripted.chat_requests()) == 1


async def test_usage_and_timings_from_the_usage_chunk(scripted):
    chunks = stream_of([("A", -0.1)], usage=False)
    chunks.append(usage_chunk(1, timings={"predicted_per_second": 97.5}))
    scripted.queue(Reply.sse(chunks))
    async with connect(scripted) as client:
        answer, _, _ = await ask(client, request())
    assert answer.usage["completion_tokens"] == 1
    assert answer.server_timings == {"predicted_per_second": 97.5}
    assert answer.metrics.coverage == 1.0


# ------------------------------------------------------------------ proxies


async def test_proxy_variables_never_apply_to_a_loopback_server(
    scripted, refused_port, monkeypatch
):
    # A proxy must never see the embedded engine's traffic (and its key); httpx itself does
    # not exempt loopback. Here the "proxy" refuses connections: going through it would fail.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{refused_port}")
    for url in (scripted.url, scripted.url.replace("127.0.0.1", "localhost")):
        async with ChatClient(Connection(normalise_base_url(url))) as client:
            answer, _, error = await ask(client, request())
        assert error is None and answer.text == "Hello world!"


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8000/v1", True),
        ("http://127.3.2.1/v1", True),
        ("http://localhost:8000/v1", True),
        ("http://[::1]:8000/v1", True),
        ("http://10.0.0.5:8000/v1", False),
        ("https://api.openai.com/v1", False),
    ],
)
def test_loopback_detection(url, loopback):
    assert _is_loopback(url) is loopback


def llamacpp_models(request):
    if request.path.rstrip("/").endswith("/models"):
        return Reply.json({"data": [{"id": "m", "object": "model", "owned_by": "llamacpp"}]})
    return Reply.sse(stream_of([("Hello", -0.1, [("Hello", -0.1), ("Hi", -2.3)]), ("!", -0.5, [])]))


@pytest.mark.parametrize("top", [0, 2])
async def test_top_logprobs_0_is_never_sent_to_llamacpp(top):
    # llama.cpp returns no logprobs at all for top_logprobs 0: 1 is asked, its
    # alternative hidden, and the answer says so; any other value goes as it is.
    with ScriptedServer(llamacpp_models) as server:
        async with connect(server) as client:
            answer, _, error = await ask(client, request(top_logprobs=top))
        assert error is None
        (sent,) = server.chat_requests()
    assert sent.json["top_logprobs"] == (1 if top == 0 else top)
    assert [t.logprob for t in answer.tokens] == [-0.1, -0.5]
    if top == 0:
        assert all(t.top_count == 0 and not t.alternatives() for t in answer.tokens)
        assert answer.metrics.mean_entropy is None
        assert any("top_logprobs 0" in n for n in answer.notices)
        assert len(server.requests) == 2  # /models once, then the question
    else:
        assert answer.tokens[0].top_count == 2 and not answer.notices
        assert len(server.requests) == 1  # nothing to find out
