"""The answer pane: everything the app knows about one answer, beside (or under) its text.

One widget, composed once, used by every screen that shows an answer (the chat screen, the
sample screen; the score, question-set and side-by-side screens to come)::

    AnswerPane (#pane)
    ├── PaneHeadline (#headline)  state, coverage, headline numbers: in sight in every layout
    ├── PaneScroll (#pane-top)    TokenInspector · HeatLegend · StatsView (scrolls)
    ├── #json-title               "raw logprobs · 8 rows · 32 lines"
    ├── JsonView (#json)          the raw rows, the cursor token's row highlighted
    ├── TokenStrip                the cursor token in two lines (the compact layout)
    └── .pane-hint × 3            how to reach every number, one per layout

**Its API** (what a screen composing it uses; the score and difference screens too):

* ``AnswerPane(noun="Answer", threshold=τ, heat=False)``; ``noun`` names the subject
  ("Answer #2", "Sample #3");
* :meth:`show` (``view``: an :class:`AnswerView` wherever it is mounted, or ``None``) and
  :meth:`show_progress` (the same subject received more, or its recovery moved on): wire
  them to the chat log's ``AnswerSelected`` / ``AnswerChanged``;
* :class:`HeatChanged` (posted): pass it on to the chat log (``ChatLog.set_heat``); the
  colours come from one :class:`~tui.app.text.heat.HeatPalette` (:attr:`heat`); another
  colouring (a difference heatmap) is another palette announced the same way;
* its actions (token cursor, copy, save, heatmap), run by the keys of the chat log through
  the screen (``screen.pane('cursor_left')``: see :func:`tui.app.actions.action_string`)
  and by the command palette; copy and save are handed to the app as
  :class:`~tui.app.messages.CopyRequested` / :class:`~tui.app.messages.SaveRequested`;
* :meth:`focus_json`, :meth:`focus_numbers`, :meth:`leave_cursor`, :func:`toggle_pane`.

It owns its state: the answer it shows (its *subject*), the token cursor over the subject's
answer tokens, and the heatmap (its palette, built from the theme, τ and the terminal's
colours, and whether it is on). Screens place it with ``answer_layout.tcss``: beside the
chat when wide; when narrow, a compact pane under the chat (headline, token strip, hint),
enlarged by F4 to the whole pane (``-pane-shown`` on the screen). The token cursor keys work
in the numbers too (:class:`PaneScroll`), so the enlarged pane is usable on its own.

What it says is built by pure functions in :mod:`tui.app.text` (``pane``: title, rows,
headline, hints; ``inspect``: the inspector and the strip, a split character's pieces;
``heat``; ``copying``: what the copy keys copy); a new line in the pane is a change there.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from tui.app.actions import bindings_for, find_spec, key_label
from tui.app.colours import colour_mode
from tui.app.text.cursor import least_likely, next_low
from tui.app.text.heat import HeatPalette
from tui.app.text.pane import (
    HINT_KEYS,
    PANE_HINTS,
    AnswerState,
    headline,
    json_title,
    pane_hint,
    shown_key,
    stats_of,
)
from tui.app.widgets.answer import AnswerView
from tui.app.widgets.json_view import JsonView
from tui.app.widgets.pane_copy import PaneCopyActions
from tui.app.widgets.side_pane import (
    HeatLegend,
    PaneHeadline,
    StatsView,
    TokenInspector,
    TokenStrip,
)
from tui.app.widgets.track_view import update_static
from tui.core.characters import character_of
from tui.core.metrics import DEFAULT_LOW_PROB_THRESHOLD

CURSOR_MOVES = frozenset({"cursor_left", "cursor_right", "cursor_first", "cursor_last"})
"""Actions that only make sense while the token cursor is on (hidden from the footer
otherwise, so their keys fall through)."""

CURSOR_KEYS = (
    *CURSOR_MOVES,
    "toggle_cursor",
    "cursor_least_likely",
    "cursor_next_low",
)


class PaneScroll(VerticalScroll):
    """The pane's numbers (inspector, legend, stats), scrolled with ↑↓ PgUp PgDn, and with
    the chat log's token cursor keys and b (branch at the cursor; same binding ids), so the
    enlarged pane of a narrow terminal can walk the tokens while the chat is out of sight."""

    BINDINGS = bindings_for("log", only=(*CURSOR_KEYS, "branch"))


class AnswerPane(PaneCopyActions, Vertical):
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
        self._cursor_token: Any = None  # the token the cursor was last shown on
        self._cursor_span: tuple[int, int] | None = None  # the cursor token's text, as shown
        self.headline = PaneHeadline(Content(headline(None)), id="headline", markup=False)
        self.numbers = PaneScroll(id="pane-top")
        self.inspector = TokenInspector(id="inspector", markup=False)
        self.legend = HeatLegend(id="legend", markup=False)
        self.stats = StatsView(Content(f"No {noun.lower()} yet."), id="stats", markup=False)
        self.json_title = Static(Content("raw logprobs"), id="json-title", markup=False)
        self.json_view = JsonView(id="json")
        self.strip = TokenStrip(id="token-strip", markup=False)

    def compose(self) -> ComposeResult:
        yield self.headline
        with self.numbers:
            yield self.inspector
            yield self.legend
            yield self.stats
        yield self.json_title
        yield self.json_view
        yield self.strip
        keys = self._hint_keys()
        for layout in PANE_HINTS:
            text = Content(pane_hint(layout, keys))
            yield Static(text, id=f"hint-{layout}", classes="pane-hint", markup=False)

    def _hint_keys(self) -> dict[str, str]:
        """The keys the hints name, as the keymap binds them now."""
        keymap = getattr(self.app, "keymap", {})
        return {
            action: shown_key(key_label(find_spec(action, where), keymap))
            for action in HINT_KEYS
            for where in ("log" if action == "toggle_cursor" else "screen",)
        }

    def on_mount(self) -> None:
        self._build_palette()
        self.legend.set_class(self.heat_on, "-active")
        if self.heat_on:
            self.post_message(self.HeatChanged(self.heat))
        self.watch(self.app, "theme", self._theme_changed, init=False)

    # ------------------------------------------------------------------ the subject

    def show(self, view: AnswerView | None, *, keep_cursor: bool = False) -> None:
        """Show ``view``'s answer in whatever state it is (finished, streaming, waiting,
        being recovered); ``None`` empties the pane. The token cursor stays only with
        ``keep_cursor`` and the same subject (an answer that just finished streaming, or
        was recovered: then on the same character)."""
        if view is not self.subject or not keep_cursor:
            self._drop_cursor()
        self.subject = view
        if view is None:
            self.headline.show(headline(None))
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
        self._show_state(view)
        self._update_json_title(rows)
        if self.cursor is not None:
            self._follow_cursor(view)
            self._show_cursor(scroll=False)

    def state_of(self, view: AnswerView) -> AnswerState:
        """What the pane shows ``view`` in (:class:`~tui.app.text.pane.AnswerState`)."""
        return AnswerState(
            noun=self.noun,
            number=view.number,
            answer=view.turn.answer,
            live=view.turn.live,
            max_tokens=view.max_tokens,
            recovering=view.recovering,
            alive=view.alive,
        )

    def _show_state(self, view: AnswerView) -> None:
        state = self.state_of(view)
        self.headline.show(headline(state))
        self.stats.show(*stats_of(state))

    def show_progress(self) -> None:
        """The subject moved on: a streaming answer received more (running stats, new JSON
        rows, the cursor's "token #i of n"; O(new rows): called at every repaint of a
        streaming answer), or its recovery measured more tokens."""
        view = self.subject
        if view is None:
            return
        live = view.turn.live
        self._show_state(view)
        if live is not None:
            self.json_view.sync()
            self._update_json_title(len(live.answer.raw))
        if self.cursor is not None:
            self._show_cursor(scroll=False)

    def _follow_cursor(self, view: AnswerView) -> None:
        """The subject's tokens were replaced (recovery): put the cursor on the token that
        now shows the character it was on."""
        assert self.cursor is not None
        tokens = view.tokens
        if self.cursor < len(tokens) and tokens[self.cursor] is self._cursor_token:
            return
        span = self._cursor_span
        found = None if span is None else view.answer_track.token_at(span[1] - 1)
        if found is None:
            found = min(self.cursor, len(tokens) - 1)
        self.cursor = max(0, found) if tokens else None
        if self.cursor is None:
            self._mark_cursor(False)

    def _update_json_title(self, rows: int) -> None:
        update_static(self.json_title, Content(json_title(rows, self.json_view.doc.line_count)))

    def focus_json(self) -> None:
        self.json_view.focus()

    def focus_numbers(self) -> None:
        """Focus the numbers (inspector, stats): ↑↓ scroll them, the cursor keys work."""
        self.numbers.focus()

    # ------------------------------------------------------------------ heatmap

    @property
    def heat(self) -> HeatPalette | None:
        """The palette answers are coloured with; ``None`` while the heatmap is off."""
        return self.palette if self.heat_on else None

    def _build_palette(self) -> None:
        self.palette = HeatPalette.from_variables(
            self.app.get_css_variables(), self.threshold, colour_mode(self.app)
        )
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
            self._cursor_token = self._cursor_span = None
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
        tokens = view.tokens
        token = tokens[self.cursor]
        self._cursor_token = token
        self._cursor_span = view.answer_track.display_span(self.cursor)
        character = character_of(tokens, self.cursor)
        total = view.token_total
        width = self.inspector.content_region.width or self.size.width - 4
        self.inspector.show(token, total, character, width)
        self.strip.show(token, total, character)
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


def toggle_pane(screen: Screen[Any], log: Widget, pane: AnswerPane) -> None:
    """F4 on a screen laid out by ``answer_layout.tcss``. Wide: hide or show the pane beside
    the chat (``-pane-hidden``). Narrow: enlarge the compact pane under the chat to the whole
    pane, or shrink it back (``-pane-shown``). The focus never stays on something hidden:
    it goes to the numbers (where ↑↓ scroll and the token cursor keys work) when the pane is
    enlarged, to the log when the log comes back."""
    if screen.has_class("-narrow"):
        screen.toggle_class("-pane-shown")
        if screen.has_class("-pane-shown"):
            if log.has_focus or screen.focused is None:
                pane.focus_numbers()
        elif pane.json_view.has_focus or pane.numbers.has_focus or screen.focused is None:
            log.focus()
    else:
        screen.toggle_class("-pane-hidden")
        if screen.has_class("-pane-hidden") and (
            pane.json_view.has_focus or pane.numbers.has_focus
        ):
            log.focus()
