"""A comparison written through the history link's chain (tui/app/history_comparison.py)
follows a session that moves from memory into the file before the comparison is created:
the conversation it was made from is the file's, not the id it had in memory."""

from __future__ import annotations

import asyncio

from tests.core.store.test_comparisons import plan
from tui.app.history_chain import WriteChain
from tui.app.history_comparison import ComparisonRecord
from tui.core.score.history import comparison_fields
from tui.core.store import AsyncStore
from tui.core.store.moving import Moved


async def test_a_comparison_queued_behind_the_move_is_created_with_the_file_s_ids() -> None:
    said: list[str] = []
    chain = WriteChain(said.append)
    store = await AsyncStore.memory()  # (the file the session moved into)
    try:
        await store.create_conversation()
        in_file = await store.create_conversation()
        moving = asyncio.Event()
        chain.then(moving.wait)  # the move, queued before the score began
        fields = comparison_fields(plan(), method="m", model="m", base_url=None)
        fields["conversation_id"] = 9  # the chat's conversation, as it was in memory
        record = ComparisonRecord(chain, lambda: store, fields)
        record.moved(Moved(conversations={9: in_file}))
        moving.set()
        record.finish("complete")
        await chain.idle()
        assert record.id is not None and record.ended and not said
        stored = await store.load_comparison(record.id)
    finally:
        await store.close()
    assert (stored.conversation_id, stored.status) == (in_file, "complete")
