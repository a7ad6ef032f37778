"""Where answers come from: a remote server given by URL, or the embedded engine.

Both end up as a :class:`Connection` (base URL, key, model): the rest of the program does
not know the difference.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from tui.core.errors import ConfigError, register_secret
from tui.core.settings import Connection, normalise_base_url

if TYPE_CHECKING:  # imported where used (the chat opens the backend on a thread)
    from tui.core.engine import EmbeddedEngine
    from tui.core.wire.client import ChatClient


@dataclass(frozen=True, slots=True)
class BackendOptions:
    """Connection choices from the command line and environment."""

    base_url: str | None = None
    api_key: str | None = None
    model: str | None = None
    model_file: str | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 120.0

    @classmethod
    def from_env(cls, **given: object) -> BackendOptions:
        """CLI values win; ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY`` fill what is missing."""
        values = {k: v for k, v in given.items() if v is not None}
        if "base_url" not in values and "model_file" not in values:
            env_url = os.environ.get("OPENAI_BASE_URL", "").strip()
            if env_url:
                values["base_url"] = env_url
        if "api_key" not in values and values.get("base_url"):
            env_key = os.environ.get("OPENAI_API_KEY", "").strip()
            if env_key:
                values["api_key"] = env_key
        return cls(**values)  # type: ignore[arg-type]

    @property
    def embedded(self) -> bool:
        return not self.base_url


@dataclass(slots=True)
class Backend:
    """A ready connection, plus the engine to stop when done (if embedded)."""

    connection: Connection
    display_name: str
    engine: EmbeddedEngine | None = None
    notes: list[str] = field(default_factory=list)

    def close(self) -> None:
        if self.engine is not None:
            self.engine.stop()


def validate_options(options: BackendOptions) -> None:
    """Cheap checks worth doing before anything starts."""
    if options.base_url and options.model_file:
        raise ConfigError("give either --base-url or --model-file, not both")
    if options.base_url:
        normalise_base_url(options.base_url)
    if options.connect_timeout <= 0 or options.read_timeout <= 0:
        raise ConfigError("timeouts must be positive numbers of seconds")


def open_backend(options: BackendOptions) -> Backend:
    """Blocking: start the embedded engine if needed (about 1 s), else just build the URL."""
    validate_options(options)
    if options.base_url:
        register_secret(options.api_key)
        connection = Connection(
            base_url=normalise_base_url(options.base_url),
            api_key=options.api_key,
            model=options.model,
            connect_timeout=options.connect_timeout,
            read_timeout=options.read_timeout,
        )
        return Backend(connection, options.model or "")
    from tui.core.engine import EmbeddedEngine

    engine = EmbeddedEngine(options.model_file)
    info = engine.start()
    register_secret(info.api_key)
    connection = Connection(
        base_url=info.base_url,
        api_key=info.api_key,
        model=info.model,
        connect_timeout=options.connect_timeout,
        read_timeout=options.read_timeout,
    )
    return Backend(connection, info.friendly_name, engine)


async def resolve_model(backend: Backend, client: ChatClient) -> str:
    """The model to ask for: given, or the server's first. For the embedded engine, check that
    the name it reports is the alias we set (a wrong alias makes it report ``"-"``)."""
    if backend.engine is not None:
        reported = await client.list_models()
        expected = backend.connection.model
        if expected not in reported:
            backend.notes.append(f"the embedded engine reports {reported!r}, expected {expected!r}")
        return expected or (reported[0] if reported else "")
    model = await client.resolve_model()
    backend.connection = replace(backend.connection, model=model)
    if not backend.display_name:
        backend.display_name = model
    return model
