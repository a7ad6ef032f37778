"""The TUI's view of the store: every call awaitable, all SQLite work on one other thread."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.core.store.answers import japanese_answer
from tui.core.store import AnswerParams, AsyncStore, Store, StoreError


async def test_the_whole_api_runs_on_one_background_thread(db_path: Path) -> None:
    store = await AsyncStore.open(db_path)
    assert store.problem is None and store.path == db_path and not store.in_memory
    loop_thread = threading.get_ident()
    threads = {await store.call(lambda _s: threading.get_ident()) for _ in range(5)}
    assert len(threads) == 1 and loop_thread not in threads

    assert await store.last_conversation_id() is None
    cid = await store.create_conversation(preset="polite")
    await store.add_user_message(cid, "質問")
    answer = japanese_answer()
    answer_id = await store.save_answer(cid, AnswerParams(model="m"), answer)
    (summary,) = await store.list_conversations()
    assert (summary.id, summary.answers, summary.first_question) == (cid, 1, "質問")
    assert [s.id for s in await store.search("質")] == [cid]
    loaded = await store.load_conversation(cid)
    assert loaded.answers[0].id == answer_id
    assert loaded.answers[0].answer.tokens == answer.tokens
    await store.rename_conversation(cid, "Renamed")
    assert (await store.list_conversations())[0].display_title == "Renamed"
    assert await store.last_conversation_id() == cid
    # Any function of a Store can run there too (an export, say).
    assert await store.call(Store.stored_metrics, answer_id) == answer.metrics
    assert await store.delete_conversation(cid) is True
    with pytest.raises(StoreError, match=f"^no conversation {cid} in the history$"):
        await store.load_conversation(cid)
    await store.close()
    await store.close()  # idempotent
