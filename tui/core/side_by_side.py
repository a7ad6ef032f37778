"""Two answers side by side (siblings, or any two): their numbers in two columns with the
difference, and where their texts part. Pure functions for a front end to lay out.

* :func:`shared_tokens` — how many leading tokens the two have in common (the same bytes, or
  the same text where a server sends no bytes): a branch and the answer it came from share
  the tokens before the divergence, two samples of one question often the first few. The
  texts are shown aligned from there: the shared start once, then each one's own.
* :func:`metric_rows` — the headline numbers of each (every token each answer holds: a
  branch's prefix and chosen token included, as its own stats say) and the difference
  right − left, with which of the two is the more confident where a direction means it.
  Over the whole answers, Σ logprob differs by exactly what differs after the shared start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from tui.core.answer import Answer
from tui.core.metrics import Metrics
from tui.core.report import fmt_num, fmt_prob
from tui.core.wire.records import TokenRecord

Better = Literal["left", "right"] | None


@dataclass(frozen=True, slots=True)
class MetricRow:
    """One line of the two columns: label, left and right values as shown, the difference
    right − left as shown (``"–"`` when either is unknown), and which side is the more
    confident (``None``: equal, unknown, or no direction means more)."""

    label: str
    left: str
    right: str
    difference: str
    better: Better


@dataclass(frozen=True, slots=True)
class _Spec:
    label: str
    value: Callable[[Metrics], float | None]
    shown: Callable[[float | None], str]
    higher_is_better: bool | None


def _signed(shown: Callable[[float | None], str]) -> Callable[[float | None], str]:
    def signed(x: float | None) -> str:
        if x is None:
            return "–"
        return ("+" if x > 0 else "−" if x < 0 else "±") + shown(abs(x)).lstrip("-")

    return signed


def _count(x: float | None) -> str:
    return "–" if x is None else f"{x:g}"


def _points(x: float | None) -> str:
    """A difference of probabilities, in percentage points."""
    return "–" if x is None else f"{x * 100:.1f} pp"


_SPECS = (
    _Spec("Tokens", lambda m: m.tokens, _count, None),
    _Spec("Σ logprob", lambda m: m.sum_logprob, fmt_num, True),
    _Spec("Mean logprob", lambda m: m.mean_logprob, fmt_num, True),
    _Spec("Mean prob", lambda m: m.mean_prob, fmt_prob, True),
    _Spec("Perplexity", lambda m: m.perplexity, fmt_num, False),
    _Spec("Lowest prob", lambda m: m.min_prob, fmt_prob, True),
    _Spec("Tokens with p < τ", lambda m: m.low_prob_count, _count, False),
    _Spec("Mean top-k entropy", lambda m: m.mean_entropy, fmt_num, False),
    _Spec("Stop probability", lambda m: m.stop_prob, fmt_prob, None),
)
_DIFFERENCE_SHOWN = {fmt_prob: _points}


def metric_rows(left: Answer, right: Answer) -> list[MetricRow]:
    """The two answers' headline numbers, row by row (see the module docstring)."""
    a, b = left.metrics, right.metrics
    rows = []
    for spec in _SPECS:
        x, y = spec.value(a), spec.value(b)
        difference = None if x is None or y is None else y - x
        shown = _DIFFERENCE_SHOWN.get(spec.shown, spec.shown)
        better: Better = None
        if difference and spec.higher_is_better is not None:
            better = "right" if (difference > 0) == spec.higher_is_better else "left"
        rows.append(
            MetricRow(spec.label, spec.shown(x), spec.shown(y), _signed(shown)(difference), better)
        )
    return rows


def shared_tokens(left: Answer, right: Answer) -> int:
    """How many leading tokens ``left`` and ``right`` have in common."""
    count = 0
    for a, b in zip(left.tokens, right.tokens, strict=False):
        if not _same(a, b):
            break
        count += 1
    return count


def _same(a: TokenRecord, b: TokenRecord) -> bool:
    if a.scope != b.scope:
        return False
    if a.bytes is not None and b.bytes is not None:
        return a.bytes == b.bytes
    return a.text == b.text and a.token == b.token
