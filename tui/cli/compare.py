"""``logprob-chat compare``: the same question under several system prompts, N samples each,
and whether the difference in the model's confidence is larger than run-to-run noise."""

from __future__ import annotations

import argparse
import asyncio
import sys
import textwrap
from collections.abc import Sequence
from typing import Any, TextIO

from tui.cli import compare_set
from tui.cli.ask import read_message
from tui.cli.compare_set import KeptSample, add_set_options, single_question_problem
from tui.cli.options import (
    _integer,
    add_connection_options,
    add_sampling_options,
    backend_options,
    fail,
    output_width,
    sampling_options,
)
from tui.core.backend import Backend, open_backend, resolve_model
from tui.core.cells import cell_width, fit_cells
from tui.core.compare import (
    DEFAULT_CONCURRENCY,
    DEFAULT_SAMPLES,
    METRICS,
    ComparePlan,
    CompareResult,
    Comparison,
    Sample,
    resolve_prompts,
)
from tui.core.compare.export import (
    SAMPLE_COLUMNS,
    result_json,
    sample_rows,
    summary_columns,
    summary_rows,
    to_csv,
)
from tui.core.compare.format import (
    difference_heading,
    difference_rows,
    metric_cell,
    prompt_covers,
    reading_text,
    run_heading,
    sample_cell,
)
from tui.core.compare.plan import MAX_CONCURRENCY, MAX_SAMPLES
from tui.core.errors import LogprobChatError
from tui.core.jsonio import dumps_compact
from tui.core.safety import safe_line, safe_text
from tui.core.table import Column, Table, fit_table, wrap_cells
from tui.core.wire.client import ChatClient

MAX_ERRORS_SHOWN = 5


class _PromptAction(argparse.Action):
    """--system / --preset, repeatable, kept in command-line order as (kind, value) pairs."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        kind = "preset" if option_string == "--preset" else "system"
        current = list(getattr(namespace, self.dest, None) or [])
        current.append((kind, values))
        setattr(namespace, self.dest, current)


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="compare system prompts by the model's confidence (K prompts × N samples)",
        description="Ask the same question under several system prompts, several times each, "
        "and show which prompt makes the model more confident, with 95% confidence intervals "
        "and whether each difference is larger than run-to-run noise.",
    )
    parser.add_argument(
        "message",
        metavar="MESSAGE",
        nargs="?",
        help="the question; - reads standard input (or a question set: --questions FILE)",
    )
    prompts = parser.add_argument_group(
        "prompts to compare (repeat, in order; the first is the baseline)"
    )
    prompts.add_argument(
        "--system",
        dest="prompts",
        action=_PromptAction,
        metavar="TEXT",
        help='a system prompt ("" for none)',
    )
    prompts.add_argument(
        "--preset", dest="prompts", action=_PromptAction, metavar="NAME", help="a saved preset"
    )
    prompts.add_argument(
        "--samples",
        type=_integer("--samples", 1, MAX_SAMPLES),
        default=None,
        metavar="N",
        help=f"answers per prompt (default {DEFAULT_SAMPLES}); with --seed S, sample i uses "
        "seed S+i",
    )
    prompts.add_argument(
        "--concurrency",
        type=_integer("--concurrency", 1, MAX_CONCURRENCY),
        default=DEFAULT_CONCURRENCY,
        metavar="C",
        help=f"requests in flight at once (default {DEFAULT_CONCURRENCY}, the built-in "
        "engine's slots)",
    )
    add_set_options(parser)
    add_connection_options(parser)
    add_sampling_options(parser, system_prompt=False)
    output = parser.add_mutually_exclusive_group()
    output.add_argument(
        "--json", action="store_true", help="one JSON object: every sample and the aggregates"
    )
    output.add_argument("--csv", action="store_true", help="CSV, one row per sample")
    output.add_argument(
        "--csv-summary", action="store_true", help="CSV, one row per prompt (the table)"
    )
    parser.add_argument(
        "--raw-cells",
        action="store_true",
        help="CSV: text cells exactly as they are (by default a cell starting with =, +, -, "
        "@, tab or a line break gets a ' in front, so a spreadsheet never runs it)",
    )
    parser.set_defaults(run=run, prompts=None)


def run(args: argparse.Namespace) -> int:
    if args.questions is not None or args.resume is not None:
        return compare_set.run(args)
    problem = single_question_problem(args)
    if problem:
        return fail(problem)
    try:
        message = read_message(args.message, sys.stdin)
        options = backend_options(args)
        plan = ComparePlan(
            tuple(resolve_prompts(args.prompts or [])),
            message,
            samples=args.samples or DEFAULT_SAMPLES,
            sampling=sampling_options(args, options),
            concurrency=args.concurrency,
            stream=not args.no_stream,
        )
        backend = open_backend(options)
    except LogprobChatError as exc:
        return fail(str(exc))
    try:
        return asyncio.run(_compare(args, backend, plan))
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    finally:
        backend.close()


async def _compare(args: argparse.Namespace, backend: Backend, plan: ComparePlan) -> int:
    progress = Progress(sys.stderr, plan.total) if sys.stderr.isatty() else None
    async with ChatClient(backend.connection) as client:
        try:
            model = await resolve_model(backend, client)
        except LogprobChatError as exc:
            return fail(str(exc), 1)
        comparison = Comparison(client, plan, model, recover=not args.no_recover)
        kept = await KeptSample.open(args, backend, plan, model)

        async def sample_done(sample: Sample) -> None:
            if progress:
                progress.update(sample)
            await kept.save(sample)

        try:
            result = await comparison.run(on_sample=sample_done)
        except asyncio.CancelledError:
            # Ctrl-C: show what finished (marked incomplete), then let the interrupt through.
            if progress:
                progress.clear()
            await kept.close(False)
            _write(args, comparison.result(), backend)
            raise
        await kept.close(result.complete)
    if progress:
        progress.clear()
    for note in backend.notes:
        sys.stderr.write(f"note: {safe_text(note)}\n")
    _write(args, result, backend)
    return _report_failures(result)


def _write(args: argparse.Namespace, result: CompareResult, backend: Backend) -> None:
    out = sys.stdout
    if args.json:
        data = result_json(result)
        data["base_url"] = backend.connection.safe_url
        data["backend"] = backend.display_name
        data["backend_notes"] = list(backend.notes)
        out.write(dumps_compact(data) + "\n")
    elif args.csv:
        out.write(to_csv(SAMPLE_COLUMNS, sample_rows(result), raw_cells=args.raw_cells))
    elif args.csv_summary:
        out.write(to_csv(summary_columns(), summary_rows(result), raw_cells=args.raw_cells))
    else:
        out.write(render_text(result, backend.display_name or result.model, output_width(out)))
    out.flush()


def _report_failures(result: CompareResult) -> int:
    """Failed samples on stderr (a few); exit 1 when some prompt has no answer at all."""
    failed = [s for s in result.samples if s.status == "error"]
    for sample in failed[:MAX_ERRORS_SHOWN]:
        sys.stderr.write(
            f"warning: {safe_line(sample.label)} #{sample.number} failed: "
            f"{safe_line(sample.error or '')}\n"
        )
    if len(failed) > MAX_ERRORS_SHOWN:
        sys.stderr.write(f"warning: … and {len(failed) - MAX_ERRORS_SHOWN} more failed samples\n")
    empty = [p for p in result.prompts if p.ok == 0]
    if empty:
        first = next((s.error for s in failed if s.prompt_index == empty[0].index), None)
        labels = ", ".join(safe_line(p.label) for p in empty)
        reason = f": {safe_line(first)}" if first else ""
        return fail(f"no successful samples for {labels}{reason}", 1)
    return 0


class Progress:
    """One self-rewriting line on a terminal's stderr: samples done, failed, the last one."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream = stream
        self.total = total
        self.done = 0
        self.failed = 0
        self.width = 0

    def update(self, sample: Sample) -> None:
        self.done += 1
        self.failed += sample.status == "error"
        status = "ok" if sample.ok else sample.status
        line = f"{self.done}/{self.total} samples"
        if self.failed:
            line += f" ({self.failed} failed)"
        line += f" · {fit_cells(safe_line(sample.label), 20)} #{sample.number} {status}"
        self._show(line)

    def _show(self, line: str) -> None:
        width = cell_width(line)
        self.stream.write("\r" + line + " " * max(0, self.width - width))
        self.stream.flush()
        self.width = width

    def clear(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


# ---------------------------------------------------------------------------- text

READING_WIDTH = 100
"""The longest line of the explanations (prose reads badly wider)."""

SHORT_HEADINGS = {"perplexity": "ppl", "low_prob_count": "low p"}
"""Headings that give way to a shorter form in a narrow terminal."""
DROP_ORDER = {"perplexity": 4, "tokens": 3, "low_prob_count": 2, "min_prob": 1}
"""Columns left out of a narrow terminal's table, the highest first: perplexity is exp of
−mean logprob (shown), token counts say least about confidence. Mean logprob, mean prob and
the prompt always stay; a metric added to METRICS and not named here goes first."""
KEPT = ("mean_logprob", "mean_prob")


def render_text(result: CompareResult, backend_name: str, width: int | None = None) -> str:
    """The readable report: header, prompts, aggregate table, samples, differences, notes,
    within ``width`` terminal cells (``None``: as wide as its tables are)."""
    plan = result.plan
    k = len(plan.prompts)
    prose = min(width or READING_WIDTH, READING_WIDTH)
    lines = [
        *_line(run_heading(result, backend_name), width),
        f"Question: {fit_cells(safe_line(plan.message), max(10, prose - 10))}",
        "",
        "Prompts",
        *_indented(_prompt_table(result, width)),
        "",
    ]
    table = _table(result, width)
    lines += table.lines
    if table.dropped:
        lines += _line(
            f"(left out for the terminal's width: {', '.join(table.dropped)}; "
            "--csv-summary has every column)",
            width,
        )
    lines.append("")
    lines += _sample_lines(result, width)
    if k > 1:
        lines.append("")
        lines += _difference_lines(result, width)
    lines.append("")
    lines += _reading(result, prose)
    return "\n".join(lines) + "\n"


INDENT = "  "


def _line(text: str, width: int | None) -> list[str]:
    """One line of the report, wrapped when the terminal is narrower."""
    return [text] if width is None else wrap_cells(text, width)


def _indented(table: Table) -> list[str]:
    return [(INDENT + line).rstrip() for line in table.lines]


def _inner(width: int | None) -> int | None:
    return None if width is None else width - len(INDENT)


def _prompt_table(result: CompareResult, width: int | None) -> Table:
    """Number, name and text of each prompt. A prompt written on the command line is named by
    its own start, so its text is shown once; a preset's name comes before its text."""
    rows = []
    for i, prompt in enumerate(result.plan.prompts, 1):
        text = safe_line(prompt.system) if prompt.system else "(no system prompt)"
        rows.append([str(i), prompt.label if prompt.preset else "", text])
    columns = [Column(right=True), Column(wrap=True, min_cells=8), Column(wrap=True, min_cells=16)]
    if not any(row[1] for row in rows):
        columns, rows = [columns[0], columns[2]], [[row[0], row[2]] for row in rows]
    else:
        rows = [[n, label, f"[preset] {text}" if label else text] for n, label, text in rows]
    return fit_table(columns, rows, _inner(width), header=False)


def _table(result: CompareResult, width: int | None) -> Table:
    best = {m.name: result.best(m.name) for m in METRICS.values()}
    interval = any(p.stats["mean_logprob"].has_interval for p in result.prompts)
    columns = [Column("prompt", wrap=True, min_cells=12), Column("ok", right=True)]
    for metric in METRICS.values():
        heading = metric.heading
        if metric.name == "mean_logprob" and not interval:
            heading = "mean logprob"  # no interval to speak of (n = 1, or no spread)
        columns.append(
            Column(
                heading,
                right=True,
                short=SHORT_HEADINGS.get(metric.name),
                drop=DROP_ORDER.get(metric.name, 0 if metric.name in KEPT else 5),
            )
        )
    covers = {p.index: prompt_covers(p) for p in result.prompts}
    if any(covers.values()):
        # The numbers leave tokens out (llama.cpp's hidden split characters not recovered):
        # said next to them, in the table.
        columns.append(Column("coverage", wrap=True, min_cells=16))
    rows = []
    for p in result.prompts:
        row = [p.label, f"{p.ok}/{p.planned}"]
        for metric in METRICS.values():
            cell = metric_cell(metric.name, p.stats[metric.name])
            row.append(cell + ("*" if best.get(metric.name) == p.index else " "))
        if any(covers.values()):
            row.append(covers[p.index] or "all tokens")
        rows.append(row)
    return fit_table(columns, rows, width)


def _sample_lines(result: CompareResult, width: int | None) -> list[str]:
    lines = _line(
        "Mean logprob of each sample, in order (✗ failed, – cancelled or without logprobs, "
        "✂ cut: max_tokens or context full)",
        width,
    )
    max_tokens = result.plan.sampling.max_tokens
    rows = [
        [
            p.label,
            " ".join(sample_cell(s, max_tokens=max_tokens) for s in result.samples_of(p.index)),
        ]
        for p in result.prompts
    ]
    columns = [Column(wrap=True, min_cells=12), Column(wrap=True, min_cells=8)]
    return lines + _indented(fit_table(columns, rows, _inner(width), header=False))


def _difference_lines(result: CompareResult, width: int | None) -> list[str]:
    rows = [[row.label, row.name, row.value, row.verdict or ""] for row in difference_rows(result)]
    columns = [
        Column(wrap=True, min_cells=12),
        Column(),
        Column(wrap=True, min_cells=14),
        Column(wrap=True, min_cells=12),
    ]
    return _line(difference_heading(result), width) + _indented(
        fit_table(columns, rows, _inner(width), header=False)
    )


def _reading(result: CompareResult, prose: int) -> list[str]:
    lines = textwrap.wrap(reading_text(result), prose)
    for note in result.notes:
        lines += textwrap.wrap(f"Note: {note}", prose, subsequent_indent="  ")
    return lines


__all__: Sequence[str] = ["add_parser", "render_text", "run"]
