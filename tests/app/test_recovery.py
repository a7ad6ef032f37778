"""Recovery in the chat, on the real built-in model (issue 11 in the TUI): a Japanese answer's
hidden tokens are measured after it ends, the chat line says so meanwhile, and then the view,
the pane, the JSON and the history hold one entry per model token; the built-in engine's
slots are used (``replicate_slots``), another server's are not."""

from __future__ import annotations

from typing import Any

import pytest

from tests.app.support import make_app, wait_for
from tui.core.answer import Answer
from tui.core.backend import Backend
from tui.core.recovery import RecoveryResult, recover
from tui.core.settings import Connection, Sampling

pytestmark = [pytest.mark.engine, pytest.mark.slow]


class OwnEngine:
    """Stands for the embedded engine object a built-in backend carries (the session's real
    engine is shared by every test, so the app must not stop it)."""

    def stop(self) -> None:
        pass


async def test_a_japanese_answer_is_recovered_and_stored(engine, tmp_path):
    connection = Connection(engine.base_url, api_key=engine.api_key, model=engine.model)
    backend = Backend(connection, "built-in", engine=OwnEngine())  # type: ignore[arg-type]
    calls: list[dict[str, Any]] = []
    progress: list[str] = []

    async def spy(answer, messages, conn, **options):
        calls.append({"messages": messages, **options})
        given = options.pop("on_progress")

        def seen(p):
            progress.append(p.message)
            given(p)

        return await recover(answer, messages, conn, on_progress=seen, **options)

    app = make_app(
        backend=backend,
        data_dir=tmp_path / "data",
        sampling=Sampling(temperature=0.0, top_logprobs=3, max_tokens=24),
        system_prompt="あなたは親切なAIです。",
        recovery=spy,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        main = app.main
        main.input.insert("東京について一文で教えて。")
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(main.chat.views) and main.chat.views[0].turn.answer)
        view = main.chat.views[0]
        await wait_for(pilot, lambda: not main.chat.busy, timeout=30)
        await pilot.pause()
        answer = view.turn.answer
        assert answer.status == "complete" and answer.completion_tokens == 24
        # Every token but, when max_tokens cut inside a character, its last piece (which no
        # text holds: recovery says so, and the numbers say what they cover).
        entries = len(answer.tokens)
        assert entries in (23, 24) and any(t.recovered for t in answer.tokens)
        covers = None if entries == 24 else f"covers {entries} of 24 tokens"
        assert progress and progress[-1].startswith("recovering ")
        (call,) = calls
        assert call["replicate_slots"] is True  # the built-in engine's slots are ours
        assert call["messages"] == [
            {"role": "system", "content": "あなたは親切なAIです。"},
            {"role": "user", "content": "東京について一文で教えて。"},
        ]
        # Every surface follows: the chat line (cut, not complete), the pane, the JSON.
        footer = view.footer_text
        assert footer.startswith("✂ cut: max_tokens · ")
        headline = " ".join(main.pane.headline.render().plain.split())
        if covers is None:
            assert "covers" not in footer and "covers" not in headline
        else:
            assert covers in footer and covers in headline
        assert main.pane.json_view.doc.row_count == entries
        assert len(view.tokens) == sum(t.scope == "answer" for t in answer.tokens)
        assert any(n.startswith("recovered ") for n in answer.notices)
        # The history holds the recovered entries (written after the answer's final write).
        history = app.history
        await history.idle()
        stored = await history.store.load_conversation(history.conversation_id)
        tokens = stored.answers[0].answer.tokens
        assert len(tokens) == entries and sum(t.recovered for t in tokens) == sum(
            t.recovered for t in answer.tokens
        )


async def test_another_server_s_slots_are_left_alone():
    """A llama.cpp server of one's own: recovery runs on one slot (``replicate_slots``
    false), with the messages the answer was asked with."""
    calls: list[dict[str, Any]] = []

    async def spy(answer, messages, conn, **options):
        calls.append({"messages": messages, **options})
        return RecoveryResult(answer, "not-llamacpp")

    app = make_app(recovery=spy, system_prompt="Be brief.")
    app.session.backend = Backend(Connection("http://gpu-box:8080/v1", model="m"), "remote")
    turn = app.turns.new_turn("q")
    turn.answer = Answer(status="complete")
    result = await app.turns.recover(turn, lambda progress: None)
    assert result.status == "not-llamacpp"
    (call,) = calls
    assert call["replicate_slots"] is False
    assert call["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "q"},
    ]
