"""The history: every question, answer, parameter set and raw logprob record, in SQLite.

* :class:`Store` — synchronous (the command line); :class:`AsyncStore` — the same calls on one
  background thread (the TUI); both open with fallbacks and report ``problem``.
* :class:`Recorder` — begin → checkpoint → finish around an ``AnswerBuilder``.
* :mod:`tui.core.store.models` — what comes back; :mod:`tui.core.store.schema` — the tables.
* :mod:`tui.core.store.comparisons` — comparisons of system prompts, sampled or scored.
"""

from tui.core.store.async_store import AsyncStore
from tui.core.store.comparisons import (
    ComparedPrompt,
    ComparedQuestion,
    ComparisonSummary,
    StoredComparison,
    StoredResult,
)
from tui.core.store.database import Store
from tui.core.store.models import (
    AnswerDelta,
    AnswerParams,
    Conversation,
    ConversationSummary,
    Lineage,
    StoredAnswer,
    StoredMessage,
)
from tui.core.store.opening import HISTORY_FILE, history_path
from tui.core.store.problems import StoreError
from tui.core.store.recorder import CHECKPOINT_INTERVAL, Recorder
from tui.core.store.schema import SCHEMA_VERSION

__all__ = [
    "CHECKPOINT_INTERVAL",
    "HISTORY_FILE",
    "SCHEMA_VERSION",
    "AnswerDelta",
    "AnswerParams",
    "AsyncStore",
    "ComparedPrompt",
    "ComparedQuestion",
    "ComparisonSummary",
    "Conversation",
    "ConversationSummary",
    "Lineage",
    "Recorder",
    "Store",
    "StoreError",
    "StoredAnswer",
    "StoredComparison",
    "StoredMessage",
    "StoredResult",
    "history_path",
]
