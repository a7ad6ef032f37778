"""Two answers side by side (v in the chat log): the marked one, or a sibling, on the left,
the selected one on the right.

::

    #sbs-title      what is compared, and where they part
    #sbs-body       (scrolls)
    ├── #sbs-stats    their numbers in two columns, the difference right − left, ◀ ▶ toward
    │                 the more confident
    ├── #sbs-start    the start they share, once, heat-coloured
    └── #sbs-columns  each one's own text from there, heat-coloured: two columns from 100
                      columns, one under the other below (80×24)
    #sbs-hint       the keys

What it says comes from :mod:`tui.app.text.side_by_side` (pure); the numbers from
:mod:`tui.core.side_by_side`. Model text is never markup (Content). Esc or q goes back.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from tui.app.text.heat import TokenColouring
from tui.app.text.side_by_side import parted_texts, stats_table
from tui.app.text.summary import lineage_line, state_words
from tui.core.conversation import Turn

BREAKPOINTS: list[tuple[int, str]] = [(0, "-narrow"), (100, "-wide")]
"""Below 100 columns the two texts are one under the other."""

Side = tuple[Turn, str]
"""An answer's turn and the name it goes by here ("#2 ‹1/3›")."""


class SideBySideScreen(Screen[None]):
    CSS_PATH = "side_by_side.tcss"
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = BREAKPOINTS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "back", "Back", id="side.back"),
    ]
    AUTO_FOCUS = "#sbs-body"

    def __init__(
        self,
        left: Side,
        right: Side,
        *,
        heat: TokenColouring | None = None,
    ) -> None:
        """``heat``: the palette the texts are coloured with (the chat's; ``None``: plain)."""
        super().__init__()
        self.left, self.right = left, right
        self.heat = heat

    def compose(self) -> ComposeResult:
        (left, left_name), (right, right_name) = self.left, self.right
        assert left.answer is not None and right.answer is not None
        texts = parted_texts(left.answer, right.answer, self.heat)
        self.texts = texts
        what = f"Side by side: {left_name} (left) and {right_name} (right)"
        if texts.shared:
            tokens = "token" if texts.shared == 1 else f"{texts.shared} tokens"
            what += f" · the same first {tokens}, then they part"
        else:
            what += " · they differ from the first token"
        yield Static(Content(what), id="sbs-title", markup=False)
        with VerticalScroll(id="sbs-body"):
            yield Static(id="sbs-stats", markup=False)
            start = Content.assemble(("Shared start\n", "bold"), texts.start)
            start_view = Static(start, id="sbs-start", markup=False)
            start_view.display = bool(texts.shared)
            yield start_view
            with Horizontal(id="sbs-columns"):
                for turn, name, own in (
                    (left, left_name, texts.left),
                    (right, right_name, texts.right),
                ):
                    with Vertical(classes="sbs-side"):
                        yield Static(
                            Content(self._side_title(turn, name)),
                            classes="sbs-side-title",
                            markup=False,
                        )
                        yield Static(own, classes="sbs-text", markup=False)
        yield Static(
            Content("esc back · ↑↓ PgUp PgDn scroll · ◀ ▶: the more confident of the two"),
            id="sbs-hint",
            markup=False,
        )

    def _side_title(self, turn: Turn, name: str) -> str:
        answer = turn.answer
        assert answer is not None
        words = [name, state_words(answer, turn.sampling.max_tokens)]
        line = lineage_line(turn)
        if line is not None:
            words.append(line)
        if self.texts.shared:
            words.append("from where they part")
        return " · ".join(words)

    def on_mount(self) -> None:
        self._show_stats()

    def on_resize(self) -> None:
        self._show_stats()

    def _show_stats(self) -> None:
        (left, left_name), (right, right_name) = self.left, self.right
        assert left.answer is not None and right.answer is not None
        width = (self.size.width or 80) - 4
        lines = stats_table(left.answer, right.answer, (left_name, right_name), min(width, 96))
        self.query_one("#sbs-stats", Static).update(Content("\n".join(lines)))

    def action_back(self) -> None:
        self.dismiss(None)
