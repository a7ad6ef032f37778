"""terminal_gone: a live terminal is there (keys waiting or not), a hung-up one is gone."""

from __future__ import annotations

import os

from tui.core.terminal import terminal_gone


def test_a_terminal_is_gone_once_hung_up_and_not_before():
    master, slave = os.openpty()
    try:
        assert not terminal_gone(slave)
        os.write(master, b"typed ahead")  # keys waiting are not a hang-up
        assert not terminal_gone(slave)
        os.close(master)  # the window closes
        assert terminal_gone(slave)
    finally:
        os.close(slave)
    assert terminal_gone(slave)  # a closed descriptor is no terminal either
