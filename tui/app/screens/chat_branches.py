"""The chat screen's branches and siblings (issue 16): branch an answer at a token (b),
regenerate it (g), edit its question and send it again (e, then Enter), and see two answers
side by side (v).

:class:`ChatBranches` is a helper the chat screen owns (like its dialogs): it asks the app's
:class:`~tui.app.turn_driver.TurnDriver` for the new sibling (the core's conversation tree
makes it), and hands it to the screen to send in the place of the answer it is a sibling
of (:meth:`MainScreen.send_turn` with ``at``). A server that cannot continue a given start
(OpenAI) is said in one line before anything is picked, and nothing is sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.app.screens.branch import BranchPick, BranchScreen
from tui.app.widgets.answer import AnswerView
from tui.core.branch import BranchError, branch_choices, plan_branch
from tui.core.conversation import Turn

if TYPE_CHECKING:
    from tui.app.app import LogprobChatApp
    from tui.app.screens.main import MainScreen

NO_CURSOR = (
    "Put the token cursor on the token to branch at first: t, then ←→ (m: the least likely)."
)
STILL_COMING = "An answer is still coming: ctrl+c stops it first."


class ChatBranches:
    """See the module docstring. ``editing``: the turn whose question is in the input bar
    to be sent again as its sibling (``None``: the input asks a new question)."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        self.editing: Turn | None = None

    @property
    def app(self) -> LogprobChatApp:
        return self.screen.chat_app

    def _say(self, text: str, severity: str = "information") -> None:
        self.screen.notify(text, markup=False, severity=severity)  # type: ignore[arg-type]

    def _finished_view(self) -> AnswerView | None:
        """The selected answer, when it has ended and nothing streams (else said why)."""
        chat = self.screen.chat
        view = chat.selected_view
        if view is None:
            self._say("Select an answer first (↑↓ in the chat log).")
            return None
        if chat.busy:
            self._say(STILL_COMING)
            return None
        return view

    def _place(self, view: AnswerView) -> int | None:
        views = self.screen.chat.views
        return next((k for k, v in enumerate(views) if v is view), None)

    # ------------------------------------------------------------------ regenerate, edit

    def regenerate(self) -> None:
        view = self._finished_view()
        if view is None:
            return
        turn = self.app.turns.regenerate(view.turn)
        self.screen.send_turn(turn, at=self._place(view))

    def edit(self) -> None:
        """Put the selected answer's question in the input, to be changed and sent again."""
        view = self.screen.chat.selected_view
        if view is None:
            self._say("Select an answer first (↑↓ in the chat log).")
            return
        field = self.screen.input
        field.clear()
        field.insert(view.turn.question)
        self.editing = view.turn
        field.show_editing(view.number)
        self.screen.set_focus(field)

    def stop_editing(self) -> None:
        self.editing = None
        self.screen.input.show_editing(None)

    def send_edited(self, question: str) -> bool:
        """Send ``question`` as a sibling of the turn being edited; ``False`` when nothing
        is being edited (or its answer is no longer shown: then it is a new question)."""
        turn = self.editing
        self.stop_editing()
        if turn is None:
            return False
        place = next((k for k, v in enumerate(self.screen.chat.views) if v.turn is turn), None)
        if place is None:
            return False
        self.screen.send_turn(self.app.turns.edit(turn, question), at=place)
        return True

    # ------------------------------------------------------------------ branch

    def branch(self) -> None:
        view = self._finished_view()
        if view is None:
            return
        cursor = self.screen.pane.cursor
        if cursor is None or self.screen.pane.subject is not view:
            self._say(NO_CURSOR)
            return
        self.screen.run_worker(self._branch(view, cursor), group="branch", exit_on_error=False)

    async def _branch(self, view: AnswerView, cursor: int) -> None:
        problem = await self.app.turns.prefill_problem()
        if problem is not None:
            self._say(f"cannot branch here: {problem}", "warning")
            return
        answer = view.turn.answer
        token = view.tokens[cursor]
        if answer is None:
            return
        try:
            choices = branch_choices(answer, token.index)
        except BranchError as exc:
            self._say(f"cannot branch at this token: {exc}", "warning")
            return

        def picked(pick: BranchPick) -> None:
            if pick is not None:
                self._take(view, token.index, pick)

        self.app.push_screen(BranchScreen(view.number, token, choices), picked)

    def _take(self, view: AnswerView, position: int, pick: BranchPick) -> None:
        answer = view.turn.answer
        if answer is None or pick is None or self.screen.chat.busy:
            return
        try:
            planned = plan_branch(answer, position, pick)
        except BranchError as exc:
            self._say(f"cannot branch: {exc}", "warning")
            return
        turn = self.app.turns.branch(view.turn, planned)
        self.screen.send_turn(turn, at=self._place(view))

    # ------------------------------------------------------------------ side by side

    def _name(self, view: AnswerView, turn: Turn | None = None) -> str:
        """ "#2 ‹1/3›": the number of ``view``'s question and ``turn``'s place among its
        siblings (``turn``: the view's own by default)."""
        turn = turn or view.turn
        group = self.app.turns.siblings(turn)
        k = next(i for i, t in enumerate(group, 1) if t is turn)
        return f"#{view.number} ‹{k}/{len(group)}›" if len(group) > 1 else f"#{view.number}"

    def side_by_side(self) -> None:
        """Two answers side by side: the marked one (space) and the selected one, else the
        selected one and its previous sibling (its next, for the first)."""
        from tui.app.screens.side_by_side import SideBySideScreen

        chat = self.screen.chat
        view = chat.selected_view
        if view is None or view.turn.answer is None:
            self._say("Select a finished answer first (↑↓ in the chat log).")
            return
        marked = chat.marked
        if marked is not None and marked is not view and marked.turn.answer is not None:
            left = (marked.turn, self._name(marked))
        else:
            done = [t for t in self.app.turns.siblings(view.turn) if t.answer is not None]
            if len(done) < 2:
                self._say(
                    "Nothing to set beside it: mark another answer with space, or make a "
                    "sibling of this one (g regenerates, e edits, b branches)."
                )
                return
            k = next(i for i, t in enumerate(done) if t is view.turn)
            other = done[k - 1] if k > 0 else done[1]
            left = (other, self._name(view, other))
        self.app.push_screen(
            SideBySideScreen(
                left,
                (view.turn, self._name(view)),
                heat=self.screen.pane.palette,
            )
        )
