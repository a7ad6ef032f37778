"""A process that records a branch and is killed while it streams (``test_branches``):
``python -m tests.core.store.branch_child HISTORY_FILE``. It writes the parent answer, begins
the branch (its place, divergence and given start), checkpoints two new tokens, prints
``checkpointed`` and waits to be killed."""

from __future__ import annotations

import asyncio
import sys

from tests.core.store.test_branches import PARAMS, colours
from tui.core.branch import plan_branch
from tui.core.store import AsyncStore, Lineage, Recorder
from tui.core.wire.events import TextDelta, TokensReceived
from tui.core.wire.records import TokenRecord


async def main(path: str) -> None:
    store = await AsyncStore.open(path)
    cid = await store.create_conversation()
    question = await store.add_user_message(cid, "Three colours?")
    parent = colours()
    parent_id = await store.save_answer(cid, PARAMS, parent, lineage=Lineage.asked())
    plan = plan_branch(parent, 2, " Blue")
    builder = plan.builder()
    recorder = await Recorder.begin(
        store,
        builder,
        cid,
        PARAMS,
        question_id=question,
        lineage=Lineage("branch", None, parent_id, plan.point),
    )
    for k, text in enumerate(["\n", "2"]):
        builder.apply(TextDelta(text))
        row = TokenRecord(k, "answer", text, text, text.encode(), -0.3, id=900 + k)
        builder.apply(TokensReceived([row], [{"token": text, "logprob": -0.3}]))
    await recorder.checkpoint()
    print("checkpointed", flush=True)
    await asyncio.sleep(3600)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
