"""Sampling values typed as text (the settings modal) or read from a file, checked one field at
a time so each bad field gets its own message and the others stay usable.

The messages are :func:`tui.core.settings.validate_sampling`'s, so the command line, the
config file and the modal all say the same thing about the same mistake.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tui.core.errors import ConfigError
from tui.core.settings import (
    DEFAULT_MAX_TOKENS,
    DEFAULT_TEMPERATURE,
    DEFAULT_TOP_LOGPROBS,
    Sampling,
    validate_sampling,
)

SAMPLING_FIELDS = ("temperature", "top_logprobs", "max_tokens", "seed", "repeat_penalty")

# Each field is checked alone, the others held at valid defaults.
_CHECKS: dict[str, Callable[[Any], None]] = {
    "temperature": lambda v: validate_sampling(v, DEFAULT_TOP_LOGPROBS, DEFAULT_MAX_TOKENS, None),
    "top_logprobs": lambda v: validate_sampling(DEFAULT_TEMPERATURE, v, DEFAULT_MAX_TOKENS, None),
    "max_tokens": lambda v: validate_sampling(DEFAULT_TEMPERATURE, DEFAULT_TOP_LOGPROBS, v, None),
    "seed": lambda v: validate_sampling(
        DEFAULT_TEMPERATURE, DEFAULT_TOP_LOGPROBS, DEFAULT_MAX_TOKENS, v
    ),
    "repeat_penalty": lambda v: validate_sampling(
        DEFAULT_TEMPERATURE, DEFAULT_TOP_LOGPROBS, DEFAULT_MAX_TOKENS, None, v
    ),
}


def check_sampling_field(name: str, value: Any) -> Any:
    """``value`` if it is valid for sampling field ``name`` (temperature as a float), else
    :class:`ConfigError` with the shared message naming the field."""
    _CHECKS[name](value)
    if name == "temperature" or (name == "repeat_penalty" and value is not None):
        return float(value)
    return value


def _parse_text(name: str, text: str) -> Any:
    """Text → the field's type. Unparseable text goes to the check as it is, which then
    reports the type error in the shared words ("must be a whole number …, not 'abc'")."""
    text = text.strip()
    if name in ("seed", "repeat_penalty") and not text:
        return None
    try:
        return float(text) if name in ("temperature", "repeat_penalty") else int(text)
    except ValueError:
        return text


@dataclass(frozen=True, slots=True)
class SamplingForm:
    """The outcome of checking four text fields: a ``Sampling`` when all are valid."""

    sampling: Sampling | None
    errors: dict[str, str] = field(default_factory=dict)


def parse_sampling_form(
    temperature: str, top_logprobs: str, max_tokens: str, seed: str, repeat_penalty: str = ""
) -> SamplingForm:
    """Check the fields as typed. A blank seed or repeat_penalty means none; every other
    field is required."""
    texts = dict(
        zip(
            SAMPLING_FIELDS,
            (temperature, top_logprobs, max_tokens, seed, repeat_penalty),
            strict=True,
        )
    )
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, text in texts.items():
        try:
            values[name] = check_sampling_field(name, _parse_text(name, text))
        except ConfigError as exc:
            errors[name] = str(exc)
    if errors:
        return SamplingForm(None, errors)
    return SamplingForm(Sampling(**values))


def format_sampling_field(name: str, sampling: Sampling) -> str:
    """The text a field starts with: ``0.7``, ``5``, ``512``, blank for no seed."""
    value = getattr(sampling, name)
    if value is None:
        return ""
    if name in ("temperature", "repeat_penalty"):
        return f"{value:g}"
    return str(value)


TOP_LOGPROBS_ZERO_WARNING = (
    "0 alternatives: each token keeps its own probability but no alternatives are shown. "
    "llama.cpp (and the built-in model) would return no logprobs at all for 0, so 1 is "
    "asked there and its alternative hidden."
)
"""What the settings forms say when top_logprobs 0 is chosen (it is valid, but not what a
person expects on llama.cpp, which empties every number for 0)."""


def sampling_warnings(sampling: Sampling) -> dict[str, str]:
    """Field → a warning about a valid but surprising value (shown beside the field, never
    blocking): top_logprobs 0 (:data:`TOP_LOGPROBS_ZERO_WARNING`)."""
    warnings: dict[str, str] = {}
    if sampling.top_logprobs == 0:
        warnings["top_logprobs"] = TOP_LOGPROBS_ZERO_WARNING
    return warnings


def field_warning(name: str, text: str) -> str | None:
    """The warning (:func:`sampling_warnings`) for sampling field ``name`` as typed, judged
    alone (the other fields at their defaults); ``None`` when there is none or the text is
    not a valid value (its error says so instead)."""
    try:
        value = check_sampling_field(name, _parse_text(name, text))
    except ConfigError:
        return None
    return sampling_warnings(Sampling(**{name: value})).get(name)
