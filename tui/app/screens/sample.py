"""One sampled answer of a comparison, opened from the compare screen: the chat screen's own
widgets (an :class:`AnswerView` with its token heatmap, the side pane's token inspector,
stats and raw JSON viewer) and its own token-cursor and copy actions, on a screen of its own.

It opens with the heatmap on and the token cursor on the least likely token, so the inspector
shows at once what made the model least sure. Esc goes back to the comparison.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.app.actions import ACTIONS, ActionSpec
from tui.app.commands import EntriesProvider, Entry, palette_title
from tui.app.screens.copy_actions import CopyActionsMixin
from tui.app.screens.token_cursor import TokenCursorMixin
from tui.app.text.cursor import least_likely
from tui.app.text.heat import HeatPalette
from tui.app.widgets.answer import AnswerView, QuestionView
from tui.app.widgets.json_view import JsonView
from tui.app.widgets.side_pane import HeatLegend, StatsView, TokenInspector, TokenStrip
from tui.core.conversation import Turn
from tui.core.metrics import DEFAULT_LOW_PROB_THRESHOLD
from tui.core.report import answer_rows
from tui.core.safety import safe_line

if TYPE_CHECKING:
    from tui.app.app import LogprobChatApp

SAMPLE_ACTIONS = frozenset(
    {
        "toggle_pane",
        "toggle_heatmap",
        "toggle_reasoning",
        "toggle_cursor",
        "cursor_left",
        "cursor_right",
        "cursor_first",
        "cursor_last",
        "cursor_least_likely",
        "cursor_next_low",
        "copy_json",
        "copy_stats",
        "copy_text",
        "save_json",
        "focus_log",
        "focus_json",
    }
)
"""The chat screen's actions that make sense for one answer: same keys, same words."""

CURSOR_MOVES = frozenset({"cursor_left", "cursor_right", "cursor_first", "cursor_last"})


def sample_bindings() -> list[BindingType]:
    bindings: list[BindingType] = [
        Binding("escape", "back", "Back", key_display="esc", tooltip="Back to the comparison")
    ]
    for spec in ACTIONS:
        if spec.action in SAMPLE_ACTIONS:
            bindings.append(
                Binding(
                    spec.keys,
                    spec.action,
                    spec.description,
                    show=spec.show,
                    key_display=spec.key_display,
                    tooltip=spec.help,
                )
            )
    return bindings


class SampleCommands(EntriesProvider):
    """The sample screen's actions in the command palette, titled as on the chat screen."""

    def _entries(self) -> list[Entry]:
        screen = self.screen
        assert isinstance(screen, SampleScreen)
        seen: set[str] = set()
        entries: list[Entry] = [
            ("Back to the comparison (esc)", "Close this sample", partial(screen.run_spec, None))
        ]
        for spec in ACTIONS:
            if spec.action in SAMPLE_ACTIONS and spec.palette and spec.action not in seen:
                seen.add(spec.action)
                entries.append((palette_title(spec), spec.help, partial(screen.run_spec, spec)))
        return entries


class SampleLog(VerticalScroll, can_focus=True):
    """The question and the answer (scrolls when the answer is long)."""

    BLANK = True


class SampleScreen(TokenCursorMixin, CopyActionsMixin, Screen[None]):
    """Shows ``turn`` (a comparison sample dressed as a chat turn) as answer ``number``."""

    CSS_PATH: ClassVar[Any] = ["main.tcss", "sample.tcss"]
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [
        (0, "-narrow"),
        (100, "-wide"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = sample_bindings()
    COMMANDS: ClassVar[set[Any]] = {SampleCommands}

    def __init__(self, turn: Turn, number: int, title: str) -> None:
        super().__init__()
        self.turn = turn
        self.title_text = title
        self.view = AnswerView(turn, number)
        self.views = [self.view]
        self.selected: int | None = 0
        self.cursor: int | None = None
        self.heat_on = True
        self.palette: HeatPalette | None = None

    @property
    def chat_app(self) -> LogprobChatApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(Content(safe_line(self.title_text)), id="sample-title", markup=False)
        with Horizontal(id="sample-body"):
            with Vertical(id="sample-area"):
                with SampleLog(id="sample-log"):
                    yield QuestionView(self.turn.question)
                    yield self.view
                yield TokenStrip(id="token-strip", markup=False)
            with Vertical(id="pane"):
                with VerticalScroll(id="pane-top"):
                    yield TokenInspector(id="inspector", markup=False)
                    yield HeatLegend(id="legend", markup=False)
                    yield StatsView(Content(""), id="stats", markup=False)
                yield Static(Content("raw logprobs"), id="json-title", markup=False)
                yield JsonView(id="json")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.log_view = self.query_one(SampleLog)
        self.json_view = self.query_one(JsonView)
        self.stats = self.query_one(StatsView)
        self.inspector = self.query_one(TokenInspector)
        self.legend = self.query_one(HeatLegend)
        self.strip = self.query_one(TokenStrip)
        self.view.add_class("-selected")
        self._build_palette()
        self.legend.set_class(True, "-active")
        self.watch(self.app, "theme", self._theme_changed, init=False)
        self._show_answer()
        self.log_view.focus()
        self.call_after_refresh(self._start_cursor)

    def _build_palette(self) -> None:
        self.palette = HeatPalette.from_variables(
            self.app.get_css_variables(), DEFAULT_LOW_PROB_THRESHOLD
        )
        self.legend.show(self.palette)
        self.view.set_heat(self.palette if self.heat_on else None)

    def _theme_changed(self) -> None:
        self._build_palette()
        if self.cursor is not None:
            self._show_cursor(scroll=False)

    def _show_answer(self) -> None:
        answer = self.turn.answer
        if answer is None:
            return
        rows = answer_rows(answer)
        if not answer.has_logprobs:
            rows.insert(0, ("Logprobs", "none returned by the server"))
        self.stats.show(f"Sample #{self.view.number} · {answer.status}", rows)
        self.json_view.show(answer.raw if answer.raw else None)
        count = len(answer.raw)
        title = f"raw logprobs · {count:,} rows" if count else "raw logprobs · none"
        self.query_one("#json-title", Static).update(Content(title))

    def _start_cursor(self) -> None:
        index = least_likely(self.view.tokens)
        if index is not None:
            self._set_cursor(index)

    # What the token-cursor and copy mixins ask of their screen.

    def _selected_view(self) -> AnswerView | None:
        return self.view

    def _select(self, index: int) -> None:
        """One answer: always selected."""

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in CURSOR_MOVES:
            return self.cursor is not None
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    def run_spec(self, spec: ActionSpec | None) -> None:
        """Run an action chosen in the command palette (``None``: back)."""
        self.call_later(self.run_action, spec.action if spec else "back")

    def action_toggle_heatmap(self) -> None:
        self.heat_on = not self.heat_on
        self.legend.set_class(self.heat_on, "-active")
        self.view.set_heat(self.palette if self.heat_on else None)

    def action_toggle_reasoning(self) -> None:
        if not self.view.toggle_reasoning():
            self.notify("This answer has no reasoning.", markup=False)

    def action_focus_log(self) -> None:
        self.log_view.focus()

    def action_focus_json(self) -> None:
        self.json_view.focus()

    def action_toggle_pane(self) -> None:
        if self.has_class("-narrow"):
            self.toggle_class("-pane-shown")
            shown = self.has_class("-pane-shown")
            (self.json_view if shown else self.log_view).focus()
        else:
            self.toggle_class("-pane-hidden")
            if self.has_class("-pane-hidden"):
                self.log_view.focus()
