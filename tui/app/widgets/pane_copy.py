"""The answer pane's copy and save actions (a mixin of
:class:`~tui.app.widgets.answer_pane.AnswerPane`): what is copied comes from
:mod:`tui.app.text.copying` (the numbers with their context, full or one line per token);
the copy and the file are the app's to make (:class:`~tui.app.messages.CopyRequested`,
:class:`~tui.app.messages.SaveRequested`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work

from tui.app.messages import CopyRequested, SaveRequested
from tui.app.text.copying import compact_json, compact_stats, json_document, stats_document
from tui.core import jsonio
from tui.core.answer import Answer
from tui.core.safety import safe_text

if TYPE_CHECKING:
    from tui.app.widgets.answer import AnswerView


class PaneCopyActions:
    """``c`` ``C`` ``s`` ``S`` ``y`` ``w`` on the pane's subject (a finished answer)."""

    subject: AnswerView | None
    noun: str

    if TYPE_CHECKING:

        def notify(self, message: str, **kwargs: Any) -> None: ...

        def post_message(self, message: Any) -> bool: ...

        def _has_tokens(self) -> bool: ...

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
            assert self.subject is not None
            text = stats_document(self.subject.turn, answer)
            self.post_message(CopyRequested(text, "the stats"))

    def action_copy_stats_compact(self) -> None:
        answer = self._finished_answer()
        if answer is None or not self._has_tokens():
            return
        assert self.subject is not None
        text = compact_stats(self.subject.turn, answer)
        self.post_message(CopyRequested(text, "the stats, one line per token"))

    def action_copy_json(self) -> None:
        answer = self._finished_answer()
        if answer is None:
            return
        assert self.subject is not None
        document = json_document(self.subject.turn, answer)
        if document is None:
            self.notify("This answer has no logprobs to copy.", markup=False)
            return
        self._copy_json(document)

    def action_copy_json_compact(self) -> None:
        answer = self._finished_answer()
        if answer is None:
            return
        assert self.subject is not None
        text = compact_json(self.subject.turn, answer)
        if text is None:
            self.notify("This answer has no logprobs to copy.", markup=False)
            return
        self.post_message(CopyRequested(text, "the raw logprobs, one line per token"))

    @work(thread=True, group="copy", exit_on_error=False)
    def _copy_json(self, document: Any) -> None:
        """Format a (possibly 40 MB) JSON document off the UI thread, then hand it over
        (``post_message`` is thread-safe)."""
        self.post_message(CopyRequested(jsonio.dumps(document), "the raw JSON"))

    def action_save_json(self) -> None:
        answer = self._finished_answer()
        if answer is None:
            return
        assert self.subject is not None
        document = json_document(self.subject.turn, answer)
        if document is None:
            self.notify("This answer has no logprobs to save.", markup=False)
            return
        self.post_message(SaveRequested(document, self.subject.number))
