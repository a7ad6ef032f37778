"""Copy (OSC 52 → app.clipboard) and save raw JSON to a file, from keys and the palette."""

from __future__ import annotations

import json

from tests.app.support import TEXT, TOKENS, make_app, search_palette, send, wait_for
from tests.support.scripted_server import Reply, stream_of
from tui.app.clipboard import copy_note, export_path, local_clipboard_available
from tui.app.text.copying import json_document, stats_document
from tui.core import jsonio
from tui.core.report import stats_text


async def test_copy_json_stats_and_text_of_the_selected_answer(scripted):
    scripted.queue(Reply.sse(stream_of(TOKENS)), Reply.sse(stream_of([("Other", -0.3)])))
    app = make_app(scripted)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "one")
        await send(pilot, "two")
        await pilot.press("escape", "up")  # select the first answer
        first = app.main.chat.views[0].turn.answer
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await wait_for(pilot, lambda: app.clipboard.startswith("{"))
        turn = app.main.chat.views[0].turn
        copied = json.loads(app.clipboard)
        assert copied == json_document(turn, first)  # the rows with their context
        assert copied["content"] == first.raw_logprobs()["content"]
        assert copied["context"]["question"] == "one" and copied["context"]["top_logprobs"] == 5
        assert app.clipboard == jsonio.dumps(copied)
        await pilot.press("s")
        assert app.clipboard == stats_document(turn, first)
        assert app.clipboard.startswith("Question ") and app.clipboard.endswith(stats_text(first))
        assert "Mean prob exp(mean) = 1/PPL" in app.clipboard
        await pilot.press("y")
        assert app.clipboard == TEXT
        await pilot.press("C")
        lines = app.clipboard.splitlines()
        assert json.loads(lines[0])["context"]["question"] == "one" and len(lines) == 1 + 7
        await pilot.press("S")
        assert app.clipboard.splitlines()[-1].startswith("#7  .  p 85.0%")


async def test_save_json_writes_a_file_that_parses_and_names_it(scripted, tmp_path):
    scripted.queue(Reply.sse(stream_of(TOKENS)))
    app = make_app(scripted, data_dir=tmp_path / "data")
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "q")
        await pilot.press("escape", "w")
        await app.workers.wait_for_complete()
        await wait_for(pilot, lambda: app.last_export is not None)
        path = app.last_export
        assert path.parent == tmp_path / "data" / "exports"
        assert path.name.startswith("answer-") and path.suffix == ".json"
        turn = app.main.chat.views[0].turn
        assert json.loads(path.read_text()) == json_document(turn, turn.answer)
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        # The path is kept in the messages (ctrl+l), with the file it names.
        (notice,) = [n for n in app.notices.entries if n.path is not None]
        assert notice.path == path and str(path) in notice.text


async def test_palette_entry_copies_the_raw_json(scripted):
    scripted.queue(Reply.sse(stream_of(TOKENS)))
    app = make_app(scripted)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "q")
        await search_palette(pilot, "copy raw logprob")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await wait_for(pilot, lambda: app.clipboard.startswith("{"))
        turn = app.main.chat.views[0].turn
        assert json.loads(app.clipboard) == json_document(turn, turn.answer)


async def test_copy_while_streaming_is_refused_with_a_reason(scripted):
    from tests.support.scripted_server import Stall

    scripted.queue(Reply.sse([*stream_of(TOKENS)[:3], Stall()], done=False))
    app = make_app(scripted)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        app.main.input.insert("q")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.chat.pump.live is not None)
        await pilot.press("f8", "c")
        assert app.clipboard == ""
        assert any("still coming" in n.message for n in app._notifications)
        app.main.action_stop()
        await wait_for(pilot, lambda: app.main.chat.pump.live is None)


def test_copy_notes_say_where_it_went_and_warn_about_big_payloads():
    assert copy_note("the stats", 300, osc52=True, local=False) == "copied the stats (300 bytes)"
    big = copy_note("the raw JSON", 50_000, osc52=True, local=False)
    assert big.startswith("copied the raw JSON (48.8 KB)") and "save it to a file (w)" in big
    assert "drop" not in copy_note("the raw JSON", 50_000, osc52=True, local=True)
    huge = copy_note("the raw JSON", 5_000_000, osc52=False, local=False)
    assert "too big for the terminal clipboard" in huge


def test_local_clipboard_needs_a_display_on_linux():
    assert not local_clipboard_available({"SSH_CONNECTION": "x"}, "linux")
    assert local_clipboard_available({"DISPLAY": ":0"}, "linux")
    assert local_clipboard_available({}, "darwin")


def test_export_paths_never_overwrite(tmp_path):
    from datetime import datetime

    now = datetime(2026, 11, 28, 14, 25, 1)
    first = export_path(tmp_path, 3, now)
    assert first.name == "answer-20261128-142501-3.json"
    first.write_text("{}")
    assert export_path(tmp_path, 3, now).name == "answer-20261128-142501-3-2.json"


async def test_ctrl_c_in_the_chat_log_copies_the_mouse_selection_not_the_answer(scripted):
    # Textual binds ctrl+c to "copy the selected text" on every screen. The chat screen's own
    # copy-the-answer action (y) once had the same name and took that key over: ctrl+c put
    # the whole answer on the clipboard, whatever was selected.
    scripted.queue(Reply.sse(stream_of(TOKENS)))
    app = make_app(scripted)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "q")
        await pilot.press("escape", "ctrl+c")
        await pilot.pause()
        assert app.clipboard == ""  # nothing selected, nothing copied
        await pilot.press("y")
        assert app.clipboard == TEXT
