"""One sampled answer of a comparison, opened from the compare screen (the app opens it on
:class:`~tui.app.messages.SampleChosen`).

It composes what the chat screen composes (a :class:`ChatLog` showing the one turn, and the
:class:`AnswerPane`), with the same layout (``answer_layout.tcss``) and the same keys: the
chat log's (token cursor, copy, reasoning, heatmap) under the same binding ids, so a
``[keys]`` rebinding reaches this screen too, and the chat screen's F4, F5, F8 and F9. What
the chat screen has and this one does not (the input bar, the dialogs) is not offered; Esc
goes back to the comparison (``sample.back``).

It opens with the heatmap on and the token cursor on the least likely token, so the inspector
shows at once what made the model least sure.
"""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from tui.app.actions import SIBLING_ACTIONS, ActionSpec, bindings_for
from tui.app.commands import ActionsProvider, Entry
from tui.app.screens.main import BREAKPOINTS
from tui.app.widgets.answer_pane import AnswerPane, toggle_pane
from tui.app.widgets.chat_log import ChatLog
from tui.app.widgets.key_footer import KeyFooter
from tui.core.conversation import Turn
from tui.core.metrics import DEFAULT_LOW_PROB_THRESHOLD
from tui.core.safety import safe_line

SCREEN_ACTIONS = frozenset({"toggle_pane", "toggle_heatmap", "focus_log", "focus_json"})
"""The chat screen's screen-wide keys that make sense for one answer (same keys, same ids)."""

CHAT_ONLY = frozenset({"leave", "focus_input", "help", "score_answer"}) | SIBLING_ACTIONS
"""Keys of the chat log that belong to the chat screen: not offered here (Esc goes back)."""

ONE_ANSWER = frozenset({"select_previous", "select_next", "select_last"})
"""Not in this screen's palette: there is one answer to select (the keys scroll it)."""


class SampleCommands(ActionsProvider):
    """The sample screen's actions in the command palette, titled as on the chat screen."""

    def _entries(self) -> list[Entry]:
        screen = self.screen
        assert isinstance(screen, SampleScreen)
        back: Entry = (
            "Back to the comparison (esc)",
            "Close this sample",
            partial(screen.call_later, screen.action_back),
        )
        return [back, *super()._entries()]


class SampleScreen(Screen[None]):
    """Shows ``turn`` (a comparison sample dressed as a chat turn) as sample ``number``."""

    CSS_PATH: ClassVar[Any] = ["answer_layout.tcss", "sample.tcss"]
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = BREAKPOINTS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "back",
            "Back",
            key_display="esc",
            tooltip="Back to the comparison",
            id="sample.back",
        ),
        *bindings_for("screen", only=SCREEN_ACTIONS),
    ]
    COMMANDS: ClassVar[set[Any]] = {SampleCommands}

    def __init__(self, turn: Turn, number: int, title: str) -> None:
        super().__init__()
        self.turn = turn
        self.number = number
        self.title_text = title

    @property
    def keymap(self) -> dict[str, str]:
        return getattr(self.app, "keymap", {})

    def compose(self) -> ComposeResult:
        answer = self.turn.answer
        threshold = answer.low_prob_threshold if answer else DEFAULT_LOW_PROB_THRESHOLD
        yield Static(Content(safe_line(self.title_text)), id="sample-title", markup=False)
        with Horizontal(id="body"):
            with Vertical(id="chat-area"):
                yield ChatLog(id="log")
            yield AnswerPane(noun="Sample", threshold=threshold, heat=True)
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.chat = self.query_one(ChatLog)
        self.pane = self.query_one(AnswerPane)
        self.chat.show_turns([self.turn], first_number=self.number)
        self.chat.focus()
        # After the answer is mounted and laid out (the cursor scrolls to its token).
        self.call_after_refresh(self.call_after_refresh, self.pane.action_cursor_least_likely)

    @property
    def view(self) -> Any:
        """The answer shown."""
        return self.chat.views[0]

    # ------------------------------------------------------------------ chat log ↔ pane

    @on(ChatLog.AnswerSelected)
    def _answer_selected(self, message: ChatLog.AnswerSelected) -> None:
        self.pane.show(message.view)

    @on(AnswerPane.HeatChanged)
    def _heat_changed(self, message: AnswerPane.HeatChanged) -> None:
        self.chat.set_heat(message.heat)

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pane":
            # The footer can ask before on_mount has found the pane (seen on a busy machine:
            # an AttributeError in the footer's bindings).
            if "pane" not in vars(self):
                return False
            return self.pane.check_action(str(parameters[0]), ())
        return action not in CHAT_ONLY

    def offers(self, spec: ActionSpec) -> bool:
        """In the command palette: the chat log's actions but the chat screen's own and the
        selection, and four screen-wide ones."""
        if spec.where == "log":
            return spec.action not in CHAT_ONLY | ONE_ANSWER
        return spec.where == "screen" and spec.action in SCREEN_ACTIONS

    def run_spec(self, spec: ActionSpec) -> None:
        """Run an action chosen in the command palette."""
        target = {"chat": self.chat, "pane": self.pane}.get(spec.owner, self)
        self.call_later(partial(target.run_action, spec.action))

    async def action_pane(self, action: str) -> None:
        await self.pane.run_action(action)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_focus_log(self) -> None:
        self.chat.focus()

    def action_focus_json(self) -> None:
        self.pane.focus_json()

    def action_toggle_pane(self) -> None:
        toggle_pane(self, self.chat, self.pane)
