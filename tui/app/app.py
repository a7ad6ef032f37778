"""The Textual application: opens the backend, owns the session, copies to the clipboard.

Start-up paints the screen first, then opens the backend in a thread worker (starting the
embedded engine takes about a second); a question typed meanwhile is sent when it is ready.
Quitting (ctrl+q) stops the generation, closes the HTTP client and stops the engine.

Everything the app would otherwise reach for on its own can be injected, for tests and for
other front ends: an open ``backend`` (or a ``backend_factory``), the ``clock`` answers are
timed with, the ``wall_clock`` the history is dated with, the preset store, the modal screens,
whether to try a local clipboard, the settings file (``config``).

History (:mod:`tui.app.history`): every turn is recorded in ``data_dir``'s history file; the
last conversation is reopened at start unless ``new_conversation``; ``given_options`` names the
options typed on the command line, which win over the reopened conversation's settings.

Every notification is also kept for the messages screen (ctrl+l: :mod:`tui.app.notices`),
with the file it names for saves and exports. The heatmap follows the terminal's colours
(:mod:`tui.app.colours`); ``round_colours`` also rounds every colour on screen to a
16-colour terminal's, as its output will be (for snapshots and screenshots).

The app never calls into its screens: it tells the chat screen what happened with the
messages of :mod:`tui.app.messages` (:meth:`LogprobChatApp.tell_chat`), and handles the ones
widgets send up to it (copy, save, open a comparison sample). Questions are asked through
:class:`~tui.app.turn_driver.TurnDriver` (``turns``), the chat log's link to the session.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Collection
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import App

from tui.app.clipboard import OSC52_MAX_BYTES, copy_note, export_path, local_clipboard_available
from tui.app.colours import SixteenColours, colour_mode
from tui.app.gc_policy import GcPolicy
from tui.app.history import HistoryLink
from tui.app.key_order import OrderedKeys
from tui.app.messages import (
    BackendFailed,
    BackendReady,
    CopyRequested,
    Note,
    SampleChosen,
    SaveRequested,
    SessionChanged,
    ToChat,
)
from tui.app.modals import Modals
from tui.app.notices import NoticeLog
from tui.app.screens.main import MainScreen
from tui.app.screens.sample import SampleScreen
from tui.app.session import ChatSession
from tui.app.turn_driver import TurnDriver
from tui.app.turn_events import TurnEvents
from tui.app.ui_config import UiSettings
from tui.core import jsonio
from tui.core.backend import Backend, BackendOptions, open_backend, resolve_model
from tui.core.config import AppConfig
from tui.core.crash import crash_report
from tui.core.errors import LogprobChatError, one_line
from tui.core.paths import data_dir as default_data_dir
from tui.core.presets import PresetStore, write_private
from tui.core.recall import Recall
from tui.core.recovery import recover
from tui.core.settings import Sampling
from tui.core.store import history_path
from tui.core.terminal import terminal_gone
from tui.core.wire.client import ChatClient

TERMINAL_CHECK_INTERVAL = 0.5
"""Seconds between checks that the terminal is still there (see ``tui.core.terminal``)."""

HANGUP_EXIT_CODE = 129
"""The exit code after the terminal went away: 128 + SIGHUP, what a shell reports for a
program the hang-up ended (here it ended itself, its answers saved)."""

FIRST_PAINT_GRACE = 0.15
"""Seconds between the first refresh and the engine start: time for Textual's writer thread
to put the first frame on the terminal before the model load takes the GIL."""


class LogprobChatApp(OrderedKeys, App[int]):
    TITLE = "logprob-chat"
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        *,
        options: BackendOptions | None = None,
        backend: Backend | None = None,
        backend_factory: Callable[[], Backend] | None = None,
        sampling: Sampling | None = None,
        system_prompt: str = "",
        preset: str | None = None,
        presets: PresetStore | None = None,
        clock: Callable[[], float] = time.monotonic,
        modals: Modals | None = None,
        local_clipboard: bool | None = None,
        cursor_blink: bool = True,
        stream: bool = True,
        data_dir: Path | None = None,
        gc_policy: GcPolicy | None = None,
        config: AppConfig | None = None,
        new_conversation: bool = False,
        given_options: Collection[str] = (),
        wall_clock: Callable[[], float] = time.time,
        recovery: Callable[..., Any] = recover,
        round_colours: bool = False,
    ) -> None:
        super().__init__()
        self.notices = NoticeLog()
        self.colour_mode = colour_mode(self)
        # Rich rounds every colour when it writes to a 16-colour terminal; doing it on screen
        # too costs a filter over every line drawn (~1 ms a full 160×48 frame), for nothing
        # the person would see.
        sixteen = round_colours and self.colour_mode == "16"
        self._sixteen = SixteenColours() if sixteen else None
        self.recovery = recovery  # tui.core.recovery.recover, or a test's stand-in
        self.options = options or BackendOptions()
        self.session = ChatSession(
            sampling=sampling or Sampling(),
            system_prompt=system_prompt,
            preset=preset,
            embedded=(backend.engine is not None) if backend else self.options.embedded,
        )
        self._given_backend = backend
        self._backend_factory = backend_factory or (lambda: open_backend(self.options))
        self.presets = presets if presets is not None else PresetStore()
        self.clock = clock
        self.modals = modals or Modals()
        self.local_clipboard = (
            local_clipboard_available() if local_clipboard is None else local_clipboard
        )
        self.cursor_blink = cursor_blink
        self.stream = stream
        self.data_dir = data_dir or default_data_dir()
        self._shutting_down = False
        self._scorer: Any = None  # tui.core.score.Scorer, made when first asked for
        self.gc_policy = gc_policy or GcPolicy()
        self.turn_events = TurnEvents(self._listener_failed)
        self.turns = TurnDriver(self)
        self.last_export: Path | None = None
        self.ui_settings = UiSettings(config)
        self.wall_clock = wall_clock
        self.history = HistoryLink(
            self,
            history_path(self.data_dir),
            new=new_conversation,
            given=given_options,
            clock=wall_clock,
        )
        self.turn_events.add(self.history)
        # ↑ in an empty field: earlier questions (the input, F12), system prompts (F2).
        self.question_recall = Recall()
        self.prompt_recall = Recall()
        self.compare_draft: Any = None  # the compare form as F12 left it (a CompareDraft)

    @property
    def low_prob_threshold(self) -> float:
        """τ for new answers and the heatmap (``[ui] low_prob_threshold``)."""
        return self.ui_settings.low_prob_threshold

    @property
    def keymap(self) -> dict[str, str]:
        return self.ui_settings.keymap

    @property
    def main(self) -> MainScreen:
        """The chat screen (for tests and tools that look at it; the app itself only posts
        messages to it)."""
        return self._main

    def get_line_filters(self) -> Any:
        filters = super().get_line_filters()
        return filters if self._sixteen is None else [*filters, self._sixteen]

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: Any = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a notification and keep it for the messages screen (ctrl+l)."""
        self.notices.add(message, self.wall_clock(), str(severity))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def action_messages(self) -> None:
        """ctrl+l: every notice of this session, newest first, with the files they name."""
        from tui.app.screens.messages import MessagesScreen

        if not isinstance(self.screen, MessagesScreen):
            self.push_screen(MessagesScreen(self.notices.entries))

    def tell_chat(self, message: ToChat) -> None:
        """Deliver an app-level message to the chat screen (it handles it whether or not
        another screen is on top of it)."""
        self._main.post_message(message)

    def on_mount(self) -> None:
        self.ui_settings.apply(self)
        self._main = MainScreen()
        self.push_screen(self._main)
        stdin = sys.__stdin__
        if not self.is_headless and stdin is not None:
            # With SIGHUP ignored (nohup), nothing else ends the app when its terminal goes.
            fd = stdin.fileno()
            self.set_interval(TERMINAL_CHECK_INTERVAL, lambda: self._check_terminal(fd))

    async def _check_terminal(self, fd: int) -> None:
        if self._shutting_down or not terminal_gone(fd):
            return
        await self.shutdown()  # the answer being written is kept (stopped), the file closed
        # Leave without Textual's exit: its writer thread died on the first write to the gone
        # terminal (EIO), its queue fills up, and restoring the terminal at exit would then
        # block forever (seen: a process idle at 0 % CPU, never ending). Everything of ours
        # is saved and closed above; there is no terminal left to restore.
        os._exit(HANGUP_EXIT_CODE)

    def watch_theme(self, theme: str) -> None:
        self.ui_settings.theme_changed(self, theme)

    def main_screen_ready(self) -> None:
        """Called by the main screen once it is mounted: now open the backend."""
        # Textual's long-lived objects, out of collections: a full pass (~20 ms), once the
        # first screen is painted, not before it.
        self.call_after_refresh(self.gc_policy.settle, full=True)
        self.ui_settings.report_problems(self)
        self.history.start()
        if self.presets.problem:
            self.tell_chat(Note(self.presets.problem, kind="error"))
        if self._given_backend is not None:
            self._backend_opened(self._given_backend)
        else:
            # Loading the embedded model holds the GIL for its whole duration (xllamacpp's
            # Server constructor does not release it: measured 1–6 s without a single Python
            # bytecode running elsewhere), so even a thread worker freezes the screen. Start
            # it only once the first frame is painted and written out, so the person sees
            # "starting built-in model…" instead of a blank terminal; keys typed meanwhile
            # are buffered by the terminal and handled when the load ends.
            self.call_after_refresh(self.set_timer, FIRST_PAINT_GRACE, self._open_backend)

    @property
    def turn_listeners(self) -> list[Any]:
        """Objects told about each turn as it happens (see :mod:`tui.app.turn_events`)."""
        return self.turn_events.listeners

    def _listener_failed(self, message: str) -> None:
        self.tell_chat(Note(message, kind="error"))

    # ------------------------------------------------------------------ backend

    @work(thread=True, group="backend", exit_on_error=False)
    def _open_backend(self) -> None:
        import httpx  # noqa: F401  (not imported for the first screen: now, off its thread)

        try:
            backend = self._backend_factory()
        except LogprobChatError as exc:
            self._from_thread(self._backend_failed, str(exc))
            return
        except Exception as exc:  # an engine bug must not take the chat down
            self._from_thread(self._backend_failed, one_line(f"{type(exc).__name__}: {exc}"))
            return
        if self._shutting_down or not self._from_thread(self._backend_opened, backend):
            backend.close()  # the app quit while the engine was starting

    def _from_thread(self, callback: Callable[..., Any], *args: Any) -> bool:
        try:
            self.call_from_thread(callback, *args)
        except RuntimeError:  # the app is no longer running
            return False
        return True

    def _backend_opened(self, backend: Backend) -> None:
        if self._shutting_down:
            backend.close()
            return
        session = self.session
        session.backend = backend
        session.embedded = backend.engine is not None
        session.client = ChatClient(backend.connection)
        if backend.connection.model and backend.engine is None and session.model is None:
            # (not over the model of a conversation reopened from the history)
            session.model = backend.connection.model
        self.tell_chat(BackendReady())
        if session.model is None:
            self._resolve_model()

    def _backend_failed(self, message: str) -> None:
        self.session.backend_error = message
        self.tell_chat(BackendFailed(message))

    @work(group="backend", exit_on_error=False)
    async def _resolve_model(self) -> None:
        session = self.session
        if session.backend is None or session.client is None:
            return
        try:
            model = await resolve_model(session.backend, session.client)
        except LogprobChatError as exc:
            self.tell_chat(Note(f"could not ask the server for its models: {exc}", kind="error"))
            return
        if session.model is None:
            session.model = model
        self.tell_chat(SessionChanged())

    # ------------------------------------------------------------------ clipboard

    def copy_to_clipboard(self, text: str) -> None:
        """OSC 52 through the terminal (works over SSH), plus the local clipboard when there
        is one (macOS Terminal has no OSC 52). Used by Textual's own copy keys too."""
        self._copy_local(text)
        super().copy_to_clipboard(text)

    def _copy_local(self, text: str) -> bool:
        if not self.local_clipboard:
            return False
        try:
            import pyperclip

            pyperclip.copy(text)
        except Exception:  # no clipboard tool, no display: OSC 52 is the fallback
            return False
        return True

    def copy_with_note(self, text: str, what: str) -> None:
        """Copy by every route that can take ``text`` and say what happened."""
        size = len(text.encode("utf-8", "replace"))
        local = self._copy_local(text)
        osc52 = size <= OSC52_MAX_BYTES
        if osc52:
            super().copy_to_clipboard(text)
        self.notify(
            copy_note(what, size, osc52=osc52, local=local),
            markup=False,
            severity="information" if osc52 or local else "warning",
        )

    def on_copy_requested(self, message: CopyRequested) -> None:
        self.copy_with_note(message.text, message.what)

    # ------------------------------------------------------------------ files, samples

    def on_save_requested(self, message: SaveRequested) -> None:
        self._save_json(message.raw, message.number)

    @work(thread=True, group="save", exit_on_error=False)
    def _save_json(self, raw: Any, number: int) -> None:
        """Write an answer's raw JSON (tens of MB, formatted off the UI thread) into the
        exports folder, owner-only, under a name that never overwrites."""
        try:
            directory = self.data_dir / "exports"
            directory.mkdir(parents=True, exist_ok=True)
            path = export_path(directory, number, datetime.now())
            write_private(path, jsonio.dumps(raw) + "\n")  # the answer's rows and context
        except OSError as exc:
            self.call_from_thread(
                self.notify,
                f"could not save the JSON: {exc.strerror or exc}",
                markup=False,
                severity="error",
            )
            return
        self.call_from_thread(self.exported, path, f"saved raw JSON to {path}", 10)

    def exported(self, path: Path, note: str, timeout: float = 15) -> None:
        """A file was written: remember it (``last_export``), say where, and keep the path
        in the messages (ctrl+l)."""
        self.last_export = path
        self.notices.add(note, self.wall_clock(), path=path)
        super().notify(note, markup=False, timeout=timeout)

    def on_sample_chosen(self, message: SampleChosen) -> None:
        self.push_screen(SampleScreen(message.turn, message.number, message.title))

    # ------------------------------------------------------------------ scoring

    def scorer(self) -> Any:
        """The :class:`~tui.core.score.Scorer` of the session's connection (``None`` until the
        backend is ready): one per connection, so the server's kind is asked once."""
        from tui.core.score import Scorer  # the score screen's, not needed to start the chat

        session = self.session
        if session.backend is None or session.client is None:
            return None
        connection = session.backend.connection
        if self._scorer is None or self._scorer.connection is not connection:
            self._scorer = Scorer(
                connection,
                model=session.model,
                replicate_slots=session.backend.engine is not None,
            )
        self._scorer.model = session.model or connection.model or ""
        return self._scorer

    def history_url(self) -> str | None:
        """The server as the history keeps it: ``None`` for the built-in engine (a random
        local port), else its address without credentials."""
        backend = self.session.backend
        if backend is None or backend.engine is not None:
            return None
        return backend.connection.safe_url

    # ------------------------------------------------------------------ crash

    def _fatal_error(self) -> None:
        """An unhandled exception ends the app: report it without Textual's local variables
        (the connection and its key, the conversation), redacted and terminal-safe."""
        self.bell()
        error = sys.exc_info()[1] or self._exception
        self._exit_renderables.append(Text(crash_report(error)))
        self._close_messages_no_wait()

    # ------------------------------------------------------------------ shutdown

    async def action_quit(self) -> None:
        await self.shutdown()
        self.exit(0)

    async def shutdown(self) -> None:
        """Stop generating, close the HTTP client and stop the engine (idempotent)."""
        if self._shutting_down:
            return
        self._shutting_down = True
        for worker in list(self.workers):
            if worker.group == "generation":
                worker.cancel()
        session = self.session
        if session.client is not None:
            client, session.client = session.client, None
            await client.aclose()
        if self._scorer is not None:
            scorer, self._scorer = self._scorer, None
            await scorer.aclose()
        await self.history.close()  # the last answer's final write, then the file
        self.close_backend()
        self.gc_policy.release()

    def close_backend(self) -> None:
        backend, self.session.backend = self.session.backend, None
        if backend is not None:
            backend.close()

    async def on_unmount(self) -> None:
        await self.shutdown()
