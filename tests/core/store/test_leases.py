"""Conversation leases: held by one running process, refused to another, gone with the
process however it ends (here: SIGKILL)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tui.core.store import Store
from tui.core.store.leases import Leases

HOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from tui.core.store.leases import Leases

    leases = Leases(Path(sys.argv[1]))
    print(leases.take(7), flush=True)
    sys.stdin.read()  # hold until killed
    """
)


def test_a_lease_is_refused_to_another_process_and_dies_with_its_holder(tmp_path: Path):
    history = tmp_path / "history.sqlite3"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(history)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "True\n"
        with Store.open(history) as store:
            assert not store.hold(7) and store.held_elsewhere(7)
            assert store.hold(8) and not store.held_elsewhere(8)  # its own: not elsewhere
            holder.kill()
            holder.wait(10)
            assert store.hold(7)  # the lock went with the process
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(10)
    assert oct((tmp_path / "history.sqlite3-leases").stat().st_mode & 0o777) == oct(0o600)


def test_leases_are_given_back_and_memory_stores_need_none(tmp_path: Path):
    leases = Leases(tmp_path / "history.sqlite3")
    assert leases.take(3) and leases.take(3)  # held twice by the same process: still one
    leases.release(3)
    leases.close()
    with Store.memory() as store:
        assert store.hold(1) and not store.held_elsewhere(1)
