"""The always-visible line naming the active prompt, model and sampling."""

from __future__ import annotations

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

    def show(
        self, *, preset: str | None, system_prompt: str, model: str, sampling: Sampling
    ) -> None:
        self.preset, self.system_prompt = preset, system_prompt
        self.model, self.sampling = model, sampling
        self.refresh()

    @property
    def text(self) -> str:
        return status_line(
            preset=self.preset,
            system_prompt=self.system_prompt,
            model=self.model,
            sampling=self.sampling,
            width=max(20, self.size.width),
        )

    def render(self) -> Content:
        return Content(self.text)
