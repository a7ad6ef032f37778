"""The main screen: chat log, input bar, side pane (stats, token inspector, raw JSON).

Data flow while an answer streams::

    ChatClient.chat()  --events-->  _generate (async worker)
        builder.apply(event)          (AnswerBuilder: tokens, raw rows, running metrics)
        LiveFeed.text/.reasoning      (new text pieces, appended in O(1))
    _flush (timer, FLUSH_HZ)  --reads-->  LiveFeed + builder
        AnswerView.feed(new text, new tokens)   → TextTrack → repaint dirty blocks only
        footer / stats pane / JSON viewer       → O(1) or O(new rows)

The worker never touches widgets per chunk; the timer batches everything it finds, so the
repaint rate is bounded whatever the server's speed. When the stream ends (complete, stopped
with Esc, or failed) the worker's ``finally`` does a last flush and freezes the answer.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Region
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static

from tui.app.actions import bindings_for
from tui.app.commands import MainCommands
from tui.app.screens.compare_action import CompareActionMixin
from tui.app.screens.copy_actions import CopyActionsMixin
from tui.app.screens.dialogs import DialogActionsMixin
from tui.app.screens.earlier_answers import EarlierAnswersMixin
from tui.app.screens.history_actions import HistoryActionsMixin
from tui.app.screens.token_cursor import TokenCursorMixin
from tui.app.session import ChatSession
from tui.app.text.heat import HeatPalette
from tui.app.widgets.answer import AnswerView, SystemLine, update_static
from tui.app.widgets.chat_log import ChatLog
from tui.app.widgets.json_view import JsonView
from tui.app.widgets.prompt_input import PromptInput
from tui.app.widgets.side_pane import HeatLegend, StatsView, TokenInspector, TokenStrip
from tui.app.widgets.status_line import StatusLine
from tui.core.answer import AnswerBuilder, Status
from tui.core.backend import resolve_model
from tui.core.conversation import Turn
from tui.core.errors import LogprobChatError, context_full_message, is_context_full, one_line
from tui.core.report import answer_rows, metric_rows
from tui.core.wire.client import ChatRequest
from tui.core.wire.events import ReasoningDelta, TextDelta

if TYPE_CHECKING:
    from tui.app.app import LogprobChatApp

FLUSH_HZ = 25
"""Repaints per second while streaming: smooth to the eye, bounded cost per second."""

FAST_ROWS_PER_FLUSH = 100
"""Rows per repaint above which repaints thin out: the ticks after a repaint carrying
``k × FAST_ROWS_PER_FLUSH`` rows are let pass, up to ``MAX_SKIPPED_TICKS`` (a stream of
2,500+ tokens/s is repainted 12.5 times a second, 5,000+ about 8 times). Nobody reads that
fast, and each repaint costs 10–20 ms of layout and rendering at 160×48 (``tests/bench``,
case 2): at 25 a second the screen alone took more time than reading the stream."""
MAX_SKIPPED_TICKS = 2


def ticks_to_skip(rows: int) -> int:
    """Repaint ticks to let pass after a repaint that carried ``rows`` new rows:
    ``min(MAX_SKIPPED_TICKS, rows // FAST_ROWS_PER_FLUSH)``."""
    return min(MAX_SKIPPED_TICKS, rows // FAST_ROWS_PER_FLUSH)


CONTEXT_FULL_REMEDY = (
    "start a new one (ctrl+p → New conversation, or F6 then ctrl+n); this one stays in the history"
)
"""Said after a server's "context exceeded" error (see ``context_full_message``): every later
question in this conversation would fail the same way."""

YIELD_AFTER = 0.005
"""Seconds the generation worker may keep the event loop before letting others run."""

CURSOR_MOVES = frozenset({"cursor_left", "cursor_right", "cursor_first", "cursor_last"})


@dataclass
class LiveFeed:
    """What the worker has received and the timer has not shown yet."""

    turn: Turn
    view: AnswerView
    builder: AnswerBuilder
    text: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    seen: int = 0  # tokens of builder.answer.tokens already handed to the view
    skip: int = 0  # ticks to let pass: the last repaint carried a flood of rows


class MainScreen(
    EarlierAnswersMixin,
    TokenCursorMixin,
    DialogActionsMixin,
    CopyActionsMixin,
    HistoryActionsMixin,
    CompareActionMixin,
    Screen[None],
):
    CSS_PATH = "main.tcss"
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [
        (0, "-narrow"),
        (100, "-wide"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = bindings_for("screen")
    COMMANDS: ClassVar[set[Any]] = {MainCommands}
    AUTO_FOCUS = "#input"

    def __init__(self) -> None:
        super().__init__()
        self.views: list[AnswerView] = []
        self.selected: int | None = None
        self.cursor: int | None = None
        self.heat_on = False
        self.palette: HeatPalette | None = None
        self._live: LiveFeed | None = None
        self._waiting: tuple[Turn, AnswerView] | None = None

    @property
    def chat_app(self) -> LogprobChatApp:
        return self.app  # type: ignore[return-value]

    @property
    def session(self) -> ChatSession:
        return self.chat_app.session

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with Horizontal(id="body"):
            with Vertical(id="chat-area"):
                yield ChatLog(id="log")
                yield TokenStrip(id="token-strip", markup=False)
            with Vertical(id="pane"):
                with VerticalScroll(id="pane-top"):
                    yield TokenInspector(id="inspector", markup=False)
                    yield HeatLegend(id="legend", markup=False)
                    yield StatsView(Content("No answer yet."), id="stats", markup=False)
                yield Static(Content("raw logprobs"), id="json-title", markup=False)
                yield JsonView(id="json")
        yield PromptInput(id="input")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.log_view = self.query_one(ChatLog)
        self.input = self.query_one(PromptInput)
        self.json_view = self.query_one(JsonView)
        self.stats = self.query_one(StatsView)
        self.inspector = self.query_one(TokenInspector)
        self.legend = self.query_one(HeatLegend)
        self.strip = self.query_one(TokenStrip)
        self.status = self.query_one(StatusLine)
        self.log_view.anchor()
        if not self.chat_app.cursor_blink:
            self.input.cursor_blink = False
        self._build_palette()
        if self.chat_app.ui_settings.heatmap:
            self.action_toggle_heatmap()  # [ui] heatmap = true: on from the start
        self.watch(self.app, "theme", self._theme_changed, init=False)
        self.watch(self.log_view, "scroll_y", self._log_scrolled, init=False)
        self._ticker = self.set_interval(1 / FLUSH_HZ, self._flush, pause=True)
        self.input.placeholder = self._placeholder()
        self.update_status()
        self.input.focus()
        self.chat_app.main_screen_ready()

    # ------------------------------------------------------------------ status

    def update_status(self) -> None:
        s = self.session
        self.status.show(
            preset=s.preset,
            system_prompt=s.system_prompt,
            model=s.model_label,
            sampling=s.sampling,
        )

    def _placeholder(self) -> str:
        s = self.session
        if s.backend_error is not None:
            return "no model available (see the message above)"
        if not s.ready:
            return f"{s.model_label} — you can type already; it is sent when the model is ready"
        return "Ask a question…"

    def backend_ready(self) -> None:
        """The app opened the backend: show its name, send a question typed meanwhile."""
        self.update_status()
        self.input.placeholder = self._placeholder()
        for note in self.session.backend.notes if self.session.backend else []:
            self.system_note(note)
        if self._waiting is not None:
            turn, view = self._waiting
            self._waiting = None
            self._start(turn, view)

    def backend_failed(self, message: str) -> None:
        self.system_note(message, kind="error")
        self.update_status()
        self.input.placeholder = self._placeholder()
        if self._waiting is not None:
            turn, view = self._waiting
            self._waiting = None
            self._fail_turn(turn, view, f"no model is available: {message}")

    def system_note(self, message: str, *, kind: str = "note") -> None:
        self._append(SystemLine(message, kind=kind))

    def _append(self, *widgets: Widget) -> None:
        """Add widgets at the end of the log, after the pending layout has been done.

        Why not at once: the log's stream layout re-measures only the children it was told
        changed, and a height change deep inside an earlier answer (its footer growing when
        it ends) is not reported to it when a new child arrives in the same layout pass
        (Textual 8.2.8, ``Screen._on_layout``): the earlier answer would keep its old height
        and be clipped. One frame later its change has been laid out.
        """
        self.call_after_refresh(self.log_view.mount_all, widgets)

    # ------------------------------------------------------------------ sending

    def on_prompt_input_submitted(self, message: PromptInput.Submitted) -> None:
        text = message.text
        if not text.strip():
            self.notify("Type a question first.", markup=False)
            return
        if self._live is not None or self._waiting is not None:
            self.notify("An answer is still coming: Esc stops it. Your text is kept.", markup=False)
            return
        message.input.clear()
        s = self.session
        turn = s.conversation.ask(
            text,
            system_prompt=s.system_prompt,
            preset=s.preset,
            sampling=s.sampling,
            model=s.model or "",
            base_url=s.backend.connection.safe_url if s.backend else "",
        )
        view = self._add_turn(turn)
        self.chat_app.turn_events.emit("turn_asked", turn)
        self.log_view.anchor()
        self._select(len(self.views) - 1)
        if s.ready:
            self._start(turn, view)
        elif s.backend_error is not None:
            self._fail_turn(turn, view, f"no model is available: {s.backend_error}")
        else:
            self._waiting = (turn, view)
            self.refresh_bindings()

    def _new_view(self, turn: Turn) -> AnswerView:
        view = AnswerView(turn, len(self.views) + 1)
        if self.heat_on:
            view.set_heat(self.palette)
        self.views.append(view)
        return view

    def _add_turn(self, turn: Turn) -> AnswerView:
        view = self._new_view(turn)
        self._append(*self._exchange(view))
        return view

    def show_turns(self, turns: list[Turn]) -> None:
        """Show finished turns (a conversation reopened from the store): the latest at once,
        earlier ones when scrolled to (see :mod:`tui.app.screens.earlier_answers`)."""
        self._mount_recent([self._new_view(turn) for turn in turns])
        if self.views:
            self._select(len(self.views) - 1)

    @property
    def busy(self) -> bool:
        """An answer is streaming or waiting for the model."""
        return self._live is not None or self._waiting is not None

    def clear_conversation(self) -> None:
        """Empty the chat log and the pane (before showing another conversation; never while
        an answer streams, see ``busy``)."""
        if self.cursor is not None:
            self._set_cursor(None)
        self.views.clear()
        self.selected = None
        self.log_view.remove_children()
        self._forget_earlier()
        self.stats.show("No answer yet.", [])
        self.json_view.show(None)
        self._update_json_title(0)
        self.refresh_bindings()

    def _fail_turn(self, turn: Turn, view: AnswerView, message: str) -> None:
        answer = AnswerBuilder(clock=self.chat_app.clock).finish("error", message)
        turn.answer = answer
        view.finish(answer)
        self.chat_app.turn_events.emit("turn_finished", turn)
        self.refresh_bindings()
        if self._selected_view() is view:
            self._show_selected()

    def _start(self, turn: Turn, view: AnswerView) -> None:
        app = self.chat_app
        builder = AnswerBuilder(clock=app.clock, threshold=app.low_prob_threshold)
        turn.live = builder
        self._live = LiveFeed(turn, view, builder)
        view.show_live(None)
        if self._selected_view() is view:
            self._show_selected()
        self._ticker.resume()
        self.chat_app.gc_policy.stream_started()
        self.refresh_bindings()
        self._generate(self._live)

    @work(exclusive=True, group="generation", exit_on_error=False)
    async def _generate(self, live: LiveFeed) -> None:
        session = self.session
        builder = live.builder
        turn = live.turn
        status: Status = "complete"
        error: str | None = None
        try:
            client = session.client
            if session.model is None:
                session.model = await resolve_model(session.backend, client)
                self.update_status()
            turn.model = session.model
            await self.chat_app.turn_events.before_request(turn)  # the store writes it first
            messages = session.conversation.messages_for_request(turn.system_prompt, upto=turn)
            request = ChatRequest(messages, turn.model, turn.sampling, stream=self.chat_app.stream)
            text, reasoning = live.text, live.reasoning
            clock = time.perf_counter
            since = clock()
            async for event in client.chat(request):
                builder.apply(event)
                kind = type(event)
                if kind is TextDelta:
                    text.append(event.text)  # type: ignore[union-attr]
                elif kind is ReasoningDelta:
                    reasoning.append(event.text)  # type: ignore[union-attr]
                if clock() - since > YIELD_AFTER:
                    # A fast server fills the socket buffer: httpx then hands over hundreds
                    # of events without ever suspending, and keys, repaints and timers
                    # would wait for all of them (measured: 70 ms stalls at the median).
                    await asyncio.sleep(0)
                    since = clock()
        except asyncio.CancelledError:
            status = "stopped"
            raise
        except LogprobChatError as exc:
            status, error = "error", str(exc)
            if is_context_full(exc):
                error = context_full_message(
                    exc, CONTEXT_FULL_REMEDY, built_in=self.chat_app.session.embedded
                )
        except Exception as exc:  # a bug or a library surprise: report it, keep the app alive
            status, error = "error", "unexpected error: " + one_line(f"{type(exc).__name__}: {exc}")
        finally:
            self._finish_live(live, status, error)

    def _flush(self, final: bool = False) -> None:
        """Move what arrived since the last tick onto the screen (see the module docstring)."""
        live = self._live
        if live is None:
            return
        if live.skip and not final:
            live.skip -= 1
            return
        text = "".join(live.text)
        live.text.clear()
        reasoning = "".join(live.reasoning)
        live.reasoning.clear()
        tokens = live.builder.answer.tokens
        new = tokens[live.seen :]
        live.seen = len(tokens)
        live.skip = ticks_to_skip(len(new))
        self.chat_app.gc_policy.rows_added(len(new))
        if text or reasoning or new or final:
            live.view.feed(text, reasoning, new, final=final)
        if final:
            return
        live.view.show_live(live.builder.live_metrics())
        if new or text or reasoning:
            self.chat_app.turn_events.emit("turn_progress", live.turn, live.builder)
        if self._selected_view() is live.view:
            self._show_live_stats(live)
            self.json_view.sync()
            self._update_json_title(len(live.builder.answer.raw))
            if self.cursor is not None:
                self._show_cursor(scroll=False)

    def _finish_live(self, live: LiveFeed, status: Status, error: str | None) -> None:
        if self._live is not live:
            return
        self._ticker.pause()
        self._flush(final=True)
        self._live = None
        answer = live.builder.finish(status, error)
        if not answer.model:
            answer.model = live.turn.model or None
        live.turn.answer = answer
        live.turn.live = None
        self.chat_app.gc_policy.stream_ended()
        self.chat_app.turn_events.emit("turn_finished", live.turn)
        if not self.is_attached:
            return
        live.view.finish(answer)
        self.refresh_bindings()
        if self._selected_view() is live.view:
            self._show_selected(keep_cursor=True)

    # ------------------------------------------------------------------ selection & pane

    def _selected_view(self) -> AnswerView | None:
        return None if self.selected is None else self.views[self.selected]

    def _select(self, index: int) -> None:
        if not self.views:
            return
        index = max(0, min(index, len(self.views) - 1))
        if index < self._hidden:
            # Selected again once mounted and laid out, to scroll it into view.
            self._reveal(index, then=lambda: self._select(index))
        old = self._selected_view()
        if old is not None and self.cursor is not None:
            old.set_cursor(None, None)
        if self.cursor is not None:
            self._mark_cursor(False)
        self.cursor = None
        if old is not None:
            old.remove_class("-selected")
        self.selected = index
        view = self.views[index]
        view.add_class("-selected")
        self._show_selected()
        self.refresh_bindings()
        if view.is_mounted:
            if index == len(self.views) - 1 and self._live is not None:
                self.log_view.anchor()  # follow the answer that is streaming
            else:
                height = min(view.size.height, self.log_view.scrollable_content_region.height)
                self._bring_into_view(view, Region(0, 0, 1, max(1, height)))

    def _show_selected(self, keep_cursor: bool = False) -> None:
        view = self._selected_view()
        if view is None:
            return
        turn = view.turn
        if turn.answer is not None:
            answer = turn.answer
            answer.load_raw()  # a reopened answer's raw rows are parsed when first selected
            rows = answer_rows(answer)
            if not answer.has_logprobs:
                rows.insert(0, ("Logprobs", "none returned by the server"))
            self.stats.show(f"Answer #{view.number} · {answer.status}", rows)
            self.json_view.show(answer.raw if answer.raw else None)
            self._update_json_title(len(answer.raw))
        elif self._live is not None and self._live.view is view:
            self._show_live_stats(self._live)
            self.json_view.show(self._live.builder.answer.raw)
            self._update_json_title(len(self._live.builder.answer.raw))
        else:
            self.stats.show(f"Answer #{view.number} · waiting for the model", [])
            self.json_view.show(None)
            self._update_json_title(0)
        if keep_cursor and self.cursor is not None:
            self._show_cursor(scroll=False)

    def _show_live_stats(self, live: LiveFeed) -> None:
        # Running sums only (O(1)); timings come when the answer ends. (No clock reading here:
        # the answer's own timings must not depend on how often the screen was repainted.)
        rows = metric_rows(live.builder.live_metrics())
        self.stats.show(f"Answer #{live.view.number} · streaming", rows)

    def _update_json_title(self, rows: int) -> None:
        title = Content(
            f"raw logprobs · {rows:,} rows · {self.json_view.doc.line_count:,} lines"
            if rows
            else "raw logprobs · none"
        )
        update_static(self.query_one("#json-title", Static), title)

    # ------------------------------------------------------------------ heatmap

    def _build_palette(self) -> None:
        self.palette = HeatPalette.from_variables(
            self.app.get_css_variables(), self.chat_app.low_prob_threshold
        )
        self.legend.show(self.palette)

    def _theme_changed(self) -> None:
        self._build_palette()
        if self.heat_on:
            for view in self.views:
                view.set_heat(self.palette)
        if self.cursor is not None:
            self._show_cursor(scroll=False)

    def action_toggle_heatmap(self) -> None:
        self.heat_on = not self.heat_on
        self.legend.set_class(self.heat_on, "-active")
        heat = self.palette if self.heat_on else None
        for view in self.views:
            view.set_heat(heat)

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return self._live is not None or self._waiting is not None
        if action in CURSOR_MOVES:
            return self.cursor is not None
        return True

    def action_stop(self) -> None:
        if self._waiting is not None:
            turn, view = self._waiting
            self._waiting = None
            answer = AnswerBuilder(clock=self.chat_app.clock).finish("stopped")
            turn.answer = answer
            view.finish(answer)
            self.chat_app.turn_events.emit("turn_finished", turn)
            self.refresh_bindings()
            return
        self.workers.cancel_group(self, "generation")

    def action_leave(self) -> None:
        if self.cursor is not None:
            self._set_cursor(None)
        else:
            self.input.focus()

    def action_focus_input(self) -> None:
        self.input.focus()

    def action_focus_log(self) -> None:
        self.log_view.focus()

    def action_focus_json(self) -> None:
        self.json_view.focus()

    def on_descendant_focus(self, event: Any) -> None:
        if event.widget is self.log_view and self.selected is None and self.views:
            self._select(len(self.views) - 1)

    def action_select_previous(self) -> None:
        if self.views:
            self._select(len(self.views) - 1 if self.selected is None else self.selected - 1)

    def action_select_next(self) -> None:
        if self.views:
            self._select(len(self.views) - 1 if self.selected is None else self.selected + 1)

    def action_select_last(self) -> None:
        self._select(len(self.views) - 1)

    def action_toggle_reasoning(self) -> None:
        view = self._selected_view()
        if view is None or not view.toggle_reasoning():
            self.notify("This answer has no reasoning.", markup=False)

    def action_toggle_pane(self) -> None:
        narrow = self.has_class("-narrow")
        if narrow:
            self.toggle_class("-pane-shown")
            if self.has_class("-pane-shown") and self.log_view.has_focus:
                self.json_view.focus()
            elif not self.has_class("-pane-shown") and (
                self.json_view.has_focus or self.focused is None
            ):
                self.log_view.focus()
        else:
            self.toggle_class("-pane-hidden")
            if self.has_class("-pane-hidden") and self.json_view.has_focus:
                self.log_view.focus()
