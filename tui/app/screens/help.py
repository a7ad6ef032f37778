"""The help modal: getting started, every key binding by group, and what the numbers mean.

``rows`` are ``(key display, description, group)``, e.g. ``("ctrl+s", "Apply", "Modals")``;
groups are shown in the order they first appear, each row a key column and a description
column, so a description that wraps keeps its indent. ``intro`` (the chat's welcome, see
:mod:`tui.app.text.welcome`) comes first when given. Esc, F1, ``?`` or ``q`` closes it.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from tui.core.safety import safe_line

METRICS_INTRO = (
    "Each answer's tokens come with log probabilities: lᵢ = ln pᵢ, where pᵢ is the chance "
    "the model gave the token it wrote (1 = certain). Over the N tokens with a usable logprob:"
)

METRICS_TERMS: list[tuple[str, str]] = [
    ("Mean logprob", "m = (Σ lᵢ) / N, in nats per token. Closer to 0 = more confident."),
    (
        "Mean prob",
        "exp(m), the geometric mean token probability (the prototype's \"average "
        'probability"). It equals 1 / perplexity: 50% means the model was, on average, as '
        "unsure as a coin toss between two tokens.",
    ),
    ("Perplexity", "exp(−m): how many equally likely tokens it was choosing from, on average."),
    (
        "Joint prob",
        "exp(Σ lᵢ), the probability of the whole answer. It underflows for long answers, so "
        "its log10 is shown too.",
    ),
    ("Lowest prob", "the least likely token and where it is: often where the answer turned."),
    (
        "Coverage",
        "logprob rows received / completion tokens the server counted. Below 100% the server "
        "dropped rows (llama.cpp merges split characters; some servers skip the stop token).",
    ),
    (
        "Unknown",
        "tokens without a usable logprob (null, NaN, sentinel values): counted and shown, and "
        "kept out of every sum and mean.",
    ),
]

METRICS_USE = (
    "Heatmap: toggle it to colour each answer token by its probability; the lowest ones also "
    "get a mark, so it reads without colour. Move the token cursor with the keyboard to see "
    "the token in the inspector: its text and bytes, probability and logprob, the top "
    "alternatives as bars, and the residual mass (the probability they do not cover).\n\n"
    "Comparing prompts: switch the system prompt in its modal, ask again, then select each "
    "answer to see its stats in the pane."
)


def group_rows(rows: list[tuple[str, str, str]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """``(group, [(key, description), …])`` in the order groups first appear."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for key, description, group in rows:
        groups.setdefault(group, []).append((key, description))
    return list(groups.items())


def binding_row(key: str, description: str, width: int) -> Horizontal:
    """One binding: the key in bold in a column ``width`` cells wide, the description beside
    it wrapping within its own column. Literal text: descriptions may quote configured keys."""
    key_cell = Static(Content(safe_line(key)), classes="help-key", markup=False)
    key_cell.styles.width = width
    text = Static(Content(safe_line(description)), classes="help-desc", markup=False)
    return Horizontal(key_cell, text, classes="help-row")


class HelpScreen(ModalScreen[None]):
    """Read-only; scroll with the arrow keys / PageUp / PageDown."""

    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,question_mark,q", "close", "Close", key_display="esc", id="help.close"),
    ]

    def __init__(self, rows: list[tuple[str, str, str]], intro: list[str] | None = None) -> None:
        super().__init__()
        self.rows = rows
        self.intro = intro

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog") as dialog:
            dialog.border_title = "Help"
            with VerticalScroll(id="help-scroll"):
                if self.intro:
                    yield Static(Content("Getting started"), classes="help-group")
                    yield Static(Content("\n".join(self.intro)), classes="help-intro")
                # One key column for all groups, so the descriptions line up.
                width = max((len(safe_line(key)) for key, _, _ in self.rows), default=0) + 2
                for group, entries in group_rows(self.rows):
                    yield Static(Content(safe_line(group)), classes="help-group")
                    for key, description in entries:
                        yield binding_row(key, description, width)
                yield Static(Content("What the numbers mean"), classes="help-group")
                yield Static(Content(METRICS_INTRO), classes="help-text")
                for term, definition in METRICS_TERMS:
                    with Horizontal(classes="help-term"):
                        yield Static(Content(term), classes="help-term-name")
                        yield Static(Content(definition), classes="help-term-text")
                yield Static(Content(METRICS_USE), classes="help-text -after-terms")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
