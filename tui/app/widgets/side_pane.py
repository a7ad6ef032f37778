"""The answer pane's parts (composed by :class:`~tui.app.widgets.answer_pane.AnswerPane`): stats of
the selected answer, heat legend, token inspector, token strip.

All of them show server text (model names, token text, finish reasons), so they build
``Content`` from plain strings that went through ``safe_line``; nothing is parsed as markup.
"""

from __future__ import annotations

from textual.content import Content
from textual.style import Style
from textual.widgets import Static

from tui.app.text.heat import HeatPalette
from tui.app.text.inspect import alternative_rows, token_facts, visible
from tui.core.report import fmt_num, fmt_prob
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
        from tui.app.widgets.answer import update_static

        update_static(self, rows_content(title, rows))


class HeatLegend(Static):
    """What the heat colours and cues mean, drawn with the palette's own colours."""

    def show(self, palette: HeatPalette) -> None:
        parts: list[Content | tuple[str, Style] | str] = [("Heatmap ", TITLE), ("p  0%", LABEL)]
        for swatch in palette.swatches:
            parts.append(("  ", Style(background=swatch)))
        parts.append(("100%", LABEL))
        low = f"{palette.threshold * 100:g}%"
        parts += [
            "\n",
            ("low", palette.low_levels[0]),
            (f" bold underline: p < {low} · ", LABEL),
            ("unknown", palette.unknown),
            (" italic · ", LABEL),
            ("cursor", palette.cursor),
        ]
        self.update(Content.assemble(*parts))


class TokenInspector(Static):
    """The token under the cursor: text, bytes, probability, alternatives as bars."""

    _shown: tuple[TokenRecord, int, int] | None = None

    def on_resize(self) -> None:
        # Bars are sized to the pane: redraw at the new width (e.g. F4 on a narrow terminal).
        if self._shown is not None and self.content_region.width:
            self.show(*self._shown, width=self.content_region.width)

    def show(self, token: TokenRecord, position: int, count: int, width: int) -> None:
        self._shown = (token, position, count)
        facts = token_facts(token)
        label_width = max(len(label) for label, _ in facts)
        parts: list[Content | tuple[str, Style] | str] = [
            (f"Token {position + 1} of {count}", TITLE)
        ]
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


def token_strip(token: TokenRecord, position: int, count: int) -> Content:
    """The inspector in two lines, for narrow terminals where the pane is hidden."""
    head = (
        f"token {position + 1}/{count}  {visible(token.text)}  p {fmt_prob(token.prob)}"
        f"  logprob {fmt_num(token.logprob, 4)}"
    )
    alts = "  ".join(f"{visible(a.text)} {fmt_prob(a.prob)}" for a in token.alternatives()[:6])
    return Content.assemble((head, TITLE), "\n", (alts or "no alternatives sent", LABEL))


class TokenStrip(Static):
    def show(self, token: TokenRecord, position: int, count: int) -> None:
        self.update(token_strip(token, position, count))
