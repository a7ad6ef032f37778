"""The notice log behind the messages screen: newest first, bounded, paths kept."""

from __future__ import annotations

from pathlib import Path

from tui.app.notices import NoticeLog
from tui.app.text.notices import notice_line


def test_newest_first_bounded_with_the_files_they_name():
    log = NoticeLog(limit=3)
    log.add("one", 1.0)
    log.add("saved raw JSON to /x/a.json", 2.0, path=Path("/x/a.json"))
    log.add("could not export", 3.0, "error")
    log.add("four", 4.0)
    assert [n.text for n in log.entries] == [
        "four",
        "could not export",
        "saved raw JSON to /x/a.json",
    ]
    assert log.entries[2].path == Path("/x/a.json") and len(log) == 3


def test_one_line_each_with_time_and_severity():
    line = notice_line(0.0, "bad\x1b[31m\nthing", "error")
    assert line.endswith("⚠ bad␛[31m⏎thing")
    assert line[2] == ":" and line[5] == ":"
