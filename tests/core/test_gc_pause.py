"""The collector pause around streams: off while any stream is read, back on when the last one
ends (nothing frozen: a long-running client must not keep garbage cycles), untouched when
something else had already switched it off."""

from __future__ import annotations

import gc

import pytest

from tests.support.scripted_server import Reply, stream_of
from tui.core import gc_pause
from tui.core.settings import Connection, Sampling
from tui.core.wire.client import ChatClient, ChatRequest


@pytest.fixture(autouse=True)
def collector_back_on():
    yield
    gc.unfreeze()
    gc.enable()


def test_nested_streams_keep_the_collector_off_until_the_last_ends():
    gc.enable()
    with gc_pause.paused():
        assert not gc.isenabled()
        with gc_pause.paused():
            assert gc_pause.depth() == 2
        assert not gc.isenabled()
    assert gc.isenabled() and gc_pause.depth() == 0
    assert gc.get_freeze_count() == 0


def test_a_collector_already_off_is_left_alone():
    gc.disable()
    frozen_before = gc.get_freeze_count()
    with gc_pause.paused():
        pass
    assert not gc.isenabled()
    assert gc.get_freeze_count() == frozen_before


async def test_the_client_reads_a_stream_with_the_collector_off(scripted):
    scripted.queue(Reply.sse(stream_of([("a", -0.1), ("b", -0.2)])))
    gc.enable()
    seen: list[bool] = []
    request = ChatRequest([{"role": "user", "content": "q"}], "m", Sampling())
    async with ChatClient(Connection(scripted.base_url, model="m")) as client:
        async for _event in client.chat(request):
            seen.append(gc.isenabled())
    assert seen and not any(seen)
    assert gc.isenabled() and gc_pause.depth() == 0


async def test_a_failed_request_turns_the_collector_back_on(scripted):
    scripted.queue(Reply.json({"error": {"message": "nope"}}, status=404))
    gc.enable()
    request = ChatRequest([{"role": "user", "content": "q"}], "m", Sampling())
    async with ChatClient(Connection(scripted.base_url, model="m")) as client:
        with pytest.raises(Exception, match="nope"):
            async for _event in client.chat(request):
                pass
    assert gc.isenabled() and gc_pause.depth() == 0


def test_a_pause_in_another_thread_keeps_the_collector_off_until_both_end():
    # The history store loads in its own thread while the event loop reads a stream.
    import threading

    gc.enable()
    entered, release = threading.Event(), threading.Event()

    def store_load() -> None:
        with gc_pause.paused():
            entered.set()
            release.wait(5)

    worker = threading.Thread(target=store_load)
    with gc_pause.paused():
        worker.start()
        assert entered.wait(5)
    assert not gc.isenabled() and gc_pause.depth() == 1  # the store's pause still holds
    release.set()
    worker.join(5)
    assert gc.isenabled() and gc_pause.depth() == 0
