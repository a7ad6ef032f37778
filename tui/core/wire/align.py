"""Align logprob rows with the text the server sent, where bytes alone cannot say enough.

Three questions need the rows' text matched against ``content`` / ``reasoning``:

* which characters a row stands for when the server lost its bytes (vLLM sends ``"\ufffd"``
  for each piece of a split character, llama-cpp-python ``""`` with ``bytes: null``):
  :func:`fill_untrusted_text`;
* which rows of a whole reply are reasoning and which the answer, since servers with a
  reasoning parser return rows for both but ``content`` holds only the answer:
  :func:`split_by_content`;
* which held rows a streamed delta accounts for (Ollama attaches content rows to the
  reasoning chunk): :func:`rows_spelling`.

Each row becomes a pattern (:func:`row_atoms`): literal characters, and "zero or one unknown
character" for each piece whose bytes were lost. Matching keeps the reachable positions in
the text as intervals, so it is linear in the rows even when every row is unknown.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence

from tui.core.wire.normalise import is_marker, is_zero_width
from tui.core.wire.records import Scope, TokenRecord
from tui.core.wire.values import bytes_are_trustworthy, surface_text

Atom = str | None
"""One step of a row's text pattern: a literal character, or ``None`` for "zero or one
unknown character" (a piece of a split character whose bytes the server lost)."""


def row_atoms(row: TokenRecord) -> list[Atom]:
    """The text pattern a row stands for, for aligning rows with the server's text.

    A row with trustworthy bytes stands for exactly its decoded text. A row without them
    stands for its token string, where each U+FFFD (vLLM's split characters) is an unknown
    character, and an empty token (llama-cpp-python, Ollama) is one unknown character.
    """
    if bytes_are_trustworthy(row.bytes):
        return list(row.text)
    token = surface_text(row.token)
    if not token:
        return [None]
    return [None if ch == "\ufffd" else ch for ch in token]


def align_rows(patterns: Sequence[Sequence[Atom]], text: str) -> list[tuple[int, int]] | None:
    """Match rows, in order, against ``text``; return each row's ``(start, end)`` in ``text``.

    Whitespace the server trimmed from either end of ``text`` may be left over in the rows.
    Unknown characters take one character when they can. ``None`` when the rows cannot spell
    ``text``. Cost: O(atoms × live states); literals keep the state set small.
    """
    target = text.strip()
    offset = len(text) - len(text.lstrip())
    size = len(target)
    flat: list[tuple[int, Atom]] = [(i, a) for i, atoms in enumerate(patterns) for a in atoms]
    history: list[States] = [_START]
    states = _START
    for _, atom in flat:
        states = _step(states, atom, target, size)
        if not states:
            return None
        history.append(states)
    if not _has(states, size):
        return None
    # Walk back from the end, choosing for each atom a predecessor state.
    ends = [0] * len(flat)
    pos = size
    for k in range(len(flat) - 1, -1, -1):
        atom = flat[k][1]
        before = history[k]
        ends[k] = pos
        pos = _predecessor(before, atom, pos, target)
    spans: list[tuple[int, int]] = []
    k = 0
    start = 0
    for atoms in patterns:
        end = ends[k + len(atoms) - 1] if atoms else start
        spans.append((offset + start, offset + end))
        k += len(atoms)
        start = end
    return spans


States = list[tuple[int, int]]
"""Positions reached in the target text, as sorted, disjoint, non-adjacent inclusive
intervals: a run of unknown characters widens one interval instead of adding positions, so
alignment stays linear in the rows even when every row is unknown (an emoji-only answer from
vLLM)."""

_START: States = [(0, 0)]


def _has(states: States, pos: int) -> bool:
    i = bisect.bisect_right(states, (pos, math.inf)) - 1
    return i >= 0 and states[i][0] <= pos <= states[i][1]


def _merged(intervals: Iterable[tuple[int, int]]) -> States:
    merged: States = []
    for lo, hi in intervals:
        if merged and lo <= merged[-1][1] + 1:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def _step(states: States, atom: Atom, target: str, size: int, *, trim: bool = True) -> States:
    """Positions after one more atom: an unknown character takes zero or one character, a
    literal must be the next character (or, with ``trim``, whitespace at either end)."""
    if atom is None:
        return _merged((lo, min(hi + 1, size)) for lo, hi in states)
    points: list[int] = []
    for lo, hi in states:
        if trim and lo == 0 and atom.isspace():
            points.append(0)  # whitespace the server trimmed from the start
        stop = min(hi, size - 1) + 1
        found = target.find(atom, lo, stop)
        while found >= 0:
            points.append(found + 1)
            found = target.find(atom, found + 1, stop)
        if trim and hi == size and atom.isspace():
            points.append(size)  # ... or from the end
    points.sort()
    return _merged((q, q) for q in points)


def _predecessor(before: States, atom: Atom, pos: int, target: str) -> int:
    """A position in ``before`` from which ``atom`` reaches ``pos`` (taking a character when
    it can)."""
    if atom is None:
        return pos - 1 if pos > 0 and _has(before, pos - 1) else pos
    if pos > 0 and target[pos - 1] == atom and _has(before, pos - 1):
        return pos - 1
    return pos  # a skipped end whitespace


def rows_spelling(patterns: Sequence[Sequence[Atom]], text: str) -> int | None:
    """The most leading rows whose patterns spell ``text`` exactly, or ``None``.

    Used on streams, where a server may attach rows to the wrong delta (Ollama puts the rows
    of content tokens on the reasoning chunk): a delta takes the rows that spell its text,
    and the rest wait for the next delta. The *longest* such prefix, because a row holding
    part of a character (an unknown character, or bytes that decode to nothing yet) spells
    "" as well as the character, and belongs with the rows that complete it.
    """
    size = len(text)
    states = _START
    best = 0 if not size else None
    for count, atoms in enumerate(patterns, 1):
        for atom in atoms:
            states = _step(states, atom, text, size, trim=False)
            if not states:
                return best
        if _has(states, size):
            best = count
    return best


def fill_untrusted_text(rows: Sequence[TokenRecord], text: str) -> bool:
    """Give rows that hold unknown characters the characters of ``text`` they stand for.

    ``rows`` are consecutive rows of one scope whose visible text is ``text``. Rows whose
    pattern (:func:`row_atoms`) has unknown characters, taken in runs of consecutive such
    rows, get the characters the run spans, all on the run's last row, so a character whose
    bytes vLLM lost (``"\ufffd"`` pieces) or llama-cpp-python dropped (``""``) shows once,
    whole. Other rows keep their text. Returns ``False`` (and changes nothing) when the rows
    cannot spell ``text``.
    """
    patterns = [row_atoms(r) for r in rows]
    spans = align_rows(patterns, text)
    if spans is None:
        return False
    run: list[int] = []
    for i, atoms in enumerate(patterns):
        if None in atoms:
            run.append(i)
        else:
            _give_run(rows, run, spans, text)
            run = []
    _give_run(rows, run, spans, text)
    return True


def _give_run(
    rows: Sequence[TokenRecord], run: list[int], spans: list[tuple[int, int]], text: str
) -> None:
    if not run:
        return
    start, end = spans[run[0]][0], spans[run[-1]][1]
    for i in run:
        rows[i].text = ""
    rows[run[-1]].text = text[start:end]
    # Rows whose pieces make one character together are one group (several characters in
    # one run cannot be told apart: their rows stay ungrouped).
    if len(run) > 1 and end - start == 1:
        for i in run:
            rows[i].char_start = rows[run[0]].index


def split_by_content(
    rows: Sequence[TokenRecord], content: str, reasoning: str
) -> tuple[list[Scope], bool]:
    """Decide, for a non-streamed answer, which rows are reasoning and which are the answer.

    Servers with a reasoning parser (vLLM gpt-oss, llama.cpp, SGLang) return rows for every
    generated token, reasoning included, while ``content`` holds only the answer. The answer
    starts (in this order of trust):

    1. after the model's own switch to the answer, when the rows have it: harmony's
       ``<|channel|>final<|message|>`` or ``</think>`` (the last one);
    2. else at a cut where the rows before it spell ``reasoning`` and the rows after it spell
       ``content`` (:func:`reasoning_cuts`, :func:`answer_starts`; the earliest such cut);
    3. else where the shortest tail of rows spells ``content``.

    Framing tokens (:func:`is_marker`) and zero-width control tokens (:func:`is_zero_width`)
    are ``other``. Returns the scopes and whether the split could be made (``False``: no
    tail spells ``content``, so everything but framing was counted as answer).
    """
    n = len(rows)
    other = [False] * n
    previous: str | None = None
    for i, row in enumerate(rows):
        other[i] = is_marker(row.token, previous) or is_zero_width(row)
        previous = row.token
    if not reasoning:
        return ["other" if other[i] else "answer" for i in range(n)], True
    start = answer_switch(rows)
    if start is None:
        patterns = [None if other[i] else row_atoms(r) for i, r in enumerate(rows)]
        starts = answer_starts(patterns, content)
        if not starts:
            return ["other" if other[i] else "answer" for i in range(n)], False
        agreeing = starts & reasoning_cuts(patterns, reasoning)
        start = min(agreeing) if agreeing else max(starts)
    scopes: list[Scope] = []
    for i in range(n):
        if other[i]:
            scopes.append("other")
        elif i < start:
            scopes.append("reasoning")
        else:
            scopes.append("answer")
    return scopes, True


def answer_switch(rows: Sequence[TokenRecord]) -> int | None:
    """Index after the last token sequence with which the model starts its answer: harmony's
    ``<|channel|>final…<|message|>`` or ``</think>``; ``None`` when there is none."""
    switch: int | None = None
    in_final = False
    previous: str | None = None
    for i, row in enumerate(rows):
        token = row.token
        if token == "</think>":
            switch = i + 1
        elif previous == "<|channel|>":
            in_final = token == "final"
        elif token == "<|message|>" and in_final:
            switch = i + 1
            in_final = False
        previous = token
    return switch


def answer_starts(patterns: Sequence[Sequence[Atom] | None], content: str) -> set[int]:
    """Every row index from which the rows to the end spell ``content``.

    ``patterns`` holds each row's :func:`row_atoms` (``None`` for framing rows, skipped).
    Leading whitespace of ``content`` is matched when the rows have it (SGLang's ``"\n\n"``
    after ``</think>``), else may be missing; trailing whitespace may be missing too.
    ``{len(patterns)}`` when ``content`` is blank.
    """
    if not content.strip():
        return {len(patterns)}
    found = _tail_starts(patterns, content.rstrip())
    if not found and content != content.lstrip():
        found = _tail_starts(patterns, content.strip())
    return found


def _tail_starts(patterns: Sequence[Sequence[Atom] | None], text: str) -> set[int]:
    target = text[::-1]
    size = len(target)
    states = _START
    found: set[int] = set()
    for i in range(len(patterns) - 1, -1, -1):
        atoms = patterns[i]
        if atoms is None:
            continue
        for atom in reversed(atoms):
            states = _step(states, atom, target, size)
            if not states:
                return found
        if _has(states, size):
            found.add(i)
    return found


def reasoning_cuts(patterns: Sequence[Sequence[Atom] | None], reasoning: str) -> set[int]:
    """Every ``k`` such that ``patterns[:k]`` spell ``reasoning`` (ends' whitespace free)."""
    target = reasoning.strip()
    size = len(target)
    states = _START
    found = {0} if not size else set()
    for k, atoms in enumerate(patterns, 1):
        for atom in atoms or ():
            states = _step(states, atom, target, size)
            if not states:
                return found
        if _has(states, size):
            found.add(k)
    return found
