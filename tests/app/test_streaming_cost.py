"""A long answer streams as blocks: finished blocks are never rebuilt while it streams, and
the raw JSON viewer formats only the lines on screen."""

from __future__ import annotations

import collections
import math

from tests.app.support import make_app, send
from tests.support.scripted_server import Pause, Reply, stream_of
from tui.app.text import json_lines
from tui.app.widgets.track_view import TrackView


def long_answer(n: int) -> list[tuple[str, float, list[tuple[str, float]]]]:
    tokens = []
    for i in range(n):
        text = "\n\n" if i % 40 == 39 else f" word{i % 50}"
        lp = math.log(0.3 + 0.6 * ((i * 7) % 10) / 10)
        tokens.append((text, lp, [(text, lp)] + [(f" alt{j}", math.log(0.01)) for j in range(9)]))
    return tokens


async def test_finished_blocks_are_never_rebuilt_while_streaming(scripted, monkeypatch):
    tokens = long_answer(1200)
    chunks = stream_of(tokens)
    # Pauses make the answer arrive over many repaint ticks.
    paced = []
    for i, chunk in enumerate(chunks):
        paced.append(chunk)
        if i % 100 == 99:
            paced.append(Pause(0.08))
    scripted.queue(Reply.sse(paced))
    # Every build of each block of the answer: its text and spans, as built.
    built: collections.defaultdict[int, list[tuple]] = collections.defaultdict(list)
    original = TrackView.block_content

    def counting(self, index):
        content = original(self, index)
        if "answer-text" in self.classes:
            spans = tuple((span.start, span.end, span.style) for span in content.spans)
            built[index].append((content.plain, spans))
        return content

    monkeypatch.setattr(TrackView, "block_content", counting)
    formatted: list[int] = []
    real_format = json_lines.format_row
    monkeypatch.setattr(
        json_lines, "format_row", lambda row: formatted.append(1) or real_format(row)
    )
    app = make_app(scripted)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("f5")  # heatmap on: the costly case
        await send(pilot, "go")
        view = app.main.chat.views[-1]
        assert len(view.tokens) == 1200
        blocks = view.text_view.track.block_count()
        assert blocks >= 8
        # Blocks are built when drawn: one that scrolled past unseen (a busy machine's big
        # ticks) is built when the log is scrolled back to it, once.
        log = app.main.chat
        log.scroll_home(animate=False)
        while True:
            await pilot.pause()
            if log.scroll_y >= log.max_scroll_y:
                break
            log.scroll_page_down(animate=False)
        # A block is rebuilt while it grows or gets colours; once built with its final text
        # and colours, never again (whatever the timing of the stream and the repaints).
        track_view = view.text_view
        for i in range(blocks):
            content = original(track_view, i)
            final = (content.plain, tuple((s.start, s.end, s.style) for s in content.spans))
            assert built[i].count(final) == 1, (i, len(built[i]))
        assert max(len(built[i]) for i in range(blocks - 1)) > 1  # the check did see growth
        # The JSON document has 1200 rows × 12 lines; only what was on screen was formatted.
        assert app.main.pane.json_view.doc.line_count == 2 + 1200 * 12
        assert len(formatted) < 200
