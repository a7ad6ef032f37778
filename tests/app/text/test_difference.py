"""The difference heatmap's pairing and scale, checked by hand."""

from __future__ import annotations

import math

from tui.app.text.difference import (
    DifferencePalette,
    difference_legend,
    level_of,
    token_differences,
)
from tui.core.wire.records import TokenRecord


def tokens(*pieces: tuple[str | bytes, float | None]) -> list[TokenRecord]:
    out = []
    for i, (piece, lp) in enumerate(pieces):
        data = piece.encode() if isinstance(piece, str) else piece
        text = data.decode("utf-8", "ignore")
        out.append(TokenRecord(i, "answer", text, text, data, lp))
    out.append(TokenRecord(len(out), "other", "", "", b"", -0.1))  # the end token: not paired
    return out


def test_same_tokens_pair_one_by_one() -> None:
    a = tokens(("The", -1.0), (" cat", -2.0), (".", None))
    b = tokens(("The", -0.5), (" cat", -2.5), (".", -0.1))
    assert token_differences(a, b) == {0: 0.5, 1: -0.5, 2: None}


def test_different_tokens_pair_by_runs_that_end_together() -> None:
    # "Kyoto" as K|y|oto under B, Kyoto under A; "東" as three bytes under B, one under A.
    a = tokens(("Kyoto", -3.0), (" is", -0.5), ("東".encode(), -1.0))
    b = tokens(
        ("K", -1.0),
        ("y", -0.5),
        ("oto", -0.25),
        (" is", -0.75),
        (b"\xe6", -2.0),
        (b"\x9d", -0.5),
        (b"\xb1", -0.1),
    )
    d = token_differences(a, b)
    assert d[0] == d[1] == d[2] == (-1.75 - -3.0)
    assert d[3] == -0.25
    assert d[4] == d[5] == d[6] == (-2.6 - -1.0)


def test_levels_are_symmetric_around_zero() -> None:
    assert [level_of(x) for x in (-5, -3, -1.5, -0.5, -0.2, 0, 0.2, 0.5, 1.5, 3, 5)] == [
        0,
        1,
        2,
        3,
        4,
        4,
        4,
        5,
        6,
        7,
        8,
    ]
    assert level_of(math.log(2)) == 5  # twice as likely


def test_palette_and_legend() -> None:
    palette = DifferencePalette.from_variables(
        {"background": "#000000", "error": "#ff0000", "success": "#00ff00"},
        {0: -5.0, 1: 0.0, 2: 5.0},
    )
    worse, same, better = (
        palette.token_style(t, t.logprob) for t in tokens(("a", 0), ("b", 0), ("c", 0))[:3]
    )
    assert worse.background is not None and worse.background.r > worse.background.g
    assert better.background is not None and better.background.g > better.background.r
    assert same.background == palette.swatches[4]  # the theme's background, untinted
    assert palette.token_style(TokenRecord(9, "answer", "x", "x", b"x", None), None).italic
    legend = difference_legend(palette, "terse", "pirate", math.log(0.5))
    assert "−4" in legend.plain and "+4" in legend.plain
    assert "0.5× as likely under «pirate»" in legend.plain
