"""The chat log: the conversation's questions and answers, newest at the bottom.

It owns the chat: one :class:`~tui.app.widgets.answer.AnswerView` per turn (``views``, mounted
or not yet), which one is selected, the heat colours of every answer, notes between them, the
lazy mounting of a long conversation's earlier answers
(:class:`~tui.app.widgets.earlier_answers.EarlierAnswers`) and the streaming of new answers
(:class:`~tui.app.widgets.answer_stream.StreamPump`). Screens place it and listen to it:

* :class:`ChatLog.TurnAsked` / :class:`ChatLog.TurnFinished`: a question was added; its answer
  ended (complete, stopped or failed);
* :class:`ChatLog.AnswerSelected`: the selection moved (``None``: the log was emptied);
* :class:`ChatLog.AnswerChanged`: the selected answer changed: it started or ended
  (``tick=False``), or a streaming repaint added to it (``tick=True``, at most 25 a second).

It uses Textual's ``stream`` layout (children stacked full width with auto height, appended
in O(1)), and stays anchored to the bottom while an answer streams unless the person scrolls
away. Its keys (``where="log"`` in :mod:`tui.app.actions`) run its own actions (selecting
answers, reasoning) or, through the screen, the answer pane's (token cursor, copy) and the
screen's (back to the input, help).

While ``views`` is empty the log shows a welcome (:meth:`set_welcome`: what to type, the
keys that matter first), gone with the first question. An answer's phase after its stream
ended (recovering llama.cpp's hidden tokens, see :mod:`.answer_stream`) keeps the log
``busy`` and posts ``AnswerChanged(tick=True)`` as it moves on; Esc skips it
(:meth:`stop`).

Siblings (issue 16): the log shows the conversation's selected path, one exchange per
question, each answer's header saying ``‹2/3›`` when it has siblings. A new sibling (a
branch, a regenerated answer, an edited question: :meth:`ask` with ``at``) and another
sibling selected (``[`` / ``]``: :meth:`show_path_from`) replace the exchanges from its place
on with the new path's. Space marks an answer (:attr:`marked`) for the side-by-side view.

A log without :class:`~tui.app.widgets.answer_stream.TurnHooks` only shows turns (the sample
screen): it cannot ask.
"""

from __future__ import annotations

from typing import Any

from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from tui.app.actions import bindings_for
from tui.app.text.heat import HeatPalette
from tui.app.widgets.answer import AnswerView, SystemLine
from tui.app.widgets.answer_stream import StreamPump, TurnHooks
from tui.app.widgets.earlier_answers import EarlierAnswers, exchange
from tui.app.widgets.sizing import GrowsWithStream
from tui.core.conversation import Turn


class ChatLog(GrowsWithStream, VerticalScroll, can_focus=True):
    """See the module docstring. ``hooks``: how to ask (``None``: a log that only shows)."""

    BINDINGS = bindings_for("log")
    BLANK = True  # a plain background: Textual then skips rendering it line by line

    class TurnAsked(Message):
        """``turn`` was added, before its request goes out."""

        def __init__(self, turn: Turn, view: AnswerView) -> None:
            super().__init__()
            self.turn = turn
            self.view = view

    class TurnFinished(Message):
        """``turn.answer`` is final (complete, stopped or error)."""

        def __init__(self, turn: Turn, view: AnswerView) -> None:
            super().__init__()
            self.turn = turn
            self.view = view

    class AnswerSelected(Message):
        """The selected answer is now ``view`` (``None``: nothing is left to select)."""

        def __init__(self, view: AnswerView | None) -> None:
            super().__init__()
            self.view = view

    class AnswerChanged(Message):
        """The selected answer changed: started or ended (``tick`` false), or received more
        while streaming (``tick`` true)."""

        def __init__(self, view: AnswerView, *, tick: bool) -> None:
            super().__init__()
            self.view = view
            self.tick = tick

    class SiblingsShown(Message):
        """The path from ``view`` on was replaced (another sibling made or selected)."""

        def __init__(self, view: AnswerView) -> None:
            super().__init__()
            self.view = view

    def __init__(self, hooks: TurnHooks | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.views: list[AnswerView] = []
        self.selected: int | None = None
        self.marked: AnswerView | None = None  # marked for the side-by-side view
        self.heat: HeatPalette | None = None
        self.earlier = EarlierAnswers(self)
        self.pump = StreamPump(self, hooks) if hooks is not None else None
        self.welcome_lines: list[str] | None = None
        self.welcome: Static | None = None

    def growing(self) -> bool:
        """An answer streams into the log now."""
        return self.pump is not None and self.pump.live is not None

    def on_mount(self) -> None:
        self.anchor()
        self.watch(self, "scroll_y", self.earlier.scrolled, init=False)

    # ------------------------------------------------------------------ content

    @property
    def selected_view(self) -> AnswerView | None:
        return None if self.selected is None else self.views[self.selected]

    @property
    def busy(self) -> bool:
        """An answer is streaming or waiting for the model."""
        return self.pump is not None and self.pump.busy

    def append(self, *widgets: Widget) -> None:
        """Add widgets at the end of the log, after the pending layout has been done.

        Why not at once: the log's stream layout re-measures only the children it was told
        changed, and a height change deep inside an earlier answer (its footer growing when
        it ends) is not reported to it when a new child arrives in the same layout pass
        (Textual 8.2.8, ``Screen._on_layout``): the earlier answer would keep its old height
        and be clipped. One frame later its change has been laid out.
        """
        self.call_after_refresh(self.mount_all, widgets)

    def set_welcome(self, lines: list[str] | None) -> None:
        """What the log shows while it has no answer (``None``: nothing)."""
        self.welcome_lines = lines
        self._sync_welcome()

    def _sync_welcome(self) -> None:
        wanted = bool(self.welcome_lines) and not self.views
        if wanted and self.welcome is None:
            text = Content("\n".join(self.welcome_lines or []))
            self.welcome = Static(text, classes="welcome", markup=False)
            if self.children:
                self.mount(self.welcome, before=0)
            else:
                self.mount(self.welcome)
            # Read from the top, like a page. (Anchored, a log with less content than room
            # sits at the bottom, placed with the sizes of the layout pass that mounted it:
            # the welcome, mounted while the first layout settles, was left cut off.)
            self.anchor(False)
            self.scroll_home(animate=False, immediate=True)
        elif not wanted and self.welcome is not None:
            welcome, self.welcome = self.welcome, None
            welcome.remove()
            self.anchor()  # the chat stays at its latest answer again

    def add_note(self, text: str, kind: str = "note") -> None:
        """A one-line message at the end of the log (markup never read)."""
        self.append(SystemLine(text, kind=kind))

    def _siblings_of(self, turn: Turn) -> tuple[int, int]:
        return (1, 1) if self.pump is None else self.pump.hooks.sibling_position(turn)

    def _new_view(self, turn: Turn, number: int) -> AnswerView:
        view = AnswerView(turn, number, self._siblings_of(turn))
        if self.heat is not None:
            view.set_heat(self.heat)
        self.views.append(view)
        return view

    def show_turns(self, turns: list[Turn], first_number: int = 1) -> None:
        """Show finished turns (a conversation reopened from the store, a comparison sample),
        numbered from ``first_number``: the latest at once, earlier ones when scrolled to."""
        start = len(self.views)
        views = [self._new_view(turn, first_number + i) for i, turn in enumerate(turns)]
        self._sync_welcome()
        self.earlier.mount_recent(views)
        if self.views:
            self.select(start + len(views) - 1)

    def clear(self) -> None:
        """Empty the log (before showing another conversation; never while an answer
        streams, see ``busy``)."""
        self.views.clear()
        self.selected = None
        self.marked = None
        # Everything but the welcome, which an empty log shows anyway.
        self.remove_children([child for child in self.children if child is not self.welcome])
        self.earlier.forget()
        self._sync_welcome()
        self.post_message(self.AnswerSelected(None))

    # ------------------------------------------------------------------ asking

    def ask(self, turn: Turn, at: int | None = None) -> AnswerView:
        """Add ``turn``'s question and its (empty) answer, selected and followed. The caller
        then sends it (:meth:`stream`), holds it for the model (:meth:`hold`) or fails it.
        ``at``: a sibling of the answer shown there, which it replaces with every exchange
        after it (the new sibling is selected: the path ends with it)."""
        assert self.pump is not None, "this chat log only shows turns"
        if at is not None:
            self._drop_from(at)
        view = self._new_view(turn, len(self.views) + 1)
        self._sync_welcome()
        self.append(*exchange(view))
        self.pump.hooks.asked(turn)
        self.post_message(self.TurnAsked(turn, view))
        self.anchor()
        self.select(len(self.views) - 1)
        return view

    def stream(self, view: AnswerView) -> None:
        assert self.pump is not None
        self.pump.start(view)

    def hold(self, view: AnswerView) -> None:
        """Keep ``view``'s question until :meth:`release_held` (the model is starting)."""
        assert self.pump is not None
        self.pump.hold(view)

    def release_held(self) -> None:
        if self.pump is not None:
            self.pump.release()

    def fail_held(self, reason: str) -> None:
        if self.pump is not None:
            self.pump.fail_held(reason)

    def fail(self, view: AnswerView, reason: str) -> None:
        """End ``view``'s turn with an error before any request."""
        assert self.pump is not None
        self.pump.end_without_request(view, "error", reason)

    def stop(self) -> None:
        """Stop the answer being generated (or the question waiting for the model)."""
        if self.pump is not None:
            self.pump.stop()

    # Called by the pump (it never posts messages itself).

    def answer_started(self, view: AnswerView) -> None:
        if view is self.selected_view:
            self.post_message(self.AnswerChanged(view, tick=False))

    def answer_ticked(self, view: AnswerView) -> None:
        if view is self.selected_view:
            self.post_message(self.AnswerChanged(view, tick=True))

    def answer_finished(self, view: AnswerView) -> None:
        self.post_message(self.TurnFinished(view.turn, view))
        if view is self.selected_view:
            self.post_message(self.AnswerChanged(view, tick=False))

    # ------------------------------------------------------------------ siblings

    def _drop_from(self, index: int) -> None:
        """Take the exchanges from ``views[index]`` on out of the log."""
        gone = self.views[index:]
        del self.views[index:]
        widgets = [w for view in gone for w in (view.question_view, view) if w is not None]
        self.remove_children([w for w in widgets if w.parent is self])
        if self.marked in gone:
            self.marked = None
        if self.selected is not None and self.selected >= index:
            self.selected = None

    def show_path_from(self, index: int, turns: list[Turn]) -> None:
        """Show ``turns`` (the selected path from ``views[index]``'s place on) instead of
        the exchanges there, and select the first of them."""
        self._drop_from(index)
        views = [self._new_view(turn, index + 1 + i) for i, turn in enumerate(turns)]
        self.append(*(w for view in views for w in exchange(view)))
        if views:
            self.select(index)
            self.post_message(self.SiblingsShown(views[0]))

    def refresh_siblings(self) -> None:
        """Every shown answer's ``‹k/n›`` as the conversation has it now."""
        for view in self.views:
            view.set_sibling_place(self._siblings_of(view.turn))

    def action_sibling_previous(self) -> None:
        """[ : the previous sibling of the selected answer (its path follows)."""
        self._switch_sibling(-1)

    def action_sibling_next(self) -> None:
        """] : the next sibling of the selected answer."""
        self._switch_sibling(+1)

    def _switch_sibling(self, step: int) -> None:
        view = self.selected_view
        hooks = self.pump.hooks if self.pump is not None else None
        if view is None or hooks is None or self.selected is None:
            return
        group = hooks.siblings(view.turn)
        if len(group) < 2:
            self.notify(
                "This answer has no siblings yet: g regenerates it, e edits its question, "
                "b (on a token) branches it.",
                markup=False,
            )
            return
        if self.busy:
            self.notify("An answer is still coming: ctrl+c stops it first.", markup=False)
            return
        position = next(k for k, t in enumerate(group) if t is view.turn)
        chosen = group[(position + step) % len(group)]
        path = hooks.select(chosen)
        self.show_path_from(self.selected, path[self.selected :])

    def action_toggle_mark(self) -> None:
        """Space: mark the selected answer for the side-by-side view (v), or unmark it."""
        view = self.selected_view
        if view is None:
            return
        old = self.marked
        if old is not None:
            old.remove_class("-marked")
        self.marked = None if old is view else view
        if self.marked is not None:
            self.marked.add_class("-marked")
            self.notify(
                f"Answer #{view.number} marked: select another and press v to see them "
                "side by side.",
                markup=False,
            )

    # ------------------------------------------------------------------ heat

    def set_heat(self, heat: HeatPalette | None) -> None:
        """Colour every answer with ``heat`` (``None``: plain text), new ones too."""
        self.heat = heat
        for view in self.views:
            view.set_heat(heat)

    # ------------------------------------------------------------------ selection

    def select(self, index: int) -> None:
        """Select answer ``index`` (clamped): mount it if it was not yet, bring it into view
        (or follow it while it streams), and say so (:class:`AnswerSelected`)."""
        if not self.views:
            return
        index = max(0, min(index, len(self.views) - 1))
        if index < self.earlier.hidden:
            # Selected again once mounted and laid out, to scroll it into view.
            self.earlier.reveal(index, then=lambda: self.select(index))
        old = self.selected_view
        if old is not None:
            old.remove_class("-selected")
        self.selected = index
        view = self.views[index]
        view.add_class("-selected")
        self.post_message(self.AnswerSelected(view))
        if view.is_mounted:
            live = self.pump.live if self.pump is not None else None
            if index == len(self.views) - 1 and live is not None:
                self.anchor()  # follow the answer that is streaming
            else:
                view.scroll_into_view()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("sibling_previous", "sibling_next", "toggle_mark"):
            return self.pump is not None  # a log that only shows (a sample) has no siblings
        if action == "toggle_reasoning":
            # Offered (and in the footer) only for an answer that has reasoning.
            view = self.selected_view
            return view is not None and view.has_reasoning
        return True

    def on_focus(self) -> None:
        if self.selected is None and self.views:
            self.select(len(self.views) - 1)

    def action_select_previous(self) -> None:
        """↑ / k: the answer before; on the first one, scroll up (a long answer, or the only
        one on the sample screen, is read with the same keys)."""
        if self.selected == 0:
            self.scroll_up(animate=False)
        elif self.views:
            self.select(len(self.views) - 1 if self.selected is None else self.selected - 1)

    def action_select_next(self) -> None:
        """↓ / j: the answer after; on the latest one, scroll down."""
        if self.selected is not None and self.selected == len(self.views) - 1:
            self.scroll_down(animate=False)
        elif self.views:
            self.select(len(self.views) - 1 if self.selected is None else self.selected + 1)

    def action_select_last(self) -> None:
        self.select(len(self.views) - 1)

    def action_toggle_reasoning(self) -> None:
        view = self.selected_view
        if view is None or not view.toggle_reasoning():
            self.notify("This answer has no reasoning.", markup=False)
