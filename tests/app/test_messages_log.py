"""The messages screen (issue 15, item 14): notices outlive their toasts, with the paths of
what was saved and exported (w, F7, x), from a key and the palette; an export never replaces
an earlier file."""

from __future__ import annotations

from tests.app.screens.host import screen_text
from tests.app.support import TOKENS, make_app, search_palette, send, wait_for
from tests.support.scripted_server import Reply, stream_of
from tui.app.screens.export import ExportScreen
from tui.app.screens.messages import MessagesScreen


async def _f7_csv(pilot) -> None:
    app = pilot.app
    before = app.last_export
    await pilot.press("f7")
    await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen))
    await pilot.press("c")
    await wait_for(pilot, lambda: app.last_export not in (None, before))


async def test_saved_and_exported_paths_are_listed_and_never_overwritten(scripted):
    scripted.queue(Reply.sse(stream_of(TOKENS)))
    app = make_app(scripted)
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, "q")
        await _f7_csv(pilot)
        first = app.last_export
        await _f7_csv(pilot)  # the same conversation again, maybe in the same second
        second = app.last_export
        assert first != second and first.exists() and second.exists()
        await pilot.press("escape", "w")
        await wait_for(pilot, lambda: app.last_export.suffix == ".json")
        saved = app.last_export
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, MessagesScreen))
        await pilot.pause()
        listing = app.screen.query_one("#messages-list")
        lines = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        for path in (first, second, saved):
            assert any(line.endswith(str(path)) for line in lines), path
        assert saved.name in screen_text(app)  # on screen (a long path wraps)
        # Newest first; Enter copies the highlighted notice's path.
        entries = app.screen.notices
        assert entries[0].path == saved
        await pilot.press("enter")
        assert app.clipboard == str(saved)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, MessagesScreen))
        # The palette opens them too.
        await search_palette(pilot, "messages")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MessagesScreen))
