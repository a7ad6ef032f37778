"""The sibling tree of a stored conversation, rebuilt from what each answer says of itself.

One algorithm for every reader (the reopened chat, the exports, the history sent with the
next question), over the conversation's exchanges in the order they were written:

* an exchange whose answer says how it was made (``Lineage.origin``, schema version 6)
  follows the answer it names (``follows_id``; ``None``: a first question);
* one that does not (written before version 6, a question whose answer was never written,
  a writer that does not say) follows the exchange before it, as every exchange did then;
  so an older file reads as the single path it was;
* exchanges that follow the same one are siblings, numbered in the order written;
* the selected sibling of each group is the one selected latest (``selected_at``, written
  when an answer begins and when it is selected again); none known: the latest written;
* the selected path follows the selected sibling from the first question on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from tui.core.conversation import Conversation as ChatConversation
from tui.core.conversation import Turn
from tui.core.store.models import Conversation, Lineage, StoredAnswer


@dataclass(frozen=True, slots=True)
class Place:
    """Where one exchange sits: ``parent`` (the index of the exchange it follows, ``None``
    for a first question), sibling ``sibling`` of ``siblings`` (1-based), whether it is the
    selected one of them, whether it is on the selected path, and ``depth`` (exchanges
    before it on its path: its question is number ``depth + 1``)."""

    parent: int | None
    sibling: int
    siblings: int
    selected: bool
    on_path: bool
    depth: int

    @property
    def label(self) -> str:
        """ "2/3": sibling 2 of 3."""
        return f"{self.sibling}/{self.siblings}"


def arrange(nodes: Sequence[tuple[int | None, Lineage | None]]) -> list[Place]:
    """The places of ``nodes`` (each: its answer's id, ``None`` when it has none, and that
    answer's lineage), in the order written (see the module docstring)."""
    index_of = {answer_id: k for k, (answer_id, _) in enumerate(nodes) if answer_id is not None}
    parents: list[int | None] = []
    for k, (_, lineage) in enumerate(nodes):
        previous = k - 1 if k else None
        if lineage is None or lineage.origin is None:
            parents.append(previous)
        elif lineage.follows_id is None:
            parents.append(None)
        else:
            found = index_of.get(lineage.follows_id)
            parents.append(found if found is not None and found < k else previous)
    groups: dict[int | None, list[int]] = {}
    for k, parent in enumerate(parents):
        groups.setdefault(parent, []).append(k)
    selected = {
        parent: max(group, key=lambda k: (_selected_at(nodes[k][1]), k))
        for parent, group in groups.items()
    }
    on_path: set[int] = set()
    step = selected.get(None)
    while step is not None:
        on_path.add(step)
        step = selected.get(step)
    depth: list[int] = []
    for parent in parents:
        depth.append(0 if parent is None else depth[parent] + 1)
    return [
        Place(
            parent=parent,
            sibling=groups[parent].index(k) + 1,
            siblings=len(groups[parent]),
            selected=selected[parent] == k,
            on_path=k in on_path,
            depth=depth[k],
        )
        for k, parent in enumerate(parents)
    ]


def _selected_at(lineage: Lineage | None) -> float:
    if lineage is None or lineage.selected_at is None:
        return -math.inf
    return lineage.selected_at


def exchanges(conversation: Conversation) -> list[tuple[str, StoredAnswer | None]]:
    """The conversation's exchanges in the order written: (question, its stored answer or
    ``None``). An assistant message answers the question it names (``question_id``: a
    regenerated or branched answer names an earlier one), else the latest question without
    an answer yet; a question whose answer was never written is an exchange without one."""
    texts = {m.id: m.text for m in conversation.messages if m.role == "user"}
    result: list[tuple[str, StoredAnswer | None]] = []
    pending: tuple[int, str] | None = None  # the latest question without an answer yet
    for message in conversation.messages:
        if message.role == "user":
            if pending is not None:
                result.append((pending[1], None))
            pending = (message.id, message.text)
        elif message.answer is not None:
            stored = message.answer
            named = stored.question_id
            if pending is not None and named in (None, pending[0]):
                question, pending = pending[1], None
            else:
                question = texts.get(named or -1, "")
            result.append((question, stored))
    if pending is not None:
        result.append((pending[1], None))
    return result


def path_messages(conversation: Conversation) -> list[dict[str, str]]:
    """The history to send before the next question (OpenAI ``messages``, no system
    prompt): the selected path's questions with the answer text each got.

    A question whose answer has no text (the request failed, or the process died before
    anything arrived) is left out with it: the model never saw that exchange, and strict
    chat templates reject two user turns in a row. Partial answers (stopped, incomplete)
    are kept: they are what the user saw."""
    pairs = exchanges(conversation)
    places = arrange(_nodes(pairs))
    result: list[dict[str, str]] = []
    for (question, stored), place in zip(pairs, places, strict=True):
        if place.on_path and stored is not None and stored.answer.text:
            result.append({"role": "user", "content": question})
            result.append({"role": "assistant", "content": stored.answer.text})
    return result


def _nodes(
    pairs: Sequence[tuple[str, StoredAnswer | None]],
) -> list[tuple[int | None, Lineage | None]]:
    return [(None, None) if s is None else (s.id, s.lineage) for _, s in pairs]


@dataclass(frozen=True, slots=True)
class AnswerTree:
    """What an export says of one answer's place: how it was made, the answer it follows
    and the one it was made from (ids), sibling ``sibling`` of ``siblings``, selected, on
    the selected path, its question's number on its path (``turn``, 1-based)."""

    origin: str
    follows_id: int | None
    source_id: int | None
    sibling: int
    siblings: int
    selected: bool
    on_path: bool
    turn: int

    @property
    def label(self) -> str:
        return f"{self.sibling}/{self.siblings}"


def answer_trees(conversation: Conversation) -> dict[int, AnswerTree]:
    """Each stored answer's :class:`AnswerTree`, by answer id."""
    pairs = exchanges(conversation)
    nodes = _nodes(pairs)
    trees: dict[int, AnswerTree] = {}
    for (_, stored), place in zip(pairs, arrange(nodes), strict=True):
        if stored is None:
            continue
        lineage = stored.lineage
        trees[stored.id] = AnswerTree(
            origin=lineage.origin or "ask",
            follows_id=None if place.parent is None else nodes[place.parent][0],
            source_id=lineage.source_id,
            sibling=place.sibling,
            siblings=place.siblings,
            selected=place.selected,
            on_path=place.on_path,
            turn=place.depth + 1,
        )
    return trees


def lineage_for(conversation: ChatConversation, turn: Turn) -> Lineage:
    """What to write with ``turn``'s answer (``Store.begin_answer``/``save_answer``'s
    ``lineage``): how it was made, the stored answer its exchange comes after and the one it
    was made from (their ``Turn.stored_id``: write each answer's id back on its turn), and a
    branch's divergence."""
    parent = conversation.parent_of(turn)
    source = turn.source
    return Lineage(
        origin=turn.origin,
        follows_id=None if parent is None else parent.stored_id,
        source_id=None if source is None else source.stored_id,
        branch=turn.point,
    )
