"""What the chat screen is working with: backend, model, prompt, sampling, conversation.

Plain data (no widgets), so the store can save it and tests can read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tui.core.backend import Backend
from tui.core.conversation import Conversation
from tui.core.settings import Sampling
from tui.core.wire.client import ChatClient

STARTING = "starting built-in model…"
CONNECTING = "connecting…"


@dataclass
class ChatSession:
    sampling: Sampling = field(default_factory=Sampling)
    system_prompt: str = ""
    preset: str | None = None
    conversation: Conversation = field(default_factory=Conversation)
    backend: Backend | None = None
    client: ChatClient | None = None
    backend_error: str | None = None
    model: str | None = None  # the model requests ask for, once known
    embedded: bool = True  # the backend is (or will be) the built-in engine

    @property
    def ready(self) -> bool:
        return self.client is not None

    @property
    def model_label(self) -> str:
        """For the status line: what answers will come from."""
        if self.backend_error is not None:
            return "no model (see the chat)"
        if self.backend is None:
            return STARTING if self.embedded else CONNECTING
        backend = self.backend
        if backend.engine is None and self.model and self.model != backend.connection.model:
            # Another model than the one the server was opened with: chosen in the settings,
            # or the model of a conversation reopened from the history.
            return self.model
        return backend.display_name or self.model or backend.connection.safe_url
