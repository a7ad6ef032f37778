"""The main screen's history actions: browse (F6), open, start anew, export (F7, palette).

A mixin of :class:`~tui.app.screens.main.MainScreen`. The store work is the app's
:class:`~tui.app.history.HistoryLink`; these methods push the screens, refuse what cannot be
done while an answer streams, and say what happened in one notification (markup off: paths
and titles are user text).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work

from tui.app.history import BUSY
from tui.app.screens.export import ExportScreen
from tui.app.screens.history import HistoryChoice, HistoryScreen
from tui.core.errors import LogprobChatError

if TYPE_CHECKING:
    from tui.app.screens.main import MainScreen

    _Base = MainScreen
else:
    _Base = object

FORMAT_NAMES = {"json": "JSON", "jsonl": "JSONL", "md": "Markdown", "csv": "CSV"}


class HistoryActionsMixin(_Base):
    last_export: Any = None

    def action_history(self) -> None:
        app = self.chat_app
        screen = HistoryScreen(
            app.history, current_id=app.history.conversation_id, now=app.wall_clock
        )
        app.push_screen(screen, self._history_chosen)

    def _history_chosen(self, choice: HistoryChoice | None) -> None:
        if choice is None:
            return
        if self.busy:
            self.notify(BUSY, markup=False, severity="warning")
            return
        if choice.action == "new":
            self.new_conversation()
        elif choice.conversation_id is not None:
            self._open_conversation(choice.conversation_id)

    def new_conversation(self) -> None:
        try:
            self.chat_app.history.start_new()
        except LogprobChatError as exc:
            self.notify(str(exc), markup=False, severity="warning")
            return
        self.notify("New conversation: the next question starts it.", markup=False)
        self.input.focus()

    @work(exclusive=True, group="history", exit_on_error=False)
    async def _open_conversation(self, conversation_id: int) -> None:
        try:
            await self.chat_app.history.open(conversation_id)
        except LogprobChatError as exc:
            self.notify(str(exc), markup=False, severity="error")
            return
        self.input.focus()

    def action_export(self) -> None:
        def chosen(fmt: str | None) -> None:
            if fmt:
                self.export_as(fmt)

        self.app.push_screen(ExportScreen(), chosen)

    @work(group="export", exit_on_error=False)
    async def export_as(self, fmt: str) -> None:
        """Export the conversation in ``fmt`` to ``data_dir/exports`` and say where."""
        directory = self.chat_app.data_dir / "exports"
        try:
            path = await self.chat_app.history.export(fmt, directory)
        except LogprobChatError as exc:
            self.notify(f"could not export: {exc}", markup=False, severity="error")
            return
        except OSError as exc:
            self.notify(f"could not export: {exc.strerror or exc}", markup=False, severity="error")
            return
        if path is None:
            self.notify("Nothing to export yet: ask a question first.", markup=False)
            return
        self.last_export = path
        self.notify(f"exported {FORMAT_NAMES.get(fmt, fmt)} to {path}", markup=False, timeout=15)
