"""The llama.cpp-native client against the scripted server: detection, tokenisation,
probes (several prompts in one request, answered out of order), slot copies refused, a
connection closed under a request; and recovery on a server that is not llama.cpp."""

from __future__ import annotations

import pytest

from tests.support.scripted_server import Reply, Request, ScriptedServer, stream_of
from tui.core.answer import AnswerBuilder
from tui.core.recovery import recover
from tui.core.settings import Connection, normalise_base_url
from tui.core.wire.chunks import StreamNormaliser
from tui.core.wire.llamacpp import (
    LlamaCppError,
    LlamaCppServer,
    Piece,
    native_root,
    piece_of,
)


def connection(server: ScriptedServer) -> Connection:
    return Connection(normalise_base_url(server.url), api_key="k" * 12)


def test_native_routes_are_at_the_server_root():
    assert native_root("http://h:8080/v1") == "http://h:8080"
    assert native_root("http://h:8080/v1/") == "http://h:8080"
    assert native_root("http://h/llama") == "http://h/llama"


def test_pieces_are_text_or_bytes():
    assert piece_of({"id": 3, "piece": "す"}) == Piece(3, "す".encode())
    assert piece_of({"id": 4, "piece": [230, 157]}) == Piece(4, bytes([230, 157]))
    with pytest.raises(LlamaCppError):
        piece_of({"id": 5, "piece": [300]})


def by_path(replies: dict[str, Reply]):
    def reply(request: Request) -> Reply:
        for suffix, answer in replies.items():
            if request.path.split("?")[0].endswith(suffix):
                return answer
        return Reply.json({"error": {"code": 404, "message": "File Not Found"}}, 404)

    return reply


@pytest.mark.parametrize(
    ("replies", "expected"),
    [
        ({"/models": Reply.json({"data": [{"id": "m", "owned_by": "llamacpp"}]})}, True),
        (
            {
                "/models": Reply.json({"data": [{"id": "m", "owned_by": "me"}]}),
                "/props": Reply.json({"default_generation_settings": {}, "total_slots": 1}),
            },
            True,
        ),
        ({"/models": Reply.json({"data": [{"id": "gpt-4o", "owned_by": "openai"}]})}, False),
    ],
    ids=["owned_by", "props", "neither"],
)
async def test_detection(replies, expected):
    with ScriptedServer(by_path(replies)) as server:
        async with LlamaCppServer(connection(server)) as native:
            assert await native.detect() is expected
        assert server.requests[0].headers["authorization"] == "Bearer " + "k" * 12


async def test_several_prompts_in_one_probe_come_back_in_prompt_order():
    results = [  # answered out of order, each with the index of its prompt
        {"index": 1, "id_slot": 2, "completion_probabilities": [{"top_logprobs": [{"id": 9}]}]},
        {"index": 0, "id_slot": 3, "completion_probabilities": [{"top_logprobs": [{"id": 8}]}]},
    ]
    with ScriptedServer(by_path({"/completion": Reply.json(results)})) as server:
        async with LlamaCppServer(connection(server)) as native:
            probes = await native.probe([[1, 2], [1, 2, 3]], n_probs=20, force=7)
        sent = server.requests[0].json
    assert [p.top[0]["id"] for p in probes] == [8, 9] and [p.slot for p in probes] == [3, 2]
    assert sent["prompt"] == [[1, 2], [1, 2, 3]] and sent["n_predict"] == 1
    assert sent["logit_bias"] == [[7, 1000.0]] and sent["n_probs"] == 20
    assert "id_slot" not in sent  # several prompts go to whichever slots are free


async def test_a_server_without_a_slot_directory_copies_no_slot():
    refused = Reply.json({"error": {"code": 501, "message": "not supported"}}, 501)
    with ScriptedServer(by_path({"/slots/0": refused})) as server:
        async with LlamaCppServer(connection(server)) as native:
            assert await native.copy_slot(0, [1, 2, 3], "f.bin") == []
        assert len(server.requests) == 1  # the save was refused: no restore tried


async def test_a_connection_closed_under_a_request_is_asked_again_once():
    with ScriptedServer(by_path({})) as server:
        tokens = Reply.json({"tokens": [{"id": 1, "piece": "a"}]})
        server.queue(Reply(raw=b""), tokens)  # as llama.cpp right after a stream, at times
        async with LlamaCppServer(connection(server)) as native:
            assert await native.tokenize("a") == [Piece(1, b"a")]
        server.queue(Reply(raw=b""), Reply(raw=b""))
        async with LlamaCppServer(connection(server)) as native:
            with pytest.raises(LlamaCppError, match="/tokenize"):
                await native.tokenize("a")


async def test_recovery_on_a_server_that_is_not_llamacpp_changes_nothing():
    # Rows shaped like llama.cpp's (ids, merged bytes, fewer rows than tokens) from a server
    # whose /models and /props do not say llama.cpp: the numbers stay, and say what they cover.
    rows = stream_of([("東", -0.5), ("京", -0.1)])
    for chunk in rows:
        for choice in chunk.get("choices") or []:
            for k, row in enumerate((choice.get("logprobs") or {}).get("content") or []):
                row["id"] = 100 + k
    rows[-1]["usage"]["completion_tokens"] = 4
    normaliser = StreamNormaliser(1)
    builder = AnswerBuilder()
    for chunk in rows:
        for event in normaliser.feed(chunk):
            builder.apply(event)
    answer = builder.finish("complete")
    models = Reply.json({"data": [{"id": "m", "owned_by": "vllm"}]})
    with ScriptedServer(by_path({"/models": models})) as server:
        result = await recover(answer, [{"role": "user", "content": "q"}], connection(server))
    assert result.status == "not-llamacpp" and result.answer is answer
    assert len(answer.tokens) == 2 and answer.metrics.coverage == 0.5
