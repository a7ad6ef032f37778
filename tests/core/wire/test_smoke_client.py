from tests.support.scripted_server import Reply, stream_of
from tui.core.answer import AnswerBuilder
from tui.core.settings import Connection, Sampling
from tui.core.wire.client import ChatClient, ChatRequest


async def test_stream_round_trip(scripted):
    scripted.queue(Reply.sse(stream_of([("A", -0.5), ("B", -1.5)])))
    async with ChatClient(Connection(scripted.base_url, api_key="k123456")) as client:
        builder = AnswerBuilder()
        async for event in client.chat(
            ChatRequest([{"role": "user", "content": "x"}], "m", Sampling())
        ):
            builder.apply(event)
    answer = builder.finish("complete")
    assert answer.text == "AB"
    assert answer.metrics.sum_logprob == -2.0
    assert scripted.requests[0].headers["authorization"] == "Bearer k123456"
    assert scripted.requests[0].json["top_logprobs"] == 5
