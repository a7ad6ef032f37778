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
