"""The always-visible line naming the active prompt, model and sampling, and a badge at its
end while the history is not being saved (:mod:`tui.app.text.history_badge`)."""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content
from textual.widget import Widget

from tui.app.text.status import status_line
from tui.core.settings import Sampling


class StatusLine(Widget):
    DEFAULT_CSS = "StatusLine { height: 1; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.preset: str | None = None
        self.system_prompt = ""
        self.model = ""
        self.sampling = Sampling()
        self.history = ""  # the history badge ("" while answers reach the file)

    def show(
        self, *, preset: str | None, system_prompt: str, model: str, sampling: Sampling
    ) -> None:
        self.preset, self.system_prompt = preset, system_prompt
        self.model, self.sampling = model, sampling
        self.refresh()

    def show_history(self, badge: str) -> None:
        """Show ``badge`` at the end of the line ("" removes it)."""
        self.history = badge
        self.refresh()

    @property
    def text(self) -> str:
        return self._settings_text() + self._badge_text()

    def _badge_text(self) -> str:
        return f" {self.history}" if self.history else ""

    def _settings_text(self) -> str:
        return status_line(
            preset=self.preset,
            system_prompt=self.system_prompt,
            model=self.model,
            sampling=self.sampling,
            width=max(20, self.size.width - cell_len(self._badge_text())),
        )

    def render(self) -> Content:
        badge = self._badge_text()
        if not badge:
            return Content(self._settings_text())
        return Content.assemble(self._settings_text(), (badge, "bold $text-warning"))
