"""The compare screen's mode: "sample N answers" (each prompt answers N times) or "score a
given answer" (one answer, typed or taken from the chat, scored under each prompt: no
samples, no noise). A widget of its own so the compare screen only asks it which mode is on
and what the answer is, and hears :class:`CompareMode.Changed`."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, RadioButton, RadioSet, TextArea

from tui.core.safety import safe_text

SAMPLE = "sample N answers per prompt"
SCORE = "score a given answer under each prompt"


class CompareMode(Vertical):
    """The mode switch, and the answer to score (shown in score mode only)."""

    DEFAULT_CSS = """
    CompareMode { height: auto; }
    CompareMode RadioSet { border: none; padding: 0; layout: horizontal; height: auto; }
    CompareMode RadioButton { margin-right: 2; }
    CompareMode #compare-answer { height: 5; }
    """

    class Changed(Message):
        """Score mode on (``scoring``) or off."""

        def __init__(self, scoring: bool) -> None:
            super().__init__()
            self.scoring = scoring

    def __init__(self, answer: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.initial_answer = answer

    def compose(self) -> ComposeResult:
        with RadioSet(id="compare-mode-set"):
            yield RadioButton(SAMPLE, value=True, id="compare-mode-sample")
            yield RadioButton(SCORE, id="compare-mode-score")
        yield Label(
            "Answer to score (the chat's selected answer, or type one)", id="compare-answer-label"
        )
        yield TextArea(
            safe_text(self.initial_answer),
            id="compare-answer",
            soft_wrap=True,
            tab_behavior="focus",
        )

    def on_mount(self) -> None:
        self._show(False)

    @property
    def scoring(self) -> bool:
        return self.query_one("#compare-mode-score", RadioButton).value

    @property
    def answer(self) -> str:
        return self.query_one("#compare-answer", TextArea).text

    def _show(self, scoring: bool) -> None:
        self.query_one("#compare-answer-label").display = scoring
        self.query_one("#compare-answer").display = scoring

    @on(RadioSet.Changed)
    def _changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self._show(self.scoring)
        self.post_message(self.Changed(self.scoring))
