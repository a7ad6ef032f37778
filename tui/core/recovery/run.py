"""Recover, after an answer has ended, every token llama.cpp did not send a row for.

Its own phase: the answer is complete (and saved) first; :func:`recover` is a cancellable
coroutine that reports progress and returns a *new* answer, so a TUI runs it in a worker
(Esc cancels it and the answer stays as it was, complete, not "stopped") and ``ask`` shows
its progress on standard error. Steps:

1. ``recovery_candidate``: llama.cpp-style rows (ids and bytes) and fewer rows than
   ``usage.completion_tokens`` (split characters, or the end token a stream never sends);
2. the server is llama.cpp (:meth:`LlamaCppServer.detect`); the prompt's ids are rebuilt
   (``/apply-template`` then ``/tokenize``, checked against ``usage.prompt_tokens``); the
   generated text is tokenised and lined up with the rows (:mod:`.plan`);
3. each hidden piece at generation position i is measured by one ``/completion`` of
   ``prompt + ids[:i]`` with ``n_predict: 1`` and a forced complete token: its logprob is read
   from the raw distribution (``n_probs`` alternatives, widened when it is not among them);
   for a streamed answer that ended on its own, the end token's too (position n);
4. :func:`build.rebuild` puts them in place.

Cost: one forward step per hidden piece, the prefix being in the slot's cache. Positions go
in descending order, so every prefix is a prefix of what the slot holds (one token each).
With ``replicate_slots`` (a server whose slots we own: the embedded engine, started with a
slot save path), the answer's slot is copied into the idle slots and each round sends one
position per slot in one request, which the server batches into one step; the answer's
slot gets its full cache back at the end, so the next question of the conversation finds
it. Measured in ``tests/bench`` (case ``recovery``).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Literal

from tui.core.answer import Answer
from tui.core.continuation import continuation_of, continued_messages, with_continuation
from tui.core.recovery.build import Measured, measured_from, rebuild
from tui.core.recovery.plan import (
    Plan,
    align,
    fits,
    generated_bytes,
    own_piece,
    plan_from,
    text_rows,
)
from tui.core.report import token_number
from tui.core.settings import Connection
from tui.core.wire.llamacpp import LlamaCppError, LlamaCppServer, Piece

N_PROBS = 20
"""Alternatives asked for first: a hidden piece is nearly always among them (measured: all
of them on the built-in model's Japanese answers); a miss is asked again wider."""

WIDER = (1000, 20000)
"""``n_probs`` of the second and third try for a piece not found (20,000 covers most of a
small model's vocabulary; llama.cpp accepted 5,000+)."""

MIN_TO_REPLICATE = 4
"""Below this many remaining positions, copying the slot costs more than it saves."""

SLOT_FILE = "logprob-chat-recovery.bin"

Status = Literal["recovered", "nothing-hidden", "not-llamacpp", "impossible"]


@dataclass(frozen=True, slots=True)
class RecoveryProgress:
    """``done`` of ``total`` tokens measured (``total`` counts the end token when it is)."""

    done: int
    total: int
    hidden: int  # split-character pieces among them

    @property
    def message(self) -> str:
        """ "recovering 42 split-character tokens…" (with "10/42" once under way)."""
        return progress_message(self.hidden, self.total, self.done)


@dataclass(frozen=True, slots=True)
class RecoveryResult:
    """The answer to show from now on (the original when nothing was done), what happened
    (``status``), how many hidden tokens were filled in, and ``reason`` in words when
    recovery was impossible."""

    answer: Answer
    status: Status
    recovered: int = 0
    reason: str | None = None


ProgressCallback = Callable[[RecoveryProgress], Awaitable[object] | object]


def progress_message(hidden: int, total: int, done: int = 0) -> str:
    """The words shown while recovery runs (one function for the chat, the pane and ``ask``)."""
    if hidden:
        what = f"recovering {hidden} split-character token{'s' if hidden != 1 else ''}…"
    else:
        what = "measuring the end token's probability…"
    return what if not done else f"{what} {done}/{total}"


def recovery_candidate(answer: Answer) -> bool:
    """Whether recovery could add anything (no network): a complete answer whose rows look
    like llama.cpp's (every text row has an id and bytes) and number fewer than the server's
    ``completion_tokens``. A continued answer: its generated part
    (:func:`~tui.core.continuation.continuation_of`)."""
    if answer.prefill is not None:
        return recovery_candidate(continuation_of(answer))
    if answer.status != "complete" or not answer.tokens:
        return False
    total = answer.completion_tokens
    if total is None or len(answer.tokens) >= total:
        return False
    rows, _ = text_rows(answer.tokens)
    return all(answer.tokens[i].id is not None and answer.tokens[i].bytes for i in rows)


async def recover(
    answer: Answer,
    messages: Sequence[dict[str, str]],
    connection: Connection,
    *,
    replicate_slots: bool = False,
    on_progress: ProgressCallback | None = None,
    server: LlamaCppServer | None = None,
) -> RecoveryResult:
    """The answer with its hidden tokens measured (see the module docstring). ``messages``
    are the ones the answer was asked with. Never raises for a server that cannot do it
    (``status``/``reason`` say why); cancel the task to stop (nothing is changed then).

    A continued answer (a prefill: a branch, ``ask --prefill``) is recovered in its generated
    part, asked as it was sent (the prefill as the final assistant message), and put back
    after the given records (:mod:`tui.core.continuation`)."""
    if answer.prefill is not None:
        part = continuation_of(answer)
        result = await recover(
            part,
            continued_messages(messages, answer),
            connection,
            replicate_slots=replicate_slots,
            on_progress=on_progress,
            server=server,
        )
        if result.answer is part:
            return replace(result, answer=answer)
        return replace(result, answer=with_continuation(answer, result.answer))
    if not recovery_candidate(answer):
        return RecoveryResult(answer, "nothing-hidden")
    own = server is None
    native = server or LlamaCppServer(connection)
    try:
        return await _recover(answer, messages, native, replicate_slots, on_progress)
    except LlamaCppError as exc:
        return RecoveryResult(answer, "impossible", reason=str(exc))
    finally:
        if own:
            await native.aclose()


async def _recover(
    answer: Answer,
    messages: Sequence[dict[str, str]],
    server: LlamaCppServer,
    replicate_slots: bool,
    on_progress: ProgressCallback | None,
) -> RecoveryResult:
    if not await server.detect():
        return RecoveryResult(answer, "not-llamacpp", reason="the server is not llama.cpp")
    prompt = await prompt_ids(server, messages, (answer.usage or {}).get("prompt_tokens"))
    if prompt is None:
        return RecoveryResult(
            answer, "impossible", reason="the prompt could not be rebuilt token for token"
        )
    data = generated_bytes(answer.tokens)
    try:
        text = (data or b"").decode("utf-8")
    except UnicodeDecodeError:
        return RecoveryResult(answer, "impossible", reason="the rows do not spell UTF-8 text")
    plan = await _plan(server, answer, text)
    eos = None
    if plan.end_row is None and plan.unaligned_from is None and answer.finish_reason == "stop":
        eos = await _eos_piece(server)
    positions = plan.hidden_positions
    total = len(positions) + (eos is not None)
    if not total:
        reason = _unaligned_words(answer, plan)
        return RecoveryResult(answer, "impossible" if reason else "nothing-hidden", reason=reason)
    report = _Reporter(on_progress, total, len(positions))
    await report(0)
    force = await forced_token(server)
    measure = _Measurer(
        server, prompt, plan.ids, partial(_plan_piece, plan), force, replicate_slots, report
    )
    measured, end = await measure.run(positions, eos)
    keep_top = max((t.top_count for t in answer.tokens), default=0)
    recovered = rebuild(answer, plan, measured, end, keep_top)
    recovered.notices.extend(_notices(answer, recovered, plan, len(positions)))
    return RecoveryResult(recovered, "recovered", len(positions), _unaligned_words(answer, plan))


class _Reporter:
    def __init__(self, callback: ProgressCallback | None, total: int, hidden: int) -> None:
        self.callback, self.total, self.hidden = callback, total, hidden

    async def __call__(self, done: int) -> None:
        if self.callback is None:
            return
        outcome = self.callback(RecoveryProgress(done, self.total, self.hidden))
        if inspect.isawaitable(outcome):
            await outcome


class _Measurer:
    """Sends the probes: first the highest position (which tells the answer's slot), then
    rounds in descending order, one position per warm slot, then wider asks for misses."""

    def __init__(
        self,
        server: LlamaCppServer,
        prompt: list[int],
        ids: Sequence[int],
        piece_at: Callable[[int], Piece],
        force: int,
        replicate: bool,
        report: _Reporter,
    ) -> None:
        self.server, self.prompt, self.ids, self.force = server, prompt, list(ids), force
        self.piece_at = piece_at
        self.replicate, self.report = replicate, report
        self.done = 0
        self.slot: int | None = None
        self.copied = False

    def _prompt(self, position: int) -> list[int]:
        return self.prompt + self.ids[:position]

    def _piece(self, position: int) -> Piece:
        return self.piece_at(position)

    async def run(
        self, positions: list[int], eos: Piece | None
    ) -> tuple[dict[int, Measured], Measured | None]:
        wanted: list[tuple[int, Piece]] = [(p, self._piece(p)) for p in reversed(positions)]
        if eos is not None:
            wanted.insert(0, (len(self.ids), eos))
        found: dict[int, Measured] = {}
        missing: list[tuple[int, Piece]] = []
        first, rest = wanted[0], wanted[1:]
        probe = (
            await self.server.probe([self._prompt(first[0])], n_probs=N_PROBS, force=self.force)
        )[0]
        self.slot = probe.slot
        await self._keep(first, probe.top, found, missing)
        try:
            width = 1 + await self._replicate(len(rest))
            for start in range(0, len(rest), width):
                batch = rest[start : start + width]
                prompts = [self._prompt(p) for p, _ in batch]
                slot = self.slot if len(batch) == 1 else None
                probes = await self.server.probe(
                    prompts, n_probs=N_PROBS, force=self.force, slot=slot
                )
                for item, result in zip(batch, probes, strict=True):
                    await self._keep(item, result.top, found, missing)
            for item in missing:
                await self._widen(item, found)
        finally:
            if self.copied and self.slot is not None:
                await self.server.restore_slot(self.slot, SLOT_FILE)
        end = found.pop(len(self.ids), None) if eos is not None else None
        return found, end

    async def _keep(
        self,
        item: tuple[int, Piece],
        top: list[dict[str, object]],
        found: dict[int, Measured],
        missing: list[tuple[int, Piece]],
    ) -> None:
        position, piece = item
        result = measured_from(piece, top)
        if result is None:
            missing.append(item)
            found[position] = Measured(piece, None, top, len(top))
        else:
            found[position] = result
            self.done += 1
            await self.report(self.done)

    async def _widen(self, item: tuple[int, Piece], found: dict[int, Measured]) -> None:
        position, piece = item
        for n_probs in WIDER:
            probe = (
                await self.server.probe(
                    [self._prompt(position)], n_probs=n_probs, force=self.force, slot=self.slot
                )
            )[0]
            result = measured_from(piece, probe.top)
            if result is not None:
                # The piece as the wide list spells it (its bytes), the narrow list kept.
                found[position] = Measured(
                    result.piece, result.logprob, found[position].top, n_probs
                )
                break
        self.done += 1
        await self.report(self.done)

    async def _replicate(self, remaining: int) -> int:
        """Copy the answer's slot into the idle ones; how many it reached."""
        if not self.replicate or self.slot is None or remaining < MIN_TO_REPLICATE:
            return 0
        slots = (await self.server.props()).get("total_slots")
        if type(slots) is not int or slots < 2:
            return 0
        others = [s for s in range(slots) if s != self.slot]
        reached = await self.server.copy_slot(self.slot, others, SLOT_FILE)
        self.copied = bool(reached) or self.copied
        return len(reached)


def _plan_piece(plan: Plan, position: int) -> Piece:
    """The piece at generation ``position`` of ``plan`` (its id and bytes)."""
    for aligned in plan.aligned:
        if aligned.start <= position < aligned.start + len(aligned.pieces):
            return aligned.pieces[position - aligned.start]
    return Piece(plan.ids[position], b"")  # pragma: no cover - positions come from the plan


async def measure(
    server: LlamaCppServer,
    prompt: list[int],
    ids: Sequence[int],
    positions: Sequence[int],
    *,
    replicate_slots: bool = False,
    on_progress: ProgressCallback | None = None,
) -> dict[int, Measured]:
    """The logprob of ``ids[p]`` after ``prompt + ids[:p]`` for each position ``p``, read off
    the server's raw distribution (the same probes as :func:`recover`: descending order,
    slots copied when ``replicate_slots``, wider lists for a token not found). A found
    piece carries its bytes as the server spells them (``Measured.piece.data``); one not
    found even in the widest list has ``logprob`` ``None`` and no bytes."""
    if not positions:
        return {}
    report = _Reporter(on_progress, len(positions), len(positions))
    await report(0)
    force = await forced_token(server)
    measurer = _Measurer(
        server, prompt, ids, lambda p: Piece(ids[p], b""), force, replicate_slots, report
    )
    found, _ = await measurer.run(list(positions), None)
    return found


async def _plan(server: LlamaCppServer, answer: Answer, text: str) -> Plan:
    """Rows lined up with the whole text's tokenisation, then each row that is not, alone
    (its own alternatives, else its text tokenised alone), up to the first that fails."""
    tokens = answer.tokens
    rows, _ = text_rows(tokens)
    own = {i: pieces for i in rows if (pieces := own_piece(tokens[i])) is not None}
    if len(own) == len(rows):  # nothing merged (an English answer): the rows are the ids
        return plan_from(tokens, own)
    found = align(tokens, await server.tokenize(text) if text else [])
    for i in rows:
        if i in found:
            continue
        pieces = own_piece(tokens[i])
        if pieces is None:
            data = tokens[i].bytes or b""
            try:
                alone = await server.tokenize(data.decode("utf-8"))
            except UnicodeDecodeError:
                break
            if not fits(tokens[i], alone):
                break
            pieces = tuple(alone)
        found[i] = pieces
    return plan_from(tokens, found)


async def prompt_ids(
    server: LlamaCppServer, messages: Sequence[dict[str, str]], expected: object
) -> list[int] | None:
    """The prompt's ids as the server built them: ``/apply-template`` then ``/tokenize``,
    with or without the model's automatic BOS, whichever gives ``usage.prompt_tokens``."""
    return await template_ids(server, await server.apply_template(messages), expected)


async def template_ids(server: LlamaCppServer, prompt: str, expected: object) -> list[int] | None:
    """``prompt`` (the chat template's text) as ids, with or without the model's automatic
    BOS, whichever gives the ``expected`` count (``None``: with it)."""
    for add_special in (True, False):
        ids = [p.id for p in await server.tokenize(prompt, add_special=add_special)]
        if expected is None or len(ids) == expected:
            return ids
    return None


async def _eos_piece(server: LlamaCppServer) -> Piece | None:
    """The model's end token (``/props`` ``eos_token``) as one piece, or ``None``."""
    eos = (await server.props()).get("eos_token")
    if not isinstance(eos, str) or not eos:
        return None
    pieces = await server.tokenize(eos, parse_special=True)
    return Piece(pieces[0].id, b"") if len(pieces) == 1 else None


async def forced_token(server: LlamaCppServer) -> int:
    """A token that is whole text on its own, to force at the probed position (found once
    per server object)."""
    if server.forced is not None:
        return server.forced
    for piece in await server.tokenize("a", parse_special=False):
        try:
            if piece.data.decode("utf-8"):
                server.forced = piece.id
                return piece.id
        except UnicodeDecodeError:
            continue
    raise LlamaCppError("no whole-text token to force for the probes")


def _unaligned_words(answer: Answer, plan: Plan) -> str | None:
    if plan.unaligned_from is None:
        return None
    number = token_number(answer.tokens[plan.unaligned_from].index)
    return (
        f"rows from token #{number} on could not be recovered: the text tokenises "
        "differently from what the model sampled"
    )


def _notices(before: Answer, after: Answer, plan: Plan, hidden: int) -> list[str]:
    """What recovery tells the user (the end token's row, measured for a stream, says
    itself: it is the stop probability)."""
    notes: list[str] = []
    if hidden:
        notes.append(
            f"recovered {hidden} split-character token{'s' if hidden != 1 else ''} that "
            "llama.cpp does not send: each measured on the server after the answer"
        )
    unaligned = _unaligned_words(before, plan)
    if unaligned:
        notes.append(unaligned)
    total = after.completion_tokens
    if total is not None and plan.unaligned_from is None and len(after.tokens) < total:
        cut = total - len(after.tokens)
        notes.append(
            f"{cut} token{'s' if cut != 1 else ''} at the end never reached the text "
            "(cut inside a character): no logprob"
        )
    return notes
