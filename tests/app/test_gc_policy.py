"""The GC policy: no automatic collection while streaming, survivors frozen, all restored."""

from __future__ import annotations

import gc

import pytest

from tui.app.gc_policy import GcPolicy


@pytest.fixture
def restore_gc():
    was = gc.isenabled()
    yield
    gc.unfreeze()
    if was:
        gc.enable()


def test_streaming_disables_collection_and_freezes_every_n_rows(restore_gc):
    ticks = iter(range(1000))
    policy = GcPolicy(every_rows=100, every_seconds=1e9, clock=lambda: next(ticks))
    frozen = gc.get_freeze_count()
    policy.stream_started()
    assert not gc.isenabled()
    kept = [{"row": i} for i in range(50)]
    policy.rows_added(50)
    assert policy.freezes == 0
    policy.rows_added(60)
    assert policy.freezes == 1
    assert gc.get_freeze_count() >= frozen + len(kept)
    policy.stream_ended()
    assert gc.isenabled()
    policy.release()
    assert gc.get_freeze_count() == 0


def test_a_slow_stream_still_freezes_on_time(restore_gc):
    now = [0.0]
    policy = GcPolicy(every_rows=10**9, every_seconds=2.0, clock=lambda: now[0])
    policy.stream_started()
    policy.rows_added(1)
    assert policy.freezes == 0
    now[0] = 2.5
    policy.rows_added(1)
    assert policy.freezes == 1
    policy.stream_ended()


def test_disabled_policy_leaves_the_collector_alone(restore_gc):
    policy = GcPolicy(enabled=False)
    policy.stream_started()
    assert gc.isenabled()
    policy.rows_added(10**6)
    policy.stream_ended()
    assert policy.freezes == 0 and gc.isenabled()


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_the_first_full_settle_collects_old_garbage_cycles_instead_of_freezing_them(restore_gc):
    import weakref

    policy = GcPolicy()
    for full in (False, True):
        cycle = _Cycle()
        alive = weakref.ref(cycle)
        gc.collect()  # the cycle survives (still referenced) into the oldest generation
        del cycle  # now garbage, but only the cyclic collector can free it
        policy.settle(full=full)
        assert (alive() is None) is full  # a young settle freezes it; a full one frees it
        gc.unfreeze()


def test_young_collections_while_reading_are_bounded_by_the_limit(restore_gc):
    # The stream's reader calls young() as it goes: the youngest generation is collected
    # once it holds more than young_limit objects, so no repaint tick walks a whole tick's
    # rows at once; outside a stream young() leaves the collector alone.
    policy = GcPolicy(young_limit=500)
    gc.disable()  # (automatic collections would reset the counts this test reads)
    gc.collect()
    kept = [{"row": i} for i in range(1000)]
    assert gc.get_count()[0] >= 500
    policy.young()
    assert gc.get_count()[0] >= 500  # not streaming: nothing collected
    policy.stream_started()
    kept += [{"row": i} for i in range(1000)]
    policy.young()
    assert gc.get_count()[0] < 500  # collected
    kept += [{"row": i} for i in range(100)]
    before = gc.get_count()[0]
    policy.young()
    assert gc.get_count()[0] >= before  # under the limit: left alone
    policy.stream_ended()
    assert len(kept) == 2100
