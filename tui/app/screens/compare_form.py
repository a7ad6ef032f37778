"""The compare screen's form (:mod:`tui.app.screens.compare`): its widgets, the fields it
numbers, and :class:`CompareDraft`, the form as it was left for the next opening.

Only layout lives here; the screen reads and checks the form
(:func:`tui.core.compare.form.parse_compare_form`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Input, Label, OptionList, Static, TextArea

from tui.app.widgets.compare_mode import CompareMode
from tui.app.widgets.question_source import QuestionSource
from tui.app.widgets.tick_list import TickList
from tui.core.compare.form import CandidateKey
from tui.core.safety import safe_text

NUMBER_FIELDS = ("samples", "temperature", "top_logprobs", "seed", "max_tokens", "concurrency")
FIELD_LABELS = {
    "samples": ("Samples", "answers per prompt"),
    "temperature": ("Temperature", "0 to 2"),
    "top_logprobs": ("Top logprobs", "alternatives per token (0: none; 1 asked on llama.cpp)"),
    "seed": ("Seed", "blank = none; sample i uses seed + i"),
    "max_tokens": ("Max tokens", "per answer"),
    "concurrency": ("Concurrency", "requests at once"),
}


@dataclass(frozen=True)
class CompareDraft:
    """The form as it was left, for the next opening of the screen."""

    question: str
    written: str
    ticked: tuple[CandidateKey, ...]
    baseline: CandidateKey
    samples: str


def compose_form(
    question: str, answer: str, written: str, initial: dict[str, str], data_dir: Path
) -> ComposeResult:
    """The form's widgets (ids ``compare-…``): the question, the mode (sample or score
    ``answer``), the question file (a set instead of the question; recent files from
    ``data_dir``), presets to tick and prompts to write (``written``), their order, the
    number fields with their ``initial`` texts, and a line for each field's error."""
    with VerticalScroll(id="compare-form"):
        yield Static(
            Content("Compare system prompts: the same question, N samples each"),
            id="compare-form-title",
            markup=False,
        )
        yield Label("Question", classes="compare-label")
        yield TextArea(
            safe_text(question),
            id="compare-question",
            soft_wrap=True,
            tab_behavior="focus",
        )
        yield Static("", markup=False, id="compare-question-error", classes="compare-error")
        yield CompareMode(answer, id="compare-mode")
        yield QuestionSource(data_dir, id="compare-set")
        with Horizontal(id="compare-sources"):
            with Vertical(classes="compare-source"):
                yield Label("Presets (space ticks)", classes="compare-label")
                yield TickList[CandidateKey](id="compare-presets")
            with Vertical(classes="compare-source"):
                yield Label("Write prompts (a line of --- between two)", classes="compare-label")
                yield TextArea(
                    safe_text(written),
                    id="compare-written",
                    soft_wrap=True,
                    tab_behavior="focus",
                )
        yield Label(
            "Compared in this order (Enter on one: make it the baseline)",
            classes="compare-label",
        )
        yield OptionList(id="compare-order", markup=False)
        yield Static("", markup=False, id="compare-prompts-error", classes="compare-error")
        with Horizontal(classes="compare-fields"):
            for name in NUMBER_FIELDS:
                label, hint = FIELD_LABELS[name]
                with Vertical(classes="compare-field"):
                    yield Label(label, classes="compare-label")
                    yield Input(
                        initial[name],
                        id=f"compare-{name}",
                        compact=True,
                        tooltip=hint,
                        classes="compare-input",
                    )
        for name in NUMBER_FIELDS:
            yield Static("", markup=False, id=f"compare-{name}-error", classes="compare-error")
        yield Static("", markup=False, id="compare-top-warning", classes="compare-warning")
        yield Static("", markup=False, id="compare-run-error", classes="compare-error")
        yield Static(
            Content("ctrl+s runs · Esc goes back to the chat · the first prompt is the baseline"),
            id="compare-hint",
            markup=False,
        )
