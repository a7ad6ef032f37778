"""``ask`` keeps its question and answer in the history (unless ``--no-save``).

One object, :class:`AskHistory`, so ``ask`` stays a few calls away from the store:

* :meth:`open` — before any request: open the history, start a conversation, write the
  question (``--no-save``: no store at all, and every step below does nothing).
* :meth:`begin` — the answer, status ``streaming``, once the model is known.
* :meth:`checkpoint` — after each event (cheap; writes at most once a second).
* :meth:`finish` / :meth:`fail` — the final status, then the store is closed.

Problems with the history file are notes on standard error; the answer is printed anyway,
and :attr:`AskHistory.exit_code` tells the shell what was not saved (:data:`EXIT_NOT_SAVED`,
:data:`EXIT_SAVED_IN_PART`), so a script never takes an unsaved answer for a saved one.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tui.core.answer import Answer, AnswerBuilder, Status
from tui.core.backend import Backend
from tui.core.settings import Sampling
from tui.core.store import (
    AnswerParams,
    AsyncStore,
    Lineage,
    Recorder,
    StoreError,
    history_path,
)

EXIT_NOT_SAVED = 3
"""``ask``'s exit code when the answer was printed but not saved in the history: the file is
locked, read-only, damaged or newer, the data directory is a file or cannot be made, the
disk is full (not even the question fits)."""
EXIT_SAVED_IN_PART = 4
"""``ask``'s exit code when the question and the answer's text and numbers were saved but
some of its token rows were not (the disk filled up)."""


class AskHistory:
    def __init__(
        self,
        store: AsyncStore | None,
        conversation_id: int | None,
        params: AnswerParams,
        question: str,
    ) -> None:
        self.store = store
        self.conversation_id = conversation_id
        self.params = params
        self.question = question
        self.recorder: Recorder | None = None
        self.problems: list[str] = []
        self.lost = store is not None and store.in_memory  # nothing reaches the file

    @classmethod
    async def open(
        cls,
        args: argparse.Namespace,
        backend: Backend,
        messages: list[dict[str, str]],
        sampling: Sampling,
    ) -> AskHistory:
        system = next((m["content"] for m in messages if m["role"] == "system"), None)
        question = next(m["content"] for m in reversed(messages) if m["role"] == "user")
        embedded = backend.engine is not None
        params = AnswerParams.of(
            model=backend.connection.model,
            # The embedded engine's URL is a random local port: noise, not a place to find.
            base_url=None if embedded else backend.connection.base_url,
            sampling=sampling,
            system_prompt=system,
            preset=getattr(args, "preset", None),
        )
        if getattr(args, "no_save", False):
            # Nothing is kept, so nothing is written, not even to memory: no store thread,
            # no SQLite, no encoding of rows (it was a fifth of a --no-save run).
            return cls(None, None, params, question)
        store = await AsyncStore.open(history_path(getattr(args, "data_dir", None)))
        history = cls(store, None, params, question)
        history._note(store.problem)
        try:
            history.conversation_id = await store.create_conversation(
                preset=params.preset,
                system_prompt=params.system_prompt,
                model=params.model,
                base_url=params.base_url,
                source="ask",  # kept in the history, never reopened by the chat
            )
            # Held while ask runs: a chat started meanwhile does not carry this one on.
            await store.hold(history.conversation_id)
            await store.add_user_message(history.conversation_id, question)
        except StoreError as exc:
            history._note(str(exc))
            history.conversation_id = None
            history.lost = True
        return history

    @property
    def exit_code(self) -> int:
        """0 when the answer is in the history whole (or ``--no-save``), else
        :data:`EXIT_NOT_SAVED` or :data:`EXIT_SAVED_IN_PART`."""
        if self.store is None:
            return 0
        saved = self.recorder.saved if self.recorder is not None else None
        if self.lost or self.recorder is None or saved in (None, "none"):
            return EXIT_NOT_SAVED
        return EXIT_SAVED_IN_PART if saved == "part" else 0

    def _note(self, problem: str | None) -> None:
        if problem and problem not in self.problems:
            self.problems.append(problem)
            sys.stderr.write(f"note: {problem}\n")
            sys.stderr.flush()

    async def begin(self, model: str | None, builder: AnswerBuilder) -> None:
        """Record the answer as streaming; from now on checkpoints keep what arrives."""
        if self.store is None or self.conversation_id is None:
            return
        if model:
            self.params = _with_model(self.params, model)
        try:
            self.recorder = await Recorder.begin(
                self.store, builder, self.conversation_id, self.params, lineage=Lineage.asked()
            )
        except StoreError as exc:
            self._note(str(exc))
            self.lost = True
            return
        self.recorder.start()

    def checkpoint(self) -> None:
        if self.recorder is not None:
            self.recorder.maybe_checkpoint()

    async def finish(
        self,
        builder: AnswerBuilder,
        status: Status,
        error: str | None = None,
        *,
        close: bool = True,
    ) -> Answer:
        """The final answer, written with its status; the history is closed unless
        ``close`` is false (recovery rewrites its tokens next: :meth:`replace_tokens`)."""
        if self.recorder is None:
            answer = builder.finish(status, error)
        else:
            answer = await self.recorder.finish(status, error)
            self._note(self.recorder.problem)
            unsaved = self.recorder.unsaved
            if unsaved is not None and not self.lost:
                kept = "; its question, text and numbers were" * (self.recorder.saved == "part")
                self._note(f"the answer is not saved in full: {unsaved}{kept}")
        if close:
            await self.close()
        return answer

    async def replace_tokens(self, answer: Answer) -> None:
        """Write a recovered answer's tokens over the ones saved (see ``Store.replace_tokens``)."""
        if self.recorder is None:
            return
        try:
            await self.store.replace_tokens(self.recorder.answer_id, answer)
        except StoreError as exc:
            self._note(str(exc))

    async def fail(self, error: str) -> None:
        """The request never started (the server is unreachable): keep that as the answer."""
        if self.store is not None and self.conversation_id is not None:
            builder = AnswerBuilder()
            try:
                await self.store.save_answer(
                    self.conversation_id, self.params, builder.finish("error", error)
                )
            except StoreError as exc:
                self._note(str(exc))
                self.lost = True
        await self.close()

    async def close(self) -> None:
        if self.store is not None:
            await self.store.close()


def _with_model(params: AnswerParams, model: str) -> AnswerParams:
    values: dict[str, Any] = params.to_dict()
    values["model"] = model
    return AnswerParams(**values)
