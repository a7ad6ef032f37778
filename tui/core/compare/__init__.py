"""Compare system prompts by confidence: K prompts × N samples, with honest statistics.

Use::

    plan = ComparePlan((PromptSpec.from_text("…"), PromptSpec.from_preset(p)), "質問", samples=5,
                       sampling=Sampling(temperature=0.7, seed=1))
    async with ChatClient(connection) as client:
        comparison = Comparison(client, plan, model)
        result = await comparison.run(on_sample=callback)   # or: async for s in iter_samples()

Modules: :mod:`.plan` (what to send), :mod:`.samples` (one request's outcome), :mod:`.run`
(sending, concurrency, cancellation), :mod:`.aggregate` (statistics and verdicts),
:mod:`.export` (JSON and CSV). The statistics are in :mod:`tui.core.stats`.
"""

from tui.core.compare.aggregate import (
    METRICS,
    PAIRWISE_METRICS,
    VERDICT_TEXT,
    CompareResult,
    MetricSpec,
    Pairwise,
    PromptAggregate,
    Verdict,
    aggregate,
)
from tui.core.compare.plan import (
    DEFAULT_CONCURRENCY,
    DEFAULT_SAMPLES,
    ComparePlan,
    PromptSpec,
    resolve_prompts,
)
from tui.core.compare.run import Comparison
from tui.core.compare.samples import METRIC_NAMES, Sample, SampleStatus, sample_values

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_SAMPLES",
    "METRICS",
    "METRIC_NAMES",
    "PAIRWISE_METRICS",
    "VERDICT_TEXT",
    "ComparePlan",
    "CompareResult",
    "Comparison",
    "MetricSpec",
    "Pairwise",
    "PromptAggregate",
    "PromptSpec",
    "Sample",
    "SampleStatus",
    "Verdict",
    "aggregate",
    "resolve_prompts",
    "sample_values",
]
