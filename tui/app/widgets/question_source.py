"""The compare screen's question set: a path typed (completed as it is typed: → takes the
suggestion) or picked from the recent files. Empty means the one question above it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.suggester import Suggester
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from tui.core.safety import safe_line
from tui.core.sets.recent import complete_path, recent_files


class PathSuggester(Suggester):
    """Suggests the completed path (:func:`~tui.core.sets.recent.complete_path`)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return complete_path(value)


class QuestionSource(Vertical):
    """The path field and the recent files (hidden when there are none)."""

    DEFAULT_CSS = """
    QuestionSource { height: auto; }
    QuestionSource #set-recent { height: auto; max-height: 4; border: none; padding: 0; }
    """

    def __init__(self, data_dir: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_dir = data_dir
        self.recent: list[str] = []

    def compose(self) -> ComposeResult:
        yield Label(
            "Or a question set: a file (.jsonl, .csv, .txt) instead of the question "
            "(→ completes; score mode scores its reference answers)",
            classes="compare-label",
        )
        yield Input(
            placeholder="path to a question file; empty: the question above",
            id="set-path",
            compact=True,
            suggester=PathSuggester(),
        )
        yield OptionList(id="set-recent", markup=False)

    def on_mount(self) -> None:
        self.recent = recent_files(self.data_dir)
        recent = self.query_one("#set-recent", OptionList)
        recent.add_options(Option(f"recent: {safe_line(name)}") for name in self.recent)
        recent.display = bool(self.recent)
        self.query_one("#set-path", Input).cursor_blink = getattr(self.app, "cursor_blink", True)

    @property
    def path(self) -> str:
        return self.query_one("#set-path", Input).value.strip()

    @path.setter
    def path(self, value: str) -> None:
        self.query_one("#set-path", Input).value = value

    @on(OptionList.OptionSelected, "#set-recent")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.path = self.recent[event.option_index]
        self.query_one("#set-path", Input).focus()
