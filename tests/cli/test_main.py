"""The entry point: which subcommand runs, and where options typed before it go."""

from __future__ import annotations

import pytest

from tests.support.scripted_server import ScriptedServer
from tui.cli.main import build_parser, main, subcommand_first


def test_connection_options_before_the_subcommand_are_the_subcommands(
    scripted: ScriptedServer, capsys
) -> None:
    # `logprob-chat --base-url X ask "hi"`: what a user types first (issue 15 item 17).
    code = main(
        ["--base-url", scripted.base_url, "--api-key", "k-123456", "ask", "hi", "--no-save"]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("Hello world!")
    assert scripted.requests and scripted.requests[-1].headers["authorization"] == "Bearer k-123456"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], ["chat"]),
        (["--model", "m"], ["chat", "--model", "m"]),
        (["--base-url", "X", "ask", "hi"], ["ask", "hi", "--base-url", "X"]),
        (["--base-url=X", "ask", "hi"], ["ask", "hi", "--base-url=X"]),
        # A value that is a subcommand's name is a value: the chat with this system prompt.
        (["--system", "ask"], ["chat", "--system", "ask"]),
        (["--system", "ask", "ask", "q"], ["ask", "q", "--system", "ask"]),
        (["--temperature", "0", "ask", "--", "-q"], ["ask", "--temperature", "0", "--", "-q"]),
        (
            ["--data-dir", "D", "history", "backup", "F"],
            ["history", "backup", "F", "--data-dir", "D"],
        ),
        (["--help"], ["--help"]),
        (["--version"], ["--version"]),
        (["ask", "hi"], ["ask", "hi"]),
    ],
)
def test_the_subcommand_comes_first(argv: list[str], expected: list[str]) -> None:
    assert subcommand_first(argv, build_parser()) == expected


def test_an_option_the_subcommand_lacks_says_which_command_it_was_given_to(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--samples", "3", "ask", "hi"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--samples 3" in err and "logprob-chat ask --help" in err and err.count("\n") == 1
