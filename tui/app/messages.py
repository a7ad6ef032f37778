"""The app-level messages: how the app, the history link and widgets tell each other what
happened, instead of calling into each other's screens.

Two directions:

* **to the chat screen** (:class:`ToChat`, which does not bubble): posted by the app and the
  history link through :meth:`LogprobChatApp.tell_chat`. The chat screen decides what each
  means for its widgets; nothing outside it calls its methods:

  - :class:`BackendReady` / :class:`BackendFailed`: the model can be asked now (a question
    typed meanwhile goes out), or cannot at all (it fails with the reason);
  - :class:`Note`: a one-line message for the chat log (start-up and store problems);
  - :class:`ConversationShown`: the session's conversation was replaced (reopened from the
    history, or a new empty one): show its turns;
  - :class:`SessionChanged`: the model, prompt or sampling changed: redraw the status line;
  - :class:`HistoryState`: whether answers reach the history file (the status line's badge).

* **to the app** (they bubble up from the widget that posts them):

  - :class:`SampleChosen`: a comparison sample was picked; the app opens it on the sample
    screen (widgets never import screens);
  - :class:`CopyRequested`: copy text to the clipboard by every route that can take it, and
    say what happened;
  - :class:`SaveRequested`: write an answer's raw logprob JSON into the exports folder.

Tests observe them with ``run_test(message_hook=…)``; widgets are tested on small host apps
that handle the messages they post.
"""

from __future__ import annotations

from typing import Any

from textual.message import Message

from tui.core.conversation import Turn


class ToChat(Message, bubble=False):
    """Base of the messages the app delivers to its chat screen."""


class BackendReady(ToChat):
    """The backend is open and ``session.client`` can send requests."""


class BackendFailed(ToChat):
    """No backend could be opened: ``reason`` is one line."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class Note(ToChat):
    """A one-line message for the chat log; ``kind`` is ``"note"`` or ``"error"``."""

    def __init__(self, text: str, kind: str = "note") -> None:
        super().__init__()
        self.text = text
        self.kind = kind


class ConversationShown(ToChat):
    """The session now holds another conversation: these ``turns`` (none for a new one)."""

    def __init__(self, turns: list[Turn]) -> None:
        super().__init__()
        self.turns = turns


class SessionChanged(ToChat):
    """What the next request uses (model, prompt, sampling) changed."""


class HistoryState(ToChat):
    """``badge``: what the status line says about the history ("" while all is saved)."""

    def __init__(self, badge: str) -> None:
        super().__init__()
        self.badge = badge


class SampleChosen(Message):
    """Show ``turn`` (a comparison sample dressed as a chat turn) as sample ``number``."""

    def __init__(self, turn: Turn, number: int, title: str) -> None:
        super().__init__()
        self.turn = turn
        self.number = number
        self.title = title


class CopyRequested(Message):
    """Copy ``text``; ``what`` names it in the note ("the stats")."""

    def __init__(self, text: str, what: str) -> None:
        super().__init__()
        self.text = text
        self.what = what


class SaveRequested(Message):
    """Save ``raw`` (an answer's raw logprob JSON) as answer ``number`` into the exports
    folder; the path is said in a notification."""

    def __init__(self, raw: Any, number: int) -> None:
        super().__init__()
        self.raw = raw
        self.number = number
