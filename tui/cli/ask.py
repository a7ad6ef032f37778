"""``logprob-chat ask``: one question, the answer and its confidence stats, no TUI."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from typing import Any, TextIO

from tui.cli.options import (
    add_connection_options,
    add_deadline_option,
    add_sampling_options,
    add_store_options,
    backend_options,
    fail,
    output_width,
    sampling_options,
    system_prompt,
)
from tui.cli.recording import EXIT_NOT_SAVED, EXIT_SAVED_IN_PART, AskHistory
from tui.core import gc_pause, json_stream
from tui.core.answer import Answer, AnswerBuilder, Prefill
from tui.core.backend import Backend, open_backend, resolve_model
from tui.core.errors import (
    LogprobChatError,
    RequestError,
    RequestTimeout,
    context_full_message,
    is_context_full,
)
from tui.core.recovery import RecoveryProgress, RecoveryResult, recover, recovery_candidate
from tui.core.report import coverage_words, finish_label, stats_text
from tui.core.safety import safe_text
from tui.core.scrub import LiveScrubber
from tui.core.settings import Sampling
from tui.core.wire.client import ChatClient, ChatRequest
from tui.core.wire.events import ReasoningDelta, TextDelta

EXIT_CODES = f"""exit codes:
  0    the answer is complete and saved in the history (or --no-save)
  1    the request failed (what arrived is printed, and saved when it can be)
  2    a bad option or value
  {EXIT_NOT_SAVED}    the answer was printed but NOT saved: the history file is locked, read-only
       or damaged, the data directory is a file or cannot be made, the disk is full
  {EXIT_SAVED_IN_PART}    saved in part: the question, the text and the numbers, not every token row
       (the disk filled up)
  130  interrupted (likewise)"""

CONTEXT_TOO_SMALL = "shorten the question or the system prompt"
"""What ``ask`` says to do when the server's context cannot hold the question."""


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "ask",
        help="ask one question and print the answer with its confidence stats",
        description="Ask one question; print the answer and its confidence stats.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("message", metavar="MESSAGE", help="the question; - reads standard input")
    add_connection_options(parser)
    add_sampling_options(parser)
    add_store_options(parser)
    add_deadline_option(parser)
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object instead: the answer, its stats and every token with its "
        "alternatives (shape in the README)",
    )
    parser.add_argument(
        "--raw",
        action="store_true",
        help="with --json: also the server's logprob rows exactly as received (key 'raw')",
    )
    parser.add_argument("--no-save", action="store_true", help="do not record in the history")
    parser.add_argument(
        "--prefill",
        metavar="TEXT",
        help="the start of the answer, exactly: the model continues it (llama.cpp, the "
        "built-in model, vLLM, SGLang); only the new tokens are scored",
    )
    parser.set_defaults(run=run)


def read_message(value: str, stdin: TextIO) -> str:
    text = stdin.read() if value == "-" else value
    if not text.strip():
        raise LogprobChatError("the message is empty")
    return text


def build_messages(system: str | None, message: str) -> list[dict[str, str]]:
    messages = []
    if system:
        messages.append({"role": "system", "content": system})
    messages.append({"role": "user", "content": message})
    return messages


def run(args: argparse.Namespace) -> int:
    if args.raw and not args.json:
        return fail("--raw goes with --json (it adds the server's rows to the JSON object)")
    if getattr(args, "prefill", None) == "":
        return fail("--prefill is empty: give the start of the answer to continue")
    try:
        message = read_message(args.message, sys.stdin)
        system, _preset = system_prompt(args)
        options = backend_options(args)
        sampling = sampling_options(args, options)
        backend = open_backend(options)
    except LogprobChatError as exc:
        return fail(str(exc))
    try:
        # One answer, then the process ends: the collector stays off throughout, or it walks
        # the answer's ~860,000 objects (20k tokens, top-20) once after the stream, for
        # nothing (12 % of an ask's CPU). JSON holds no cycles; any other leaves at exit.
        with gc_pause.paused():
            return asyncio.run(_ask(args, backend, build_messages(system, message), sampling))
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    finally:
        backend.close()


async def _ask(
    args: argparse.Namespace,
    backend: Backend,
    messages: list[dict[str, str]],
    sampling: Sampling,
) -> int:
    live = not args.json and sys.stdout.isatty() and not args.no_stream
    out = sys.stdout
    deadline = getattr(args, "deadline", None)
    when = None if deadline is None else asyncio.get_running_loop().time() + deadline
    async with ChatClient(backend.connection) as client:
        history = await AskHistory.open(args, backend, messages, sampling)  # before requests
        try:
            async with _within(when, deadline):
                model = await resolve_model(backend, client)
        except LogprobChatError as exc:
            await history.fail(str(exc))
            return fail(str(exc), 1)
        prefill = getattr(args, "prefill", None)
        request = ChatRequest(messages, model, sampling, stream=not args.no_stream, prefill=prefill)
        builder = AnswerBuilder(prefill=None if prefill is None else Prefill(prefill))
        await history.begin(model, builder)
        in_reasoning = False
        scrubber = LiveScrubber()  # an API key the server echoes never reaches the screen
        if live and prefill:
            out.write(safe_text(prefill))  # the answer as it reads: the given start, then more
            out.flush()
        try:
            async with _within(when, deadline):
                async for event in client.chat(request):
                    builder.apply(event)
                    history.checkpoint()
                    if live and type(event) is ReasoningDelta:
                        if not in_reasoning:
                            out.write("── reasoning ──\n")
                            in_reasoning = True
                        out.write(safe_text(scrubber.feed(event.text)))
                        out.flush()
                    elif live and type(event) is TextDelta:
                        if in_reasoning:
                            out.write(safe_text(scrubber.flush()) + "\n── answer ──\n")
                            in_reasoning = False
                        out.write(safe_text(scrubber.feed(event.text)))
                        out.flush()
        except RequestError as exc:
            message = str(exc)
            if is_context_full(exc):
                message = context_full_message(
                    exc, CONTEXT_TOO_SMALL, built_in=backend.engine is not None, what="question"
                )
            _write_live_rest(scrubber, live)
            answer = await history.finish(builder, "error", message)
            data = answer_json(answer, backend, sampling, messages, raw=args.raw)
            _print_partial(answer, args, live, backend, data)
            return fail(message, 1)
        except asyncio.CancelledError:
            _write_live_rest(scrubber, live)
            # Ctrl-C: asyncio.run cancels this task, then raises KeyboardInterrupt (run()
            # reports it). What arrived so far is kept in the history, marked stopped, and
            # printed: nothing is lost.
            answer = await history.finish(builder, "stopped", "interrupted")
            data = answer_json(answer, backend, sampling, messages, raw=args.raw)
            _print_partial(answer, args, live, backend, data)
            raise
        _write_live_rest(scrubber, live)
        answer = await history.finish(builder, "complete", close=False)
        recovery: RecoveryResult | None = None
        try:
            if not getattr(args, "no_recover", False) and recovery_candidate(answer):
                recovery = await _recover(answer, messages, backend)
                if recovery.status == "recovered":
                    answer = recovery.answer
                    await history.replace_tokens(answer)
                elif recovery.status == "impossible":
                    sys.stderr.write(f"note: hidden tokens not recovered: {recovery.reason}\n")
        except asyncio.CancelledError:
            # Ctrl-C while measuring: the answer is complete and saved as it came; show it.
            await history.close()
            _print_notes(backend, answer)
            _print_answer(answer, args, live, backend, sampling, messages, recovery)
            raise
        await history.close()
    _print_notes(backend, answer)
    _print_answer(answer, args, live, backend, sampling, messages, recovery)
    return history.exit_code


def _write_live_rest(scrubber: LiveScrubber, live: bool) -> None:
    """The end the live output kept back (it was no key after all)."""
    rest = scrubber.flush()
    if live and rest:
        sys.stdout.write(safe_text(rest))
        sys.stdout.flush()


async def _recover(
    answer: Answer, messages: list[dict[str, str]], backend: Backend
) -> RecoveryResult:
    """Measure the tokens llama.cpp hid, with a self-rewriting progress line on a
    terminal's standard error."""
    err = sys.stderr
    shown = [0]

    def show(progress: RecoveryProgress) -> None:
        if err.isatty():
            line = progress.message
            err.write("\r" + line + " " * max(0, shown[0] - len(line)))
            err.flush()
            shown[0] = len(line)

    try:
        return await recover(
            answer,
            messages,
            backend.connection,
            # The embedded engine is ours: its idle slots may be used.
            replicate_slots=backend.engine is not None,
            on_progress=show,
        )
    finally:
        if shown[0]:
            err.write("\r" + " " * shown[0] + "\r")
            err.flush()


def _print_answer(
    answer: Answer,
    args: argparse.Namespace,
    live: bool,
    backend: Backend,
    sampling: Sampling,
    messages: list[dict[str, str]],
    recovery: RecoveryResult | None,
) -> None:
    out = sys.stdout
    if args.json:
        data = answer_json(answer, backend, sampling, messages, raw=args.raw)
        data["recovery"] = _recovery_json(recovery)
        write_json(data, out)
        return
    if not live:
        if answer.reasoning:
            out.write("── reasoning ──\n" + safe_text(answer.reasoning) + "\n── answer ──\n")
        out.write(safe_text(answer.text))
    out.write("\n\n" + stats_text(answer, sampling.max_tokens, output_width(out)) + "\n")
    out.flush()


def _recovery_json(recovery: RecoveryResult | None) -> dict[str, Any] | None:
    if recovery is None:
        return None
    return {"status": recovery.status, "recovered": recovery.recovered, "reason": recovery.reason}


@contextlib.asynccontextmanager
async def _within(when: float | None, seconds: float | None) -> AsyncIterator[None]:
    """``--deadline``: past the event-loop time ``when``, stop what runs inside and raise
    :class:`RequestTimeout` (a request error like any other: the partial answer is kept)."""
    try:
        async with asyncio.timeout_at(when):
            yield
    except TimeoutError:
        raise RequestTimeout(
            f"no complete answer within --deadline {seconds:g} s; gave up waiting"
        ) from None


def _print_notes(backend: Backend, answer: Answer) -> None:
    for note in backend.notes + answer.notices:
        sys.stderr.write(f"note: {safe_text(note)}\n")


def _print_partial(
    answer: Answer, args: argparse.Namespace, live: bool, backend: Backend, data: dict[str, Any]
) -> None:
    """Print what arrived of an answer that did not complete, and its notes (the error
    itself goes to stderr after)."""
    out = sys.stdout
    if args.json:
        write_json(data, out)
    elif live:
        if answer.text or answer.reasoning:
            out.write("\n")  # end the streamed line before the error line
    else:
        if answer.reasoning:
            out.write("── reasoning ──\n" + safe_text(answer.reasoning) + "\n── answer ──\n")
        if answer.text:
            out.write(safe_text(answer.text) + "\n")
    out.flush()
    _print_notes(backend, answer)


def answer_json(
    answer: Answer,
    backend: Backend,
    sampling: Sampling,
    messages: list[dict[str, str]],
    *,
    raw: bool = False,
) -> dict[str, Any]:
    """The ``--json`` object: everything about one answer, each logprob row once (the token
    objects of :func:`tui.core.json_stream.token_object`); with ``raw`` also the server's
    rows as received. With ``--prefill``: ``prefill`` is the given start, ``answer`` and the
    tokens are what the model wrote after it (the whole text is ``prefill + answer``). The
    arrays are :class:`~tui.core.json_stream.Lazy`: made while written
    (:func:`write_json`), never held as one string."""
    document: dict[str, Any] = {
        "model": answer.model or backend.connection.model,
        "answer": answer.new_text,
        "prefill": answer.prefill,
        "reasoning": answer.reasoning,
        "refusal": answer.refusal,
        "finish_reason": answer.finish_reason,
        "finish": finish_label(answer, sampling.max_tokens),
        "covers": coverage_words(answer.metrics),
        "status": answer.status,
        "error": answer.error,
        "usage": answer.usage,
        "metrics": answer.metrics.to_dict(),
        "reasoning_metrics": answer.reasoning_metrics.to_dict(),
        "timings": {
            "ttft_s": answer.ttft,
            "duration_s": answer.duration,
            "tokens_per_second": answer.tokens_per_second,
            "server": answer.server_timings,
        },
        "request": {
            "base_url": backend.connection.safe_url,
            "messages": messages,
            **sampling.to_dict(),
        },
        "notices": backend.notes + answer.notices,
        "tokens": json_stream.Lazy(map(json_stream.token_object, answer.tokens)),
    }
    if raw:
        answer.load_raw()
        document["raw"] = {"content": json_stream.Lazy(answer.raw)} if answer.raw else None
    return document


def write_json(document: dict[str, Any], out: TextIO) -> None:
    """One line of JSON on ``out``, written piece by piece as it is serialised. A reader
    that leaves early (``ask --json ... | head -c 200``) ends the output quietly, as other
    Unix tools do (the answer is in the history all the same)."""
    try:
        out.flush()
        binary = getattr(out, "buffer", None)
        if binary is not None:
            json_stream.write(document, binary.write)
            binary.write(b"\n")
            binary.flush()
        else:  # a text-only stream (tests)
            json_stream.write(document, lambda piece: out.write(piece.decode()))
            out.write("\n")
            out.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, out.fileno())  # nothing more reaches the closed pipe, not even at exit
