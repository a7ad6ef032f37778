"""The crash report: a traceback without locals, secrets or terminal control."""

from __future__ import annotations

from tui.core.crash import HEADING, crash_report
from tui.core.errors import register_secret
from tui.core.settings import Connection


def _raise(message: str) -> BaseException:
    connection = Connection("http://alice:pw123@h/v1", api_key="sk-local-never-shown-1")
    try:
        raise RuntimeError(message + repr(connection))
    except RuntimeError as exc:
        return exc


def test_no_locals_no_key_no_escape():
    register_secret("plain-secret-value")
    report = crash_report(_raise("key plain-secret-value at http://alice:pw123@h \x1b]0;t\x07 "))
    assert report.startswith(HEADING + "\nTraceback (most recent call last):")
    assert "RuntimeError: key *** at http://***@h ␛]0;t␇ Connection(base_url=" in report
    assert "plain-secret-value" not in report and "pw123" not in report
    assert "sk-local-never-shown" not in report  # repr(Connection) leaves the key out
    assert "connection =" not in report and "\x1b" not in report  # no locals


def test_no_error_is_the_heading_alone():
    assert crash_report(None) == HEADING
