"""The messages screen (ctrl+l, or "Messages" in the palette): every notice of this session,
newest first, with the files they name.

Notifications vanish after a few seconds; the path of a saved answer (``w``), an exported
conversation (F7) or comparison (``x``) is what a person needs later. Enter or ``c`` copies
the highlighted notice's path (or its text when it names no file); Esc closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from tui.app.notices import Notice
from tui.app.text.notices import notice_line

if TYPE_CHECKING:
    from tui.app.app import LogprobChatApp


class MessagesScreen(ModalScreen[None]):
    CSS_PATH = "messages.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,ctrl+l,q", "close", "Close", key_display="esc", id="messages.close"),
        Binding("c", "copy", "Copy path", id="messages.copy"),
    ]

    def __init__(self, notices: list[Notice]) -> None:
        super().__init__()
        self.notices = notices

    def compose(self) -> ComposeResult:
        with Vertical(id="messages-dialog") as dialog:
            dialog.border_title = "Messages"
            dialog.border_subtitle = "⏎ or c copies the path · Esc closes"
            if self.notices:
                yield OptionList(
                    *(Option(Content(notice_line(n.at, n.text, n.severity))) for n in self.notices),
                    id="messages-list",
                    markup=False,
                )
            else:
                yield Static(
                    Content("No messages yet: saved and exported files are listed here."),
                    id="messages-empty",
                    markup=False,
                )
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._copy(event.option_index)

    def action_copy(self) -> None:
        listing = self.query(OptionList)
        if listing and listing.first().highlighted is not None:
            self._copy(listing.first().highlighted)

    def _copy(self, index: int) -> None:
        notice = self.notices[index]
        app: LogprobChatApp = self.app  # type: ignore[assignment]
        if notice.path is not None:
            app.copy_with_note(str(notice.path), "the path")
        else:
            app.copy_with_note(notice.text, "the message")

    def action_close(self) -> None:
        self.dismiss(None)
