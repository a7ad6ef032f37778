"""``logprob-chat compare --questions FILE``: K system prompts over a set of questions,
sampled (``--samples N``) or scored (``--score``, each question's reference answer), paired
by question; and ``--resume ID`` to carry a stopped set on (or, when it is complete, print
or export it again).

Progress goes to stderr (a self-rewriting line on a terminal, a line every
``PLAIN_PROGRESS_EVERY`` seconds otherwise); Ctrl+C stops cleanly: the requests in flight
are cancelled, what finished is kept in the history and printed, exit code 130.

``--resume ID`` rather than ``compare resume ID``: the question, prompts and settings come
from the history, and everything else (server, concurrency, output) is the same options as
a new run, so it stays one command with one set of options.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from tui.cli.options import (
    _integer,
    add_store_options,
    backend_options,
    fail,
    output_width,
    sampling_options,
)
from tui.cli.set_text import render_set
from tui.core.backend import Backend, BackendOptions, open_backend, resolve_model
from tui.core.cells import cell_width
from tui.core.compare import ComparePlan, Sample
from tui.core.compare.plan import DEFAULT_SAMPLES, resolve_prompts
from tui.core.errors import LogprobChatError
from tui.core.export.rows import write_private_file
from tui.core.jsonio import dumps_compact
from tui.core.questions import read_questions
from tui.core.safety import safe_line
from tui.core.sets.export import results_csv, set_document, summary_csv
from tui.core.sets.history import sample_result, set_of_one, to_resume
from tui.core.sets.keeping import Resumed, SetKeeper
from tui.core.sets.plan import SetPlan
from tui.core.sets.progress import SetProgress, progress_text
from tui.core.sets.results import SetResult
from tui.core.sets.run import SetRun
from tui.core.sets.stats import SetSummary, summarise_set
from tui.core.store import AsyncStore, StoreError, history_path
from tui.core.wire.client import ChatClient

PLAIN_PROGRESS_EVERY = 10.0
"""Seconds between progress lines when stderr is not a terminal (a log file)."""
TERMINAL_PROGRESS_EVERY = 0.1
"""Seconds between redraws of the progress line on a terminal (10 a second is plenty)."""


def add_set_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("question sets")
    group.add_argument(
        "--questions",
        metavar="FILE",
        help='a question set: JSONL ({"question", "answer", "id"}), CSV with a header '
        "(question[,answer][,id]) or text (one question per line)",
    )
    group.add_argument(
        "--score",
        action="store_true",
        help="score each question's reference answer under each prompt (no sampling)",
    )
    group.add_argument(
        "--resume",
        type=_integer("--resume", 1),
        metavar="ID",
        help="carry on the stored question set ID where it stopped (complete: print it again)",
    )
    group.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write --json, --csv or --csv-summary to FILE (the report still goes to stdout)",
    )
    group.add_argument("--no-save", action="store_true", help="do not keep the set in the history")
    add_store_options(parser)


def single_question_problem(args: argparse.Namespace) -> str | None:
    """Why the options do not make a one-question comparison, if they do not."""
    if args.message is None:
        return "give the question, or a question set with --questions FILE"
    for flag, given in (("--score", args.score), ("--output", args.output)):
        if given:
            return f"{flag} goes with --questions FILE (one question: logprob-chat score)"
    return None


def _problem(args: argparse.Namespace) -> str | None:
    if args.message is not None:
        return "give either the question or --questions FILE, not both"
    if args.questions is not None and args.resume is not None:
        return "--resume takes its questions from the history: leave out --questions"
    if args.score and args.samples is not None:
        return "--score scores the reference answers once: leave out --samples"
    if args.resume is not None and (args.prompts or args.score or args.samples is not None):
        return "--resume takes its prompts and settings from the history"
    if args.output and not (args.json or args.csv or args.csv_summary):
        return "--output FILE needs a format: --json, --csv or --csv-summary"
    if args.resume is not None and args.no_save:
        return "--resume writes to the history: leave out --no-save"
    return None


def run(args: argparse.Namespace) -> int:
    problem = _problem(args)
    if problem:
        return fail(problem)
    try:
        options = backend_options(args)
        plan = None if args.resume is not None else _new_plan(args, options)
    except LogprobChatError as exc:
        return fail(str(exc))
    try:
        return asyncio.run(_run(args, options, plan))
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except LogprobChatError as exc:
        return fail(str(exc), 1)


def _new_plan(args: argparse.Namespace, options: BackendOptions) -> SetPlan:
    path = Path(args.questions).expanduser()
    return SetPlan(
        tuple(resolve_prompts(args.prompts or [])),
        tuple(read_questions(path)),
        mode="score" if args.score else "sample",
        samples=args.samples or DEFAULT_SAMPLES,
        sampling=sampling_options(args, options),
        concurrency=args.concurrency,
        top_logprobs=args.top_logprobs,
        stream=not args.no_stream,
        source=path.name,
    )


async def _run(args: argparse.Namespace, options: BackendOptions, plan: SetPlan | None) -> int:
    store = await _open_store(args)
    try:
        resumed: Resumed | None = None
        if args.resume is not None:
            assert store is not None
            resumed = await SetKeeper.load(store, args.resume, concurrency=args.concurrency)
            plan = resumed.plan
            if resumed.complete:  # nothing to ask: print or export it, no server needed
                return _stored(args, resumed)
        assert plan is not None
        # Blocking (the built-in engine starts in about a second): off the event loop.
        backend = await asyncio.to_thread(open_backend, options)
        try:
            return await _connected(args, backend, plan, store, resumed)
        finally:
            backend.close()
    finally:
        if store is not None:
            await store.close()


async def _connected(
    args: argparse.Namespace,
    backend: Backend,
    plan: SetPlan,
    store: AsyncStore | None,
    resumed: Resumed | None,
) -> int:
    async with ChatClient(backend.connection) as client:
        model = await resolve_model(backend, client)
        if resumed is not None and resumed.model and resumed.model != model:
            return fail(
                f"comparison {args.resume} ran on {safe_line(resumed.model)}; this server "
                f"serves {safe_line(model)} (give --model, or the same server)",
                1,
            )
        return await _go(args, backend, client, plan, model, store, resumed)


def _stored(args: argparse.Namespace, resumed: Resumed) -> int:
    """A complete stored set, printed or exported as a run would have."""
    summary = summarise_set(resumed.plan, resumed.done)
    stored = resumed.stored
    _write(
        args,
        Output(
            stored.model or "", stored.model or "", stored.base_url, stored.settings.get("method")
        ),
        resumed.plan,
        resumed.done,
        stored.id,
        summary,
    )
    return _exit_code(summary)


async def _open_store(args: argparse.Namespace) -> AsyncStore | None:
    if args.no_save:
        return None
    try:
        store = await AsyncStore.open(history_path(getattr(args, "data_dir", None)))
    except StoreError as exc:
        if args.resume is not None:
            raise LogprobChatError(str(exc)) from None
        _note(f"not kept in the history: {exc}")
        return None
    if store.problem:
        _note(store.problem)
    return store


async def _go(
    args: argparse.Namespace,
    backend: Backend,
    client: ChatClient,
    plan: SetPlan,
    model: str,
    store: AsyncStore | None,
    resumed: Resumed | None,
) -> int:
    done = to_resume(resumed.done) if resumed is not None else []
    set_run = SetRun(client, plan, model, done=done, recover=not args.no_recover)
    try:
        await set_run.prepare()  # a server that cannot score: one line, nothing kept
        keeper = await _keeper(backend, plan, model, store, resumed)
    except LogprobChatError as exc:
        await set_run.aclose()
        return fail(str(exc), 1)
    progress = Progress(sys.stderr, "scores" if plan.mode == "score" else "samples")
    output = Output(model, backend.display_name or model, backend.connection.safe_url, None)
    try:
        await set_run.run(on_result=keeper.save, on_progress=progress.update)
    except asyncio.CancelledError:
        # Ctrl+C: keep and show what finished, then let the interrupt through (exit 130).
        progress.clear()
        await keeper.finish(False)
        _write(args, output, plan, list(set_run.results.values()), keeper.comparison_id)
        raise
    progress.clear()
    output = Output(model, output.backend, output.base_url, set_run.method)
    results = list(set_run.results.values())
    summary = summarise_set(plan, results)
    await keeper.finish(summary.complete and summary.failed == 0)
    for note in backend.notes:
        _note(note)
    _write(args, output, plan, results, keeper.comparison_id, summary)
    return _exit_code(summary)


async def _keeper(
    backend: Backend,
    plan: SetPlan,
    model: str,
    store: AsyncStore | None,
    resumed: Resumed | None,
) -> SetKeeper:
    """The stored set taken back, or a new one kept (said on stderr with its id)."""
    if resumed is not None:
        assert store is not None
        keeper, _ = await SetKeeper.resume(store, resumed.stored.id, resumed.done, _note)
        return keeper
    embedded = backend.engine is not None
    keeper = await SetKeeper.create(
        store,
        plan,
        model=model,
        base_url=None if embedded else backend.connection.base_url,
        on_note=_note,
    )
    if keeper.comparison_id is not None:
        _note(
            f"kept as comparison {keeper.comparison_id} (if stopped, carry on with: "
            f"logprob-chat compare --resume {keeper.comparison_id})"
        )
    return keeper


def _exit_code(summary: SetSummary) -> int:
    """0, or 1 when some prompt has no successful result at all (its numbers are empty)."""
    empty = [p for p in summary.prompts if p.ok == 0]
    if empty:
        labels = ", ".join(safe_line(p.label) for p in empty)
        return fail(f"no successful results for {labels}", 1)
    if summary.failed:
        _note(f"{summary.failed} requests failed; carry on to retry them (--resume)")
    return 0


@dataclass(frozen=True, slots=True)
class Output:
    """What the report says about where the numbers come from."""

    model: str
    backend: str
    base_url: str | None
    method: str | None


def _write(
    args: argparse.Namespace,
    output: Output,
    plan: SetPlan,
    results: list[SetResult],
    comparison_id: int | None,
    summary: SetSummary | None = None,
) -> None:
    if summary is None:
        summary = summarise_set(plan, results)
    data: str | None = None
    if args.json:
        extra = {
            "comparison_id": comparison_id,
            "model": output.model,
            "base_url": output.base_url,
            "backend": output.backend,
            "method": output.method,
        }
        data = dumps_compact(set_document(summary, results, extra)) + "\n"
    elif args.csv:
        data = results_csv(plan, results, raw_cells=args.raw_cells)
    elif args.csv_summary:
        data = summary_csv(summary, raw_cells=args.raw_cells)
    out = sys.stdout
    if data is not None and not args.output:
        out.write(data)
        out.flush()
        return
    if data is not None:
        target = Path(args.output).expanduser()
        try:
            write_private_file(target, [data.encode("utf-8")])
        except OSError as exc:
            _note(f"cannot write {target}: {exc.strerror or exc}")
        else:
            _note(f"wrote {target}")
    width = output_width(out)
    out.write(render_set(summary, backend=output.backend, width=width, comparison_id=comparison_id))
    out.flush()


class KeptSample:
    """A one-question comparison (``compare MESSAGE``) kept in the history as a set of one
    question: its samples written as they finish, so F6 and ``--resume`` know it too."""

    def __init__(self, store: AsyncStore | None, keeper: SetKeeper) -> None:
        self.store, self.keeper = store, keeper

    @classmethod
    async def open(
        cls, args: argparse.Namespace, backend: Backend, plan: ComparePlan, model: str
    ) -> KeptSample:
        store = await _open_store(args)
        embedded = backend.engine is not None
        keeper = await SetKeeper.create(
            store,
            set_of_one(plan),
            model=model,
            base_url=None if embedded else backend.connection.base_url,
            on_note=_note,
        )
        return cls(store, keeper)

    async def save(self, sample: Sample) -> None:
        result = sample_result(sample)
        if result is not None:
            await self.keeper.save(result)

    async def close(self, complete: bool) -> None:
        await self.keeper.finish(complete)
        if self.store is not None:
            await self.store.close()


def _note(text: str) -> None:
    sys.stderr.write(f"note: {safe_line(text)}\n")
    sys.stderr.flush()


class Progress:
    """Progress on stderr: a self-rewriting line on a terminal, at most every
    :data:`TERMINAL_PROGRESS_EVERY` s; a plain line every :data:`PLAIN_PROGRESS_EVERY` s
    otherwise (a log stays readable)."""

    def __init__(self, stream: TextIO, unit: str, *, terminal: bool | None = None) -> None:
        self.stream = stream
        self.unit = unit
        self.terminal = stream.isatty() if terminal is None else terminal
        self.every = TERMINAL_PROGRESS_EVERY if self.terminal else PLAIN_PROGRESS_EVERY
        self.width = 0
        self.shown_at = -1e9

    def update(self, p: SetProgress, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        if now - self.shown_at < self.every and p.done < p.total:
            return
        self.shown_at = now
        line = progress_text(p, self.unit)
        if self.terminal:
            width = cell_width(line)
            self.stream.write("\r" + line + " " * max(0, self.width - width))
            self.width = width
        else:
            self.stream.write(f"progress: {line}\n")
        self.stream.flush()

    def clear(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0
