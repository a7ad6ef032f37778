"""Where the token cursor jumps: the least likely token, the next unlikely one."""

from __future__ import annotations

import math
from collections.abc import Sequence

from tui.core.wire.records import TokenRecord


def least_likely(tokens: Sequence[TokenRecord]) -> int | None:
    """Position of the token with the lowest usable logprob (the first, on ties)."""
    best: int | None = None
    best_lp = math.inf
    for i, token in enumerate(tokens):
        lp = token.logprob
        if lp is not None and lp < best_lp:
            best, best_lp = i, lp
    return best


def next_low(tokens: Sequence[TokenRecord], after: int, threshold: float) -> int | None:
    """Position of the next token with p < ``threshold`` after position ``after`` (-1: from
    the start), wrapping around; ``None`` when there is none."""
    limit = math.log(threshold)
    n = len(tokens)
    for step in range(1, n + 1):
        i = (after + step) % n
        lp = tokens[i].logprob
        if lp is not None and lp < limit:
            return i
    return None
