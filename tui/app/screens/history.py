"""The history screen: every stored conversation, searchable; open, rename, delete, start anew.

Keys (all in the footer): type to filter (the search field has focus; letters typed on the
list go there too), ``↑``/``↓``/PageUp/PageDown move in the list from anywhere, Enter opens the
highlighted conversation, ``F2`` renames it, ``ctrl+d`` (or Delete on the list) deletes it
after a confirmation naming it with its date and size, ``ctrl+n`` starts a new conversation,
Esc clears the search or goes back. The list opens on the chat's current conversation, its
row drawn as clearly as a focused list's; a key that acts on the highlighted row right after
typing a search (the search waits for a pause in typing) first runs that search, so it acts
on a row of what was typed for.

The screen only reads and edits the history through a :class:`HistorySource` (the app's
:class:`~tui.app.history.HistoryLink`), off the UI thread; opening is done by whoever pushed
the screen, from the :class:`HistoryChoice` it is dismissed with. Titles, questions, presets
and model names are user or server text: shown literally (``safe_line``, no markup).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from typing import ClassVar, Literal, Protocol

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.app.screens.confirm import ConfirmScreen
from tui.app.screens.rename import RenameScreen
from tui.app.screens.type_ahead import deliver_early_key
from tui.app.text.history_rows import comparison_line, header_line, summary_line, when_label
from tui.core.errors import LogprobChatError
from tui.core.safety import safe_line
from tui.core.store.comparisons import ComparisonSummary
from tui.core.store.models import ConversationSummary

SEARCH_DELAY = 0.15
"""Seconds of typing pause before the search runs (one query per pause, not per key)."""


class HistorySource(Protocol):
    async def summaries(self, query: str = "") -> list[ConversationSummary]: ...
    async def comparisons(self) -> list[ComparisonSummary]: ...
    async def rename(self, conversation_id: int, title: str) -> None: ...
    async def delete(self, conversation_id: int) -> bool: ...


@dataclass(frozen=True)
class HistoryChoice:
    """``open`` a stored conversation, start a ``new`` one, or open a stored ``comparison``
    (its id in ``conversation_id``)."""

    action: Literal["open", "new", "comparison"]
    conversation_id: int | None = None


def delete_question(summary: ConversationSummary, now: float, tz: tzinfo | None = None) -> str:
    """What the confirmation asks: the conversation by title, when it was last used and its
    size, so one of several with the same title is told apart."""
    title = safe_line(summary.display_title)
    what = "answer" if summary.answers == 1 else "answers"
    when = when_label(summary.updated_at, now, tz)
    return f"Delete “{title}” (last used {when}, {summary.answers} {what})? This cannot be undone."


class ConversationList(OptionList):
    """The conversations, newest first; Delete here deletes the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete", "screen.delete", "Delete", show=False, id="history.delete_key"),
    ]


class HistoryScreen(Screen[HistoryChoice | None]):
    CSS_PATH = "history.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", key_display="⏎", id="history.open"),
        Binding("f2", "rename", "Rename", priority=True, id="history.rename"),
        Binding("ctrl+d", "delete", "Delete", priority=True, id="history.delete"),
        Binding("ctrl+n", "new", "New chat", priority=True, id="history.new"),
        Binding("escape", "back", "Back", id="history.back"),
        Binding("down", "move('cursor_down')", "Next", show=False, id="history.down"),
        Binding("up", "move('cursor_up')", "Previous", show=False, id="history.up"),
        Binding("pagedown", "move('page_down')", "Page down", show=False, id="history.pagedown"),
        Binding("pageup", "move('page_up')", "Page up", show=False, id="history.pageup"),
    ]
    AUTO_FOCUS = "#history-search"

    def __init__(
        self,
        source: HistorySource,
        *,
        current_id: int | None = None,
        now: Callable[[], float] = time.time,
        tz: tzinfo | None = None,
    ) -> None:
        super().__init__()
        self.source = source
        self.current_id = current_id
        self.now = now
        self.tz = tz
        self.summaries: list[ConversationSummary] = []
        self.comparisons: list[ComparisonSummary] = []
        self.loaded = asyncio.Event()  # the first list is shown (tests wait on it)
        self._query = ""

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with Vertical(id="history-dialog") as dialog:
            dialog.border_title = "History"
            dialog.border_subtitle = "type to search · ⏎ open · F2 rename · ^d delete · ^n new"
            yield Input(placeholder="search titles and messages", compact=True, id="history-search")
            yield Static("", markup=False, id="history-header")
            yield ConversationList(markup=False, id="history-list")
            yield Static("", markup=False, id="history-status")
            yield Static("", markup=False, id="history-comparisons-title")
            yield OptionList(markup=False, id="history-comparisons")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        # The chat app turns blinking off in tests and snapshots.
        self.query_one("#history-search", Input).cursor_blink = getattr(
            self.app, "cursor_blink", True
        )
        self._search("")
        self._load_comparisons()

    @property
    def option_list(self) -> ConversationList:
        return self.query_one("#history-list", ConversationList)

    def _line_width(self) -> int:
        return max(40, self.option_list.scrollable_content_region.width - 1)

    def on_resize(self) -> None:
        self._fill(keep=self.highlighted_id())
        self._fill_comparisons()

    # ------------------------------------------------------------------ list

    @work(exclusive=True, group="history-search", exit_on_error=False)
    async def _search(self, query: str, delay: float = 0.0) -> None:
        if delay:
            await asyncio.sleep(delay)  # cancelled by the next key: one search per pause
        keep = self.highlighted_id()
        try:
            summaries = await self.source.summaries(query)
        except LogprobChatError as exc:
            self._status(str(exc), error=True)
            return
        self._query = query
        self.summaries = summaries
        self._fill(keep=keep)
        self.loaded.set()

    def _fill(self, keep: int | None = None) -> None:
        if not self.is_mounted:
            return
        width = self._line_width()
        now = self.now()
        self.query_one("#history-header", Static).update(header_line(width))
        options = self.option_list
        options.set_options(
            Option(summary_line(s, width, now, self.tz), id=str(s.id)) for s in self.summaries
        )
        ids = [s.id for s in self.summaries]
        if ids:
            target = keep if keep in ids else (self.current_id if self.current_id in ids else None)
            options.highlighted = ids.index(target) if target is not None else 0
            # (once laid out: the current conversation may be far down the list)
            self.call_after_refresh(options.scroll_to_highlight)
        count = len(ids)
        noun = "conversation" if count == 1 else "conversations"
        if self._query:
            self._status(f"{count} {noun} match “{safe_line(self._query)}”")
        elif count:
            self._status(f"{count} {noun}")
        else:
            self._status("No conversations yet: ask a question in the chat.")

    @work(group="history-comparisons", exit_on_error=False)
    async def _load_comparisons(self) -> None:
        try:
            self.comparisons = await self.source.comparisons()
        except LogprobChatError as exc:
            self._status(str(exc), error=True)
            return
        self._fill_comparisons()

    def _fill_comparisons(self) -> None:
        listed = self.query_one("#history-comparisons", OptionList)
        count = len(self.comparisons)
        listed.display = bool(count)
        title = self.query_one("#history-comparisons-title", Static)
        title.display = bool(count)
        title.update(Content(f"Comparisons ({count}) · tab: here and back · ⏎ opens one"))
        width = self._line_width()
        now = self.now()
        keep = listed.highlighted
        listed.set_options(
            Option(comparison_line(c, width, now, self.tz), id=f"c{c.id}") for c in self.comparisons
        )
        if count:
            listed.highlighted = min(keep or 0, count - 1)

    @on(OptionList.OptionSelected, "#history-comparisons")
    def _comparison_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(HistoryChoice("comparison", self.comparisons[event.option_index].id))

    def highlighted(self) -> ConversationSummary | None:
        index = self.option_list.highlighted
        if index is None or not 0 <= index < len(self.summaries):
            return None
        return self.summaries[index]

    def highlighted_id(self) -> int | None:
        summary = self.highlighted() if self.is_mounted else None
        return None if summary is None else summary.id

    def _status(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#history-status", Static)
        status.update(Content(message))
        status.set_class(error, "-error")

    # ------------------------------------------------------------------ events

    @on(Input.Changed, "#history-search")
    def _typed(self, event: Input.Changed) -> None:
        self._search(event.value.strip(), delay=SEARCH_DELAY)

    @on(Input.Submitted, "#history-search")
    async def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        await self.action_open()

    @on(OptionList.OptionSelected, "#history-list")
    async def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        await self.action_open()

    def on_key(self, event: events.Key) -> None:
        # "Type to filter" wherever the focus is: a letter typed on the list goes to the search.
        search = self.query_one("#history-search", Input)
        if event.is_printable and event.character and self.focused is self.option_list:
            event.stop()
            event.prevent_default()
            search.focus()
            search.insert_text_at_cursor(event.character)
        else:
            deliver_early_key(self, event)  # typed right after F6

    # ------------------------------------------------------------------ actions

    async def action_move(self, action: str) -> None:
        """Move in the list from the search field (the list's own keys do it when focused)."""
        await self.option_list.run_action(action)

    async def _search_now(self) -> None:
        """Run the search typed so far if it has not run yet (it waits for a pause in
        typing): Enter, F2 or ctrl+d right after typing act on a row it found."""
        typed = self.query_one("#history-search", Input).value.strip()
        if typed == self._query and self.loaded.is_set():
            return
        self.workers.cancel_group(self, "history-search")
        try:
            summaries = await self.source.summaries(typed)
        except LogprobChatError as exc:
            self._status(str(exc), error=True)
            return
        self._query, self.summaries = typed, summaries
        self._fill(keep=self.highlighted_id())
        self.loaded.set()

    async def action_open(self) -> None:
        await self._search_now()
        summary = self.highlighted()
        if summary is None:
            self.app.bell()
            return
        self.dismiss(HistoryChoice("open", summary.id))

    def action_new(self) -> None:
        self.dismiss(HistoryChoice("new"))

    def action_back(self) -> None:
        search = self.query_one("#history-search", Input)
        if search.value:
            search.value = ""  # Changed → the full list again
            search.focus()
        else:
            self.dismiss(None)

    async def action_rename(self) -> None:
        await self._search_now()
        summary = self.highlighted()
        if summary is None:
            self.app.bell()
            return

        def renamed(title: str | None) -> None:
            if title is not None:
                self._rename(summary.id, title)

        self.app.push_screen(RenameScreen(summary.title or "", summary.first_question), renamed)

    @work(group="history-edit", exit_on_error=False)
    async def _rename(self, conversation_id: int, title: str) -> None:
        try:
            await self.source.rename(conversation_id, title)
        except LogprobChatError as exc:
            self._status(str(exc), error=True)
            return
        self._search(self._query)

    async def action_delete(self) -> None:
        await self._search_now()
        summary = self.highlighted()
        if summary is None:
            self.app.bell()
            return
        title = safe_line(summary.display_title)
        question = delete_question(summary, self.now(), self.tz)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._delete(summary.id, title)

        self.app.push_screen(ConfirmScreen(question, "Delete"), confirmed)

    @work(group="history-edit", exit_on_error=False)
    async def _delete(self, conversation_id: int, title: str) -> None:
        try:
            await self.source.delete(conversation_id)
        except LogprobChatError as exc:
            self._status(str(exc), error=True)
            return
        if conversation_id == self.current_id:
            self.current_id = None
        self._search(self._query)
        self.notify(f"Deleted “{title}”", markup=False)
