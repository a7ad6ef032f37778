"""One answer scored under K system prompts: what to send (:class:`ScorePlan`) and sending
it (:class:`ScoreRun`).

The prompts are :class:`~tui.core.compare.plan.PromptSpec` as in a sampled comparison (the
first is the baseline the others are measured against); the conversation sent is the prompt,
any earlier turns, the question, and the answer is scored as the assistant's reply to it.

Scores run ``concurrency`` at a time (the built-in engine batches its 4 slots: 3 prompts ×
100 tokens took 5.6 s at once against 8.6 s one by one, with the same numbers to the last
digit). One at a time, the split characters of a score use all of the engine's slots at once
(``replicate_slots``); with several at once each keeps to its own slot (the others are busy).
A prompt whose score fails (its conversation does not fit in the context, the server
refuses) says why in its own row; the others go on.
A server that cannot score at all stops the run with its one line
(:class:`~tui.core.score.result.ScoreUnsupported`).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from tui.core.compare.plan import MAX_CONCURRENCY, MAX_PROMPTS, PromptSpec, unique_labels
from tui.core.errors import ConfigError, LogprobChatError, one_line
from tui.core.metrics import DEFAULT_LOW_PROB_THRESHOLD
from tui.core.recovery.run import ProgressCallback
from tui.core.score.result import Score, ScoreUnsupported
from tui.core.score.scorer import Scorer

EntryStatus = Literal["pending", "running", "ok", "error", "cancelled"]


@dataclass(frozen=True)
class ScorePlan:
    """``answer`` scored as the reply to ``question`` under each of ``prompts``.

    ``history``: earlier user/assistant messages sent before the question (system messages
    are dropped: the scored prompt replaces them). ``top_logprobs``: alternatives kept per
    token (0–20)."""

    prompts: tuple[PromptSpec, ...]
    question: str
    answer: str
    top_logprobs: int = 5
    history: tuple[dict[str, str], ...] = ()
    threshold: float = DEFAULT_LOW_PROB_THRESHOLD
    concurrency: int = 1

    def __post_init__(self) -> None:
        prompts = tuple(self.prompts)
        if not prompts:
            raise ConfigError("give at least one system prompt (--system or --preset)")
        if len(prompts) > MAX_PROMPTS:
            raise ConfigError(
                f"score under at most {MAX_PROMPTS} prompts at once, not {len(prompts)}"
            )
        if not self.question.strip():
            raise ConfigError("the question is empty")
        if not self.answer:
            raise ConfigError("the answer to score is empty")
        if not 0 <= self.top_logprobs <= 20:
            raise ConfigError(f"top_logprobs must be from 0 to 20, not {self.top_logprobs}")
        if not 1 <= self.concurrency <= MAX_CONCURRENCY:
            raise ConfigError(
                f"concurrency must be from 1 to {MAX_CONCURRENCY}, not {self.concurrency}"
            )
        object.__setattr__(self, "prompts", tuple(unique_labels(prompts)))
        history = tuple(dict(m) for m in self.history if m.get("role") != "system")
        object.__setattr__(self, "history", history)

    def messages_for(self, prompt: PromptSpec) -> list[dict[str, str]]:
        """The system prompt (if any), the history, the question: what the answer replies to."""
        messages: list[dict[str, str]] = []
        if prompt.system:
            messages.append({"role": "system", "content": prompt.system})
        messages.extend(dict(m) for m in self.history)
        messages.append({"role": "user", "content": self.question})
        return messages


@dataclass(slots=True)
class ScoreEntry:
    """The answer under one prompt: its score, or why there is none."""

    index: int
    prompt: PromptSpec
    status: EntryStatus = "pending"
    score: Score | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def label(self) -> str:
        return self.prompt.label


EntryCallback = Callable[[ScoreEntry], Awaitable[object] | object]


@dataclass
class ScoreRun:
    """A plan ready to run on one :class:`Scorer`; ``entries`` fill in as scores come."""

    scorer: Scorer
    plan: ScorePlan
    entries: list[ScoreEntry] = field(init=False)
    method: str | None = None

    def __post_init__(self) -> None:
        self.entries = [ScoreEntry(k, prompt) for k, prompt in enumerate(self.plan.prompts)]

    @property
    def finished(self) -> int:
        return sum(1 for e in self.entries if e.status in ("ok", "error", "cancelled"))

    async def run(
        self,
        on_entry: EntryCallback | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> list[ScoreEntry]:
        """Score under every prompt, ``plan.concurrency`` at a time. ``on_entry`` (plain or
        async) gets each entry as it ends; ``on_progress`` the split-character measuring.
        Cancel the task to stop: the entries running and those left are ``cancelled``, what
        finished is kept. Raises :class:`ScoreUnsupported` before any entry when the server
        cannot score at all."""
        self.method = await self.scorer.method()
        gate = asyncio.Semaphore(self.plan.concurrency)
        replicate = None if self.plan.concurrency == 1 else False

        async def one(entry: ScoreEntry) -> None:
            async with gate:
                await self.score_entry(entry, on_progress, replicate)
            if on_entry is not None:
                outcome = on_entry(entry)
                if inspect.isawaitable(outcome):
                    await outcome

        tasks = [asyncio.create_task(one(entry)) for entry in self.entries]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for entry in self.entries:
                if entry.status in ("pending", "running"):
                    entry.status = "cancelled"
        return self.entries

    async def score_entry(
        self,
        entry: ScoreEntry,
        on_progress: ProgressCallback | None = None,
        replicate: bool | None = None,
    ) -> None:
        """Score the answer under ``entry``'s prompt and fill the entry in (ok or error);
        :class:`ScoreUnsupported` and cancellation propagate. No concurrency bound: the
        caller's (:meth:`run`'s, or a question set's across its questions)."""
        entry.status = "running"
        try:
            entry.score = await self.scorer.score(
                self.plan.messages_for(entry.prompt),
                self.plan.answer,
                self.plan.top_logprobs,
                on_progress=on_progress,
                replicate_slots=replicate,
            )
            entry.score.answer.low_prob_threshold = self.plan.threshold
            entry.status = "ok"
        except (ScoreUnsupported, asyncio.CancelledError):
            raise
        except LogprobChatError as exc:
            entry.status, entry.error = "error", str(exc)
        except Exception as exc:  # a bug must cost one row, not the whole run
            entry.status = "error"
            entry.error = one_line(f"internal error ({type(exc).__name__}): {exc}")
