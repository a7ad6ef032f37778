"""Running a question set against the scripted server: bounded concurrency across the whole
set, progress, results handed over as they finish, resumed keys never asked again, and a
cancelled run keeping what finished."""

from __future__ import annotations

import asyncio

from tests.support.compare_replies import system_of
from tests.support.scripted_server import (
    Reply,
    Request,
    ScriptedServer,
    Stall,
    default_reply,
    stream_of,
)
from tui.core.compare import PromptSpec
from tui.core.questions import Question
from tui.core.sets.plan import SetPlan
from tui.core.sets.progress import SetProgress, progress, progress_text
from tui.core.sets.results import SetResult
from tui.core.sets.run import SetRun
from tui.core.settings import Connection, Sampling
from tui.core.wire.client import ChatClient

PROMPTS = (PromptSpec.from_text("Be careful."), PromptSpec.from_text("Be terse."))
QUESTIONS = tuple(Question(f"q{j}", f"question {j}") for j in range(5))


def question_of(request: Request) -> int:
    return int(request.json["messages"][-1]["content"].split()[-1])


def reply(request: Request) -> Reply:
    """Mean logprob −(question + 1)/10, and 0.1 lower under the terse prompt."""
    if not request.path.endswith("/chat/completions"):
        return default_reply(request)
    lp = -(question_of(request) + 1) / 10 - (0.1 if system_of(request) == "Be terse." else 0)
    return Reply.sse(stream_of([("a", lp), ("b", lp)]), interval=0.002)


def client_for(server: ScriptedServer) -> ChatClient:
    return ChatClient(Connection(server.base_url, api_key="k", model="scripted-model"))


async def test_every_request_once_within_the_bound_with_progress(scripted: ScriptedServer):
    scripted.default = reply
    plan = SetPlan(
        PROMPTS, QUESTIONS, samples=2, sampling=Sampling(seed=5, max_tokens=4), concurrency=3
    )
    seen: list[SetResult] = []
    events: list[SetProgress] = []
    async with client_for(scripted) as client:
        run = SetRun(client, plan, "scripted-model", recover=False)
        results = await run.run(on_result=seen.append, on_progress=events.append)

    assert len(results) == len(seen) == plan.total == 20
    assert len(scripted.chat_requests()) == 20 and 1 < scripted.max_concurrent <= 3
    assert [e.done for e in events] == list(range(1, 21))
    assert events[-1].eta == 0 and events[-1].rate and events[-1].rate > 0
    result = results[(1, 3, 1)]
    assert result.ok and result.seed == 6 and result.text == "ab"
    assert result.values["mean_logprob"] == -0.5
    assert all(r.answer is None for r in results.values())  # not kept unless asked
    # Question by question: the first finished results are of the first questions.
    assert {r.question for r in seen[:4]} <= {0, 1}


async def test_done_results_are_never_asked_again(scripted: ScriptedServer):
    scripted.default = reply
    plan = SetPlan(PROMPTS, QUESTIONS[:2], samples=1, sampling=Sampling(max_tokens=4))
    done = [SetResult(0, 0, 0, "ok", {"mean_logprob": -9.0}), SetResult(1, 1, 0, "ok", {})]
    async with client_for(scripted) as client:
        run = SetRun(client, plan, "scripted-model", done=done, recover=False)
        results = await run.run()
    asked = {(system_of(r), question_of(r)) for r in scripted.chat_requests()}
    assert asked == {("Be terse.", 0), ("Be careful.", 1)}
    assert results[(0, 0, 0)].values["mean_logprob"] == -9.0  # kept as it was
    assert run.progress().resumed == 2 and run.progress().done == 4


async def test_cancelling_keeps_what_finished_and_closes_the_rest(scripted: ScriptedServer):
    scripted.default = lambda r: (
        Reply(200, {"Content-Type": "text/event-stream"}, [Stall()])
        if r.path.endswith("/chat/completions") and question_of(r) >= 2
        else reply(r)
    )
    plan = SetPlan(PROMPTS, QUESTIONS, samples=1, sampling=Sampling(max_tokens=4), concurrency=2)
    seen: list[SetResult] = []
    async with client_for(scripted) as client:
        run = SetRun(client, plan, "scripted-model", recover=False)
        task = asyncio.create_task(run.run(on_result=seen.append))
        while len(seen) < 4 or scripted.active < 2:
            await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert sorted(run.results) == [(0, 0, 0), (0, 1, 0), (1, 0, 0), (1, 1, 0)]
    assert scripted.wait_until(lambda: scripted.active == 0)


def test_progress_rate_and_time_left() -> None:
    p = progress(done=130, total=1000, failed=2, resumed=30, elapsed=20.0)
    assert (p.rate, p.eta) == (5.0, 174.0)
    assert progress_text(p) == "130/1000 requests · 2 failed · 5.0/s · 2:54 left"
    assert progress(30, 1000, 0, 30, 5.0).rate is None  # nothing of this run's own yet
