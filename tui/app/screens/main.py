"""The chat screen: layout and wiring, nothing else.

::

    StatusLine (#status)            prompt · model · sampling (indicators at the right)
    #body
    ├── #chat-area  ChatLog (#log)  the conversation: answers, selection, streaming; a
    │                               welcome while it is empty
    └── AnswerPane (#pane)          the selected answer: headline, stats, inspector, JSON,
                                    token cursor (beside the chat, or under it when narrow)
    PromptInput (#input)
    KeyFooter                       the keys that matter now, as many as fit

The widgets own their state (:mod:`tui.app.widgets.chat_log`,
:mod:`tui.app.widgets.answer_pane`). This screen passes what one says to the other (the
selected answer to the pane, the heat colours to the log), sends what is typed, handles the
app's messages (:mod:`tui.app.messages`: backend ready or failed, notes, a conversation
shown, the session changed) and runs the keys of the action table (:mod:`tui.app.actions`):
its own, and the pane's through :meth:`action_pane`. Its dialogs are
:class:`~tui.app.screens.chat_dialogs.ChatDialogs`. The layout is ``answer_layout.tcss``
(shared with the sample screen) and ``main.tcss``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical

from tui.app.actions import TOKENS, ActionSpec, bindings_for, find_spec, key_label
from tui.app.commands import MainCommands
from tui.app.messages import (
    BackendFailed,
    BackendReady,
    ConversationShown,
    HistoryState,
    Note,
    SessionChanged,
)
from tui.app.screens.chat_branches import ChatBranches
from tui.app.screens.chat_dialogs import ChatDialogs
from tui.app.screens.split_frames import SplitFrameScreen
from tui.app.session import ChatSession
from tui.app.text.pane import shown_key
from tui.app.text.welcome import WELCOME_KEYS, welcome_lines
from tui.app.widgets.answer_pane import AnswerPane, toggle_pane
from tui.app.widgets.chat_log import ChatLog
from tui.app.widgets.key_footer import KeyFooter
from tui.app.widgets.prompt_input import PromptInput
from tui.app.widgets.status_line import StatusLine
from tui.core.conversation import Turn

if TYPE_CHECKING:
    from tui.app.app import LogprobChatApp

ESC_TWICE = 1.0
"""Seconds within which a second Esc stops a streaming answer (the first leaves the input,
or the token cursor: what Esc does when nothing streams)."""

BREAKPOINTS: list[tuple[int, str]] = [(0, "-narrow"), (100, "-wide")]
"""Below 100 columns (80×24 over SSH) the chat takes the width, a compact pane under it."""


class MainScreen(SplitFrameScreen):
    CSS_PATH: ClassVar[Any] = ["answer_layout.tcss", "main.tcss"]
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = BREAKPOINTS
    BINDINGS: ClassVar[list[BindingType]] = bindings_for("screen")
    COMMANDS: ClassVar[set[Any]] = {MainCommands}
    AUTO_FOCUS = "#input"

    def __init__(self) -> None:
        super().__init__()
        self.dialogs = ChatDialogs(self)
        self.branches = ChatBranches(self)
        self._last_escape = -ESC_TWICE  # time.monotonic() of the last Esc while busy
        self.queued: str | None = None  # a question sent while an answer streamed

    @property
    def chat_app(self) -> LogprobChatApp:
        return self.app  # type: ignore[return-value]

    @property
    def session(self) -> ChatSession:
        return self.chat_app.session

    @property
    def keymap(self) -> dict[str, str]:
        return self.chat_app.keymap

    @property
    def split_frames(self) -> bool:
        """While an answer streams, frames are drawn apart from their layout."""
        chat = getattr(self, "chat", None)
        return chat is not None and chat.pump.live is not None

    @property
    def busy(self) -> bool:
        """An answer is streaming or waiting for the model."""
        return self.chat.busy

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        app = self.chat_app
        yield StatusLine(id="status")
        with Horizontal(id="body"):
            with Vertical(id="chat-area"):
                yield ChatLog(app.turns, id="log")
            yield AnswerPane(threshold=app.low_prob_threshold, heat=app.ui_settings.heatmap)
        yield PromptInput(recall=app.question_recall, id="input")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.chat = self.query_one(ChatLog)
        self.pane = self.query_one(AnswerPane)
        self.input = self.query_one(PromptInput)
        self.status = self.query_one(StatusLine)
        if not self.chat_app.cursor_blink:
            self.input.cursor_blink = False
        self.chat.set_welcome(self.welcome())
        self.update_status()
        self.input.focus()
        self.chat_app.main_screen_ready()

    def welcome(self) -> list[str]:
        """The welcome of an empty chat (and of F1), with the keys as bound now."""
        keys = {}
        for action in WELCOME_KEYS:
            where = "log" if action == "toggle_cursor" else "screen"
            keys[action] = shown_key(key_label(find_spec(action, where), self.keymap))
        return welcome_lines(keys, built_in=self.session.embedded)

    def update_status(self) -> None:
        s = self.session
        self.status.show(
            preset=s.preset, system_prompt=s.system_prompt, model=s.model_label, sampling=s.sampling
        )
        if s.backend_error is not None:
            placeholder = "no model available (see the message above)"
        elif not s.ready:
            placeholder = (
                f"{s.model_label} — you can type already; it is sent when the model is ready"
            )
        else:
            placeholder = "Ask a question…"
        self.input.placeholder = placeholder

    # ------------------------------------------------------------------ the app's messages

    def on_backend_ready(self, message: BackendReady) -> None:
        """Show the backend's name and notes; a question typed meanwhile goes out."""
        self.update_status()
        for note in self.session.backend.notes if self.session.backend else []:
            self.chat.add_note(note)
        self.chat.release_held()

    def on_backend_failed(self, message: BackendFailed) -> None:
        self.chat.add_note(message.reason, kind="error")
        self.update_status()
        self.chat.fail_held(message.reason)

    def on_note(self, message: Note) -> None:
        self.chat.add_note(message.text, kind=message.kind)

    def on_conversation_shown(self, message: ConversationShown) -> None:
        self.branches.stop_editing()
        self.chat.clear()
        self.chat.show_turns(message.turns)
        self.update_status()

    def on_session_changed(self, message: SessionChanged) -> None:
        self.update_status()

    def on_history_state(self, message: HistoryState) -> None:
        self.status.set_indicator("history", message.badge)

    # ------------------------------------------------------------------ chat log ↔ pane

    @on(ChatLog.AnswerSelected)
    def _answer_selected(self, message: ChatLog.AnswerSelected) -> None:
        self.pane.show(message.view)
        self.refresh_bindings()

    @on(ChatLog.AnswerChanged)
    def _answer_changed(self, message: ChatLog.AnswerChanged) -> None:
        if message.view is not self.pane.subject:
            return
        if message.tick:
            self.pane.show_progress()
        else:
            self.pane.show(message.view, keep_cursor=True)

    @on(ChatLog.TurnAsked)
    def _turn_asked(self) -> None:
        self.refresh_bindings()  # ctrl+c stops

    @on(ChatLog.TurnFinished)
    def _turn_finished(self) -> None:
        self.refresh_bindings()  # ctrl+c stops no longer
        again = self.chat_app.turns.context_full_question
        if again is not None and not self.input.text and self.queued is None:
            self.input.insert(again)  # kept: ctrl+n asks it again in a new conversation
        queued, self.queued = self.queued, None
        self.input.show_queued(False)
        if queued is not None and self.input.text == queued and not self.chat.busy:
            self._send(queued)

    @on(PromptInput.Changed, "#input")
    def _input_changed(self) -> None:
        # Esc twice means two Escs in a row: one that left the input, then typing there,
        # then Esc again is a first Esc (it leaves the input; the answer keeps coming).
        self._last_escape = -ESC_TWICE
        if self.branches.editing is not None and not self.input.text:
            self.branches.stop_editing()  # emptied: the next question is a new one
        if self.queued is not None and self.input.text != self.queued:
            self.queued = None  # edited: it waits for Enter again
            self.input.show_queued(False)

    @on(AnswerPane.HeatChanged)
    def _heat_changed(self, message: AnswerPane.HeatChanged) -> None:
        self.chat.set_heat(message.heat)

    # ------------------------------------------------------------------ sending

    def on_prompt_input_submitted(self, message: PromptInput.Submitted) -> None:
        text = message.text
        if not text.strip():
            self.notify("Type a question first.", markup=False)
            return
        if self.chat.busy:
            # Kept in the input, and sent as the next question when this answer ends.
            self.queued = text
            self.input.show_queued(True)
            return
        self._send(text)

    def _send(self, text: str) -> None:
        self.chat_app.question_recall.add(text)
        self.input.clear()
        if self.branches.editing is not None and self.branches.send_edited(text):
            return  # a sibling of the edited question's answer
        self.send_turn(self.chat_app.turns.new_turn(text))

    def send_turn(self, turn: Turn, at: int | None = None) -> None:
        """Show ``turn`` (in the place ``at`` of the sibling it replaces on screen) and send
        it, or hold it for the model, or fail it when there is none."""
        view = self.chat.ask(turn, at)
        s = self.session
        if s.ready:
            self.chat.stream(view)
        elif s.backend_error is not None:
            self.chat.fail(view, f"no model is available: {s.backend_error}")
        else:
            self.chat.hold(view)  # sent by on_backend_ready

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.wired:
            # The footer can ask before on_mount has found the chat and the pane (seen on a
            # busy machine: an AttributeError in the footer's bindings).
            return action not in ("stop", "pane")
        if action == "stop":
            return self.chat.busy
        if action == "pane":
            return self.pane.check_action(str(parameters[0]), ())
        return True

    @property
    def wired(self) -> bool:
        """Whether on_mount has found the chat log and the answer pane."""
        return "pane" in vars(self)

    async def action_pane(self, action: str) -> None:
        """Run one of the answer pane's actions (token cursor, copy, heatmap) from a key."""
        await self.pane.run_action(action)

    def offers(self, spec: ActionSpec) -> bool:
        """Every action of the table is offered here (the command palette asks)."""
        return True

    def run_spec(self, spec: ActionSpec) -> None:
        """Run an action chosen in the command palette."""
        target = {"chat": self.chat, "pane": self.pane, "input": self.input}.get(spec.owner, self)
        if spec.group == TOKENS and spec.action == "toggle_cursor":
            self.chat.focus()
        self.call_later(target.run_action, spec.action)

    def action_stop(self) -> None:
        self.chat.stop()

    def escape_stops(self) -> bool:
        """Whether this Esc is the second one within :data:`ESC_TWICE` seconds while an
        answer streams (it then stops the answer)."""
        now = time.monotonic()
        second = self.chat.busy and now - self._last_escape <= ESC_TWICE
        self._last_escape = -ESC_TWICE if second else now
        return second

    def action_leave_input(self) -> None:
        """Esc in the input: to the chat log (the text stays), or, as the second Esc while
        an answer streams, stop it."""
        if self.escape_stops():
            self.action_stop()
            return
        self.set_focus(self.chat)

    def action_leave(self) -> None:
        if self.escape_stops():
            self.action_stop()
            self.set_focus(self.input)
            return
        if not self.pane.leave_cursor():
            self.set_focus(self.input)

    def action_focus_input(self) -> None:
        self.set_focus(self.input)

    def action_focus_log(self) -> None:
        self.set_focus(self.chat)

    def action_focus_json(self) -> None:
        self.pane.focus_json()

    def action_toggle_pane(self) -> None:
        toggle_pane(self, self.chat, self.pane)

    def action_new_conversation(self) -> None:
        """ctrl+n: a new conversation; right after a full context, the question that did not
        fit is asked again there (unless the input was changed meanwhile)."""
        again = self.chat_app.turns.context_full_question
        if not self.dialogs.new_conversation(say=again is None):
            return
        self.chat_app.turns.context_full_question = None
        if again is not None and self.input.text in ("", again):
            self.input.clear()
            # After the log is emptied (ConversationShown, queued before this callback).
            self.call_later(self._send, again)

    def action_help(self) -> None:
        self.dialogs.help()

    def action_messages(self) -> None:
        self.chat_app.action_messages()

    def action_system_prompt(self) -> None:
        self.dialogs.system_prompt()

    def action_settings(self) -> None:
        self.dialogs.settings()

    def action_history(self) -> None:
        self.dialogs.history()

    def action_export(self) -> None:
        self.dialogs.export()

    def action_compare(self) -> None:
        self.dialogs.compare()

    def action_score_answer(self) -> None:
        self.dialogs.score_answer()

    def action_branch(self) -> None:
        self.branches.branch()

    def action_regenerate(self) -> None:
        self.branches.regenerate()

    def action_edit_question(self) -> None:
        self.branches.edit()

    def action_side_by_side(self) -> None:
        self.branches.side_by_side()
