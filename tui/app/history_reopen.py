"""What the history link does with what it reads (the recall, a stored conversation it shows)
and what it writes with each answer, apart from the link's own plumbing.

* :func:`load_recall` — earlier sessions' questions and system prompts, for ↑;
* :func:`last_to_reopen` — the conversation the chat carries on at start, or why none;
* :func:`reopen` — a stored conversation made the session's: the whole tree of siblings
  (:func:`~tui.core.resume.conversation_of`: the selected path as it was), the settings its
  latest answer was asked with (but what this run was given on the command line), and each
  reopened turn's question id, so a sibling made later names its source's question;
* :func:`answer_params` — the request parameters written with an answer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection
from typing import TYPE_CHECKING

from tui.core.conversation import Conversation, Turn
from tui.core.resume import (
    conversation_of,
    held_elsewhere_note,
    resumed_settings,
    server_change,
)
from tui.core.store import AnswerParams, AsyncStore, StoreError
from tui.core.store.models import Conversation as StoredConversation

if TYPE_CHECKING:
    from tui.app.app import LogprobChatApp
    from tui.app.session import ChatSession


async def load_recall(app: LogprobChatApp, store: AsyncStore) -> None:
    """Earlier sessions' questions and system prompts, for ↑ in the input and in F2."""
    with contextlib.suppress(StoreError):  # ↑ then recalls this session's only
        app.question_recall.add_older(await store.recent_questions())
        app.prompt_recall.add_older(await store.recent_system_prompts())


async def last_to_reopen(
    store: AsyncStore, app: LogprobChatApp, server_url: str | None
) -> tuple[StoredConversation | None, str | None]:
    """The chat's last conversation to carry on, or ``None`` with a note saying why not
    (``None`` and no note: there is none)."""
    # The chat's own: one `ask` just made (a script, another terminal) is not reopened, nor
    # are its settings carried on.
    conversation_id = await store.last_conversation_id(source="chat")
    if conversation_id is None:
        return None, None
    conversation = await store.load_conversation(conversation_id, lazy=True)
    if app.session.conversation.turns:
        # A question typed before the history was read already started a chat.
        return None, (
            "a question was asked before the last conversation was read; "
            "it starts a new one (F6 opens the history)"
        )
    note = server_change(conversation, server_url)
    if note is None and not await store.hold(conversation_id):
        note = held_elsewhere_note(conversation)
    if note is not None:
        return None, note
    return conversation, None


def reopen(
    session: ChatSession,
    stored: StoredConversation,
    *,
    server_url: str | None,
    given: Collection[str],
) -> tuple[Conversation, dict[int, int]]:
    """Make ``stored`` the session's conversation (see the module docstring); returns it and
    the question id of each reopened turn (by ``Turn.id``)."""
    conversation = conversation_of(stored, session.sampling)
    named = {a.id: a.question_id for a in stored.answers}
    questions: dict[int, int] = {}
    for turn in conversation.turns:
        question = named.get(turn.stored_id if turn.stored_id is not None else -1)
        if question is not None:
            questions[turn.id] = question
    settings = resumed_settings(
        stored, current=session.sampling, server_url=server_url, given=given
    )
    if settings.system_prompt is not None:
        session.system_prompt = settings.system_prompt
        session.preset = settings.preset
    if settings.sampling is not None:
        session.sampling = settings.sampling
    if settings.model is not None:
        session.model = settings.model
    session.conversation = conversation
    return conversation, questions


def answer_params(session: ChatSession, turn: Turn) -> AnswerParams:
    """The parameters ``turn``'s answer was asked with, as the store keeps them."""
    backend = session.backend
    remote = backend is not None and backend.engine is None
    base_url = turn.base_url or (backend.connection.safe_url if backend else "")
    return AnswerParams.of(
        model=turn.model or session.model,
        # The built-in engine's address is a random local port: noise, not a place to find.
        base_url=base_url if remote else None,
        sampling=turn.sampling,
        system_prompt=turn.system_prompt or None,
        preset=turn.preset,
    )
