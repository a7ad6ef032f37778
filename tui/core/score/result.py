"""What scoring a given answer gives back, and the check that it scored that very answer.

A :class:`Score` is an :class:`~tui.core.answer.Answer` like a generated one (token records
with bytes and alternatives, metrics, coverage, raw rows), made from the logprobs the server
gave for the given text, plus how it was measured (``method``), how its tokenisation compares
with the server's own tokenisation of the text (``tokenization``), and the stop probability:
the logprob of the end token right after the answer, which the final zero-width row carries
and :class:`~tui.core.metrics.Metrics` reports apart (``stop_logprob``), never among the
answer's tokens.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tui.core.answer import Answer
from tui.core.errors import LogprobChatError
from tui.core.metrics import Metrics
from tui.core.wire.normalise import is_zero_width

METHOD_LLAMACPP = "llama.cpp grammar"
"""A greedy answer held to a grammar that admits only the given text (``/completion`` with
``grammar``, ``return_tokens``); the rows are the raw distribution (the grammar does not
change the reported logprobs), split characters measured by probes (:mod:`tui.core.recovery`)."""

METHOD_VLLM = "vLLM prompt_logprobs"
"""The answer sent as the final assistant message with ``prompt_logprobs``: the logprob vLLM
computed for each of its tokens as part of the prompt, and for the end-of-turn token after it."""


class ScoreError(LogprobChatError):
    """This answer could not be scored (one readable line)."""


class ScoreUnsupported(ScoreError):
    """The server has no way to give the logprobs of a given answer (one line: which server,
    and why)."""


@dataclass(frozen=True, slots=True)
class Tokenization:
    """The scored tokens beside the server's own tokenisation of the answer text.

    ``scored``: tokens of the answer that were scored; ``canonical``: tokens ``/tokenize``
    makes of the text (``None`` when not asked); ``first_difference``: the 1-based number of
    the first token where the two differ (``None`` when they are the same)."""

    scored: int
    canonical: int | None = None
    first_difference: int | None = None

    @property
    def same(self) -> bool:
        return self.first_difference is None

    @property
    def words(self) -> str | None:
        """A notice when the tokenisations differ, ``None`` when they agree."""
        if self.same or self.canonical is None:
            return None
        return (
            f"the scored tokenisation differs from the server's /tokenize of the answer from "
            f"token #{self.first_difference} on ({self.scored} tokens scored, /tokenize makes "
            f"{self.canonical}): the score is of the tokens the model takes to write this text "
            "greedily"
        )


def compare_tokenizations(scored: list[int], canonical: list[int]) -> Tokenization:
    """Where the scored ids and ``/tokenize``'s ids part (1-based), if they do."""
    for n, (a, b) in enumerate(zip(scored, canonical, strict=False), 1):
        if a != b:
            return Tokenization(len(scored), len(canonical), n)
    if len(scored) != len(canonical):
        return Tokenization(len(scored), len(canonical), min(len(scored), len(canonical)) + 1)
    return Tokenization(len(scored), len(canonical))


@dataclass(slots=True)
class Score:
    """One answer scored under one conversation (see the module docstring)."""

    answer: Answer
    method: str
    tokenization: Tokenization | None = None

    @property
    def metrics(self) -> Metrics:
        return self.answer.metrics

    @property
    def stop_logprob(self) -> float | None:
        """ln P(end token | conversation, answer): how likely the model was to stop there."""
        return self.metrics.stop_logprob

    @property
    def stop_prob(self) -> float | None:
        value = self.stop_logprob
        return None if value is None else math.exp(value)

    @property
    def token_ids(self) -> list[int | None]:
        """The scored tokens' ids in order (the end token's not among them)."""
        return [t.id for t in self.answer.tokens if t.scope == "answer" and not is_zero_width(t)]


def scored_bytes(answer: Answer) -> bytes | None:
    """The bytes the answer's tokens spell (the final zero-width end row left out), or
    ``None`` when a token has no bytes."""
    parts = []
    for token in answer.tokens:
        if is_zero_width(token):
            continue
        if token.bytes is None:
            return None
        parts.append(token.bytes)
    return b"".join(parts)


def check_spelling(answer: Answer, text: str) -> None:
    """Raise :class:`ScoreError` unless the scored tokens' bytes are exactly ``text``'s UTF-8
    bytes: a server that ignored the grammar, a template that changed the answer, a tokenizer
    whose pieces were read wrong would otherwise give numbers for another text."""
    wanted = text.encode("utf-8")
    got = scored_bytes(answer)
    if got == wanted:
        return
    if got is None:
        raise ScoreError(
            "the server's rows carry no token bytes: the scored text cannot be checked"
        )
    at = next(
        (i for i, (a, b) in enumerate(zip(got, wanted, strict=False)) if a != b),
        min(len(got), len(wanted)),
    )
    said = got[max(0, at - 12) : at + 12].decode("utf-8", "replace")
    raise ScoreError(
        f"the scored tokens do not spell the answer (they part at byte {at + 1} of "
        f"{len(wanted)}, near {said!r}): the server scored another text, so no numbers"
    )
