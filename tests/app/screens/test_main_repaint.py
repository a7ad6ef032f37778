"""Repaints thin out when a fast server floods each tick with rows."""

from __future__ import annotations

from tui.app.screens.main import FLUSH_HZ, ticks_to_skip


def test_a_normal_stream_is_repainted_at_every_tick():
    # 2,000 tokens/s at 25 ticks/s is 80 rows per tick: every tick repaints.
    assert ticks_to_skip(0) == 0
    assert ticks_to_skip(2000 // FLUSH_HZ) == 0


def test_a_flood_thins_repaints_to_no_fewer_than_about_eight_a_second():
    assert ticks_to_skip(100) == 1  # 12.5 repaints/s
    assert ticks_to_skip(250) == 2  # ~8.3/s
    assert ticks_to_skip(100_000) == 2  # never fewer: the screen keeps moving
    assert FLUSH_HZ / (1 + ticks_to_skip(10**9)) > 8
