"""Small host apps for widget tests (oterm's pattern): the widget alone, with the app's own
layout CSS, fed by fake hooks instead of a server; messages recorded with Textual's message
hook (harlequin's pattern)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.message import Message
from textual.widget import Widget

from tests.app.support import fake_clock
from tests.support.scripted_server import token_row
from tui.core.answer import AnswerBuilder
from tui.core.conversation import Turn
from tui.core.errors import LogprobChatError
from tui.core.wire.events import Finished, StreamEvent, TextDelta, TokensReceived
from tui.core.wire.normalise import normalise_row
from tui.core.wire.records import TokenRecord

LAYOUT_CSS = Path(__file__).resolve().parents[3] / "tui/app/screens/answer_layout.tcss"


class WidgetHost(App[None]):
    """Composes ``widgets`` under the app's layout CSS (``#log`` streams, ``#pane``…)."""

    CSS_PATH = LAYOUT_CSS

    def __init__(self, *widgets: Widget) -> None:
        super().__init__()
        self.widgets = widgets

    def compose(self) -> ComposeResult:
        yield from self.widgets


class Recorder(list[Message]):
    """Pass ``recorder`` as ``run_test(message_hook=recorder)``; ``of(Type)`` lists what was
    posted, once each (the hook sees a bubbling message at every node it reaches)."""

    def __call__(self, message: Message) -> None:
        if not any(message is seen for seen in self):
            self.append(message)

    def of(self, *kinds: type[Message]) -> list[Any]:
        return [m for m in self if isinstance(m, kinds)]


def tokens(texts: Iterable[tuple[str, float]], start: int = 0) -> TokensReceived:
    """A ``TokensReceived`` event for these (text, logprob) rows, numbered from ``start``."""
    rows = [token_row(text, lp) for text, lp in texts]
    records: list[TokenRecord] = []
    for i, row in enumerate(rows):
        record = normalise_row(row, start + i, "answer", 5)
        record.text = row["token"]
        records.append(record)
    return TokensReceived(records, rows)


class FakeHooks:
    """:class:`~tui.app.widgets.answer_stream.TurnHooks` over a queue the test feeds
    (``send``; ``end`` finishes the stream). ``calls`` records every hook in order.
    ``recovery``: an ``async (turn, on_progress) -> RecoveryResult`` to run after a complete
    answer (none: nothing is recovered)."""

    def __init__(self, recovery: Any = None) -> None:
        self.queue: asyncio.Queue[StreamEvent | None] = asyncio.Queue()
        self.calls: list[tuple[str, Any]] = []
        self.recovery = recovery

    def send(self, *events: StreamEvent) -> None:
        for event in events:
            self.queue.put_nowait(event)

    def say(self, text: str, logprob: float, index: int) -> None:
        """One token of answer text."""
        self.send(TextDelta(text), tokens([(text, logprob)], index))

    def end(self) -> None:
        self.send(Finished("stop"))
        self.queue.put_nowait(None)

    def siblings(self, turn: Turn) -> list[Turn]:
        return [turn]  # (one path: the sibling tests run the real driver)

    def sibling_position(self, turn: Turn) -> tuple[int, int]:
        return 1, 1

    def select(self, turn: Turn) -> list[Turn]:
        return [turn]

    def new_builder(self, turn: Turn | None = None) -> AnswerBuilder:
        if turn is not None and turn.prefill is not None:
            return turn.new_builder(clock=fake_clock())
        return AnswerBuilder(clock=fake_clock())

    def asked(self, turn: Turn) -> None:
        self.calls.append(("asked", turn.question))

    async def open(self, turn: Turn) -> AsyncIterator[StreamEvent]:
        self.calls.append(("open", turn.question))
        return self._events()

    async def _events(self) -> AsyncIterator[StreamEvent]:
        while (event := await self.queue.get()) is not None:
            yield event

    def started(self, turn: Turn) -> None:
        self.calls.append(("started", turn.question))

    def reading(self) -> None:
        pass

    def rows_added(self, rows: int) -> None:
        pass

    def progress(self, turn: Turn, builder: AnswerBuilder) -> None:
        self.calls.append(("progress", len(builder.answer.tokens)))

    def finished(self, turn: Turn, streamed: bool) -> None:
        assert turn.answer is not None
        self.calls.append(("finished", (turn.answer.status, streamed)))

    def error_text(self, error: LogprobChatError) -> str:
        return str(error)

    def can_recover(self, turn: Turn) -> bool:
        return self.recovery is not None

    async def recover(self, turn: Turn, on_progress: Any) -> Any:
        self.calls.append(("recover", turn.question))
        return await self.recovery(turn, on_progress)

    def recovered(self, turn: Turn) -> None:
        self.calls.append(("recovered", len(turn.answer.tokens) if turn.answer else None))
