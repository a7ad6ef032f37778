"""What a comparison asks: K system prompts × N samples of one question, and how to send them.

Seeds: when the sampling has a seed S, sample i of *every* prompt is sent with seed S + i.
Sending S to all N samples would make them identical on servers that honour seeds (llama.cpp,
vLLM), so the spread would be zero and say nothing about run-to-run noise; S + i keeps the run
reproducible while each sample is a fresh draw. The same i uses the same seed for each prompt,
so re-running a comparison repeats it exactly. Without a seed none is sent (the server picks).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tui.core.compare.cells import fit_cells
from tui.core.errors import ConfigError
from tui.core.metrics import DEFAULT_LOW_PROB_THRESHOLD
from tui.core.presets import Preset, PresetStore
from tui.core.safety import safe_line
from tui.core.settings import Sampling

DEFAULT_CONCURRENCY = 4
"""Requests in flight at once: the embedded engine's slot count (``engine.DEFAULT_SLOTS``)."""
DEFAULT_SAMPLES = 5
MAX_SAMPLES = 1000
MAX_PROMPTS = 26
MAX_CONCURRENCY = 64
LABEL_CELLS = 20
"""Longest label made from an ad-hoc prompt's text, in terminal cells (the full text is kept)."""
NO_SYSTEM_LABEL = "(none)"


@dataclass(frozen=True, slots=True)
class PromptSpec:
    """One system prompt under comparison. ``system`` "" sends no system message at all."""

    label: str
    system: str
    preset: str | None = None

    @classmethod
    def from_preset(cls, preset: Preset) -> PromptSpec:
        return cls(preset.name, preset.prompt, preset.name)

    @classmethod
    def from_text(cls, text: str, label: str | None = None) -> PromptSpec:
        """An ad-hoc prompt, labelled by its first characters unless a label is given."""
        return cls(label if label else label_for_text(text), text)


def label_for_text(text: str) -> str:
    """A short one-line label from a prompt's text: its start, cut with "…"."""
    line = " ".join(safe_line(text).split())
    if not line:
        return NO_SYSTEM_LABEL
    return fit_cells(line, LABEL_CELLS)


def resolve_prompts(
    choices: Sequence[tuple[str, str]], store: PresetStore | None = None
) -> list[PromptSpec]:
    """Prompts from ``("system", text)`` / ``("preset", name)`` pairs, in the given order.

    Presets come from ``store`` (the user's presets file when not given); an unknown name or a
    broken presets file raises :class:`ConfigError`.
    """
    prompts: list[PromptSpec] = []
    for kind, value in choices:
        if kind == "preset":
            if store is None:
                store = PresetStore()
            if store.problem:
                raise ConfigError(store.problem)
            prompts.append(PromptSpec.from_preset(store.get(value)))
        elif kind == "system":
            prompts.append(PromptSpec.from_text(value))
        else:
            raise ValueError(f"unknown prompt kind {kind!r}")
    return prompts


def unique_labels(prompts: Sequence[PromptSpec]) -> list[PromptSpec]:
    """The same prompts, a repeated label suffixed " #2", " #3"… so every row is named apart."""
    seen: dict[str, int] = {}
    taken = {p.label for p in prompts}
    result: list[PromptSpec] = []
    for prompt in prompts:
        count = seen.get(prompt.label, 0) + 1
        seen[prompt.label] = count
        label = prompt.label
        if count > 1:
            suffix = count
            while f"{prompt.label} #{suffix}" in taken:
                suffix += 1
            label = f"{prompt.label} #{suffix}"
            taken.add(label)
        result.append(PromptSpec(label, prompt.system, prompt.preset))
    return result


@dataclass(frozen=True)
class ComparePlan:
    """A validated comparison: K prompts × ``samples`` requests of ``message``.

    ``history`` is an optional earlier conversation (user/assistant messages) sent before the
    message; system messages in it are dropped, since the compared prompt replaces them.
    ``concurrency`` bounds the requests in flight at once.
    """

    prompts: tuple[PromptSpec, ...]
    message: str
    samples: int = DEFAULT_SAMPLES
    sampling: Sampling = field(default_factory=Sampling)
    history: tuple[dict[str, str], ...] = ()
    concurrency: int = DEFAULT_CONCURRENCY
    stream: bool = True
    threshold: float = DEFAULT_LOW_PROB_THRESHOLD

    def __post_init__(self) -> None:
        prompts = tuple(self.prompts)
        if not prompts:
            raise ConfigError("give at least one system prompt to compare (--system or --preset)")
        if len(prompts) > MAX_PROMPTS:
            raise ConfigError(f"compare at most {MAX_PROMPTS} prompts at once, not {len(prompts)}")
        if not self.message.strip():
            raise ConfigError("the message is empty")
        if _bad_int(self.samples) or not 1 <= self.samples <= MAX_SAMPLES:
            raise ConfigError(f"samples must be from 1 to {MAX_SAMPLES}, not {self.samples!r}")
        if _bad_int(self.concurrency) or not 1 <= self.concurrency <= MAX_CONCURRENCY:
            raise ConfigError(
                f"concurrency must be from 1 to {MAX_CONCURRENCY}, not {self.concurrency!r}"
            )
        if not 0 < self.threshold <= 1:
            raise ConfigError(
                f"the low-probability threshold must be in (0, 1], not {self.threshold:g}"
            )
        object.__setattr__(self, "prompts", tuple(unique_labels(prompts)))
        history = tuple(dict(m) for m in self.history if m.get("role") != "system")
        object.__setattr__(self, "history", history)

    @property
    def total(self) -> int:
        """K × N requests."""
        return len(self.prompts) * self.samples

    @property
    def greedy(self) -> bool:
        """Temperature 0: servers decode greedily, so every sample of a prompt is the same."""
        return self.sampling.temperature == 0

    @property
    def deterministic(self) -> bool:
        """Temperature 0 and a seed: one sample per prompt is the whole answer."""
        return self.sampling.deterministic

    def messages_for(self, prompt: PromptSpec) -> list[dict[str, str]]:
        """The request's messages: the system prompt (if any), the history, the question."""
        messages: list[dict[str, str]] = []
        if prompt.system:
            messages.append({"role": "system", "content": prompt.system})
        messages.extend(dict(m) for m in self.history)
        messages.append({"role": "user", "content": self.message})
        return messages

    def seed_for(self, index: int) -> int | None:
        """Seed of sample ``index`` (0-based): S + index, or None (see the module docstring)."""
        seed = self.sampling.seed
        return None if seed is None else seed + index

    def sampling_for(self, index: int) -> Sampling:
        return self.sampling.with_changes(seed=self.seed_for(index))

    def order(self) -> list[tuple[int, int]]:
        """(prompt, sample) pairs in dispatch order: round robin over the prompts (sample 0 of
        every prompt, then sample 1, …). A run cut short, or a server whose speed drifts,
        then affects every prompt alike instead of favouring the first ones."""
        return [(k, i) for i in range(self.samples) for k in range(len(self.prompts))]


def _bad_int(value: object) -> bool:
    return isinstance(value, bool) or not isinstance(value, int)
