"""Opening the compare screen from the chat screen (a mixin of
:class:`~tui.app.screens.main.MainScreen`).

The screen starts from where the chat is: the question is the input bar's text (or, when it is
empty, the last question asked), the chat's system prompt is the first prompt (the baseline),
sampling comes from the settings, and concurrency from the engine's slots.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.core.compare import DEFAULT_CONCURRENCY

if TYPE_CHECKING:
    from tui.app.screens.main import MainScreen

    _Base = MainScreen
else:
    _Base = object


class CompareActionMixin(_Base):
    def compare_question(self) -> str:
        typed = self.input.text
        if typed.strip():
            return typed
        last = self.session.conversation.last
        return last.question if last is not None else ""

    def action_compare(self) -> None:
        from tui.app.screens.compare import CompareScreen

        s = self.session
        engine = s.backend.engine if s.backend is not None else None
        self.app.push_screen(
            CompareScreen(
                question=self.compare_question(),
                system_prompt=s.system_prompt,
                preset=s.preset,
                sampling=s.sampling,
                concurrency=engine.slots if engine is not None else DEFAULT_CONCURRENCY,
            )
        )
