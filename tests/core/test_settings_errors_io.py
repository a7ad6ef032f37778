"""Settings validation, base URL forms, error text and redaction, JSON in/out, safe text."""

from __future__ import annotations

import math

import pytest

from tui.core import jsonio
from tui.core.errors import ConfigError, HTTPStatusError, one_line, redact, register_secret
from tui.core.safety import safe_line, safe_text
from tui.core.settings import Connection, Sampling, display_url, normalise_base_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://h:8000", "http://h:8000/v1"),
        ("http://h:8000/", "http://h:8000/v1"),
        ("http://h:8000/v1", "http://h:8000/v1"),
        ("http://h:8000/v1/", "http://h:8000/v1"),
        ("http://h:8000/v1/chat/completions", "http://h:8000/v1"),
        ("http://h:8000/v1/models", "http://h:8000/v1"),
        ("h:8000", "http://h:8000/v1"),
        ("https://proxy.example/llm/openai/v1", "https://proxy.example/llm/openai/v1"),
        ("  http://[::1]:8080  ", "http://[::1]:8080/v1"),
    ],
)
def test_normalise_base_url(given, expected):
    assert normalise_base_url(given) == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("", "the base URL is empty"),
        ("ftp://h", "must start with http:// or https://"),
        ("http://h:notaport", "bad port"),
        ("http://", "has no host"),
    ],
)
def test_bad_base_urls(given, message):
    with pytest.raises(ConfigError, match=message):
        normalise_base_url(given)


def test_display_url_hides_credentials_and_query():
    assert display_url("http://user:pw@h:8000/v1?key=abc") == "http://h:8000/v1"
    assert Connection("https://u:p@h/v1", api_key="k").safe_url == "https://h/v1"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"temperature": 5}, "temperature must be from 0 to 2, not 5"),
        ({"temperature": -0.1}, "temperature must be from 0 to 2"),
        ({"temperature": math.nan}, "temperature must be from 0 to 2"),
        ({"temperature": "hot"}, "temperature must be a number"),
        ({"top_logprobs": -1}, "top_logprobs must be from 0 to 20, not -1"),
        ({"top_logprobs": 21}, "top_logprobs must be from 0 to 20, not 21"),
        ({"top_logprobs": 2.5}, "top_logprobs must be a whole number"),
        ({"max_tokens": 0}, "max_tokens must be from 1"),
        ({"seed": "x"}, "seed must be a whole number"),
        ({"seed": True}, "seed must be a whole number"),
    ],
)
def test_sampling_validation(changes, message):
    with pytest.raises(ConfigError, match=message):
        Sampling(**changes)


def test_sampling_defaults_are_the_prototype_s():
    s = Sampling()
    assert (s.temperature, s.top_logprobs, s.max_tokens, s.seed) == (0.7, 5, 512, None)
    assert s.with_changes(top_logprobs=0).top_logprobs == 0


def test_http_status_error_is_one_line_with_the_server_message():
    exc = HTTPStatusError(400, "Expected 'messages'\n   to be an array", retry_after=2)
    assert str(exc) == "HTTP 400 Bad Request: Expected 'messages' to be an array (retry after 2 s)"
    assert exc.kind == "http" and exc.status == 400


def test_secrets_are_redacted_from_messages():
    register_secret("s3cr3t-key-value")
    assert "s3cr3t" not in redact("the key s3cr3t-key-value was refused")
    assert redact("Authorization: Bearer abcdefghijkl") == "Authorization: Bearer ***"
    assert redact("key sk-proj-1234567890abcdef") == "key sk-***"
    assert redact("http://user:pw@host/v1") == "http://***@host/v1"
    assert str(HTTPStatusError(401, "bad key s3cr3t-key-value")).endswith("bad key ***")


def test_one_line_collapses_and_cuts():
    assert one_line("a\n\n b\tc") == "a b c"
    assert one_line("x" * 500, 10) == "x" * 9 + "…"


def test_jsonio_loads_what_servers_send():
    assert jsonio.loads(b'{"a": 1}') == {"a": 1}
    value = jsonio.loads('{"lp": -Infinity, "x": NaN, "y": Infinity}')
    assert value["lp"] == -math.inf and math.isnan(value["x"]) and value["y"] == math.inf
    assert jsonio.loads('{"t": "\\ud83d"}') == {"t": "\ufffd"}  # a lone surrogate
    with pytest.raises(ValueError):
        jsonio.loads("{bad")


def test_jsonio_dumps_is_terminal_safe_and_strict():
    text = jsonio.dumps_compact({"t": "a\x1b[2J\x9b\u202eb", "lp": math.nan, "b": b"\x01"})
    assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text
    assert jsonio.loads(text) == {"t": "a\x1b[2J\x9b\u202eb", "lp": None, "b": [1]}
    assert jsonio.dumps({"k": "日本"}) == '{\n  "k": "日本"\n}'  # readable UTF-8


def test_safe_text_and_safe_line():
    assert safe_text("plain") == "plain"
    assert safe_text("a\x1b]52;c;ZXZpbA==\x07b") == "a␛]52;c;ZXZpbA==␇b"
    assert safe_text("x\x9b31m\u202ey\ud800") == "x\ufffd31m\ufffdy\ufffd"
    assert safe_text("日本語\nline\ttab") == "日本語\nline\ttab"
    assert safe_text("a\rb\x7f") == "a␍b␡"
    assert safe_line("one\ntwo\tthree") == "one⏎two→three"
