"""``logprob-chat score``: how likely one given answer is under each system prompt (teacher
forcing: the same tokens scored under each prompt, no sampling).

Prints a table (one row per prompt) fitted to the terminal, or ``--json`` / ``--csv``; keeps
the scores in the history (a comparison of kind ``score``) unless ``--no-save``. A server
that cannot score a given answer (OpenAI, and any that is neither llama.cpp nor vLLM) gets
one line saying so, exit code 1.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
from pathlib import Path
from typing import Any

from tui.cli.ask import read_message, write_json
from tui.cli.compare import _PromptAction
from tui.cli.options import (
    _integer,
    add_connection_options,
    add_store_options,
    backend_options,
    fail,
)
from tui.cli.score_text import render
from tui.core.backend import Backend, open_backend, resolve_model
from tui.core.compare.cells import cell_width, fit_cells
from tui.core.compare.plan import DEFAULT_CONCURRENCY, MAX_CONCURRENCY, resolve_prompts
from tui.core.errors import LogprobChatError
from tui.core.recovery import RecoveryProgress
from tui.core.safety import safe_line
from tui.core.score import Scorer, ScoreUnsupported
from tui.core.score.export import (
    PROMPT_COLUMNS,
    prompt_rows,
    score_document,
    to_csv,
    token_rows,
)
from tui.core.score.history import comparison_fields, result_fields
from tui.core.score.run import ScoreEntry, ScorePlan, ScoreRun
from tui.core.score.table import score_rows
from tui.core.settings import DEFAULT_TOP_LOGPROBS, MAX_TOP_LOGPROBS
from tui.core.store import AsyncStore, StoreError, history_path
from tui.core.wire.client import ChatClient

MAX_ANSWER_BYTES = 1_000_000


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "score",
        help="score one given answer under each system prompt (no sampling)",
        description="How likely would the model be to write exactly this answer under each "
        "system prompt? The answer's tokens are scored under each prompt (llama.cpp and the "
        "built-in model: a grammar that admits only the answer; vLLM: prompt_logprobs), so "
        "the comparison has no sampling noise.",
    )
    parser.add_argument(
        "question", metavar="QUESTION", help="the question the answer replies to; - reads stdin"
    )
    prompts = parser.add_argument_group("prompts (repeat, in order; the first is the baseline)")
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
    answer = parser.add_argument_group("the answer to score (one of)")
    source = answer.add_mutually_exclusive_group(required=True)
    source.add_argument("--answer", metavar="TEXT", help="the answer text; - reads stdin")
    source.add_argument("--answer-file", metavar="FILE", help="read the answer from FILE (UTF-8)")
    add_connection_options(parser)
    parser.add_argument(
        "--concurrency",
        type=_integer("--concurrency", 1, MAX_CONCURRENCY),
        default=DEFAULT_CONCURRENCY,
        metavar="C",
        help=f"prompts scored at once (default {DEFAULT_CONCURRENCY}, the built-in engine's "
        "slots; the numbers are the same one at a time)",
    )
    parser.add_argument(
        "--top-logprobs",
        type=_integer("--top-logprobs", 0, MAX_TOP_LOGPROBS),
        default=DEFAULT_TOP_LOGPROBS,
        metavar="K",
        help=f"alternatives kept per token, 0 to 20 (default {DEFAULT_TOP_LOGPROBS})",
    )
    add_store_options(parser)
    output = parser.add_mutually_exclusive_group()
    output.add_argument(
        "--json", action="store_true", help="one JSON object: every prompt's numbers and tokens"
    )
    output.add_argument("--csv", action="store_true", help="CSV, one row per prompt")
    output.add_argument(
        "--csv-tokens",
        action="store_true",
        help="CSV, one row per token: its logprob under each prompt",
    )
    parser.add_argument(
        "--no-save", action="store_true", help="do not keep the scores in the history"
    )
    parser.set_defaults(run=run, prompts=None)


def read_answer(args: argparse.Namespace) -> str:
    """The answer exactly as given (no stripping: a trailing newline is part of it)."""
    if args.answer_file is not None:
        path = Path(args.answer_file).expanduser()
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise LogprobChatError(f"cannot read {path}: {exc.strerror or exc}") from None
        if len(data) > MAX_ANSWER_BYTES:
            raise LogprobChatError(f"{path} is larger than {MAX_ANSWER_BYTES:,} bytes")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise LogprobChatError(f"{path} is not UTF-8 text (byte {exc.start + 1})") from None
    elif args.answer == "-":
        text = sys.stdin.read()
    else:
        text = args.answer
    if not text:
        raise LogprobChatError("the answer to score is empty")
    return text


def run(args: argparse.Namespace) -> int:
    if args.question == "-" and args.answer == "-":
        return fail("the question and the answer cannot both come from standard input")
    try:
        question = read_message(args.question, sys.stdin)
        answer = read_answer(args)
        plan = ScorePlan(
            tuple(resolve_prompts(args.prompts or [])),
            question,
            answer,
            top_logprobs=args.top_logprobs,
            concurrency=args.concurrency,
        )
        backend = open_backend(backend_options(args))
    except LogprobChatError as exc:
        return fail(str(exc))
    try:
        return asyncio.run(_score(args, backend, plan))
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    finally:
        backend.close()


async def _score(args: argparse.Namespace, backend: Backend, plan: ScorePlan) -> int:
    async with ChatClient(backend.connection) as client:
        try:
            model = await resolve_model(backend, client)
        except LogprobChatError as exc:
            return fail(str(exc), 1)
    progress = Progress() if sys.stderr.isatty() else None
    embedded = backend.engine is not None
    async with Scorer(backend.connection, model=model, replicate_slots=embedded) as scorer:
        score_run = ScoreRun(scorer, plan)
        try:
            await scorer.method()
        except ScoreUnsupported as exc:
            return fail(str(exc), 1)
        except LogprobChatError as exc:
            return fail(str(exc), 1)
        history = await History.open(args, backend, plan, model, scorer)
        try:
            await score_run.run(
                on_entry=lambda e: _entry_done(e, progress, history, len(plan.prompts)),
                on_progress=progress.recovery if progress else None,
            )
        finally:
            if progress:
                progress.clear()
            await history.close(score_run.entries)
    _write(args, plan, score_run, backend, model)
    failed = [e for e in score_run.entries if not e.ok]
    if len(failed) == len(score_run.entries):
        return fail(f"no prompt could be scored: {safe_line(failed[0].error or '')}", 1)
    return 0


async def _entry_done(
    entry: ScoreEntry, progress: Progress | None, history: History, total: int
) -> None:
    if progress:
        progress.show(f"scored {entry.index + 1}/{total} · {fit_cells(safe_line(entry.label), 24)}")
    await history.save(entry)


def _write(
    args: argparse.Namespace, plan: ScorePlan, run: ScoreRun, backend: Backend, model: str
) -> None:
    out = sys.stdout
    if args.json:
        document = score_document(
            plan, run.entries, method=run.method, model=model, base_url=backend.connection.safe_url
        )
        document["backend"] = backend.display_name
        write_json(document, out)
        return
    if args.csv:
        out.write(to_csv(PROMPT_COLUMNS, prompt_rows(run.entries)))
    elif args.csv_tokens:
        columns, rows = token_rows(run.entries)
        out.write(to_csv(columns, rows))
    else:
        width = shutil.get_terminal_size((100, 24)).columns  # COLUMNS, the terminal, or 100
        name = backend.display_name or model
        out.write(
            render(plan, score_rows(run.entries), method=run.method, backend=name, width=width)
        )
    out.flush()


class Progress:
    """One self-rewriting line on a terminal's stderr."""

    def __init__(self) -> None:
        self.width = 0

    def show(self, line: str) -> None:
        width = cell_width(line)
        sys.stderr.write("\r" + line + " " * max(0, self.width - width))
        sys.stderr.flush()
        self.width = width

    def recovery(self, progress: RecoveryProgress) -> None:
        self.show(progress.message)

    def clear(self) -> None:
        if self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()
            self.width = 0


class History:
    """The scores kept as a comparison of kind ``score`` (nothing with ``--no-save``);
    problems with the history file are notes on stderr, the scores are printed anyway."""

    def __init__(self, store: AsyncStore | None, comparison_id: int | None) -> None:
        self.store, self.comparison_id = store, comparison_id

    @classmethod
    async def open(
        cls, args: argparse.Namespace, backend: Backend, plan: ScorePlan, model: str, scorer: Scorer
    ) -> History:
        if args.no_save:
            return cls(None, None)
        store = await AsyncStore.open(history_path(getattr(args, "data_dir", None)))
        _note(store.problem)
        embedded = backend.engine is not None
        fields = comparison_fields(
            plan,
            method=await scorer.method(),
            model=model,
            base_url=None if embedded else backend.connection.base_url,
        )
        try:
            return cls(store, await store.create_comparison(**fields))
        except StoreError as exc:
            _note(str(exc))
            return cls(store, None)

    async def save(self, entry: ScoreEntry) -> None:
        if self.store is None or self.comparison_id is None:
            return
        try:
            await self.store.save_result(self.comparison_id, **result_fields(entry))
        except StoreError as exc:
            _note(str(exc))

    async def close(self, entries: list[ScoreEntry]) -> None:
        if self.store is None:
            return
        if self.comparison_id is not None:
            done = all(e.status in ("ok", "error") for e in entries)
            try:
                await self.store.finish_comparison(
                    self.comparison_id, "complete" if done else "stopped"
                )
            except StoreError as exc:
                _note(str(exc))
        await self.store.close()


def _note(problem: str | None) -> None:
    if problem:
        sys.stderr.write(f"note: {problem}\n")
        sys.stderr.flush()
