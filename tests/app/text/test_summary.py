"""The chat line under each answer: cut labels instead of "✓ complete", coverage right after
the state, the recovery's progress, and a stream of keep-alives said as such."""

from __future__ import annotations

import math

from tui.app.text.summary import alive_words, answer_footer, live_footer
from tui.core.answer import Answer
from tui.core.metrics import compute_metrics
from tui.core.wire.records import TokenRecord


def _answer(n: int = 3, completion: int | None = 3, finish: str = "stop", **kw) -> Answer:
    tokens = [
        TokenRecord(i, "answer", f"t{i}", f"t{i}", f"t{i}".encode(), math.log(0.5))
        for i in range(n)
    ]
    usage = None if completion is None else {"completion_tokens": completion}
    return Answer(
        text="".join(t.text for t in tokens),
        tokens=tokens,
        usage=usage,
        finish_reason=finish,
        status=kw.pop("status", "complete"),
        **kw,
    )


def test_a_complete_answer_says_so_with_its_numbers():
    footer = answer_footer(_answer())
    assert footer == "✓ complete · 3 tokens · mean p 50.0% · min p 50.0%"


def test_a_cut_answer_is_never_complete():
    by_max = answer_footer(_answer(3, 3, "length"), max_tokens=3)
    assert by_max.startswith("✂ cut: max_tokens · ") and "complete" not in by_max
    assert "finish length" not in by_max  # the label says it once
    by_context = answer_footer(_answer(3, 3, "length"), max_tokens=512)
    assert by_context.startswith("✂ cut: context full · ")


def test_coverage_comes_right_after_the_state_whenever_it_is_below_100_percent():
    footer = answer_footer(_answer(54, 96))
    assert footer.startswith("✓ complete · covers 54 of 96 tokens · 54 tokens")
    assert "covers" not in answer_footer(_answer(3, 3))
    assert "covers" not in answer_footer(_answer(3, None))  # no count to compare with


def test_recovery_in_progress_replaces_the_state_and_says_how_to_skip_it():
    footer = answer_footer(
        _answer(54, 96), recovering="recovering 42 split-character tokens… 10/43"
    )
    assert footer.startswith(
        "⟳ recovering 42 split-character tokens… 10/43 (ctrl+c skips) · covers 54 of 96 tokens"
    )


def test_other_finish_reasons_are_named():
    assert answer_footer(_answer(finish="tool_calls")).endswith("finish tool_calls")


def test_keep_alives_alone_are_said_in_the_live_line():
    metrics = compute_metrics([])
    assert live_footer(metrics) == "… streaming · 0 tokens"
    assert alive_words(0.4) is None  # under a second: nothing to say yet
    line = live_footer(metrics, alive=12.3)
    assert line == "… streaming · 0 tokens · server alive, no tokens for 12 s (ctrl+c stops)"
    waiting = live_footer(metrics, waiting=True, alive=5)
    assert waiting == "… waiting for the model · server alive, no tokens for 5 s (ctrl+c stops)"
