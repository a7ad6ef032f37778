"""The always-visible line naming the active prompt, model and sampling, and at its right
end whatever indicators the app sets (:meth:`StatusLine.set_indicator`)."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from tui.app.text.status import status_line, with_indicators
from tui.core.settings import Sampling


class StatusLine(Widget):
    DEFAULT_CSS = "StatusLine { height: 1; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.preset: str | None = None
        self.system_prompt = ""
        self.model = ""
        self.sampling = Sampling()
        self.indicators: dict[str, str] = {}

    def show(
        self, *, preset: str | None, system_prompt: str, model: str, sampling: Sampling
    ) -> None:
        self.preset, self.system_prompt = preset, system_prompt
        self.model, self.sampling = model, sampling
        self.refresh()

    def set_indicator(self, name: str, text: str | None) -> None:
        """Show ``text`` at the right end under ``name`` (``None`` or "" takes it away).
        Indicators keep the order they were first set in."""
        if text:
            self.indicators[name] = text
        else:
            self.indicators.pop(name, None)
        self.refresh()

    @property
    def text(self) -> str:
        def line(width: int) -> str:
            return status_line(
                preset=self.preset,
                system_prompt=self.system_prompt,
                model=self.model,
                sampling=self.sampling,
                width=width,
            )

        width = max(20, self.size.width)
        return with_indicators(line, list(self.indicators.values()), width)

    def render(self) -> Content:
        return Content(self.text)
