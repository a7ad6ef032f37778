"""Score a given answer: how likely the model is to write this exact text under each prompt.

Teacher forcing: the same tokens read under each system prompt, deterministic, no samples.
Modules: :mod:`.gbnf` (the answer as a grammar), :mod:`.detect` (which servers can),
:mod:`.llamacpp` and :mod:`.vllm` (how each does it), :mod:`.pieces` (vLLM's vocabulary
pieces as bytes), :mod:`.result` (what comes back, and the check that it is this answer),
:mod:`.scorer` (one connection), :mod:`.plan` / :mod:`.run` (one answer under K prompts),
:mod:`.table` (the numbers per prompt), :mod:`.export` (JSON and CSV).

Use::

    async with Scorer(connection, model=model) as scorer:
        result = await scorer.score(messages, "The capital of Japan is Tokyo.", 5)
    result.metrics.sum_logprob, result.stop_prob, result.method, result.answer.tokens
"""

from tui.core.score.detect import ServerKind, detect_server
from tui.core.score.result import (
    METHOD_LLAMACPP,
    METHOD_VLLM,
    Score,
    ScoreError,
    ScoreUnsupported,
    Tokenization,
    check_spelling,
)
from tui.core.score.scorer import Scorer, score

__all__ = [
    "METHOD_LLAMACPP",
    "METHOD_VLLM",
    "Score",
    "ScoreError",
    "ScoreUnsupported",
    "Scorer",
    "ServerKind",
    "Tokenization",
    "check_spelling",
    "detect_server",
    "score",
]
