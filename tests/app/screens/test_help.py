"""HelpScreen: every binding by group, the metrics explained, closes with Esc/F1/?/q."""

from __future__ import annotations

import pytest

from tests.app.screens.host import Host, screen_text
from tui.app.screens.help import HelpScreen, group_rows

ROWS = [
    ("ctrl+q", "Quit", "App"),
    ("f1", "Help", "App"),
    ("enter", "Send the message", "Chat"),
    ("ctrl+j", "New line", "Chat"),
    ("h", "Heatmap on/off", "Answer"),
    ("[", "Previous token [/INST] [bold]", "Answer"),
]


def test_groups_keep_their_first_appearance_order():
    assert [group for group, _ in group_rows(ROWS)] == ["App", "Chat", "Answer"]
    assert group_rows(ROWS)[1][1] == [("enter", "Send the message"), ("ctrl+j", "New line")]


async def test_lists_every_row_under_its_group_literally():
    app = Host(lambda: HelpScreen(ROWS))
    async with app.run_test(size=(100, 60)) as pilot:
        await pilot.pause()
        lines = screen_text(app).splitlines()
        for key, description, _ in ROWS:
            assert any(key in line and description in line for line in lines), description
        text = "\n".join(lines)
        assert text.index("App") < text.index("Quit") < text.index("Chat") < text.index("Answer")
        assert "What the numbers mean" in text and "1 / perplexity" in text
        assert "Coverage" in text and "Unknown" in text and "Heatmap:" in text


async def test_scrolls_to_the_end_at_80_by_24():
    app = Host(lambda: HelpScreen(ROWS))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Comparing prompts" not in screen_text(app)
        await pilot.press("end")
        await pilot.pause()
        assert "Comparing prompts" in screen_text(app)


@pytest.mark.parametrize("key", ["escape", "f1", "q", "question_mark"])
async def test_closes(key):
    app = Host(lambda: HelpScreen(ROWS))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
    assert app.results == [None]


async def test_a_wrapped_description_keeps_its_indent():
    long = "word " * 30
    app = Host(lambda: HelpScreen([("ctrl+x", long.strip(), "G"), ("y", "short", "G")]))
    async with app.run_test(size=(60, 30)) as pilot:
        await pilot.pause()
        lines = screen_text(app).splitlines()
        first = next(i for i, line in enumerate(lines) if "ctrl+x" in line)
        column = lines[first].index("word")
        assert lines[first + 1][:column].strip(" │") == ""  # nothing under the key column
        assert lines[first + 1][column : column + 4] == "word"


def test_the_chat_s_next_token_row_is_one_row_with_its_keys():
    from tui.app.actions import help_rows

    rows = [(key, text) for key, text, _ in help_rows()]
    assert ("←→", "Previous / next token") in rows
    assert not [text for _, text in rows if text == "Previous token"]
    assert [text for _, text in rows].count("Previous / next token") == 1
    rebound = dict((text, key) for key, text, _ in help_rows({"log.cursor_left": "h"}))
    assert rebound["Previous / next token"] == "h / →"
