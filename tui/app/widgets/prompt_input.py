"""The input bar: Enter sends; a multi-line mode for terminals without shift+enter.

Many terminals (and SSH, tmux) send the same byte for Enter and shift+enter, so "shift+enter
for a newline" cannot be relied on. Instead:

* single-line mode (default): Enter sends; ctrl+j (a plain line feed, which every terminal
  can send) or shift+enter (where the terminal reports it) inserts a newline;
* multi-line mode (ctrl+o): Enter inserts a newline; ctrl+s sends.

↑ in the empty input brings back the earlier questions, shell-like (``recall``).

Pasted text keeps its newlines in both modes. The input holds at most
:data:`MAX_INPUT_CHARS` characters: a bigger paste (a 1 MB log by mistake) is cut to fit, with
a warning that says how much was left out, instead of a question no server would take.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import TextArea

from tui.app.actions import bindings_for
from tui.app.widgets.recall_keys import recall_key
from tui.core.recall import Recall

MAX_INPUT_CHARS = 256_000
"""About 64k tokens: more than the context of most self-hosted models (the built-in one takes
2,048 tokens), yet still laid out in a fraction of a second."""

SINGLE_TITLE = "⏎ send · ctrl+j newline · ctrl+o multi-line"
MULTI_TITLE = "multi-line: ⏎ newline · ctrl+s send · ctrl+o single-line"
QUEUED_TITLE = "queued: sent when the answer ends · ^c stops it now · edit to keep it here"


def editing_title(number: int) -> str:
    """The input's title while question #``number`` is edited to be sent again."""
    return f"✎ question #{number}: ⏎ sends it as a sibling · empty it to ask anew"


class PromptInput(TextArea):
    """A TextArea that sends its text as :class:`PromptInput.Submitted`."""

    BINDINGS = bindings_for("input")

    multiline: reactive[bool] = reactive(False)
    queued: reactive[bool] = reactive(False)
    """The text was sent while an answer streamed: it goes when that answer ends."""
    editing: reactive[int | None] = reactive(None)
    """The number of the question being edited (sent as a sibling of its answer)."""

    @dataclass
    class Submitted(Message):
        input: PromptInput
        text: str

    def __init__(self, recall: Recall | None = None, **kwargs: object) -> None:
        super().__init__(
            soft_wrap=True,
            show_line_numbers=False,
            highlight_cursor_line=False,
            tab_behavior="focus",
            **kwargs,  # type: ignore[arg-type]
        )
        self.recall = recall
        """Earlier questions: ↑ in the empty input brings them back (shell-like)."""

    def on_mount(self) -> None:
        self.border_title = SINGLE_TITLE

    def watch_multiline(self, multiline: bool) -> None:
        self._show_title()
        self.set_class(multiline, "-multiline")
        self.refresh_bindings()

    def watch_queued(self) -> None:
        self._show_title()

    def watch_editing(self) -> None:
        self._show_title()

    def show_editing(self, number: int | None) -> None:
        self.editing = number

    def _show_title(self) -> None:
        if self.queued:
            self.border_title = QUEUED_TITLE
        elif self.editing is not None:
            self.border_title = editing_title(self.editing)
        else:
            self.border_title = MULTI_TITLE if self.multiline else SINGLE_TITLE

    def show_queued(self, queued: bool) -> None:
        self.queued = queued

    async def _on_key(self, event: events.Key) -> None:
        if recall_key(self, self.recall, event):
            return
        if event.key == "enter" and not self.multiline:
            event.stop()
            event.prevent_default()
            self.action_send()
            return
        await super()._on_key(event)

    async def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()
        self.insert_pasted(event.text)
        self.focus()

    def action_paste(self) -> None:
        self.insert_pasted(self.app.clipboard)

    def insert_pasted(self, text: str) -> None:
        """Insert ``text`` over the selection, cut to what still fits (with a warning)."""
        if self.read_only:
            return
        room = max(0, MAX_INPUT_CHARS - (len(self.text) - len(self.selected_text)))
        if len(text) > room:
            self.notify(
                paste_note(len(text), room), title="Paste cut", severity="warning", markup=False
            )
            text = text[:room]
        if text:
            result = self.replace(text, *self.selection)
            self.move_cursor(result.end_location)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "send_enter":
            return not self.multiline
        return super().check_action(action, parameters)

    def action_send(self) -> None:
        self.post_message(self.Submitted(self, self.text))

    def action_send_enter(self) -> None:
        self.action_send()

    def action_newline(self) -> None:
        self.insert("\n")

    def action_toggle_multiline(self) -> None:
        self.multiline = not self.multiline


def paste_note(pasted: int, kept: int) -> str:
    """What the warning says when a paste does not fit."""
    return (
        f"pasted {pasted:,} characters; the input holds at most {MAX_INPUT_CHARS:,}: "
        f"kept {kept:,}, left out {pasted - kept:,}"
    )
