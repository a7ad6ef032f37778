"""The compare screen's form as plain data: which prompts, in which order, and a checked plan.

Prompts come from two places:

* presets ticked in a list (plus a "no system prompt" entry), in the order they were ticked;
* prompts written in an editor, several separated by a line of three or more dashes (``---``).

They are compared in that order, written ones first, and the *baseline* (the prompt every other
one is measured against, see :mod:`tui.core.compare.aggregate`) is moved to the front. The
screen starts with the chat's current system prompt as the baseline.

Every field is checked alone, so each bad one gets its own one-line message and the others stay
usable; sampling fields use the shared words of :mod:`tui.core.sampling_form`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from tui.core.compare.plan import (
    MAX_CONCURRENCY,
    MAX_PROMPTS,
    MAX_SAMPLES,
    NO_SYSTEM_LABEL,
    ComparePlan,
    PromptSpec,
    unique_labels,
)
from tui.core.errors import ConfigError
from tui.core.presets import PresetStore
from tui.core.sampling_form import check_sampling_field
from tui.core.settings import Sampling

SEPARATOR = re.compile(r"^[ \t]*-{3,}[ \t]*$", re.MULTILINE)
"""A line of three or more dashes (and nothing else) separates written prompts."""

FIELDS = (
    "prompts",
    "question",
    "samples",
    "temperature",
    "seed",
    "max_tokens",
    "concurrency",
    "top_logprobs",
)

CandidateKind = Literal["none", "preset", "text"]
CandidateKey = tuple[CandidateKind, str]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A prompt on the list to compare. ``key`` identifies it across edits of the form:
    ``("preset", name)``, ``("text", prompt)`` or ``("none", "")``."""

    key: CandidateKey
    spec: PromptSpec


NO_SYSTEM: CandidateKey = ("none", "")


def split_prompts(text: str) -> list[str]:
    """The prompts written in the editor: parts between ``---`` lines, trimmed, blanks dropped."""
    return [part.strip() for part in SEPARATOR.split(text) if part.strip()]


def key_for(preset: str | None, system_prompt: str) -> CandidateKey:
    """The candidate key of the chat's current prompt (a preset, written text, or none)."""
    if preset:
        return ("preset", preset)
    if system_prompt.strip():
        return ("text", system_prompt.strip())
    return NO_SYSTEM


def candidates(
    written: Sequence[str],
    ticked: Sequence[CandidateKey],
    store: PresetStore,
    baseline: CandidateKey | None = None,
) -> list[Candidate]:
    """Written prompts, then ticked ones, without repeats; ``baseline`` (when present) first.

    A ticked preset the store no longer has is skipped (it was deleted meanwhile). Labels are
    made unique as the plan will make them, so the list shows the names the table will use.
    """
    keys: list[CandidateKey] = [("text", text) for text in written]
    keys += ticked
    seen: set[CandidateKey] = set()
    found: list[Candidate] = []
    for key in keys:
        if key in seen:
            continue
        seen.add(key)
        spec = _spec_for(key, store)
        if spec is not None:
            found.append(Candidate(key, spec))
    if baseline is not None:
        first = [c for c in found if c.key == baseline]
        found = first + [c for c in found if c.key != baseline]
    labelled = unique_labels([c.spec for c in found])
    return [Candidate(c.key, spec) for c, spec in zip(found, labelled, strict=True)]


def _spec_for(key: CandidateKey, store: PresetStore) -> PromptSpec | None:
    kind, value = key
    if kind == "none":
        return PromptSpec(NO_SYSTEM_LABEL, "")
    if kind == "text":
        return PromptSpec.from_text(value)
    if value not in store.names():
        return None
    return PromptSpec.from_preset(store.get(value))


@dataclass(frozen=True, slots=True)
class CompareForm:
    """The outcome of checking the form: a plan when every field is valid, else a one-line
    message per bad field (keys from :data:`FIELDS`)."""

    plan: ComparePlan | None
    errors: dict[str, str] = field(default_factory=dict)


def _whole_number(name: str, text: str, low: int, high: int) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ConfigError(
            f"{name} must be a whole number from {low} to {high}, not {text.strip()!r}"
        ) from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be from {low} to {high}, not {value}")
    return value


def parse_compare_form(
    *,
    prompts: Sequence[PromptSpec],
    question: str,
    samples: str,
    temperature: str,
    seed: str,
    max_tokens: str,
    concurrency: str,
    top_logprobs: int | str,
    repeat_penalty: float | None = None,
) -> CompareForm:
    """Check every field as typed; a blank seed means none. ``top_logprobs`` is the form's
    own field (text), or a number the caller fixes; ``repeat_penalty`` comes from the chat's
    settings (the form has no field for it)."""
    errors: dict[str, str] = {}
    if not prompts:
        errors["prompts"] = "choose at least one prompt: tick a preset or write one"
    elif len(prompts) > MAX_PROMPTS:
        errors["prompts"] = f"compare at most {MAX_PROMPTS} prompts at once, not {len(prompts)}"
    if not question.strip():
        errors["question"] = "the question is empty"
    values: dict[str, int | float | None] = {}
    checks = {
        "samples": lambda t: _whole_number("samples", t, 1, MAX_SAMPLES),
        "concurrency": lambda t: _whole_number("concurrency", t, 1, MAX_CONCURRENCY),
        "temperature": lambda t: check_sampling_field("temperature", _number(t, float)),
        "max_tokens": lambda t: check_sampling_field("max_tokens", _number(t, int)),
        "seed": lambda t: None if not t.strip() else check_sampling_field("seed", _number(t, int)),
        "top_logprobs": lambda t: check_sampling_field("top_logprobs", _number(t, int)),
    }
    texts = {
        "samples": samples,
        "concurrency": concurrency,
        "temperature": temperature,
        "max_tokens": max_tokens,
        "seed": seed,
        "top_logprobs": str(top_logprobs),
    }
    for name, check in checks.items():
        try:
            values[name] = check(texts[name])
        except ConfigError as exc:
            errors[name] = str(exc)
    if errors:
        return CompareForm(None, errors)
    try:
        sampling = Sampling(
            temperature=values["temperature"],  # type: ignore[arg-type]
            top_logprobs=values["top_logprobs"],  # type: ignore[arg-type]
            max_tokens=values["max_tokens"],  # type: ignore[arg-type]
            seed=values["seed"],  # type: ignore[arg-type]
            repeat_penalty=repeat_penalty,
        )
        plan = ComparePlan(
            tuple(prompts),
            question,
            samples=values["samples"],  # type: ignore[arg-type]
            sampling=sampling,
            concurrency=values["concurrency"],  # type: ignore[arg-type]
        )
    except ConfigError as exc:  # already checked field by field; kept as a safety net
        return CompareForm(None, {"prompts": str(exc)})
    return CompareForm(plan)


def _number(text: str, kind: type[int] | type[float]) -> object:
    """Text → number; unparseable text goes on as it is, so the shared check reports it."""
    try:
        return kind(text.strip())
    except ValueError:
        return text.strip()
