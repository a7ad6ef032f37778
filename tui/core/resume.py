"""Carry on a stored conversation: its turns as the chat shows them, and the settings to use.

Pure functions from the store's :class:`~tui.core.store.models.Conversation` to the chat's
:class:`~tui.core.conversation.Turn` list and :class:`ResumedSettings`; no I/O, no widgets.

Pairing questions with answers: messages are read in order; an assistant message answers the
latest question that has no answer yet. Two answers to one question (``ask`` run twice into
one conversation is not possible today, but an older file may hold one) become two turns with
the same question. A question whose answer was never written (the process died between the
question and the request) gets an empty answer marked ``incomplete``, so nothing on screen is
left "waiting" for a request that will never come.

Settings: the next question continues with the system prompt, preset, model and sampling of
the conversation's latest answer, except for what this run was given on the command line
(``given``: option names such as ``"temperature"``, ``"system"``, ``"model"``). The model is
restored only when the answer came from the same remote server (its base URL without
credentials): another server would not know it, and the built-in engine names its own model.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection
from dataclasses import dataclass

from tui.core.answer import Answer
from tui.core.conversation import Turn
from tui.core.errors import ConfigError
from tui.core.settings import Sampling, display_url, normalise_base_url
from tui.core.store.models import AnswerParams, StoredAnswer
from tui.core.store.models import Conversation as StoredConversation

SAMPLING_OPTIONS = ("temperature", "top_logprobs", "max_tokens", "seed")
PROMPT_OPTIONS = ("system", "preset")


def sampling_of(params: AnswerParams, fallback: Sampling) -> Sampling:
    """The sampling an answer was asked with; a field the store lacks (an ``ask`` from an
    older version) or that no longer validates comes from ``fallback``."""
    values = fallback.to_dict()
    for name, value in params.sampling().items():
        if value is not None or name == "seed":
            values[name] = value
    try:
        return Sampling(**values)
    except ConfigError:
        return fallback


def _turn_for(question: str, stored: StoredAnswer | None, fallback: Sampling) -> Turn:
    if stored is None:
        return Turn(question=question, answer=Answer(status="incomplete"), sampling=fallback)
    params = stored.params
    return Turn(
        question=question,
        system_prompt=params.system_prompt or "",
        preset=params.preset,
        sampling=sampling_of(params, fallback),
        model=params.model or "",
        base_url=params.base_url or "",
        answer=stored.answer,
    )


def turns_of(conversation: StoredConversation, fallback: Sampling | None = None) -> list[Turn]:
    """Every exchange of ``conversation`` as a finished :class:`Turn` (see the module doc)."""
    fallback = fallback or Sampling()
    texts = {m.id: m.text for m in conversation.messages if m.role == "user"}
    turns: list[Turn] = []
    pending: str | None = None  # the latest question without an answer yet
    for message in conversation.messages:
        if message.role == "user":
            if pending is not None:
                turns.append(_turn_for(pending, None, fallback))
            pending = message.text
        elif message.answer is not None:
            stored = message.answer
            if pending is not None:
                question, pending = pending, None
            else:
                question = texts.get(stored.question_id or -1, "")
            turns.append(_turn_for(question, stored, fallback))
    if pending is not None:
        turns.append(_turn_for(pending, None, fallback))
    return turns


@dataclass(frozen=True, slots=True)
class ResumedSettings:
    """What the next question uses after resuming. ``None`` fields: keep the current value."""

    system_prompt: str | None = None
    preset: str | None = None
    model: str | None = None
    sampling: Sampling | None = None


def resumed_settings(
    conversation: StoredConversation,
    *,
    current: Sampling,
    server_url: str | None,
    given: Collection[str] = (),
) -> ResumedSettings:
    """The settings of the conversation's latest answer, minus what was ``given`` this run.

    ``server_url`` is this run's server (``None`` for the built-in engine); ``current`` the
    sampling this run would otherwise use (fields the command line gave are kept from it).
    """
    answers = conversation.answers
    if not answers:
        return ResumedSettings()
    params = answers[-1].params
    system_prompt: str | None = None
    preset: str | None = None
    if not any(option in given for option in PROMPT_OPTIONS):
        system_prompt = params.system_prompt or ""
        preset = params.preset
    sampling = sampling_of(params, current)
    kept = {name: getattr(current, name) for name in SAMPLING_OPTIONS if name in given}
    if kept:
        sampling = sampling.with_changes(**kept)
    model = None
    if "model" not in given and params.model and _same_server(params.base_url, server_url):
        model = params.model
    return ResumedSettings(system_prompt, preset, model, sampling)


def _same_server(stored: str | None, current: str | None) -> bool:
    """Both remote and the same address (the built-in engine names its own model)."""
    return bool(stored and current) and _address(stored) == _address(current)  # type: ignore[arg-type]


def _address(url: str) -> str:
    with contextlib.suppress(ConfigError):
        url = normalise_base_url(url)
    return display_url(url).rstrip("/")
