"""The answer pane's parts (composed by :class:`~tui.app.widgets.answer_pane.AnswerPane`): the
headline, stats of the selected answer, heat legend, token inspector, token strip.

All of them show server text (model names, token text, finish reasons), so they build
``Content`` from plain strings that went through ``safe_line``; nothing is parsed as markup.
"""

from __future__ import annotations

from textual.content import Content
from textual.style import Style
from textual.widgets import Static

from tui.app.text.heat import HeatPalette
from tui.app.text.inspect import alternative_rows, strip_lines, token_facts, token_title
from tui.core.characters import CharacterPieces
from tui.core.report import fmt_prob
from tui.core.wire.records import TokenRecord

LABEL = Style(dim=True)
TITLE = Style(bold=True)


def rows_content(title: str, rows: list[tuple[str, str]]) -> Content:
    """A bold title, then ``label  value`` lines with the labels aligned."""
    width = max((len(label) for label, _ in rows), default=0)
    parts: list[Content | tuple[str, Style] | str] = [(title, TITLE)]
    for label, value in rows:
        parts += ["\n", (label.ljust(width), LABEL), "  ", value]
    return Content.assemble(*parts)


class StatsView(Static):
    """Every metric of the selected answer (``report.answer_rows``), or its live numbers."""

    def show(self, title: str, rows: list[tuple[str, str]]) -> None:
        from tui.app.widgets.track_view import update_static

        update_static(self, rows_content(title, rows))


class PaneHeadline(Static):
    """The answer's state, coverage and headline numbers, in sight in every layout
    (:func:`tui.app.text.pane.headline`)."""

    def show(self, text: str) -> None:
        from tui.app.widgets.track_view import update_static

        update_static(self, Content(text))


class HeatLegend(Static):
    """What the heat colours and cues mean, drawn with the palette's own styles."""

    def show(self, palette: HeatPalette) -> None:
        parts: list[Content | tuple[str, Style] | str] = [("Heatmap ", TITLE)]
        if palette.mode == "full":
            parts.append(("p  0%", LABEL))
            for swatch in palette.swatches:
                parts.append(("  ", Style(background=swatch)))
            parts.append(("100%", LABEL))
            low = f"{palette.threshold * 100:g}%"
            parts += ["\n", ("low", palette.low_levels[0]), (f" bold underline: p < {low}", LABEL)]
        else:
            for i, (words, style) in enumerate(palette.tiers()):
                parts += [(" · " if i else "", LABEL), (words, style)]
        parts += [
            "\n" if palette.mode != "full" else (" · ", LABEL),
            ("unknown", palette.unknown),
            (" italic · ", LABEL),
            ("cursor", palette.cursor),
            (" reverse", LABEL),
        ]
        self.update(Content.assemble(*parts))


class TokenInspector(Static):
    """The token under the cursor: text, bytes, probability, alternatives as bars."""

    _shown: tuple[TokenRecord, int, CharacterPieces | None] | None = None

    def on_resize(self) -> None:
        # Bars are sized to the pane: redraw at the new width (e.g. F4 on a narrow terminal).
        if self._shown is not None and self.content_region.width:
            self.show(*self._shown, width=self.content_region.width)

    def show(
        self, token: TokenRecord, total: int, character: CharacterPieces | None, width: int
    ) -> None:
        """``token`` of the ``total`` the model generated for its answer; ``character``: the
        character it is a piece of (its pieces and their product are listed)."""
        self._shown = (token, total, character)
        facts = token_facts(token, character)
        label_width = max(len(label) for label, _ in facts)
        parts: list[Content | tuple[str, Style] | str] = [(token_title(token, total), TITLE)]
        for label, value in facts:
            parts += ["\n", (label.ljust(label_width), LABEL), "  ", value]
        alternatives = alternative_rows(token, max(24, width))
        if alternatives:
            parts += ["\n", ("Alternatives (bars: probability)", TITLE)]
            for row in alternatives:
                mark = "▶ " if row.chosen else "  "
                style = Style(bold=True) if row.chosen else Style()
                parts += [
                    "\n",
                    (mark + row.label, style),
                    " ",
                    (row.bar, Style(dim=not row.chosen)),
                ]
                parts += [" ", row.prob]
            if token.residual_mass is not None:
                parts += ["\n", ("  (rest of the vocabulary)".ljust(16), LABEL)]
                parts += [" ", fmt_prob(token.residual_mass)]
        self.update(Content.assemble(*parts))


def token_strip(
    token: TokenRecord, total: int, character: CharacterPieces | None = None
) -> Content:
    """The inspector in two lines (:func:`tui.app.text.inspect.strip_lines`)."""
    head, second = strip_lines(token, total, character)
    return Content.assemble((head, TITLE), "\n", (second, LABEL))


class TokenStrip(Static):
    def show(self, token: TokenRecord, total: int, character: CharacterPieces | None) -> None:
        self.update(token_strip(token, total, character))
