"""The status line: which prompt, which model and which sampling the next request will use.

It is always on screen, so a person comparing prompts never has to wonder what is active.
Wide terminals get labelled fields; narrow ones a compact form, with the model name cut in the
middle (keeping its start and its end, where sizes and quantisations are written).

Its right end holds *indicators* (:func:`with_indicators`): short words other parts of the
app set and clear ("history: memory only"), kept whole at the right edge, the rest of the
line shortened to make room.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.cells import cell_len

from tui.core.safety import safe_line
from tui.core.settings import Sampling

SEPARATOR = " │ "


def prompt_label(preset: str | None, system_prompt: str) -> str:
    """The active preset's name, ``custom prompt`` (typed by hand) or ``no preset``."""
    if preset:
        return safe_line(preset)
    return "custom prompt" if system_prompt.strip() else "no preset"


def _take_cells(text: str, cells: int, *, from_end: bool = False) -> str:
    """The longest start (or end) of ``text`` that fits in ``cells`` terminal cells."""
    chars = reversed(text) if from_end else iter(text)
    taken: list[str] = []
    used = 0
    for ch in chars:
        w = cell_len(ch)
        if used + w > cells:
            break
        taken.append(ch)
        used += w
    return "".join(reversed(taken)) if from_end else "".join(taken)


def shorten_middle(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal cells with ``…`` in the middle."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    if width == 1:
        return "…"
    head = width // 2
    tail = width - 1 - head
    return _take_cells(text, head) + "…" + _take_cells(text, tail, from_end=True)


def sampling_fields(sampling: Sampling, *, compact: bool) -> list[str]:
    seed = "–" if sampling.seed is None else str(sampling.seed)
    penalty = sampling.repeat_penalty
    if compact:
        fields = [
            f"T{sampling.temperature:g}",
            f"k{sampling.top_logprobs}",
            f"max{sampling.max_tokens}",
            f"seed{seed}",
        ]
        return fields + ([f"rep{penalty:g}"] if penalty is not None else [])
    fields = [
        f"temperature {sampling.temperature:g}",
        f"top_logprobs {sampling.top_logprobs}",
        f"max_tokens {sampling.max_tokens}",
        f"seed {seed}",
    ]
    return fields + ([f"repeat_penalty {penalty:g}"] if penalty is not None else [])


def status_line(
    *, preset: str | None, system_prompt: str, model: str, sampling: Sampling, width: int
) -> str:
    """One line of at most ``width`` terminal cells (model text is made safe here)."""
    label = prompt_label(preset, system_prompt)
    model = safe_line(model) or "–"
    for compact in (False, True):
        fixed = [f"prompt: {label}" if not compact else label]
        numbers = sampling_fields(sampling, compact=compact)
        tail = SEPARATOR + (" ".join(numbers) if compact else SEPARATOR.join(numbers))
        head = fixed[0] + SEPARATOR
        model_field = model if compact else f"model: {model}"
        line = head + model_field + tail
        if cell_len(line) <= width:
            return line
        if compact:
            room = width - cell_len(head) - cell_len(tail)
            if room >= 8:
                return head + shorten_middle(model, room) + tail
    # Very narrow: the prompt label and the sampling numbers matter most.
    label = shorten_middle(label, max(4, width // 3))
    numbers = " ".join(sampling_fields(sampling, compact=True))
    return shorten_middle(f"{label}{SEPARATOR}{numbers}", width)


def with_indicators(line_for: Callable[[int], str], indicators: Sequence[str], width: int) -> str:
    """``line_for(room)`` (the status line in ``room`` cells) with ``indicators`` at the right
    edge of ``width`` cells, separated by │; indicators that do not fit with at least 20
    cells of status left are dropped from the end."""
    shown = [safe_line(i) for i in indicators if i]
    while shown:
        right = SEPARATOR.join(shown)
        room = width - cell_len(right) - cell_len(SEPARATOR)
        if room >= 20:
            left = line_for(room)
            gap = width - cell_len(left) - cell_len(right)
            return left + " " * max(1, gap) + right
        shown.pop()
    return line_for(width)
