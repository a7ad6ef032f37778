"""Hooks for code that follows the conversation as it happens (the history store, loggers).

Register an object with any of these methods on ``LogprobChatApp.turn_listeners``; each is
called on the UI thread, so it must be quick (hand blocking work to a thread):

* ``turn_asked(turn)``: a question was added, before its request goes out (the store writes
  the user message here, so it survives whatever happens next);
* ``async before_request(turn)``: the request is about to go out (the model is known); the
  generation worker awaits it (the store writes the answer's parameters here, so they are in
  the file before the first token). Keep it short: the request waits for it;
* ``turn_progress(turn, builder)``: an answer is streaming; called at most ``FLUSH_HZ`` times a
  second with the live :class:`~tui.core.answer.AnswerBuilder` (partial text, tokens, raw rows;
  a store checkpoints here, at its own pace);
* ``turn_finished(turn)``: ``turn.answer`` is final (complete, stopped or error);
* ``turn_recovered(turn)``: ``turn.answer`` was replaced by its recovered form (llama.cpp's
  hidden tokens measured after it ended; same text, more entries), after ``turn_finished``.

A listener that raises does not stop the chat: the error is shown once in the chat as a
one-line note and the listener is dropped (the chat keeps working in memory).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tui.core.errors import one_line


class TurnEvents:
    """Fan-out of turn events to listeners, each failure reported once."""

    def __init__(self, report: Callable[[str], None]) -> None:
        self.listeners: list[Any] = []
        self._report = report

    def add(self, listener: Any) -> None:
        self.listeners.append(listener)

    def emit(self, name: str, *args: Any) -> None:
        for listener in list(self.listeners):
            method = getattr(listener, name, None)
            if method is None:
                continue
            try:
                method(*args)
            except Exception as exc:  # a broken store must not break the chat
                self._drop(listener, exc)

    async def before_request(self, turn: Any) -> None:
        """Await every listener's ``before_request(turn)`` in order (failures as in emit)."""
        for listener in list(self.listeners):
            method = getattr(listener, "before_request", None)
            if method is None:
                continue
            try:
                await method(turn)
            except Exception as exc:
                self._drop(listener, exc)

    def _drop(self, listener: Any, exc: Exception) -> None:
        if listener in self.listeners:
            self.listeners.remove(listener)
        label = type(listener).__name__
        self._report(f"{label} stopped working: {one_line(f'{type(exc).__name__}: {exc}')}")
