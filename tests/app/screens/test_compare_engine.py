"""The compare screen on the real embedded model (SmolLM2-135M through llama.cpp): K=2, N=2.

One request at a time: on two shared cores llama.cpp's slots run faster one by one."""

from __future__ import annotations

import pytest
from textual.widgets import SelectionList

from tests.app.screens.compare_support import fill, open_compare, row_texts, run_comparison
from tests.app.support import make_app
from tui.app.screens.sample import SampleScreen
from tui.core.backend import Backend
from tui.core.settings import Connection

pytestmark = [pytest.mark.engine, pytest.mark.slow]


async def test_two_prompts_two_samples_on_the_embedded_model(engine):
    backend = Backend(
        Connection(engine.base_url, api_key=engine.api_key, model=engine.model), "built-in"
    )
    app = make_app(backend=backend)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_compare(pilot)
        screen.query_one("#compare-presets", SelectionList).deselect_all()
        fill(
            screen,
            question="日本の首都はどこですか？",
            written="あなたは親切なAIです。\n---\n一言で答えて。",
            samples="2",
            seed="7",
            max_tokens="8",
            concurrency="1",
        )
        await run_comparison(pilot, screen)
        result = screen.result
        assert result is not None and result.complete and result.failed == 0, [
            s.error for s in result.samples
        ]
        for k in (0, 1):
            row = row_texts(screen, k)
            assert row["n"] == "2/2"
            mean = result.prompts[k].stats["mean_logprob"].mean
            assert mean is not None and mean < 0
            assert row["mean_logprob"].startswith(f"{mean:.3f}")
        assert row_texts(screen, 1)["verdict"] in (
            "larger than run-to-run noise",
            "within noise",
            "no run-to-run variation seen, so noise cannot be judged",
        )
        await pilot.press("enter", "enter")  # the first sample of the first prompt
        await pilot.pause()
        assert isinstance(app.screen, SampleScreen)
        sample_screen = app.screen
        assert sample_screen.view.tokens, "the real answer has logprob rows"
        assert sample_screen.pane.cursor is not None
        assert "Token " in str(sample_screen.pane.inspector.render())
