"""Keys typed in a burst apply in order, each to the widget that has the focus once the key
before it has been handled.

Why Textual alone does not: the app reads a key and hands it to the focused widget's own
message queue, then reads the next one at once. A key that widget does not handle travels
back up through its parents' queues to the app, which only then runs its binding; meanwhile
the widget has already taken the next keys. And ``Widget.focus()`` moves the focus later (a
callback queued behind the keys already read). So ``F8 k`` typed ``k`` into the input bar (F8
moves the focus to the chat log, too late), and ``a3 ctrl+j b3 ctrl+j`` in the input bar came
out ``a3b3⏎⏎`` (ctrl+j is a binding, run at the app after ``b3`` was typed).

:class:`OrderedKeys` lets one key through at a time. After handing a key on, it sends a
:class:`KeyDone` marker the same way: to the widget the key went to, from where it bubbles up
behind the key (a message queue keeps its order, and a key that is not handled bubbles up the
same parents first), or to the app itself when the app handled the key (a priority binding),
behind what that binding queued. What a key does can take more steps (Enter in a field posts
``Submitted``, which closes a dialog, which hands the focus back…): while the queues between
the focused widget and the app still hold messages when the marker arrives, it goes round
again from the focused widget, at most :data:`MAX_LAPS` times. Then the next key is let
through. A marker that never comes back (its widget was removed meanwhile) is given up after
:data:`KEY_DONE_TIMEOUT`.
"""

from __future__ import annotations

import time
from collections import deque

from textual import events
from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump
from textual.timer import Timer
from textual.widget import Widget

KEY_DONE_TIMEOUT = 0.25
"""Seconds between looks at a key whose marker has not come back: while the widget holding
the marker is still there, the marker will come (a busy machine is slow, not lost) and the
next keys keep waiting, up to :data:`KEY_DONE_LIMIT`; a marker whose widget was removed is
given up at once."""
KEY_DONE_LIMIT = 2.0
"""Seconds after which a key no longer holds the next ones, whatever holds its marker."""
MAX_LAPS = 6
"""Rounds a marker makes while the focus path is still busy (a few steps of consequences;
bounded, since a streaming answer keeps the app's queue busy)."""


class KeyDone(Message):
    """Comes back to the app behind a key: what the key did has been done."""

    def __init__(self, serial: int, lap: int = 0) -> None:
        super().__init__()
        self.serial = serial
        self.lap = lap


class OrderedKeys(App):  # type: ignore[type-arg]
    """A mixin for the app (see the module docstring): put it before ``App`` in the bases."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._held_keys: deque[events.Key] = deque()
        self._key_serial = 0
        self._key_in_flight: int | None = None  # the serial of the key let through
        self._key_timer: Timer | None = None
        self._marker_holder: MessagePump | None = None  # where the marker in flight waits
        self._key_sent_at = 0.0  # time.monotonic() when the key in flight was let through

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key) or event.is_forwarded:
            await super().on_event(event)
            return
        if self._key_in_flight is not None:
            self._held_keys.append(event)
            return
        await self._let_through(event)

    async def _let_through(self, event: events.Key) -> None:
        self._key_serial += 1
        serial = self._key_in_flight = self._key_serial
        target = self.focused or (self.screen if self._screen_stack else None)
        await super().on_event(event)
        done = KeyDone(serial)
        if event.is_forwarded and target is not None and target.is_attached:
            target.post_message(done)  # behind the key, up the same parents
            self._marker_holder = target
        else:
            self.post_message(done)  # handled here: behind what the binding queued
            self._marker_holder = self
        self._key_sent_at = time.monotonic()
        self._key_timer = self.set_timer(KEY_DONE_TIMEOUT, lambda: self._overdue(serial))

    async def _overdue(self, serial: int) -> None:
        """The marker of key ``serial`` is late: wait on while it can still come."""
        if serial != self._key_in_flight:
            return
        holder = self._marker_holder
        alive = holder is self or (isinstance(holder, Widget) and holder.is_attached)
        if alive and time.monotonic() - self._key_sent_at < KEY_DONE_LIMIT:
            self._key_timer = self.set_timer(KEY_DONE_TIMEOUT, lambda: self._overdue(serial))
            return
        await self._release(serial)

    async def on_key_done(self, message: KeyDone) -> None:
        message.stop()
        if message.serial != self._key_in_flight:
            return
        if message.lap < MAX_LAPS and self._focus_path_busy():
            lap = KeyDone(message.serial, message.lap + 1)
            focused = self.focused
            holder = focused if focused is not None and focused.is_attached else self
            holder.post_message(lap)
            self._marker_holder = holder
            return
        await self._release(message.serial)

    def _focus_path_busy(self) -> bool:
        """Messages wait somewhere between the focused widget and the app."""
        nodes: list[MessagePump] = [self]
        if not self._screen_stack:
            return False  # the app is closing: no screen, nothing focused (``focused`` raises)
        screen = self.screen
        nodes.append(screen)
        node = self.focused
        while node is not None and node is not screen:
            nodes.append(node)
            node = node.parent  # type: ignore[assignment]
        # (a pump that peeked at its next message holds it in ``_pending_message``)
        return any(
            not pump._message_queue.empty() or pump._pending_message is not None for pump in nodes
        )

    async def _release(self, serial: int) -> None:
        if serial != self._key_in_flight:
            return  # an old marker (timed out earlier), or one already handled
        self._key_in_flight = None
        if self._key_timer is not None:
            self._key_timer.stop()
            self._key_timer = None
        if self._held_keys:
            await self._let_through(self._held_keys.popleft())
