"""ConfirmScreen: y/Enter confirm, n/Esc cancel, the question shown literally."""

from __future__ import annotations

import pytest

from tests.app.screens.host import Host, screen_text
from tui.app.screens.confirm import ConfirmScreen


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["y"], True),
        (["enter"], True),  # the confirm button has focus
        (["n"], False),
        (["escape"], False),
        (["tab", "enter"], False),  # Enter on Cancel
    ],
)
async def test_keys_answer_the_question(keys, expected):
    app = Host(lambda: ConfirmScreen("Delete preset “a”?"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
        assert app.results == [expected]
        assert not isinstance(app.screen, ConfirmScreen)


async def test_the_question_and_label_are_shown_literally():
    question = "Delete preset “[bold]x[/bold] [/INST] \x1b]0;evil\x07”?"
    app = Host(lambda: ConfirmScreen(question, "Overwrite"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "[bold]x[/bold] [/INST]" in text
        assert "␛]0;evil␇" in text and "\x1b" not in text
        assert "Overwrite" in text and "y/Enter Overwrite" in text
