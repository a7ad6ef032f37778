"""The part of a continued answer its own request generated, taken apart and put back.

A continued answer (``Answer.prefill``: a branch of an answer, ``ask --prefill``) holds the
given start and what the model wrote after it. Work that concerns one request only (recovering
the tokens llama.cpp hid, which re-reads that request's prompt) runs on the generated part as
an answer of its own (:func:`continuation_of`), asked with the prefill as the final assistant
message (:func:`continued_messages`, the request as it was sent), and the result is put back
after the given records (:func:`with_continuation`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from tui.core.answer import Answer


def continuation_of(answer: Answer) -> Answer:
    """The generated part of ``answer`` as an answer of its own: the tokens after the given
    ones, numbered from 0 (copies), the text after the given start, the request's usage,
    finish and status. An answer that was not continued comes back as it is."""
    if answer.prefill is None:
        return answer
    answer.load_raw()
    offset = answer.prefill_tokens
    tokens = [
        replace(
            row,
            index=row.index - offset,
            char_start=None if row.char_start is None else row.char_start - offset,
        )
        for row in answer.tokens[offset:]
    ]
    return replace(
        answer,
        text=answer.new_text,
        tokens=tokens,
        raw=list(answer.raw),
        notices=list(answer.notices),
        prefill=None,
        prefill_tokens=0,
        raw_pending=None,
    )


def with_continuation(answer: Answer, part: Answer) -> Answer:
    """``answer`` with its generated part replaced by ``part`` (what :func:`continuation_of`
    gave, changed: recovered tokens, their raw rows and notices), numbered after the given
    records again."""
    offset = answer.prefill_tokens
    tokens = answer.tokens[:offset] + [
        replace(
            row,
            index=row.index + offset,
            char_start=None if row.char_start is None else row.char_start + offset,
        )
        for row in part.tokens
    ]
    return replace(
        answer,
        tokens=tokens,
        raw=list(part.raw),
        notices=list(part.notices),
        raw_pending=None,
    )


def continued_messages(messages: Sequence[dict[str, str]], answer: Answer) -> list[dict[str, str]]:
    """The messages ``answer``'s request was sent with: ``messages`` (up to the question),
    then the prefill as the final assistant message when there is one."""
    if answer.prefill is None:
        return list(messages)
    return [*messages, {"role": "assistant", "content": answer.prefill}]
