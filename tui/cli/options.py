"""Argument parsing shared by every subcommand: one clear line for every bad value."""

from __future__ import annotations

import argparse
import getpass
import math
import os
import sys
from typing import NoReturn, TextIO

from tui import __version__
from tui.core.backend import BackendOptions
from tui.core.builtin_defaults import BUILTIN_MAX_TOKENS, BUILTIN_REPEAT_PENALTY, builtin_sampling
from tui.core.errors import ConfigError, LogprobChatError
from tui.core.settings import (
    DEFAULT_MAX_TOKENS,
    DEFAULT_TEMPERATURE,
    DEFAULT_TOP_LOGPROBS,
    MAX_REPEAT_PENALTY,
    MAX_TOP_LOGPROBS,
    Sampling,
)

PROG = "logprob-chat"


class Remember(argparse.Action):
    """Store the value and note that the option was typed (``args.given_options``): a
    reopened chat keeps its own settings except those typed on this command line, which
    cannot be told from the config file's defaults by their values alone."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        setattr(namespace, self.dest, values)
        given = set(getattr(namespace, "given_options", ()))
        given.add(self.dest)
        namespace.given_options = given


def given_options(args: argparse.Namespace) -> frozenset[str]:
    """The ``dest`` names of the options typed on the command line (see :class:`Remember`)."""
    return frozenset(getattr(args, "given_options", ()))


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a bad value in one line (no usage dump) and exits with 2."""

    def error(self, message: str) -> NoReturn:
        # Same prefix as every other error (fail()); the help hint names the subcommand.
        self.exit(2, f"{PROG}: error: {message} (see {self.prog} --help)\n")


def _number(kind: str, low: float | None = None, high: float | None = None):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number, not {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be a finite number, not {text!r}")
        if (low is not None and value < low) or (high is not None and value > high):
            if low is not None and high is not None:
                bound = f"from {low:g} to {high:g}"
            else:
                bound = f"at least {low:g}" if low is not None else f"at most {high:g}"
            raise argparse.ArgumentTypeError(f"must be {bound}, not {text}")
        return value

    return parse


def _integer(kind: str, low: int | None = None, high: int | None = None):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
        if low is not None and value < low:
            bound = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"must be {bound}, not {text}")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, not {text}")
        return value

    return parse


def _positive(kind: str):
    def parse(text: str) -> float:
        value = _number(kind)(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
        return value

    return parse


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("connection (default: the built-in SmolLM2 model)")
    group.add_argument(
        "--base-url",
        help="OpenAI-compatible server, e.g. http://host:8000 or http://host:8000/v1 "
        "(env OPENAI_BASE_URL)",
    )
    keys = group.add_mutually_exclusive_group()
    keys.add_argument(
        "--api-key",
        metavar="KEY",
        help="bearer token for --base-url; on the command line it is visible to other users "
        "(ps) while the program runs: prefer env OPENAI_API_KEY, --api-key-file, or "
        "--api-key - (read from standard input)",
    )
    keys.add_argument(
        "--api-key-file", metavar="PATH", help="read the bearer token from the first line of PATH"
    )
    group.add_argument(
        "--model", action=Remember, help="model name (default: the first the server lists)"
    )
    group.add_argument(
        "--model-file", metavar="PATH.gguf", help="run this GGUF file in the embedded engine"
    )
    group.add_argument(
        "--connect-timeout", type=_positive("--connect-timeout"), default=10.0, metavar="S"
    )
    group.add_argument(
        "--read-timeout",
        type=_positive("--read-timeout"),
        default=120.0,
        metavar="S",
        help="longest wait for the next piece of a reply (default 120)",
    )


def add_deadline_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--deadline",
        type=_positive("--deadline"),
        metavar="SECONDS",
        help="give up when the answer is not complete SECONDS after asking (what arrived is "
        "kept and printed; exit code 1). --read-timeout bounds each wait, not the whole",
    )


def add_sampling_options(parser: argparse.ArgumentParser, *, system_prompt: bool = True) -> None:
    """``system_prompt=False`` leaves out --system/--preset (``compare`` repeats them)."""
    group = parser.add_argument_group("sampling")
    if system_prompt:
        group.add_argument("--system", action=Remember, metavar="TEXT", help="system prompt")
        group.add_argument(
            "--preset",
            action=Remember,
            metavar="NAME",
            help="system prompt preset (saved in the TUI)",
        )
    group.add_argument(
        "--temperature",
        type=_number("--temperature", 0, 2),
        action=Remember,
        default=DEFAULT_TEMPERATURE,
        metavar="T",
        help=f"0 to 2 (default {DEFAULT_TEMPERATURE})",
    )
    group.add_argument(
        "--top-logprobs",
        type=_integer("--top-logprobs", 0, MAX_TOP_LOGPROBS),
        action=Remember,
        default=DEFAULT_TOP_LOGPROBS,
        metavar="K",
        help=f"alternatives per token, 0 to 20 (default {DEFAULT_TOP_LOGPROBS})",
    )
    group.add_argument(
        "--max-tokens",
        type=_integer("--max-tokens", 1, 1_000_000),
        action=Remember,
        default=DEFAULT_MAX_TOKENS,
        metavar="N",
        help=f"(default {DEFAULT_MAX_TOKENS}; the built-in model {BUILTIN_MAX_TOKENS})",
    )
    group.add_argument(
        "--seed", type=_integer("--seed"), action=Remember, metavar="N", help="sampling seed"
    )
    group.add_argument(
        "--repeat-penalty",
        type=_number("--repeat-penalty", 1, MAX_REPEAT_PENALTY),
        action=Remember,
        metavar="P",
        help="llama.cpp's repetition penalty, 1 to 2 (default: none; the built-in model "
        f"{BUILTIN_REPEAT_PENALTY:g}, with max_tokens {BUILTIN_MAX_TOKENS})",
    )
    group.add_argument("--no-stream", action="store_true", help="ask for the whole reply at once")
    group.add_argument(
        "--no-recover",
        action="store_true",
        help="llama.cpp: keep its rows as sent, without measuring the tokens it hides "
        "(split characters; the numbers then say how many tokens they cover)",
    )


def add_store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where history is kept (env LOGPROB_CHAT_DATA_DIR; default: the user data dir)",
    )


def read_api_key(args: argparse.Namespace, stdin: TextIO | None = None) -> None:
    """Replace ``--api-key -`` and ``--api-key-file PATH`` by the key they name (its first
    line, stripped), so the key never sits in the process's command line. A terminal on
    standard input is asked without echo. Raises :class:`ConfigError` (one line)."""
    path = getattr(args, "api_key_file", None)
    if path is not None:
        try:
            with open(os.path.expanduser(path), encoding="utf-8") as handle:
                line = handle.readline()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise ConfigError(f"cannot read the API key file {path}: {reason}") from None
        args.api_key = _key(line, f"no API key in {path} (its first line is empty)")
    elif getattr(args, "api_key", None) == "-":
        if getattr(args, "message", None) == "-":
            raise ConfigError(
                "--api-key - and the message - both read standard input; give the key with "
                "--api-key-file or OPENAI_API_KEY"
            )
        stream = stdin or sys.stdin
        line = getpass.getpass("API key: ") if stream.isatty() else stream.readline()
        args.api_key = _key(line, "no API key on standard input")


def _key(line: str, missing: str) -> str:
    key = line.strip()
    if not key:
        raise ConfigError(missing)
    return key


def backend_options(args: argparse.Namespace) -> BackendOptions:
    return BackendOptions.from_env(
        base_url=args.base_url,
        api_key=args.api_key,
        model=args.model,
        model_file=args.model_file,
        connect_timeout=args.connect_timeout,
        read_timeout=args.read_timeout,
    )


def sampling_options(args: argparse.Namespace, options: BackendOptions | None = None) -> Sampling:
    """The sampling asked for; with the built-in model (``options`` without a URL or model
    file), its demo defaults for what was neither typed nor set in ``config.toml``."""
    sampling = Sampling(
        temperature=args.temperature,
        top_logprobs=args.top_logprobs,
        max_tokens=args.max_tokens,
        seed=args.seed,
        repeat_penalty=getattr(args, "repeat_penalty", None),
    )
    if options is not None and options.embedded and not options.model_file:
        config = getattr(args, "app_config", None)
        chosen = given_options(args) | (config.sampling_given if config is not None else set())
        sampling = builtin_sampling(sampling, chosen)
    return sampling


def output_width(stream: TextIO) -> int | None:
    """Terminal cells a table printed on ``stream`` may take: ``COLUMNS`` when set (as
    argparse and most tools read it), the terminal's width when ``stream`` is one, else
    ``None``: a file or a pipe, where lines are kept whole for the program reading them."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        if stream.isatty():
            return os.get_terminal_size(stream.fileno()).columns or None
    except (OSError, ValueError, AttributeError):
        pass
    return None


def fail(message: str, code: int = 2) -> int:
    """Print one error line on stderr; return the exit code."""
    sys.stderr.write(f"{PROG}: error: {message}\n")
    sys.stderr.flush()
    return code


def version_text() -> str:
    return f"{PROG} {__version__}"


__all__ = [
    "PROG",
    "ConfigError",
    "OneLineParser",
    "add_connection_options",
    "add_deadline_option",
    "add_sampling_options",
    "add_store_options",
    "backend_options",
    "fail",
    "given_options",
    "output_width",
    "read_api_key",
    "sampling_options",
    "system_prompt",
    "version_text",
]


def system_prompt(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """(system prompt text, preset name) from --system / --preset."""
    if args.system is not None and args.preset is not None:
        raise LogprobChatError("give either --system or --preset, not both")
    if args.preset is not None:
        from tui.core.presets import PresetStore  # only when a preset is named

        store = PresetStore()
        if store.problem:
            raise LogprobChatError(store.problem)
        preset = store.get(args.preset)
        return preset.prompt, preset.name
    return args.system, None
