"""The answer pane: everything the app knows about one answer, beside (or under) its text.

One widget, composed once, used by every screen that shows an answer (the chat screen, the
sample screen; the score, question-set and side-by-side screens to come)::

    AnswerPane (#pane)
    ├── #pane-top (scrolls)  TokenInspector · HeatLegend · StatsView
    ├── #json-title          "raw logprobs · 8 rows · 32 lines"
    ├── JsonView (#json)     the raw rows, the cursor token's row highlighted
    └── TokenStrip           the cursor token in two lines (narrow terminals)

It owns its state: the answer it shows (its *subject*, an :class:`AnswerView` wherever that is
mounted), the token cursor over the subject's answer tokens, and the heatmap (its palette,
built from the theme and τ, and whether it is on). Screens place it (``answer_layout.tcss``:
beside the chat when wide; when narrow, only the strip under the chat, or the whole pane
instead of the chat after F4) and wire it to their chat log in two lines: show the selected
answer (:meth:`show`, :meth:`show_progress`), and pass :class:`HeatChanged` on to the log.

What it says is built by pure functions in :mod:`tui.app.text` (``pane``, ``inspect``,
``heat``, ``summary``): a new line (coverage "covers 54 of 96 tokens", a "recovering…" state,
"cut: max_tokens"), split-character pieces in the inspector or a difference palette is a
change there, and a small one here. Seams for those:

* the stats block is :func:`tui.app.text.pane.stats_of` (title and rows per answer state);
* the inspector draws :func:`tui.app.text.inspect.token_facts` and ``alternative_rows``;
* the heat colours come from one :class:`~tui.app.text.heat.HeatPalette` (:attr:`heat`);
  another colouring is another palette, announced with :class:`HeatChanged`;
* the compact mode (80×24) exists in outline: on a narrow screen ``answer_layout.tcss``
  puts the pane under the chat and shows only its strip; headline numbers there are one more
  child shown in that mode, and F4 (``-pane-shown``) already enlarges it to the whole pane.

Its actions (token cursor, copy, save, heatmap) are run by the keys of the chat log through
the screen (``screen.pane('cursor_left')``: see :func:`tui.app.actions.action_string`), and
by the command palette. Copy and save are handed to the app as
:class:`~tui.app.messages.CopyRequested` / :class:`~tui.app.messages.SaveRequested`.
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from tui.app.messages import CopyRequested, SaveRequested
from tui.app.text.cursor import least_likely, next_low
from tui.app.text.heat import HeatPalette
from tui.app.text.pane import json_title, stats_of
from tui.app.widgets.answer import AnswerView, update_static
from tui.app.widgets.json_view import JsonView
from tui.app.widgets.side_pane import HeatLegend, StatsView, TokenInspector, TokenStrip
from tui.core import jsonio
from tui.core.answer import Answer
from tui.core.metrics import DEFAULT_LOW_PROB_THRESHOLD
from tui.core.report import stats_text
from tui.core.safety import safe_text

CURSOR_MOVES = frozenset({"cursor_left", "cursor_right", "cursor_first", "cursor_last"})
"""Actions that only make sense while the token cursor is on (hidden from the footer
otherwise, so their keys fall through)."""


class AnswerPane(Vertical):
    """See the module docstring. ``noun`` names the subject in the stats title ("Answer #2",
    "Sample #3"); ``threshold`` is τ (heat cues and the next-low jump); ``heat``: the heatmap
    is on from the start."""

    class HeatChanged(Message):
        """The heat colours changed (toggled, or a new theme): ``heat`` is the palette to
        colour answers with, ``None`` when the heatmap is off."""

        def __init__(self, heat: HeatPalette | None) -> None:
            super().__init__()
            self.heat = heat

    def __init__(
        self,
        *,
        noun: str = "Answer",
        threshold: float = DEFAULT_LOW_PROB_THRESHOLD,
        heat: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("id", "pane")
        super().__init__(**kwargs)
        self.noun = noun
        self.threshold = threshold
        self.heat_on = heat
        self.palette: HeatPalette | None = None
        self.subject: AnswerView | None = None
        self.cursor: int | None = None
        self.inspector = TokenInspector(id="inspector", markup=False)
        self.legend = HeatLegend(id="legend", markup=False)
        self.stats = StatsView(Content(f"No {noun.lower()} yet."), id="stats", markup=False)
        self.json_title = Static(Content("raw logprobs"), id="json-title", markup=False)
        self.json_view = JsonView(id="json")
        self.strip = TokenStrip(id="token-strip", markup=False)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="pane-top"):
            yield self.inspector
            yield self.legend
            yield self.stats
        yield self.json_title
        yield self.json_view
        yield self.strip

    def on_mount(self) -> None:
        self._build_palette()
        self.legend.set_class(self.heat_on, "-active")
        if self.heat_on:
            self.post_message(self.HeatChanged(self.heat))
        self.watch(self.app, "theme", self._theme_changed, init=False)

    # ------------------------------------------------------------------ the subject

    def show(self, view: AnswerView | None, *, keep_cursor: bool = False) -> None:
        """Show ``view``'s answer in whatever state it is (finished, streaming, waiting);
        ``None`` empties the pane. The token cursor stays only with ``keep_cursor`` and the
        same subject (an answer that just finished streaming)."""
        if view is not self.subject or not keep_cursor:
            self._drop_cursor()
        self.subject = view
        if view is None:
            self.stats.show(f"No {self.noun.lower()} yet.", [])
            self.json_view.show(None)
            self._update_json_title(0)
            return
        answer, live = view.turn.answer, view.turn.live
        if answer is not None:
            answer.load_raw()  # a reopened answer's raw rows are parsed when first shown
            self.json_view.show(answer.raw or None)
            rows = len(answer.raw)
        elif live is not None:
            self.json_view.show(live.answer.raw)  # the list grows: show_progress syncs it
            rows = len(live.answer.raw)
        else:
            self.json_view.show(None)
            rows = 0
        self.stats.show(*stats_of(self.noun, view.number, answer, live))
        self._update_json_title(rows)
        if self.cursor is not None:
            self._show_cursor(scroll=False)

    def show_progress(self) -> None:
        """The streaming subject received more: running stats, new JSON rows, the cursor's
        "token i of n" (O(new rows): called at every repaint of a streaming answer)."""
        view = self.subject
        if view is None or view.turn.live is None:
            return
        live = view.turn.live
        self.stats.show(*stats_of(self.noun, view.number, None, live))
        self.json_view.sync()
        self._update_json_title(len(live.answer.raw))
        if self.cursor is not None:
            self._show_cursor(scroll=False)

    def _update_json_title(self, rows: int) -> None:
        update_static(self.json_title, Content(json_title(rows, self.json_view.doc.line_count)))

    def focus_json(self) -> None:
        self.json_view.focus()

    # ------------------------------------------------------------------ heatmap

    @property
    def heat(self) -> HeatPalette | None:
        """The palette answers are coloured with; ``None`` while the heatmap is off."""
        return self.palette if self.heat_on else None

    def _build_palette(self) -> None:
        self.palette = HeatPalette.from_variables(self.app.get_css_variables(), self.threshold)
        self.legend.show(self.palette)

    def _theme_changed(self) -> None:
        self._build_palette()
        if self.heat_on:
            self.post_message(self.HeatChanged(self.heat))
        if self.cursor is not None:
            self._show_cursor(scroll=False)

    def action_toggle_heatmap(self) -> None:
        self.heat_on = not self.heat_on
        self.legend.set_class(self.heat_on, "-active")
        self.post_message(self.HeatChanged(self.heat))

    # ------------------------------------------------------------------ token cursor

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in CURSOR_MOVES:
            return self.cursor is not None
        return True

    @property
    def tokens(self) -> list[Any]:
        """The subject's answer tokens: what the cursor walks (reasoning is not walked)."""
        return self.subject.tokens if self.subject is not None else []

    def set_cursor(self, index: int | None) -> None:
        """Put the cursor on token ``index`` (clamped), or take it away (``None``)."""
        if self.subject is None:
            return
        if index is not None:
            index = max(0, min(index, len(self.tokens) - 1))
        was_on = self.cursor is not None
        self.cursor = index
        self._show_cursor(scroll=True)
        if was_on != (index is not None):
            # Only when the cursor turns on or off: new bindings rebuild the footer.
            self._mark_cursor(index is not None)
            self.refresh_bindings()

    def leave_cursor(self) -> bool:
        """Take the cursor away; ``False`` when it was not on."""
        if self.cursor is None:
            return False
        self.set_cursor(None)
        return True

    def _drop_cursor(self) -> None:
        """The subject changes: its cursor goes (and its highlight in the answer's text)."""
        if self.subject is not None and self.cursor is not None:
            self.subject.set_cursor(None, None)
        if self.cursor is not None:
            self.cursor = None
            self._mark_cursor(False)
            self.json_view.highlight_row(None)
            self.refresh_bindings()

    def _mark_cursor(self, active: bool) -> None:
        # Classes on the widgets concerned, not on the screen: a screen class would restyle
        # every widget of the chat.
        self.inspector.set_class(active, "-active")
        self.strip.set_class(active, "-active")

    def _show_cursor(self, scroll: bool) -> None:
        view = self.subject
        if view is None:
            return
        if self.cursor is None:
            view.set_cursor(None, None)
            self.json_view.highlight_row(None)
            return
        assert self.palette is not None
        view.set_cursor(self.cursor, self.palette.cursor)
        token = view.tokens[self.cursor]
        count = len(view.tokens)
        width = self.inspector.content_region.width or self.size.width - 4
        self.inspector.show(token, self.cursor, count, width)
        self.strip.show(token, self.cursor, count)
        self.json_view.highlight_row(token.index)
        if scroll:
            view.scroll_to_token(self.cursor)

    def _has_tokens(self) -> bool:
        if self.tokens:
            return True
        self.notify("This answer has no logprobs to inspect.", markup=False)
        return False

    def action_toggle_cursor(self) -> None:
        if self.cursor is not None:
            self.set_cursor(None)
        elif self._has_tokens():
            self.set_cursor(0)

    def action_cursor_left(self) -> None:
        if self.cursor is not None:
            self.set_cursor(self.cursor - 1)

    def action_cursor_right(self) -> None:
        if self.cursor is not None:
            self.set_cursor(self.cursor + 1)

    def action_cursor_first(self) -> None:
        self.set_cursor(0)

    def action_cursor_last(self) -> None:
        self.set_cursor(len(self.tokens) - 1)

    def action_cursor_least_likely(self) -> None:
        if not self._has_tokens():
            return
        index = least_likely(self.tokens)
        if index is None:
            self.notify("No token of this answer has a usable logprob.", markup=False)
            return
        self.set_cursor(index)

    def action_cursor_next_low(self) -> None:
        if not self._has_tokens():
            return
        start = -1 if self.cursor is None else self.cursor
        index = next_low(self.tokens, start, self.threshold)
        if index is None:
            self.notify(f"No token of this answer has p < {self.threshold:g}.", markup=False)
            return
        self.set_cursor(index)

    # ------------------------------------------------------------------ copy and save

    def _finished_answer(self) -> Answer | None:
        view = self.subject
        if view is None:
            self.notify(f"No {self.noun.lower()} selected.", markup=False)
            return None
        if view.turn.answer is None:
            self.notify(
                "This answer is still coming: copy it when it ends (ctrl+c stops it).",
                markup=False,
            )
            return None
        return view.turn.answer

    def action_copy_text(self) -> None:
        answer = self._finished_answer()
        if answer is not None:
            self.post_message(CopyRequested(safe_text(answer.text), "the answer text"))

    def action_copy_stats(self) -> None:
        answer = self._finished_answer()
        if answer is not None:
            self.post_message(CopyRequested(stats_text(answer), "the stats"))

    def action_copy_json(self) -> None:
        answer = self._finished_answer()
        if answer is None:
            return
        raw = answer.raw_logprobs()
        if raw is None:
            self.notify("This answer has no logprobs to copy.", markup=False)
            return
        self._copy_json(raw)

    @work(thread=True, group="copy", exit_on_error=False)
    def _copy_json(self, raw: Any) -> None:
        """Format a (possibly 40 MB) JSON document off the UI thread, then hand it over
        (``post_message`` is thread-safe)."""
        self.post_message(CopyRequested(jsonio.dumps(raw), "the raw JSON"))

    def action_save_json(self) -> None:
        answer = self._finished_answer()
        if answer is None:
            return
        raw = answer.raw_logprobs()
        if raw is None:
            self.notify("This answer has no logprobs to save.", markup=False)
            return
        assert self.subject is not None
        self.post_message(SaveRequested(raw, self.subject.number))


def toggle_pane(screen: Screen[Any], log: Widget, pane: AnswerPane) -> None:
    """F4 on a screen laid out by ``answer_layout.tcss``. Wide: hide or show the pane beside
    the chat (``-pane-hidden``). Narrow: swap the whole pane in for the chat, or back
    (``-pane-shown``). The focus never stays on something hidden: it goes to the raw JSON
    when the pane replaces the chat, to the log when the log comes back."""
    json = pane.json_view
    if screen.has_class("-narrow"):
        screen.toggle_class("-pane-shown")
        if screen.has_class("-pane-shown"):
            if log.has_focus:
                json.focus()
        elif json.has_focus or screen.focused is None:
            log.focus()
    else:
        screen.toggle_class("-pane-hidden")
        if screen.has_class("-pane-hidden") and json.has_focus:
            log.focus()
