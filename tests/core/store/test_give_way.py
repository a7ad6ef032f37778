"""The store's thread sleeps between pieces of work only when it had to wait for another
thread (the screen), as long as it waited, never more than MAX_PAUSE."""

from __future__ import annotations

import threading

from tui.core.store import give_way
from tui.core.store.give_way import MAX_PAUSE, pause_for


def test_no_pause_when_the_piece_ran_most_of_the_time():
    assert pause_for(wall=0.002, cpu=0.002) == 0.0
    assert pause_for(wall=0.004, cpu=0.0021) == 0.0  # waited less than it ran


def test_a_piece_that_mostly_waited_sleeps_as_long_as_it_waited_up_to_the_cap():
    assert pause_for(wall=0.006, cpu=0.002) == 0.004
    assert pause_for(wall=0.5, cpu=0.002) == MAX_PAUSE


def test_the_main_thread_never_sleeps(monkeypatch):
    slept = []
    monkeypatch.setattr(give_way.time, "sleep", slept.append)
    for _ in range(3):
        give_way.give_way()
    assert slept == []


def test_a_background_thread_behind_a_busy_thread_sleeps(monkeypatch):
    """Two calls 8 ms apart with 1 ms of this thread's CPU between them: it waited 7 ms."""
    slept: list[float] = []
    clock = iter([10.000, 10.008])
    cpu = iter([1.000, 1.001])
    monkeypatch.setattr(give_way.time, "perf_counter", lambda: next(clock, 10.02))
    monkeypatch.setattr(give_way.time, "thread_time", lambda: next(cpu, 1.002))
    monkeypatch.setattr(give_way.time, "sleep", slept.append)
    worker = threading.Thread(target=lambda: (give_way.give_way(), give_way.give_way()))
    worker.start()
    worker.join()
    assert len(slept) == 1 and abs(slept[0] - 0.007) < 1e-9


def test_a_call_long_after_the_last_starts_afresh(monkeypatch):
    slept: list[float] = []
    clock = iter([10.0, 11.0])  # a second later: another piece of work, nothing to compare
    monkeypatch.setattr(give_way.time, "perf_counter", lambda: next(clock, 12.0))
    monkeypatch.setattr(give_way.time, "thread_time", lambda: 1.0)
    monkeypatch.setattr(give_way.time, "sleep", slept.append)
    worker = threading.Thread(target=lambda: (give_way.give_way(), give_way.give_way()))
    worker.start()
    worker.join()
    assert slept == []
