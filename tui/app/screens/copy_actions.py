"""Copy and save actions of the main screen: raw JSON, stats and text of the selected answer.

A mixin of :class:`~tui.app.screens.main.MainScreen`. Formatting a big answer's JSON (tens of
MB) and writing it happen in thread workers, so the screen never waits for them; the clipboard
routes are the app's (:meth:`LogprobChatApp.copy_with_note`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import work

from tui.app.clipboard import export_path
from tui.core import jsonio
from tui.core.answer import Answer
from tui.core.presets import write_private
from tui.core.report import stats_text
from tui.core.safety import safe_text

if TYPE_CHECKING:
    from tui.app.screens.main import MainScreen
    from tui.app.widgets.answer import AnswerView

    _Base = MainScreen
else:
    _Base = object


class CopyActionsMixin(_Base):
    def _finished_answer(self) -> tuple[AnswerView, Answer] | None:
        view = self._selected_view()
        if view is None:
            self.notify("No answer selected.", markup=False)
            return None
        if view.turn.answer is None:
            self.notify(
                "This answer is still coming: copy it when it ends (Esc stops it).",
                markup=False,
            )
            return None
        return view, view.turn.answer

    def action_copy_text(self) -> None:
        found = self._finished_answer()
        if found is not None:
            self.chat_app.copy_with_note(safe_text(found[1].text), "the answer text")

    def action_copy_stats(self) -> None:
        found = self._finished_answer()
        if found is not None:
            self.chat_app.copy_with_note(stats_text(found[1]), "the stats")

    def action_copy_json(self) -> None:
        found = self._finished_answer()
        if found is None:
            return
        raw = found[1].raw_logprobs()
        if raw is None:
            self.notify("This answer has no logprobs to copy.", markup=False)
            return
        self._dump_then(raw, lambda text: self.chat_app.copy_with_note(text, "the raw JSON"))

    def action_save_json(self) -> None:
        found = self._finished_answer()
        if found is None:
            return
        view, answer = found
        raw = answer.raw_logprobs()
        if raw is None:
            self.notify("This answer has no logprobs to save.", markup=False)
            return
        self._save(raw, view.number)

    @work(thread=True, group="copy", exit_on_error=False)
    def _dump_then(self, raw: Any, deliver: Callable[[str], None]) -> None:
        """Format a (possibly 40 MB) JSON document off the UI thread, then deliver it."""
        text = jsonio.dumps(raw)
        self.app.call_from_thread(deliver, text)

    @work(thread=True, group="save", exit_on_error=False)
    def _save(self, raw: Any, number: int) -> None:
        try:
            directory = self.chat_app.data_dir / "exports"
            directory.mkdir(parents=True, exist_ok=True)
            path = export_path(directory, number, datetime.now())
            write_private(path, jsonio.dumps(raw) + "\n")
        except OSError as exc:
            self.app.call_from_thread(
                self.notify,
                f"could not save the JSON: {exc.strerror or exc}",
                markup=False,
                severity="error",
            )
            return
        self.app.call_from_thread(self._saved, path)

    def _saved(self, path: Any) -> None:
        self.last_export = path
        self.notify(f"saved raw JSON to {path}", markup=False, timeout=10)
