"""Branches: what the model would have said had it taken another token (or your text) at i.

A branch of answer A at token i (0-based ``index``) with choice T is a new answer to the same
question, made of:

* A's tokens 0..i−1, their records as they are (logprobs, alternatives, recovery kept);
* the chosen token T at i, with its logprob read from A's top-k at i: the distribution there
  is the same, the text before it being the same. T typed by hand and not among the
  alternatives has no known logprob (``note`` :data:`~tui.core.wire.values.NOTE_TYPED`: it
  counts as a token without a logprob, "covers n−1 of n");
* the tokens the model writes after them, with their own logprobs from the server, asked with
  the question and, as the start of the answer to continue (an assistant prefill,
  :mod:`tui.core.wire.prefill`), the exact text of tokens 0..i−1 and T.

Numbers: a branch's headline metrics cover the whole answer (prefix, chosen token and new
tokens), so a branch and its parent are compared whole against whole (their Σ logprob
differ by exactly what differs after the divergence); ``Answer.new_metrics`` are the new
tokens alone.

Where a branch can start: at a token of the answer (not of its reasoning: an answer with
reasoning cannot be continued in the model's own reasoning format), whose text before it
is the answer's own; T must make whole text with what comes before it (an alternative that is
one byte of a character cannot be sent as text), and cannot be the end token (the answer
would stop there: nothing to generate). Inside a character split over several tokens (a
recovered Japanese character), the prefix ends with the character's first bytes and T is
joined to them. :func:`branch_choices` says for each alternative whether it can be taken.

:func:`branch_answer` is the whole construction as one pure function (parent, position,
choice, continuation events → the branch); a front end streams with
``Branch.builder()`` instead and shows the answer as it grows.
"""

from __future__ import annotations

import codecs
import math
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tui.core.answer import Answer, AnswerBuilder, Prefill, Status
from tui.core.errors import LogprobChatError
from tui.core.metrics import DEFAULT_LOW_PROB_THRESHOLD
from tui.core.report import fmt_prob, token_number
from tui.core.safety import safe_line
from tui.core.wire.events import StreamEvent
from tui.core.wire.normalise import is_zero_width
from tui.core.wire.records import TokenRecord
from tui.core.wire.values import NOTE_TYPED, Alternative, merged_prefix

_SPECIAL = re.compile(r"<\|[^<>|]*\|>|</?s>|<eos>|<end_of_turn>")
"""Texts that are special tokens in common vocabularies: sent as text they would be read as
the token (end of turn) by the chat template's tokeniser."""


class BranchError(LogprobChatError):
    """A branch cannot start there, or with that choice (one line: why)."""


@dataclass(frozen=True, slots=True)
class BranchPoint:
    """Where a branch left its parent answer, and with what.

    ``position``: the diverging token's ``index`` in the parent (0-based; people read
    ``token_number(position)``); ``choice``: the text put there; ``typed``: typed by hand
    (else one of the alternatives); ``choice_logprob``: its logprob at that position, when
    known; ``original`` / ``original_logprob``: the token the parent had there."""

    position: int
    choice: str
    typed: bool = False
    choice_logprob: float | None = None
    original: str = ""
    original_logprob: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "choice": self.choice,
            "typed": self.typed,
            "choice_logprob": self.choice_logprob,
            "original": self.original,
            "original_logprob": self.original_logprob,
        }

    @classmethod
    def from_dict(cls, data: Any) -> BranchPoint | None:
        """The point a stored dict describes, ``None`` for anything unreadable."""
        if not isinstance(data, dict) or type(data.get("position")) is not int:
            return None
        choice_logprob, original_logprob = data.get("choice_logprob"), data.get("original_logprob")
        return cls(
            position=data["position"],
            choice=str(data.get("choice") or ""),
            typed=bool(data.get("typed")),
            choice_logprob=choice_logprob if isinstance(choice_logprob, float | int) else None,
            original=str(data.get("original") or ""),
            original_logprob=original_logprob
            if isinstance(original_logprob, float | int)
            else None,
        )

    def describe(self) -> str:
        """ "at token #12: “ Kyoto” (38.0%) instead of “ Tokyo” (41.0%)", one safe line."""
        how = "typed" if self.typed else _percent(self.choice_logprob)
        instead = f"“{safe_line(self.original)}” ({_percent(self.original_logprob)})"
        return (
            f"at token #{token_number(self.position)}: “{safe_line(self.choice)}” ({how}) "
            f"instead of {instead}"
        )


@dataclass(frozen=True, slots=True)
class Branch:
    """A planned branch: where and with what (``point``), and the start of the answer the
    model continues (``prefill``: the exact text sent, and its token records)."""

    point: BranchPoint
    prefill: Prefill

    def builder(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        threshold: float = DEFAULT_LOW_PROB_THRESHOLD,
    ) -> AnswerBuilder:
        """An answer builder that starts with the prefix and the chosen token; feed it the
        continuation's events."""
        return AnswerBuilder(clock=clock, threshold=threshold, prefill=self.prefill)


@dataclass(frozen=True, slots=True)
class BranchChoice:
    """One alternative at a position, as a front end lists it: ``text`` is what it puts in
    the answer; ``problem`` says why it cannot be taken (``None``: it can)."""

    alternative: Alternative
    text: str
    problem: str | None


def branch_choices(parent: Answer, position: int) -> list[BranchChoice]:
    """The alternatives at ``position`` of ``parent``, most likely first, each with what
    it would put in the answer and whether it can start a branch. Raises
    :class:`BranchError` when no branch can start at ``position`` at all."""
    start = _Start.at(parent, position)
    choices = []
    for alt in start.row.alternatives():
        try:
            text = start.joined(_alternative_bytes(start, alt)).new
            problem = None
        except BranchError as exc:
            text, problem = alt.text, str(exc)
        choices.append(BranchChoice(alt, text, problem))
    return choices


def plan_branch(parent: Answer, position: int, choice: Alternative | str) -> Branch:
    """The branch of ``parent`` at ``position`` with ``choice`` (one of the alternatives
    there, or typed text; typed text equal to an alternative's is that alternative), or
    :class:`BranchError` (see the module docstring for what cannot be)."""
    start = _Start.at(parent, position)
    if isinstance(choice, str):
        if not choice:
            raise BranchError("type the text to put at that token first")
        same = (c.alternative for c in branch_choices(parent, position) if c.problem is None)
        alt = next((a for a in same if _text_of(start, a) == choice), None)
        if alt is None:
            return _planned(start, choice.encode("utf-8"), None, choice)
        choice = alt
    data = _alternative_bytes(start, choice)
    return _planned(start, data, choice, choice.text)


def branch_answer(
    parent: Answer,
    position: int,
    choice: Alternative | str,
    events: Iterable[StreamEvent],
    *,
    status: Status = "complete",
    clock: Callable[[], float] = time.monotonic,
) -> Answer:
    """The branch of ``parent`` at ``position`` with ``choice``, continued by ``events`` (the
    continuation's request, as the client yields them): prefix records, the chosen token,
    then the new tokens (see the module docstring). ``status``: how the request ended."""
    builder = plan_branch(parent, position, choice).builder(
        clock=clock, threshold=parent.low_prob_threshold
    )
    for event in events:
        builder.apply(event)
    return builder.finish(status)


# ----------------------------------------------------------------------------- internals


@dataclass(frozen=True, slots=True)
class _Start:
    """What comes before the branch: the parent, the row at the position, the bytes of the
    text before it (``lead``: a prefill without records, then the prefix tokens)."""

    parent: Answer
    position: int
    row: TokenRecord
    before: bytes

    @classmethod
    def at(cls, parent: Answer, position: int) -> _Start:
        if parent.status == "streaming":
            raise BranchError("the answer is still being written: branch it once it has ended")
        tokens = parent.tokens
        if not 0 <= position < len(tokens):
            raise BranchError(f"the answer has no token #{token_number(position)}")
        parent.load_raw()  # the alternatives of a reopened answer
        if parent.reasoning or any(t.scope == "reasoning" for t in tokens):
            raise BranchError(
                "an answer with reasoning cannot be branched: the start would have to be given "
                "in the model's own reasoning format"
            )
        row = tokens[position]
        if row.scope != "answer" and not is_zero_width(row):
            raise BranchError(f"token #{token_number(position)} is not part of the answer's text")
        if any(t.scope != "answer" for t in tokens[:position]):
            raise BranchError("the answer's text before that token is not the model's own text")
        before = _lead(parent) + b"".join(_own_bytes(t) for t in tokens[:position])
        if not parent.text.encode("utf-8").startswith(before):
            raise BranchError(
                f"the answer's text does not match its tokens before #{token_number(position)}"
            )
        return cls(parent, position, row, before)

    def joined(self, data: bytes) -> _Joined:
        """The text before with ``data`` after it, or :class:`BranchError` when they do not
        make whole text."""
        if not data:
            raise BranchError("that is the end token: the answer would stop there")
        try:
            text = (self.before + data).decode("utf-8")
        except UnicodeDecodeError:
            raise BranchError(
                f"that is part of a character (bytes {data.hex(' ')}): it cannot be sent as text"
            ) from None
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        done = decoder.decode(self.before)
        new = text[len(done) :]
        if _SPECIAL.fullmatch(new):
            raise BranchError("that is a special token: sent as text it would end the turn")
        return _Joined(text, new, len(decoder.getstate()[0]))


@dataclass(frozen=True, slots=True)
class _Joined:
    """The prefill text; the text the chosen bytes complete (with the first bytes of a
    character begun before them, if any); how many such bytes there were."""

    text: str
    new: str
    pending: int


def _lead(parent: Answer) -> bytes:
    """The bytes of the text before the answer's first token: a start given as text alone
    (``ask --prefill``), which its given records, if any, do not cover."""
    given = (parent.prefill or "").encode("utf-8")
    covered = b"".join(_own_bytes(t) for t in parent.tokens[: parent.prefill_tokens])
    return given[: len(given) - len(covered)] if given.endswith(covered) else b""


def _own_bytes(row: TokenRecord) -> bytes:
    return row.bytes if row.bytes is not None else row.text.encode("utf-8")


def _alternative_bytes(start: _Start, alt: Alternative) -> bytes:
    """The bytes ``alt`` puts after the prefix: its own, after the bytes llama.cpp merged
    into the row in front of the sampled piece (a split character not recovered)."""
    row = start.row
    merged = merged_prefix(row.raw_top or [], row.bytes, row.id) or b""
    own = alt.bytes if alt.bytes is not None else alt.text.encode("utf-8")
    return merged + own if own else b""


def _text_of(start: _Start, alt: Alternative) -> str:
    return start.joined(_alternative_bytes(start, alt)).new


def _char_start(tokens: list[TokenRecord], position: int, pending: int) -> int | None:
    """The ``index`` of the first token of a character whose first ``pending`` bytes end the
    tokens before ``position`` (``None`` when there are none)."""
    if not pending:
        return None
    k = position
    while pending > 0 and k > 0:
        k -= 1
        pending -= len(_own_bytes(tokens[k]))
    return tokens[k].index


def _planned(start: _Start, data: bytes, alt: Alternative | None, choice: str) -> Branch:
    joined = start.joined(data)
    text, new = joined.text, joined.new
    row = start.row
    chosen = TokenRecord(
        index=start.position,
        scope="answer",
        token=alt.token if alt is not None else choice,
        text=new,
        bytes=data,
        logprob=alt.logprob if alt is not None else None,
        id=alt.id if alt is not None else None,
        note="" if alt is not None else NOTE_TYPED,
        top_mass=row.top_mass,
        top_entropy=row.top_entropy,
        top_count=row.top_count,
        raw_top=row.raw_top,
        char_start=_char_start(start.parent.tokens, start.position, joined.pending),
    )
    records = (*start.parent.tokens[: start.position], chosen)
    point = BranchPoint(
        position=start.position,
        choice=choice if alt is None else new,
        typed=alt is None,
        choice_logprob=chosen.logprob,
        original=row.text or row.token,
        original_logprob=row.logprob,
    )
    return Branch(point, Prefill(text, records))


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, float | int) and not isinstance(value, bool) else None


def _percent(logprob: float | None) -> str:
    return "probability unknown" if logprob is None else fmt_prob(math.exp(logprob))
