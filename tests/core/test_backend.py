"""Where answers come from: command line first, then OPENAI_* variables, else the engine."""

from __future__ import annotations

import pytest

from tui.core.backend import BackendOptions, open_backend, validate_options
from tui.core.errors import ConfigError


def test_command_line_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://env-host:8000")
    monkeypatch.setenv("OPENAI_API_KEY", "env-key-123456")
    given = BackendOptions.from_env(base_url="http://cli-host:1", api_key="cli-key-123456")
    assert (given.base_url, given.api_key) == ("http://cli-host:1", "cli-key-123456")
    from_env = BackendOptions.from_env(base_url=None, api_key=None, model="m")
    assert (from_env.base_url, from_env.api_key, from_env.model) == (
        "http://env-host:8000",
        "env-key-123456",
        "m",
    )
    assert not from_env.embedded


def test_a_model_file_means_the_engine_whatever_the_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://env-host:8000")
    monkeypatch.setenv("OPENAI_API_KEY", "env-key-123456")
    options = BackendOptions.from_env(model_file="x.gguf")
    assert options.embedded and options.base_url is None
    assert options.api_key is None  # the environment's key is for the environment's server


def test_no_server_given_means_the_engine():
    assert BackendOptions.from_env().embedded


def test_remote_backend_is_just_a_connection():
    backend = open_backend(BackendOptions(base_url="http://h:8000", api_key="k-123456"))
    assert backend.engine is None
    assert backend.connection.base_url == "http://h:8000/v1"
    assert backend.connection.api_key == "k-123456"
    backend.close()  # nothing to stop


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (BackendOptions(base_url="http://h", model_file="m.gguf"), "either --base-url or"),
        (BackendOptions(base_url="gopher://h"), "must start with http"),
        (BackendOptions(base_url="http://h", read_timeout=0), "timeouts must be positive"),
    ],
)
def test_bad_backend_options(options, message):
    with pytest.raises(ConfigError, match=message):
        validate_options(options)
