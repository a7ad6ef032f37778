"""``logprob-chat`` (the chat command): bad values are one line and exit 2, before any screen."""

from __future__ import annotations

import pytest

from tui.cli.main import main


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--preset", "nope"], "unknown preset 'nope'"),
        (["--base-url", "ftp://host"], "the base URL must start with http:// or https://"),
        (["--base-url", "http://h:1", "--model-file", "x.gguf"], "give either --base-url or"),
        (["--system", "a", "--preset", "b"], "give either --system or --preset"),
    ],
)
def test_bad_values_are_one_line_and_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("logprob-chat: error: ") and message in err
    assert err.count("\n") == 1


def test_out_of_range_numbers_are_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--temperature", "5"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--temperature" in err and "must be from 0 to 2" in err and err.count("\n") == 1
