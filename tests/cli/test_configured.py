"""Precedence CLI > environment > config.toml > defaults, through the real parser and a real
request to the scripted server (the body it received is the proof)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.scripted_server import ScriptedServer
from tui.cli.configured import config_defaults, connection_from_config
from tui.cli.main import main
from tui.core.config import AppConfig, ConnectionConfig, config_path, load_config, save_config
from tui.core.settings import Sampling

ROOT = Path(__file__).resolve().parents[2]
FILE_KEY = "file-key-0123456789"
ENV_KEY = "env-key-0123456789"
CLI_KEY = "cli-key-0123456789"


def save_file_config(base_url: str | None, **sampling: object) -> None:
    save_config(
        AppConfig(
            connection=ConnectionConfig(base_url, FILE_KEY, "file-model"),
            sampling=Sampling(**sampling),  # type: ignore[arg-type]
        )
    )


def only_request(server: ScriptedServer):
    requests = server.chat_requests()
    assert len(requests) == 1, [r.path for r in server.requests]
    return requests[0]


def test_without_a_file_the_built_in_defaults_are_sent(scripted, capsys):
    assert main(["ask", "hi", "--base-url", scripted.base_url]) == 0
    body = only_request(scripted).json
    assert (body["temperature"], body["top_logprobs"], body["max_tokens"]) == (0.7, 5, 512)
    assert "seed" not in body
    assert "config:" not in capsys.readouterr().err


def test_the_file_fills_connection_and_sampling(scripted, capsys):
    save_file_config(scripted.base_url, temperature=0.2, top_logprobs=3, max_tokens=9, seed=11)
    assert main(["ask", "hi"]) == 0
    request = only_request(scripted)
    body = request.json
    assert (body["temperature"], body["top_logprobs"], body["max_tokens"]) == (0.2, 3, 9)
    assert body["seed"] == 11
    assert body["model"] == "file-model"
    assert request.headers["authorization"] == f"Bearer {FILE_KEY}"
    out = capsys.readouterr()
    assert FILE_KEY not in out.out + out.err


def test_the_environment_beats_the_file(scripted, monkeypatch):
    with ScriptedServer() as file_server:
        save_file_config(file_server.base_url, temperature=0.2)
        monkeypatch.setenv("OPENAI_BASE_URL", scripted.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", ENV_KEY)
        assert main(["ask", "hi"]) == 0
        assert file_server.requests == []
    request = only_request(scripted)
    assert request.headers["authorization"] == f"Bearer {ENV_KEY}"
    # The file's model belongs to the file's server; this one is asked for its own.
    assert request.json["model"] == "scripted-model"
    assert request.json["temperature"] == 0.2  # sampling is not tied to a server


def test_the_files_key_is_never_sent_to_another_server(scripted, monkeypatch):
    with ScriptedServer() as file_server:
        save_file_config(file_server.base_url)
        monkeypatch.setenv("OPENAI_BASE_URL", scripted.base_url)
        assert main(["ask", "hi"]) == 0
        assert main(["ask", "hi", "--base-url", scripted.url]) == 0
    for request in scripted.requests:
        assert "authorization" not in request.headers


def test_the_command_line_beats_environment_and_file(scripted, monkeypatch):
    with ScriptedServer() as other:
        save_file_config(other.base_url, temperature=0.2, top_logprobs=3)
        monkeypatch.setenv("OPENAI_BASE_URL", other.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", ENV_KEY)
        argv = ["ask", "hi", "--base-url", scripted.base_url, "--api-key", CLI_KEY]
        argv += ["--model", "cli-model", "--temperature", "1.5", "--top-logprobs", "0"]
        assert main(argv) == 0
        assert other.requests == []
    request = only_request(scripted)
    assert request.headers["authorization"] == f"Bearer {CLI_KEY}"
    body = request.json
    assert (body["model"], body["temperature"]) == ("cli-model", 1.5)
    assert not body.get("top_logprobs")


def test_the_files_key_is_used_for_the_same_server_given_on_the_command_line(scripted):
    save_file_config(scripted.base_url)
    assert main(["ask", "hi", "--base-url", scripted.url + "/"]) == 0  # same server, other form
    assert only_request(scripted).headers["authorization"] == f"Bearer {FILE_KEY}"


def test_a_broken_file_does_not_stop_ask(scripted, isolated_home):
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text("[sampling\ntemperature = 0.1\n", encoding="utf-8")
    before = path.read_bytes()
    env = {**os.environ, "LOGPROB_CHAT_CONFIG_DIR": str(path.parent)}
    result = subprocess.run(
        [sys.executable, "-m", "tui", "ask", "hi", "--base-url", scripted.base_url],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    config_lines = [line for line in result.stderr.splitlines() if "config:" in line]
    assert len(config_lines) == 1 and "not valid TOML" in config_lines[0]
    assert "Hello world!" in result.stdout
    assert only_request(scripted).json["temperature"] == 0.7  # the defaults
    assert path.read_bytes() == before


def test_a_bad_value_in_the_file_names_the_field_on_stderr(scripted, capsys):
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text("[sampling]\ntemperature = 5\nmax_tokens = 8\n", encoding="utf-8")
    assert main(["ask", "hi", "--base-url", scripted.base_url]) == 0
    err = capsys.readouterr().err
    assert "temperature must be from 0 to 2, not 5" in err
    body = only_request(scripted).json
    assert (body["temperature"], body["max_tokens"]) == (0.7, 8)


# ---------------------------------------------------------------- the pure functions


def file_config(base_url: str | None = "http://file:8000/v1") -> AppConfig:
    return AppConfig(connection=ConnectionConfig(base_url, FILE_KEY, "file-model"))


def given(**values: str | None) -> dict[str, str | None]:
    return {"base_url": None, "api_key": None, "model": None, "model_file": None, **values}


def test_model_file_ignores_the_files_server():
    # A base_url the user never typed must not collide with --model-file.
    result = connection_from_config(given(model_file="x.gguf"), file_config(), {})
    assert result == {"base_url": None, "api_key": None, "model": None}


def test_nothing_anywhere_means_the_embedded_engine():
    result = connection_from_config(given(), file_config(None), {})
    assert result["base_url"] is None


def test_a_file_without_a_url_lends_its_key_like_openai_api_key_does():
    result = connection_from_config(given(base_url="http://cli:1"), file_config(None), {})
    assert result == {"base_url": "http://cli:1", "api_key": FILE_KEY, "model": "file-model"}


def test_the_environment_key_beats_the_files_key_for_the_files_server():
    result = connection_from_config(given(), file_config(), {"OPENAI_API_KEY": ENV_KEY})
    # None here: BackendOptions.from_env then applies the environment's key.
    assert result == {"base_url": "http://file:8000/v1", "api_key": None, "model": "file-model"}


def test_config_defaults_carry_the_sampling_and_the_config():
    config = AppConfig(sampling=Sampling(temperature=0.0, top_logprobs=1, max_tokens=2, seed=3))
    defaults = config_defaults(config)
    assert defaults == {
        "temperature": 0.0,
        "top_logprobs": 1,
        "max_tokens": 2,
        "seed": 3,
        "repeat_penalty": None,
        "app_config": config,
    }


@pytest.mark.parametrize("command", ["ask", "chat"])
def test_both_subcommands_get_the_files_defaults(command):
    from tui.cli.configured import parse_args_with_config
    from tui.cli.main import build_parser

    save_config(AppConfig(sampling=Sampling(temperature=1.25)))
    argv = [command, "x"] if command == "ask" else [command]
    args = parse_args_with_config(build_parser(), argv, environ={})
    assert args.temperature == 1.25
    assert args.app_config == load_config()


def test_subcommands_without_sampling_options_get_only_the_config():
    import argparse

    from tui.cli.configured import parse_args_with_config

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers().add_parser("history")
    sub.add_argument("--limit", type=int, default=10)
    config = AppConfig(sampling=Sampling(temperature=1.0))
    args = parse_args_with_config(parser, ["history"], config=config, environ={})
    assert vars(args) == {"limit": 10, "app_config": config}
