"""Heatmap and token cursor: colours follow probability, the inspector follows the cursor."""

from __future__ import annotations

import math

from tests.app.support import TOKENS, make_app, send
from tests.support.scripted_server import Reply, chat_chunk, stream_of
from tui.app.widgets.track_view import AnswerBlock


def styles_of(app) -> list:
    block = app.main.chat.views[-1].text_view.query_one(AnswerBlock)
    return [(span.start, span.end, span.style) for span in block.render().spans]


async def test_heatmap_toggles_colours_per_token_with_a_cue_for_the_unlikely(scripted):
    scripted.queue(Reply.sse(stream_of(TOKENS)))
    app = make_app(scripted)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "q")
        assert styles_of(app) == []
        await pilot.press("f5")
        assert app.main.pane.heat_on
        assert app.main.pane.legend.display
        spans = styles_of(app)
        assert [(s, e) for s, e, _ in spans] == [(0, 3), (3, 7), (7, 11), (11, 14), (14, 18),
                                                 (18, 22), (22, 23)]  # fmt: skip
        sat = spans[2][2]
        assert sat.bold and sat.underline  # p = 0.04 < 0.1: not only a colour
        assert not spans[0][2].underline
        assert spans[0][2].background != sat.background
        await pilot.press("f5")
        assert styles_of(app) == []
        assert not app.main.pane.legend.display


async def test_token_cursor_walks_tokens_and_the_inspector_follows(scripted):
    scripted.queue(Reply.sse(stream_of(TOKENS)))
    app = make_app(scripted)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "q")
        screen = app.main
        await pilot.press("escape", "t")
        assert screen.pane.cursor == 0
        assert screen.pane.inspector.display
        assert "Token #1 of 7" in str(screen.pane.inspector.render())
        await pilot.press("right", "right")
        assert screen.pane.cursor == 2
        text = str(screen.pane.inspector.render())
        # One number for one token, the same in the inspector, the strip and the stats.
        assert "Token #3 of 7" in text and text.count("#3") == 1 and "Text           ␣sat" in text
        assert str(screen.pane.strip.render()).startswith("token #3 of 7")
        assert "6.00%" not in text and "at token #3" in str(screen.pane.stats.render())
        assert "4.00%" in text and "-3.2189" in text  # probability and logprob
        assert "▶ ␣sat" in text and "␣ran" in text  # alternatives, the sampled one marked
        assert "Residual mass" in text
        # The cursor token is drawn with the cursor style in its block.
        spans = styles_of(app)
        assert (7, 11) in [(s, e) for s, e, _ in spans]
        # The JSON viewer highlights the cursor token's row.
        first = screen.pane.json_view.doc.line_of_row(2)
        assert first in screen.pane.json_view._highlight
        await pilot.press("end")
        assert screen.pane.cursor == 6
        await pilot.press("right")
        assert screen.pane.cursor == 6  # clamped
        await pilot.press("home", "left")
        assert screen.pane.cursor == 0
        await pilot.press("escape")  # leaves the cursor, keeps the focus in the log
        assert screen.pane.cursor is None and app.focused is screen.chat
        assert not screen.pane.inspector.display


async def test_jump_to_the_least_likely_and_next_low_tokens(scripted):
    tokens = [*TOKENS, (" again", math.log(0.02), [(" again", math.log(0.02))])]
    scripted.queue(Reply.sse(stream_of(tokens)))
    app = make_app(scripted)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "q")
        screen = app.main
        await pilot.press("escape", "m")
        assert screen.pane.cursor == 7  # " again", p = 0.02
        assert "␣again" in str(screen.pane.inspector.render())
        await pilot.press("n")
        assert screen.pane.cursor == 2  # wraps around to " sat", the other p < 0.1
        await pilot.press("n")
        assert screen.pane.cursor == 7


async def test_narrow_terminal_shows_the_token_strip_under_the_chat(scripted):
    scripted.queue(Reply.sse(stream_of(TOKENS)))
    app = make_app(scripted)
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, "q")
        await pilot.press("escape", "m")
        await pilot.pause()
        strip = app.main.pane.strip
        assert strip.display and strip.region.height > 0
        assert "␣sat" in str(strip.render()) and "4.00%" in str(strip.render())


async def test_an_answer_without_logprobs_says_so(scripted):
    chunks = stream_of([("Hi", -0.1)])
    for chunk in chunks:
        for choice in chunk.get("choices", []):
            choice.pop("logprobs", None)
    scripted.queue(Reply.sse(chunks))
    app = make_app(scripted)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "q")
        await pilot.press("escape", "t")
        assert app.main.pane.cursor is None
        assert "none returned by the server" in str(app.main.pane.stats.render())
        assert "no logprobs returned" in app.main.chat.views[-1].footer_text


async def test_a_theme_change_recolours_the_heatmap(scripted):
    scripted.queue(Reply.sse(stream_of(TOKENS)))
    app = make_app(scripted)
    async with app.run_test(size=(160, 48)) as pilot:
        await send(pilot, "q")
        await pilot.press("f5")
        before = styles_of(app)[0][2].background
        app.theme = "textual-light"
        await pilot.pause()
        after = styles_of(app)[0][2].background
        assert before != after
        palette = app.main.pane.palette
        assert after in [s.background for s in (*palette.levels, *palette.low_levels)]


def _llamacpp_row(token: str, logprob: float, token_id: int) -> dict:
    """A row in llama.cpp's key order: id, token, bytes, then logprob and the alternatives."""
    data = list(token.encode())
    top = [{"id": token_id, "token": token, "bytes": data, "logprob": logprob}]
    return {"id": token_id, "token": token, "bytes": data, "logprob": logprob, "top_logprobs": top}


async def test_the_raw_json_shows_token_and_logprob_first_and_scrolls_sideways(scripted):
    words = [("Tokyo", -0.1), (" is", -0.2), (" big", -1.5)]
    chunks = [chat_chunk(role=True, content="")]
    for i, (word, logprob) in enumerate(words):
        chunks.append(chat_chunk(content=word, rows=[_llamacpp_row(word, logprob, 100 + i)]))
    chunks.append(chat_chunk(finish="stop"))
    scripted.queue(Reply.sse(chunks))
    app = make_app(scripted)
    async with app.run_test(size=(120, 30)) as pilot:
        await send(pilot, "q")
        json_view = app.main.pane.json_view
        shown = [json_view.render_line(y).text for y in range(json_view.size.height)]
        rows = [line for line in shown if '"token": "Tokyo' in line]
        assert rows and all(line.lstrip().startswith('{"token": ') for line in rows)
        assert all('"logprob": -0.1' in line for line in rows), rows  # in sight at 120 columns
        await pilot.press("f9")
        assert json_view.has_focus and json_view.scroll_x == 0
        assert json_view.virtual_size.width > json_view.scrollable_content_region.width
        await pilot.press("right", "right", "right")
        await pilot.pause()
        assert json_view.scroll_x > 0  # the end of a long row is reachable
