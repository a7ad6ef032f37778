"""Carry on a stored conversation: its turns as the chat shows them, and the settings to use.

Pure functions from the store's :class:`~tui.core.store.models.Conversation` to the chat's
:class:`~tui.core.conversation.Conversation` (:func:`conversation_of`: every turn, siblings
and branches in place, the selected path as it was) or its selected path alone
(:func:`turns_of`), and :class:`ResumedSettings`; no I/O, no widgets.

Pairing questions with answers (:func:`tui.core.store.lineage.exchanges`): messages are read
in order; an assistant message answers the latest question that has no answer yet, else the
question it names (a regenerated answer names its question). The tree comes from what each
answer says of itself (:mod:`tui.core.store.lineage`; an older file is a single path). A
question whose answer was never written (the process died between the question and the
request) gets an empty answer marked ``incomplete``, so nothing on screen is left "waiting"
for a request that will never come.

Settings: the next question continues with the system prompt, preset, model and sampling of
the conversation's latest answer, except for what this run was given on the command line
(``given``: option names such as ``"temperature"``, ``"system"``, ``"model"``). The model is
restored only when the answer came from the same remote server (its base URL without
credentials): another server would not know it, and the built-in engine names its own model.

Another server: a conversation held with one server is never carried on with another (that
would send it the whole conversation and its system prompt): :func:`server_change` says so
in one line, and the chat starts a new conversation instead. Nor is a conversation that
another running chat holds open (:func:`held_elsewhere_note`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection
from dataclasses import dataclass

from tui.core.answer import Answer
from tui.core.conversation import Conversation, Turn
from tui.core.errors import ConfigError
from tui.core.safety import safe_line
from tui.core.settings import Sampling, display_url, normalise_base_url
from tui.core.store.lineage import arrange, exchanges
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
    lineage = stored.lineage
    return Turn(
        question=question,
        system_prompt=params.system_prompt or "",
        preset=params.preset,
        sampling=sampling_of(params, fallback),
        model=params.model or "",
        base_url=params.base_url or "",
        answer=stored.answer,
        origin=lineage.origin or "ask",
        point=lineage.branch,
        stored_id=stored.id,
    )


def conversation_of(
    conversation: StoredConversation, fallback: Sampling | None = None
) -> Conversation:
    """Every exchange of ``conversation`` as a finished :class:`Turn`, siblings and
    branches where they were (each turn's ``stored_id``, ``origin``, ``point`` and ``source``
    restored), the same sibling selected (see the module docstring)."""
    fallback = fallback or Sampling()
    pairs = exchanges(conversation)
    turns = [_turn_for(question, stored, fallback) for question, stored in pairs]
    places = arrange([(None, None) if s is None else (s.id, s.lineage) for _, s in pairs])
    by_stored = {turn.stored_id: turn for turn in turns if turn.stored_id is not None}
    result = Conversation(turns)
    for turn, (_, stored), place in zip(turns, pairs, places, strict=True):
        parent = None if place.parent is None else turns[place.parent]
        result.parents[turn.id] = None if parent is None else parent.id
        if place.selected:
            result.chosen[None if parent is None else parent.id] = turn.id
        if stored is not None and stored.lineage.source_id is not None:
            turn.source = by_stored.get(stored.lineage.source_id)
    return result


def turns_of(conversation: StoredConversation, fallback: Sampling | None = None) -> list[Turn]:
    """The selected path of :func:`conversation_of`, in order (what a chat that shows one
    answer per question puts on screen)."""
    return conversation_of(conversation, fallback).path()


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


def conversation_server(conversation: StoredConversation) -> str | None:
    """The server the conversation was last held with (its latest answer's base URL, else the
    conversation's own); ``None`` for the built-in engine."""
    answers = conversation.answers
    return answers[-1].params.base_url if answers else conversation.base_url


def server_change(conversation: StoredConversation, server_url: str | None) -> str | None:
    """One line when ``conversation`` was held with another server than ``server_url`` (this
    run's; ``None`` for the built-in engine), else ``None``.

    Carrying it on would send that server's conversation, system prompt included, to this
    one: the chat starts a new conversation instead, and this line says so and how to carry
    the old one on (its server, given again)."""
    theirs = conversation_server(conversation)
    if theirs is None and server_url is None:
        return None
    if theirs is not None and server_url is not None and _address(theirs) == _address(server_url):
        return None
    old = display_url(theirs) if theirs else "the built-in model"
    new = display_url(server_url) if server_url else "the built-in model"
    how = f"--base-url {old}" if theirs else "starting without --base-url"
    title = safe_line(conversation.display_title)
    return (
        f"“{title}” was a conversation with {old}; this run uses {new}: started a new "
        f"conversation, so none of it is sent to {new} ({how} carries it on; F6 lists it)"
    )


def held_elsewhere_note(conversation: StoredConversation) -> str:
    """One line when ``conversation`` is open in another running chat (its lease, see
    :mod:`tui.core.store.leases`): carrying it on here would interleave two dialogues."""
    return (
        f"“{safe_line(conversation.display_title)}” is open in another running logprob-chat: "
        "started a new conversation, so the two do not mix (F6 opens it once the other quits)"
    )


def _same_server(stored: str | None, current: str | None) -> bool:
    """Both remote and the same address (the built-in engine names its own model)."""
    return bool(stored and current) and _address(stored) == _address(current)  # type: ignore[arg-type]


def _address(url: str) -> str:
    with contextlib.suppress(ConfigError):
        url = normalise_base_url(url)
    return display_url(url).rstrip("/")
