"""A reopened conversation shows its latest answers at once and the earlier ones on demand.

Mounting an answer costs Textual about 15 ms on these 2-core machines (widgets, styles,
wrapping its text for the layout), so mounting a 200-answer conversation took 3–4 s before
the first frame. Only the last :data:`OPEN_RECENT` exchanges are mounted when a conversation
is shown; a line at the top of the log says how many came before, and scrolling to the top
of the log mounts the previous :data:`BATCH` (the view keeps its place: it is scrolled down by
what was added above). Selecting an earlier answer (↑ or k past the first one shown) mounts
everything from it down first. Every answer has its :class:`AnswerView` object from the start
(selection, numbering, the heatmap all work on the log's ``views``); only its widgets wait.

:class:`EarlierAnswers` is a helper owned by :class:`~tui.app.widgets.chat_log.ChatLog`: it
mounts into the log and reads its ``views``, and nothing else uses it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from tui.app.widgets.answer import AnswerView, QuestionView

if TYPE_CHECKING:
    from textual.widget import Widget

    from tui.app.widgets.chat_log import ChatLog

OPEN_RECENT = 10
"""Exchanges mounted when a conversation is shown."""
BATCH = 3
"""Exchanges mounted each time the log is scrolled to its top (a stall of ~45 ms here)."""
TOP_ROWS = 2
"""Scrolled to within this many rows of the top counts as "at the top"."""


class EarlierMarker(Static):
    """The first line of the log while earlier answers are not mounted."""

    DEFAULT_CSS = "EarlierMarker { height: 1; color: $text-muted; text-style: italic; }"

    def show(self, hidden: int) -> None:
        what = "answer" if hidden == 1 else "answers"
        self.update(Content(f"▲ {hidden} earlier {what} · scroll up to show them"))


def exchange(view: AnswerView) -> list[Widget]:
    """The widgets of one question and its answer, in log order (the question's widget is
    kept on the view, so the exchange can be taken out whole: another sibling shown)."""
    view.question_view = QuestionView(view.turn.question)
    return [view.question_view, view]


class EarlierAnswers:
    """See the module docstring. ``hidden``: ``log.views[:hidden]`` have no widgets yet."""

    def __init__(self, log: ChatLog) -> None:
        self.log = log
        self.hidden = 0
        self._marker: EarlierMarker | None = None

    def mount_recent(self, views: list[AnswerView]) -> None:
        """Mount the last :data:`OPEN_RECENT` of ``views`` (already in ``log.views``)."""
        hidden = max(0, len(views) - OPEN_RECENT)
        widgets: list[Widget] = []
        if hidden:
            self._marker = EarlierMarker(markup=False)
            self._marker.show(hidden)
            widgets.append(self._marker)
        self.hidden = hidden
        for view in views[hidden:]:
            widgets.extend(exchange(view))
        self.log.append(*widgets)
        if hidden:
            self.log.call_after_refresh(self.log.call_after_refresh, self.fill)

    def fill(self) -> None:
        """Short answers that do not fill the log leave nothing to scroll: show more."""
        if self.hidden and self.log.max_scroll_y <= TOP_ROWS:
            self.reveal(max(0, self.hidden - BATCH), keep_place=True)

    def forget(self) -> None:
        """The log was emptied."""
        self.hidden = 0
        self._marker = None

    def scrolled(self, scroll_y: float) -> None:
        """The log was scrolled: at its top, mount the previous batch."""
        if self.hidden and scroll_y <= TOP_ROWS and self._marker is not None:
            self.reveal(max(0, self.hidden - BATCH), keep_place=True)

    def reveal(
        self,
        index: int,
        *,
        keep_place: bool = False,
        then: Callable[[], object] | None = None,
    ) -> None:
        """Mount every exchange from ``views[index]`` to the first one mounted; with
        ``keep_place`` the exchanges shown so far stay where they are on screen; ``then`` runs
        once the new ones are mounted and laid out."""
        marker = self._marker
        if index >= self.hidden or marker is None or not marker.is_mounted:
            return
        log = self.log
        batch = log.views[index : self.hidden]
        self.hidden = index
        widgets: list[Widget] = [w for view in batch for w in exchange(view)]
        # The first exchange shown so far, and where it sits in the view: it stays there.
        children = list(log.children)
        position = children.index(marker)
        anchor = children[position + 1] if position + 1 < len(children) else None
        offset = anchor.virtual_region.y - log.scroll_y if anchor is not None else 0
        mounted = log.mount_all(widgets, after=marker)
        if index == 0:
            self._marker = None
            marker.remove()
        else:
            marker.show(index)

        def laid_out() -> None:
            if keep_place and anchor is not None:
                # What was added above pushed the content down: follow it.
                log.scroll_to(y=anchor.virtual_region.y - offset, animate=False, immediate=True)
                self.fill()
            if then is not None:
                then()

        async def settle() -> None:
            await mounted
            # Two frames: the new answers' heights settle one layout after they mount (their
            # footers are filled on mount), which moves everything below once more.
            log.call_after_refresh(log.call_after_refresh, laid_out)

        log.call_later(settle)
