"""A comparison as data: one JSON object (every sample, aggregates, pairwise) and CSV rows
(one per sample, or one per prompt). Shared by ``logprob-chat compare`` and the TUI export.

JSON keeps server text as it came (``jsonio.dumps`` escapes control characters, so the file is
still safe to ``cat``); CSV cells holding server or user text go through ``safe_text``, since a
CSV file is plain text a terminal may show.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from tui.core.compare.aggregate import (
    PAIRWISE_METRICS,
    CompareResult,
    Pairwise,
    PromptAggregate,
)
from tui.core.compare.samples import METRIC_NAMES, Sample
from tui.core.export.cells import cell
from tui.core.export.formats import ExportFormat
from tui.core.jsonio import dumps
from tui.core.presets import write_private
from tui.core.report import finish_label
from tui.core.safety import safe_text


def result_json(result: CompareResult, *, tokens: bool = False) -> dict[str, Any]:
    """Everything: the request, notes, per-prompt aggregates, pairwise differences and every
    sample (answer, values, metrics, raw logprobs, error). ``tokens`` adds the normalised
    token records too (the raw rows are always there)."""
    plan = result.plan
    return {
        "model": result.model,
        "message": plan.message,
        "history": list(plan.history),
        "samples_per_prompt": plan.samples,
        "concurrency": plan.concurrency,
        "sampling": plan.sampling.to_dict(),
        "seeds": "sample i uses seed + i" if plan.sampling.seed is not None else None,
        "low_prob_threshold": plan.threshold,
        "confidence": result.confidence,
        "complete": result.complete,
        "notes": list(result.notes),
        "prompts": [_aggregate_json(p) for p in result.prompts],
        "pairwise": [_pairwise_json(p) for p in result.pairwise],
        "samples": [
            sample_json(s, tokens=tokens, max_tokens=result.plan.sampling.max_tokens)
            for s in result.samples
        ],
    }


def _aggregate_json(p: PromptAggregate) -> dict[str, Any]:
    stats = {}
    for name, summary in p.stats.items():
        entry = summary.to_dict()
        entry["half_width"] = summary.half_width
        stats[name] = entry
    return {
        "index": p.index,
        "label": p.label,
        "system": p.prompt.system,
        "preset": p.prompt.preset,
        "planned": p.planned,
        "ok": p.ok,
        "failed": p.failed,
        "cancelled": p.cancelled,
        "truncated": p.truncated,
        "cut_context": p.cut_context,
        "without_logprobs": p.without_logprobs,
        "rows_received": p.rows_received,
        "completion_tokens": p.completion_tokens,
        "stats": stats,
    }


def _pairwise_json(p: Pairwise) -> dict[str, Any]:
    """Welch's difference at the top level; the same-seed paired one (seeded runs) under
    ``paired``."""
    paired = None
    if p.paired is not None:
        paired = {
            **p.paired.to_dict(),
            "verdict": p.paired_verdict,
            "verdict_text": p.paired_verdict_text,
        }
    return {
        "label": p.label,
        "baseline": p.baseline_label,
        "metric": p.metric,
        "method": "welch",
        **p.difference.to_dict(),
        "verdict": p.verdict,
        "verdict_text": p.verdict_text,
        "paired": paired,
    }


def sample_json(
    sample: Sample, *, tokens: bool = False, max_tokens: int | None = None
) -> dict[str, Any]:
    """One sample: its place in the run, status, answer, values, full metrics, raw logprobs;
    ``finish`` in the report's words (``cut: max_tokens``, ``cut: context full``…)."""
    answer = sample.answer
    data: dict[str, Any] = {
        "prompt_index": sample.prompt_index,
        "label": sample.label,
        "sample": sample.number,
        "seed": sample.seed,
        "status": sample.status,
        "error": sample.error,
        "answer": answer.text if answer else None,
        "reasoning": answer.reasoning if answer else None,
        "finish_reason": answer.finish_reason if answer else None,
        "finish": finish_label(answer, max_tokens) if answer else None,
        "refusal": answer.refusal if answer else None,
        "model": answer.model if answer else None,
        "usage": answer.usage if answer else None,
        "values": dict(sample.values),
        "metrics": answer.metrics.to_dict() if answer else None,
        "timings": {
            "ttft_s": answer.ttft if answer else None,
            "duration_s": answer.duration if answer else None,
            "tokens_per_second": answer.tokens_per_second if answer else None,
        },
        "notices": list(answer.notices) if answer else [],
        "raw": answer.raw_logprobs() if answer else None,
    }
    if tokens:
        data["tokens"] = [t.to_dict() for t in answer.tokens] if answer else []
    return data


SAMPLE_COLUMNS = (
    "prompt_index",
    "label",
    "sample",
    "seed",
    "status",
    "error",
    *METRIC_NAMES,
    "sum_logprob",
    "finish_reason",
    "duration_s",
    "answer",
)


def sample_rows(result: CompareResult) -> list[dict[str, Any]]:
    """One row per sample (``SAMPLE_COLUMNS``); numbers as numbers, text made safe."""
    rows = []
    for s in result.samples:
        answer = s.answer
        row: dict[str, Any] = {
            "prompt_index": s.prompt_index,
            "label": safe_text(s.label),
            "sample": s.number,
            "seed": s.seed,
            "status": s.status,
            "error": safe_text(s.error) if s.error else None,
            **{name: s.values.get(name) for name in METRIC_NAMES},
            "sum_logprob": answer.metrics.sum_logprob if answer and s.ok else None,
            "finish_reason": answer.finish_reason if answer else None,
            "duration_s": answer.duration if answer else None,
            "answer": safe_text(answer.text) if answer else None,
        }
        rows.append(row)
    return rows


SUMMARY_STATS = ("n", "mean", "sd", "ci_low", "ci_high")


def summary_columns() -> tuple[str, ...]:
    """Columns of :func:`summary_rows`: prompt, counts, then n/mean/sd/ci per metric, then the
    difference of mean logprob and mean prob against the first prompt (Welch, then paired by
    seed; empty for the first prompt itself and, for paired, in unseeded runs)."""
    columns = ["prompt_index", "label", "preset", "system", "ok", "failed", "cancelled"]
    for name in METRIC_NAMES:
        columns += [f"{name}_{stat}" for stat in SUMMARY_STATS]
    for metric in PAIRWISE_METRICS:
        for kind in ("", "_paired"):
            stem = f"diff_{metric}{kind}"
            columns += [stem, f"{stem}_ci_low", f"{stem}_ci_high", f"{stem}_verdict"]
    return tuple(columns)


def summary_rows(result: CompareResult) -> list[dict[str, Any]]:
    """One row per prompt: the aggregate table, for a spreadsheet."""
    rows = []
    for p in result.prompts:
        row: dict[str, Any] = {
            "prompt_index": p.index,
            "label": safe_text(p.label),
            "preset": safe_text(p.prompt.preset) if p.prompt.preset else None,
            "system": safe_text(p.prompt.system),
            "ok": p.ok,
            "failed": p.failed,
            "cancelled": p.cancelled,
        }
        for name in METRIC_NAMES:
            summary = p.stats[name]
            for stat in SUMMARY_STATS:
                row[f"{name}_{stat}"] = getattr(summary, stat)
        for pair in result.pairwise_for(p.index):
            for stem, difference, verdict in (
                (f"diff_{pair.metric}", pair.difference, pair.verdict),
                (f"diff_{pair.metric}_paired", pair.paired, pair.paired_verdict),
            ):
                if difference is not None:
                    row[stem] = difference.diff
                    row[f"{stem}_ci_low"] = difference.ci_low
                    row[f"{stem}_ci_high"] = difference.ci_high
                    row[f"{stem}_verdict"] = verdict
        rows.append(row)
    return rows


def to_csv(
    columns: Sequence[str], rows: Iterable[dict[str, Any]], *, raw_cells: bool = False
) -> str:
    """CSV text with a header; ``None`` is an empty cell, floats at full precision. Text
    cells a spreadsheet would run as formulas get a ``'`` in front unless ``raw_cells``
    (:mod:`tui.core.export.cells`); numbers stay numbers."""
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: ("" if v is None else cell(v, raw_cells=raw_cells)) for k, v in row.items()}
        )
    return out.getvalue()


def _json_file(result: CompareResult, extra: Mapping[str, Any]) -> str:
    return dumps({**result_json(result), **extra}) + "\n"


def _samples_file(result: CompareResult, extra: Mapping[str, Any]) -> str:
    return to_csv(SAMPLE_COLUMNS, sample_rows(result))


def _summary_file(result: CompareResult, extra: Mapping[str, Any]) -> str:
    return to_csv(summary_columns(), summary_rows(result))


COMPARE_FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat(
        "json",
        "JSON",
        "every sample with its raw logprobs, the aggregates, the differences",
        (".json",),
        "j",
        _json_file,
    ),
    ExportFormat("csv", "CSV", "one row per sample", ("-samples.csv",), "s", _samples_file),
    ExportFormat(
        "csv-summary",
        "CSV",
        "one row per prompt (the table)",
        ("-summary.csv",),
        "p",
        _summary_file,
    ),
)
"""The files a comparison is written to, one per entry (writers take the result and extra
top-level JSON fields such as the server); a new file is one entry."""

EXPORT_SUFFIXES = tuple(fmt.suffix for fmt in COMPARE_FORMATS)


def export_stem(directory: Path, now: datetime) -> Path:
    """``directory/compare-20261128-142501``, then ``…-2``, ``…-3`` if a file of that name
    exists (see :data:`EXPORT_SUFFIXES`)."""
    base = f"compare-{now:%Y%m%d-%H%M%S}"
    stem = directory / base
    n = 2
    while any(stem.with_name(stem.name + suffix).exists() for suffix in EXPORT_SUFFIXES):
        stem = directory / f"{base}-{n}"
        n += 1
    return stem


def write_exports(
    result: CompareResult,
    directory: Path,
    now: datetime,
    extra: Mapping[str, Any] | None = None,
) -> list[Path]:
    """Write the whole comparison once per entry of :data:`COMPARE_FORMATS` (owner-only
    files, written atomically) and return their paths: JSON (every sample with its raw
    logprobs, the aggregates, the pairwise differences, plus ``extra`` keys such as the
    server), CSV with one row per sample, CSV with one row per prompt."""
    stem = export_stem(directory, now)
    paths = []
    for fmt in COMPARE_FORMATS:
        path = stem.with_name(stem.name + fmt.suffix)
        write_private(path, fmt.writer(result, extra or {}))
        paths.append(path)
    return paths


__all__ = [
    "COMPARE_FORMATS",
    "EXPORT_SUFFIXES",
    "SAMPLE_COLUMNS",
    "export_stem",
    "result_json",
    "sample_json",
    "sample_rows",
    "summary_columns",
    "summary_rows",
    "to_csv",
    "write_exports",
]
