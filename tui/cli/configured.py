"""The settings file's place in the command line: CLI > environment > config.toml > defaults.

Two steps, both pure apart from the final parse:

* :func:`config_defaults` turns the file's ``[sampling]`` into argparse defaults, so an option
  given on the command line wins and the file wins over the built-in defaults.
* :func:`connection_from_config` fills the connection after parsing. It cannot be a default:
  ``OPENAI_BASE_URL`` must beat the file, and ``--model-file`` must not collide with a
  ``base_url`` the user never typed (``BackendOptions.from_env`` applies the environment later).

``[connection]`` describes one server: its ``api_key`` and ``model`` are used only with its
``base_url`` (or with any server when the file names no URL), so a key from the file is never
sent to a server given on the command line or in ``OPENAI_BASE_URL``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from tui.cli.options import PROG, read_api_key
from tui.core.config import AppConfig, load_config
from tui.core.errors import ConfigError
from tui.core.settings import normalise_base_url


def config_defaults(config: AppConfig) -> dict[str, Any]:
    """argparse defaults for every subcommand: the file's sampling values, and the config
    itself (``args.app_config``) so the TUI reads ``[ui]``/``[keys]`` without loading it again."""
    sampling = config.sampling
    return {
        "temperature": sampling.temperature,
        "top_logprobs": sampling.top_logprobs,
        "max_tokens": sampling.max_tokens,
        "seed": sampling.seed,
        "repeat_penalty": sampling.repeat_penalty,
        "app_config": config,
    }


def _same_server(a: str, b: str) -> bool:
    try:
        return normalise_base_url(a) == normalise_base_url(b)
    except ConfigError:
        return False


def connection_from_config(
    given: Mapping[str, str | None], config: AppConfig, environ: Mapping[str, str]
) -> dict[str, str | None]:
    """The connection values after the file is applied under the command line and environment.

    ``given`` has the parsed ``base_url``, ``api_key``, ``model`` and ``model_file`` (None when
    not on the command line). Returns ``base_url``, ``api_key`` and ``model``; the environment
    itself is applied later by ``BackendOptions.from_env``, so this only fills what neither the
    command line nor the environment provides.
    """
    base_url, api_key, model = given.get("base_url"), given.get("api_key"), given.get("model")
    filed = config.connection
    if given.get("model_file"):
        return {"base_url": base_url, "api_key": api_key, "model": model}  # the local engine
    env_url = environ.get("OPENAI_BASE_URL", "").strip()
    effective_url = base_url or env_url or filed.base_url
    if not base_url and not env_url and filed.base_url:
        base_url = filed.base_url
    if not effective_url:
        return {"base_url": base_url, "api_key": api_key, "model": model}  # the embedded engine
    file_server = filed.base_url is None or _same_server(effective_url, filed.base_url)
    if file_server:
        if api_key is None and not environ.get("OPENAI_API_KEY", "").strip():
            api_key = filed.api_key
        if model is None:
            model = filed.model
    return {"base_url": base_url, "api_key": api_key, "model": model}


def _subparsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    return [
        sub
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for sub in action.choices.values()
    ]


def parse_args_with_config(
    parser: argparse.ArgumentParser,
    argv: Sequence[str],
    *,
    config: AppConfig | None = None,
    environ: Mapping[str, str] | None = None,
    stderr: TextIO | None = None,
) -> argparse.Namespace:
    """Parse ``argv`` with the settings file underneath. A broken file never stops the
    program: its one-line problem goes to stderr and the defaults are used."""
    config = config if config is not None else load_config()
    environ = os.environ if environ is None else environ
    defaults = config_defaults(config)
    for sub in _subparsers(parser):
        # Only options the subcommand has (a `history` command has no temperature).
        dests = {action.dest for action in sub._actions} | {"app_config"}
        sub.set_defaults(**{k: v for k, v in defaults.items() if k in dests})
    args = parser.parse_args(argv)
    if config.problem:
        (stderr or sys.stderr).write(f"{PROG}: config: {config.problem}\n")
    if hasattr(args, "api_key"):
        try:
            read_api_key(args)  # before the file's key is considered: a key was given
        except ConfigError as exc:
            parser.exit(2, f"{PROG}: error: {exc}\n")
    if all(hasattr(args, name) for name in ("base_url", "api_key", "model", "model_file")):
        for name, value in connection_from_config(vars(args), config, environ).items():
            setattr(args, name, value)
    return args
