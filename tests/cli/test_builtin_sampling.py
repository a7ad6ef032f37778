"""The built-in model's demo defaults apply to it alone, and only to what the person did not
choose on the command line or in config.toml (issue 15 item 6)."""

from __future__ import annotations

import pytest

from tui.cli.configured import parse_args_with_config
from tui.cli.main import build_parser
from tui.cli.options import backend_options, sampling_options
from tui.core.builtin_defaults import BUILTIN_MAX_TOKENS, BUILTIN_REPEAT_PENALTY
from tui.core.config import load_config
from tui.core.settings import DEFAULT_MAX_TOKENS


def sampling_for(*argv: str):
    args = parse_args_with_config(build_parser(), list(argv), config=load_config(), environ={})
    return sampling_options(args, backend_options(args))


@pytest.mark.parametrize("command", ["chat", "ask", "compare"])
def test_the_built_in_model_gets_the_demo_defaults(command):
    extra = ["q"] if command != "chat" else []
    sampling = sampling_for(command, *extra)
    assert (sampling.max_tokens, sampling.repeat_penalty) == (
        BUILTIN_MAX_TOKENS,
        BUILTIN_REPEAT_PENALTY,
    )


def test_what_is_typed_wins():
    sampling = sampling_for("ask", "--max-tokens", "40", "--repeat-penalty", "1", "q")
    assert (sampling.max_tokens, sampling.repeat_penalty) == (40, 1.0)
    sampling = sampling_for("ask", "--max-tokens", "512", "q")  # the generic default, typed
    assert (sampling.max_tokens, sampling.repeat_penalty) == (512, BUILTIN_REPEAT_PENALTY)


def test_what_the_config_file_sets_wins(isolated_home):
    path = isolated_home / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[sampling]\nmax_tokens = 300\n", encoding="utf-8")
    sampling = sampling_for("ask", "q")
    assert (sampling.max_tokens, sampling.repeat_penalty) == (300, BUILTIN_REPEAT_PENALTY)


@pytest.mark.parametrize(
    "argv", [["--base-url", "http://gpu:8000"], ["--model-file", "other.gguf"]]
)
def test_other_models_keep_the_generic_defaults(argv):
    sampling = sampling_for("ask", *argv, "q")
    assert (sampling.max_tokens, sampling.repeat_penalty) == (DEFAULT_MAX_TOKENS, None)
