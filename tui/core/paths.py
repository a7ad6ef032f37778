"""Where logprob-chat keeps its files (platformdirs), with environment overrides for tests
and for people who want their data elsewhere."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "logprob-chat"
CONFIG_DIR_ENV = "LOGPROB_CHAT_CONFIG_DIR"
DATA_DIR_ENV = "LOGPROB_CHAT_DATA_DIR"


def config_dir() -> Path:
    """Presets and settings: ``$LOGPROB_CHAT_CONFIG_DIR`` or the user config directory."""
    override = os.environ.get(CONFIG_DIR_ENV, "").strip()
    return Path(override).expanduser() if override else Path(platformdirs.user_config_dir(APP_NAME))


def data_dir(given: str | os.PathLike[str] | None = None) -> Path:
    """History and saved files: ``--data-dir``, ``$LOGPROB_CHAT_DATA_DIR`` or the user data dir."""
    if given:
        return Path(given).expanduser()
    override = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(override).expanduser() if override else Path(platformdirs.user_data_dir(APP_NAME))


def data_dir_problem(directory: Path) -> str | None:
    """Why ``directory`` cannot be the data directory because a file stands where it or one of
    its parents should be (``--data-dir notes.txt``); ``None`` otherwise. One line."""
    for candidate in (directory, *directory.parents):
        if candidate.is_dir():
            return None
        if candidate.exists() or candidate.is_symlink():
            fix = f"give --data-dir (or {DATA_DIR_ENV}) a directory"
            if candidate == directory:
                return f"the data directory {directory} is a file, not a directory; {fix}"
            return f"the data directory {directory} cannot be made: {candidate} is a file; {fix}"
    return None
