"""Issue 16's "done when", on the real built-in model: a new user opens the inspector on the
least likely token of an answer, picks the second alternative, reads the new continuation
with its own heatmap, regenerates the original once more, opens the side-by-side view of two
siblings at 80×24 and 160×48, and finds all of them in the history after a restart.

Cheap: the session's shared engine, a few tokens, a fixed seed."""

from __future__ import annotations

import pytest

from tests.app.support import make_app, wait_for
from tests.app.test_recovery import OwnEngine
from tui.core.backend import Backend
from tui.core.settings import Connection, Sampling

pytestmark = [pytest.mark.engine, pytest.mark.slow]


def _app(engine, data_dir):
    connection = Connection(engine.base_url, api_key=engine.api_key, model=engine.model)
    backend = Backend(connection, "built-in", engine=OwnEngine())  # type: ignore[arg-type]
    sampling = Sampling(temperature=0.7, top_logprobs=5, max_tokens=10, seed=7)
    return make_app(backend=backend, data_dir=data_dir, sampling=sampling)


async def _answered(pilot, view) -> None:
    await wait_for(pilot, lambda: view.turn.answer is not None, timeout=30)
    await wait_for(pilot, lambda: not pilot.app.main.chat.busy, timeout=30)
    await pilot.pause()


async def test_branch_regenerate_side_by_side_and_restart_on_the_built_in_model(engine, tmp_path):
    app = _app(engine, tmp_path / "data")
    async with app.run_test(size=(80, 24)) as pilot:
        main = app.main
        chat = main.chat
        main.input.insert("Name a colour.")
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(chat.views))
        await _answered(pilot, chat.views[0])
        original = chat.views[0].turn
        # The inspector on the least likely token, the branch dialog, the second alternative.
        await pilot.press("f8", "m")
        position = main.pane.cursor
        token = chat.views[0].tokens[position]
        assert token.prob == min(t.prob for t in chat.views[0].tokens if t.prob is not None)
        await pilot.press("b")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "BranchScreen")
        second = app.screen.choices[1]
        assert second.problem is None
        await pilot.press("2")
        await wait_for(pilot, lambda: chat.views[0].turn.origin == "branch")
        branch_view = chat.views[0]
        await _answered(pilot, branch_view)
        branch = branch_view.turn.answer
        assert branch.status in ("complete", "stopped") or branch.finish_reason == "length"
        assert branch.prefill_tokens == token.index + 1
        assert branch.tokens[token.index].logprob == second.alternative.logprob
        assert branch.tokens[: token.index] == original.answer.tokens[: token.index]
        new = branch.tokens[branch.prefill_tokens :]
        assert new and all(t.logprob is not None for t in new)  # its own numbers
        # Its own heatmap: F5 colours every new token by its own probability.
        await pilot.press("f5")
        await pilot.pause()
        heat = main.pane.heat
        assert heat is not None and branch_view.text_view.heat is heat
        assert branch_view.text_view.mark == token.index
        # Regenerate the original once more: back to it ([), g.
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert chat.views[0].turn is original
        await pilot.press("g")
        await wait_for(pilot, lambda: chat.views[0].turn.origin == "regenerate")
        regenerated = chat.views[0].turn
        await _answered(pilot, chat.views[0])
        assert regenerated.sampling.seed == 9  # 7 + the two siblings before it
        assert chat.views[0].header_text.startswith("#1 ‹3/3›")
        # Side by side of two siblings, at 80×24, then at 160×48.
        for size, layout in (((80, 24), "-narrow"), ((160, 48), "-wide")):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await pilot.press("v")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "SideBySideScreen")
            await pilot.pause()
            assert app.screen.has_class(layout)
            # The selected answer on the right, its previous sibling (the branch) on the left.
            assert app.screen.left[0] is branch_view.turn and app.screen.right[0] is regenerated
            await pilot.press("escape")
            await pilot.pause()
        await app.history.idle()
    # After a restart: the three siblings, the one selected last shown.
    again = _app(engine, tmp_path / "data")
    async with again.run_test(size=(80, 24)) as pilot:
        chat = again.main.chat
        await wait_for(pilot, lambda: bool(chat.views))
        await pilot.pause()
        shown = chat.views[0]
        assert shown.turn.origin == "regenerate" and shown.header_text.startswith("#1 ‹3/3›")
        group = again.session.conversation.siblings(shown.turn)
        assert [t.origin for t in group] == ["ask", "branch", "regenerate"]
        assert [t.answer.text for t in group] == [
            original.answer.text, branch.text, regenerated.answer.text
        ]  # fmt: skip
        assert group[1].point is not None and group[1].point.position == token.index
        await pilot.press("f8", "left_square_bracket")
        await pilot.pause()
        assert chat.views[0].turn is group[1] and "⑂ branch at token" in chat.views[0].header_text
