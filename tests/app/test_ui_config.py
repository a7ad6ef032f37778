"""The settings file's [ui] and [keys] in the running app: theme (and saving a new one),
heatmap at start, the low-probability threshold, rebound keys, and problems said once."""

from __future__ import annotations

from tests.app.support import TOKENS, make_app, send, wait_for
from tests.support.scripted_server import Reply, stream_of
from tui.app.modals import Modals
from tui.app.screens.history import HistoryScreen
from tui.app.screens.main import MainScreen
from tui.core.config import config_path, load_config


def _config(text: str):
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return load_config(path)


async def test_theme_heatmap_and_threshold_come_from_the_file(scripted):
    config = _config('[ui]\ntheme = "textual-light"\nheatmap = true\nlow_prob_threshold = 0.55\n')
    scripted.queue(Reply.sse(stream_of(TOKENS)))
    app = make_app(scripted, config=config)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        assert app.theme == "textual-light"
        assert app.main.pane.heat_on and app.main.pane.legend.has_class("-active")
        assert "p < 55%" in app.main.pane.legend.render().plain
        await send(pilot, "q")
        answer = app.main.chat.views[0].turn.answer
        assert answer.low_prob_threshold == 0.55
        # p = 0.5 and 0.04 are below 0.55 (the default 0.1 would count one).
        assert "2 below 0.55" in app.main.chat.views[0].footer_text
        assert [n.message for n in app._notifications] == []  # a good file says nothing
    assert load_config().ui.theme == "textual-light"


async def test_a_theme_picked_in_the_app_is_saved_and_the_rest_of_the_file_kept(scripted):
    _config("[sampling]\ntemperature = 0.3\n\n[ui]\nheatmap = true\n")
    app = make_app(scripted, config=load_config())
    async with app.run_test(size=(120, 40)) as pilot:
        app.theme = "nord"
        await wait_for(pilot, lambda: load_config().ui.theme == "nord")
    saved = load_config()
    assert (saved.ui.theme, saved.ui.heatmap, saved.sampling.temperature) == ("nord", True, 0.3)


async def test_a_broken_file_is_said_once_and_never_overwritten(scripted):
    text = '[ui]\ntheme = "nord"\nheatmap = "yes please"\n'
    config = _config(text)
    app = make_app(scripted, config=config)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await app.history.ready.wait()
        app.theme = "gruvbox"
        await wait_for(pilot, lambda: len(app._notifications) == 2)
        app.theme = "dracula"
        await pilot.pause(0.3)
        messages = [n.message for n in app._notifications]
    assert app.theme == "dracula"
    assert messages[0].startswith("config: ") and "heatmap must be true or false" in messages[0]
    assert messages[1].startswith("theme not saved: not saving settings:")
    assert len(messages) == 2  # the second refusal says the same: not repeated
    assert config_path().read_text(encoding="utf-8") == text


async def test_keys_are_rebound_everywhere_they_are_shown(scripted):
    config = _config('[keys]\n"main.history" = "f10"\n"main.helpp" = "f11"\n')
    app = make_app(scripted, config=config, modals=Modals())
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await app.history.ready.wait()
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert messages == ["config: [keys] 'main.helpp' match no key binding (ignored)"]
        await pilot.press("f6")  # the old key does nothing now
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("f1")  # the real help screen lists the new key
        await pilot.pause()
        rows = app.screen.rows
        assert ("f10", "Past conversations: search, open, rename, delete, start a new one",
                "General") in rows  # fmt: skip


async def test_the_threshold_moves_the_next_low_jump_too(scripted):
    # τ = 0.55: " cat" (p 0.5) and " sat" (p 0.04) are below it. The jump used to stop at
    # p < 0.1 whatever τ was, so it skipped tokens the heatmap marked as low.
    config = _config("[ui]\nlow_prob_threshold = 0.55\n")
    scripted.queue(Reply.sse(stream_of(TOKENS)))
    app = make_app(scripted, config=config)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "q")
        visited = []
        await pilot.press("escape")
        for _ in range(3):
            await pilot.press("n")
            visited.append(app.main.pane.cursor)
    assert visited == [1, 2, 1]


async def test_every_screens_keys_can_be_rebound_the_sample_screen_too(scripted):
    from tests.app.history_support import cat_answer
    from tui.app.messages import SampleChosen
    from tui.app.screens.sample import SampleScreen
    from tui.core.conversation import Turn

    config = _config(
        '[keys]\n"log.copy_text" = "x"\n"sample.back" = "q"\n'
        '"export.json" = "J"\n"compare.run" = "ctrl+r"\n"history.new" = "ctrl+t"\n'
    )
    app = make_app(scripted, config=config)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await app.history.ready.wait()
        await pilot.pause()
        assert [n.message for n in app._notifications] == []  # every id is known
        app.main.post_message(SampleChosen(Turn("q?", answer=cat_answer()), 2, "sample #2"))
        await wait_for(pilot, lambda: isinstance(app.screen, SampleScreen))
        await pilot.pause()
        await pilot.press("x")  # the chat log's rebound key, on the sample screen
        await wait_for(pilot, lambda: app.clipboard == "The cat sat on the mat.")
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
