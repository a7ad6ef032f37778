"""Score a given answer on llama.cpp (and the built-in engine): a greedy answer held to a
grammar that admits only that text.

One ``POST /completion`` of the chat template's prompt (``/apply-template``: what a chat
completion sends the model) with ``grammar: root ::= "<answer>"`` (:mod:`.gbnf`),
``temperature: 0``, ``n_probs: K`` and ``return_tokens: true``. At each step the grammar
leaves only the tokens that continue the text, and greedy decoding takes the likeliest of
them; the reported logprobs are the raw distribution, before the grammar (verified: an
answer generated greedily and scored under its own prompt gives back its generated logprobs,
``tests/core/score/test_engine_score.py``). The final row is the end token, read as the stop
probability. ``n_predict`` is the answer's byte count + 1: a token holds at least one byte.

Why ``/completion`` and not a chat completion with the same grammar (which gives the same
rows): llama.cpp sends one row per *character*, so a character written in several tokens
(most Japanese) hides all but its last, and only ``return_tokens`` says which tokens the
grammar took. They are often not ``/tokenize``'s (measured: ``東`` as three byte tokens
177, 247, 126 where ``/tokenize`` gives 30679, 126), so lining rows up with ``/tokenize``, as
recovery does for sampled answers, would put a logprob measured after one prefix beside
rows measured after another. With the ids known, each hidden token is measured by the same
probes as :mod:`tui.core.recovery` (:func:`~tui.core.recovery.measure`) and put in place by
its :func:`~tui.core.recovery.build.rebuild`, so every token is scored.

The scored tokens are compared with ``/tokenize`` of the text (:class:`.Tokenization`): the
two differ when greedy decoding writes the text in other pieces than the tokenizer would.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from tui.core.answer import Answer, AnswerBuilder
from tui.core.recovery import measure, template_ids
from tui.core.recovery.build import rebuild
from tui.core.recovery.plan import Plan, RowPieces, text_rows
from tui.core.recovery.run import ProgressCallback
from tui.core.score.gbnf import GrammarError, answer_grammar
from tui.core.score.result import (
    METHOD_LLAMACPP,
    Score,
    ScoreError,
    check_spelling,
    compare_tokenizations,
)
from tui.core.wire.chunks import response_events
from tui.core.wire.llamacpp import LlamaCppServer, Piece
from tui.core.wire.request import hide_alternatives

FINISHED = ("eos", "word")
"""``stop_type`` values of a reply that ended on its own (``limit``: cut by ``n_predict`` or
the context)."""


async def score_llamacpp(
    server: LlamaCppServer,
    model: str,
    messages: Sequence[dict[str, str]],
    text: str,
    top_logprobs: int,
    *,
    replicate_slots: bool = False,
    on_progress: ProgressCallback | None = None,
) -> Score:
    """``text`` scored as the assistant's answer to ``messages`` (see the module docstring).
    ``replicate_slots``: the server's slots are ours (the embedded engine): copy the prompt's
    cache into the idle ones to measure split characters in batches."""
    try:
        grammar = answer_grammar(text)
    except GrammarError as exc:
        raise ScoreError(str(exc)) from None
    builder = AnswerBuilder()
    prompt = await server.apply_template(messages)
    reply = await server.complete_with_grammar(
        prompt, grammar, n_predict=len(text.encode("utf-8")) + 1, n_probs=max(1, top_logprobs)
    )
    answer = _answer_of(reply, model, top_logprobs, builder)
    if reply.get("stop_type") not in FINISHED or reply.get("truncated"):
        raise ScoreError(
            f"the answer was cut after {len(answer.tokens)} tokens ({reply.get('stop_type')}): "
            "it does not fit in the model's context with this conversation"
        )
    check_spelling(answer, text)
    ids = reply.get("tokens")
    path = ids if isinstance(ids, list) and all(type(i) is int for i in ids) else None
    if path is not None and len(path) > len(answer.tokens):
        answer = await _split_characters(
            server, answer, prompt, path, reply, replicate_slots, on_progress
        )
        check_spelling(answer, text)
    canonical = [piece.id for piece in await server.tokenize(text)]
    scored = [t.id for t in answer.tokens if t.bytes]
    tokenization = compare_tokenizations([i for i in scored if i is not None], canonical)
    if tokenization.words:
        answer.notices.append(tokenization.words)
    return Score(answer, METHOD_LLAMACPP, tokenization)


def _answer_of(
    reply: dict[str, Any], model: str, top_logprobs: int, builder: AnswerBuilder
) -> Answer:
    """The reply's rows as an :class:`Answer`, through the same normaliser as a generated
    answer (the rows have the chat completion's shape)."""
    rows = reply.get("completion_probabilities")
    if not isinstance(rows, list) or not rows:
        raise ScoreError("llama.cpp sent no logprob rows for the answer")
    predicted, evaluated = reply.get("tokens_predicted"), reply.get("tokens_evaluated")
    body = {
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.get("content") or ""},
                "logprobs": {"content": rows},
                "finish_reason": "stop" if reply.get("stop_type") in FINISHED else "length",
            }
        ],
        "usage": {"prompt_tokens": evaluated, "completion_tokens": predicted},
        "timings": reply.get("timings"),
    }
    for event in response_events(body, max(1, top_logprobs)):
        builder.apply(event)
    answer = builder.finish("complete")
    answer.started_at = time.time() - (answer.duration or 0.0)
    answer.tokens_per_second = None  # scored, not generated: no generation rate to speak of
    if top_logprobs == 0:
        hide_alternatives(answer.tokens)  # llama.cpp sends none for 0: 1 was asked
    return answer


async def _split_characters(
    server: LlamaCppServer,
    answer: Answer,
    prompt: str,
    path: list[int],
    reply: dict[str, Any],
    replicate_slots: bool,
    on_progress: ProgressCallback | None,
) -> Answer:
    """The answer with the tokens llama.cpp hid inside characters measured and in place.
    Where that cannot be done the rows stay as sent, and coverage and a notice say so."""
    groups = line_up(answer, path)
    prompt_ids = await template_ids(server, prompt, reply.get("tokens_evaluated"))
    if groups is None or prompt_ids is None:
        answer.notices.append(
            "the tokens llama.cpp hides inside characters could not be lined up with the "
            "tokens it generated: those tokens are not scored"
        )
        return answer
    generated = path[:-1] if text_rows(answer.tokens)[1] is not None else path
    positions = [start + k for start, count, _ in groups for k in range(count - 1)]
    measured = await measure(
        server,
        prompt_ids,
        generated,
        positions,
        replicate_slots=replicate_slots,
        on_progress=on_progress,
    )
    plan = Plan(ids=list(generated), end_row=text_rows(answer.tokens)[1])
    missing = 0
    for start, count, row in groups:
        token = answer.tokens[row]
        hidden = [
            measured[start + k].piece if start + k in measured else None for k in range(count - 1)
        ]
        pieces = _pieces(token.bytes or b"", token.id, hidden)
        if pieces is None:
            missing += count - 1
            pieces = (Piece(token.id or 0, token.bytes or b""),)
        plan.aligned.append(RowPieces(row, pieces, start))
    keep_top = max((t.top_count for t in answer.tokens), default=0)
    scored = rebuild(answer, plan, measured, None, keep_top)
    split = len(positions) - missing
    if split:
        scored.notices.append(
            f"{split} token{'s' if split != 1 else ''} inside split characters measured by "
            "probes (llama.cpp sends one row per character)"
        )
    if missing:
        scored.notices.append(
            f"{missing} token{'s' if missing != 1 else ''} inside split characters could not "
            "be measured: not scored"
        )
    return scored


def line_up(answer: Answer, path: Sequence[int]) -> list[tuple[int, int, int]] | None:
    """Each text row with the generated tokens it stands for: ``(start, count, row)``, the
    row's own token last (the row's id), in order; ``None`` when the rows and the ids do not
    line up (then nothing is split)."""
    rows, end = text_rows(answer.tokens)
    groups: list[tuple[int, int, int]] = []
    position = 0
    for row in rows:
        own = answer.tokens[row].id
        try:
            last = path.index(own, position) if own is not None else -1
        except ValueError:
            return None
        if last < 0:
            return None
        groups.append((position, last - position + 1, row))
        position = last + 1
    expected = len(path) - (1 if end is not None else 0)
    if position != expected or (end is not None and path[-1] != answer.tokens[end].id):
        return None
    return groups


def _pieces(
    data: bytes, own: int | None, hidden: Sequence[Piece | None]
) -> tuple[Piece, ...] | None:
    """The row's tokens with their bytes: the hidden ones as the probes spelled them, the
    row's own token the rest of its bytes; ``None`` when a hidden one was not found or the
    bytes do not add up."""
    if own is None or any(p is None or not p.data for p in hidden):
        return None
    pieces = [p for p in hidden if p is not None]
    used = sum(len(p.data) for p in pieces)
    if used >= len(data) or data[:used] != b"".join(p.data for p in pieces):
        return None
    return (*pieces, Piece(own, data[used:]))
