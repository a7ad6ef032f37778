"""Recover what llama.cpp hides: the tokens that end inside a character.

llama.cpp sends one logprob row per character: a character whose bytes span several tokens
gets the row of its last piece, with the whole character's bytes, and the earlier pieces'
rows are dropped (``usage.completion_tokens`` counts them). After an answer has ended,
:func:`recover` measures each hidden piece on the server itself, so an answer's entries are
its model tokens, one each, in order. Modules: :mod:`.plan` (which tokens were hidden),
:mod:`.run` (measuring them, cancellable, with progress), :mod:`.build` (the new answer).

:func:`measure` (the probes alone, for ids known otherwise) is what scoring a given answer
uses (:mod:`tui.core.score`).

Use::

    result = await recover(answer, messages, connection, on_progress=show)
    answer = result.answer            # recomputed metrics; result.status says what happened
    await store.replace_tokens(answer_id, answer)
"""

from tui.core.recovery.run import (
    RecoveryProgress,
    RecoveryResult,
    forced_token,
    measure,
    progress_message,
    prompt_ids,
    recover,
    recovery_candidate,
    template_ids,
)

__all__ = [
    "RecoveryProgress",
    "RecoveryResult",
    "forced_token",
    "measure",
    "progress_message",
    "prompt_ids",
    "recover",
    "recovery_candidate",
    "template_ids",
]
