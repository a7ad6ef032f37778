"""BlockVisual draws exactly what Textual's Content draws (segments, styles, selection
offsets), wrapping once per width."""

from __future__ import annotations

import pytest
from textual.color import Color
from textual.content import Content, Span
from textual.css.styles import Styles
from textual.style import Style
from textual.visual import RenderOptions

from tui.app.text.block_visual import BlockVisual

PALETTE = [
    Style(background=Color(30 * i, 90, 200 - 20 * i), foreground=Color(255, 255, 255))
    for i in range(6)
] + [Style(bold=True, underline=True), Style(dim=True), Style(italic=True)]
BASE = Style(background=Color(12, 12, 12), foreground=Color(220, 220, 220))
CURSOR = Style(reverse=True, bold=True)
WORDS = [" the", " capital", " of", " 東京", "。", " fourteen", "  ", " supercalifragilistic" * 3]


def heat_block(n: int, *, gaps: bool = False, extra: list[Span] = ()) -> Content:
    text, spans = "", []
    for i in range(n):
        word = WORDS[(i * 7) % len(WORDS)]
        if not (gaps and i % 5 == 0):  # a token without a heat colour (no logprob)
            spans.append(Span(len(text), len(text) + len(word), PALETTE[(i * 5) % len(PALETTE)]))
        text += word
    return Content(text, [*spans, *extra], strip_control_codes=False)


def options() -> RenderOptions:
    return RenderOptions(lambda style: style, Styles(), None, None)


def segments(strips):
    return [[(s.text, s.style) for s in strip] for strip in strips]


@pytest.mark.parametrize("width", [1, 7, 40, 99, 160])
@pytest.mark.parametrize(
    "content",
    [
        heat_block(120),
        heat_block(60, gaps=True),
        heat_block(80, extra=[Span(30, 42, CURSOR)]),  # the cursor over heat colours
        heat_block(10, extra=[Span(3, 9, Style(underline2=True)), Span(5, 20, CURSOR)]),
        Content("plain text with no heat at all " * 9),
        Content(""),
        Content("東京は日本の首都です。" * 12, [Span(0, 4, PALETTE[0]), Span(4, 30, PALETTE[1])]),
    ],
    ids=["heat", "gaps", "cursor", "mark+cursor", "plain", "empty", "japanese"],
)
def test_a_block_draws_the_segments_styles_and_offsets_content_draws(content, width):
    ours = BlockVisual(content).render_strips(width, None, BASE, options())
    theirs = content.render_strips(width, None, BASE, options())
    assert segments(ours) == segments(theirs)
    assert [s.cell_length for s in ours] == [s.cell_length for s in theirs]
    # the offsets mouse selection reads, run by run
    metas = [[s.style.meta.get("offset") for s in strip if s.text] for strip in ours]
    assert metas == [[s.style.meta.get("offset") for s in strip if s.text] for strip in theirs]


def test_the_height_is_the_number_of_lines_drawn_and_the_wrap_is_done_once(monkeypatch):
    content = heat_block(200)
    visual = BlockVisual(content)
    calls = []
    real = Content._wrap_and_format

    def counting(self, *args, **kwargs):
        calls.append(args[0] if args else kwargs["width"])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Content, "_wrap_and_format", counting)
    height = visual.get_height(Styles(), 50)
    assert visual.line_count(50) == height
    strips = visual.render_strips(50, None, BASE, options())
    assert len(strips) == height == content.get_height(Styles(), 50)
    assert calls.count(50) == 2  # ours, to draw; then Content's own get_height, to compare
    visual.render_strips(70, None, BASE, options())
    assert calls.count(70) == 1


TEXTS = [
    "",
    "one line",
    "a\nb",
    "trailing newline\n",
    "\n\nblank paragraphs\n\n",
    "tabs\there\tand\tthere " * 5,
    "東京は日本の首都です。" * 20,
    "supercalifragilisticexpialidocious" * 6,
    "words   with   runs   of   spaces    " * 8,
    " leading and trailing spaces " * 7,
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("width", [1, 2, 5, 13, 40, 100])
def test_the_measured_height_is_the_number_of_lines_content_draws(text, width):
    """The layout measures a block on its plain text (no spans split): the same count."""
    content = Content(text, [Span(0, min(3, len(text)), PALETTE[0])] if text else [])
    visual = BlockVisual(content)
    measured = visual.get_height(Styles(), width)
    assert measured == content.get_height(Styles(), width)
    assert measured == len(visual.render_strips(width, None, BASE, options()))


def test_a_block_is_measured_without_building_its_spans():
    built = []

    def make() -> Content:
        built.append(1)
        return heat_block(120)

    plain = heat_block(120).plain
    visual = BlockVisual(make, plain)
    assert visual.get_height(Styles(), 40) == heat_block(120).get_height(Styles(), 40)
    assert visual.plain == plain and not built
    strips = visual.render_strips(40, None, BASE, options())
    assert built == [1]
    assert segments(strips) == segments(heat_block(120).render_strips(40, None, BASE, options()))
