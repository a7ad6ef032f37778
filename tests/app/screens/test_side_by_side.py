"""The side-by-side view (v): a branch beside the answer it came from (siblings), or any two
answers marked with space; their numbers with the difference, their texts from where they
part; and the branch dialog and the view as snapshots at 80×24 and 160×48."""

from __future__ import annotations

import math

import pytest

from tests.app.branch_support import CONTINUATION, LlamaServer, ask_and_branch
from tests.app.support import TOKENS, make_app, send, wait_for


@pytest.fixture
def llama():
    with LlamaServer() as server:
        yield server


def _text(app, selector: str) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(selector))


async def _side_by_side(pilot) -> None:
    await ask_and_branch(pilot)
    await pilot.press("v")
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "SideBySideScreen")
    await pilot.pause()


async def _side_by_side_checked(pilot) -> None:
    """The view of a branch beside its parent (its snapshot is taken after): the numbers
    and the texts from where they part."""
    await _side_by_side(pilot)
    app = pilot.app
    title = _text(app, "#sbs-title")
    assert title.startswith("Side by side: #1 ‹1/2› (left) and #1 ‹2/2› (right)")
    assert "the same first 2 tokens" in title
    stats = _text(app, "#sbs-stats").splitlines()
    assert stats[1].split() == ["Tokens", "7", "5", "−2"]
    # Σ logprob: the parent's sum, the branch's (prefix, chosen token, new tokens).
    left = sum(lp for _, lp, _ in TOKENS)
    right = math.log(0.9) + math.log(0.5) + math.log(0.6) + math.log(0.7) + math.log(0.9)
    sigma = next(line for line in stats if line.startswith("Σ logprob"))
    assert f"{left:.3f}" in sigma and f"{right:.3f}" in sigma and sigma.endswith("▶")
    assert _text(app, "#sbs-start") == "Shared start\nThe cat"
    texts = [str(w.render()) for w in app.screen.query(".sbs-text")]
    assert texts == [" sat on the mat.", " ran away."]
    assert "⑂ branch at token #3" in _text(app, ".sbs-side-title")


async def test_two_marked_answers_of_different_questions(llama):
    app = make_app(llama)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await send(pilot, "one")
        await send(pilot, "two")
        await pilot.press("f8", "v")  # nothing to set beside it yet: said how
        await wait_for(pilot, lambda: bool(app._notifications))
        assert "mark another answer with space" in [n.message for n in app._notifications][-1]
        await pilot.press("k", "space", "j", "v")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SideBySideScreen")
        await pilot.pause()
        assert _text(app, "#sbs-title").startswith("Side by side: #1 (left) and #2 (right)")
        assert "the same first 7 tokens" in _text(app, "#sbs-title")
        assert app.screen.has_class("-narrow")


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_the_branch_dialog_snapshot(size, snap_compare):
    server = LlamaServer().start()
    try:
        server.answers(TOKENS)
        app = make_app(server)

        async def open_dialog(pilot) -> None:
            await send(pilot, "Where did the cat sit?")
            await pilot.press("f8", "m", "b")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "BranchScreen")
            await pilot.pause()

        assert snap_compare(app, terminal_size=size, run_before=open_dialog)
    finally:
        server.stop()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_the_side_by_side_of_a_branch_and_its_parent_with_snapshots(size, snap_compare):
    server = LlamaServer().start()
    try:
        server.answers(TOKENS, CONTINUATION)
        app = make_app(server)
        assert snap_compare(app, terminal_size=size, run_before=_side_by_side_checked)
    finally:
        server.stop()
