"""What the chat says about saving: the status line's history badge, which says for as long
as it holds that answers are not reaching the history file (the chat's notes scroll away;
this stays), and how a note names one answer."""

from __future__ import annotations

from tui.core.safety import safe_line


def history_badge(*, memory_only: bool, unsaved_answers: int = 0) -> str:
    """``"⚠ history in memory only"`` while the file cannot be written (a lock, a read-only
    or damaged file: the session is kept in memory and moved into the file when it opens),
    ``"⚠ 2 answers not saved in full"`` while rows wait for disk space; ``""`` otherwise."""
    if memory_only:
        return "⚠ history in memory only"
    if unsaved_answers:
        what = "answer" if unsaved_answers == 1 else "answers"
        return f"⚠ {unsaved_answers} {what} not saved in full"
    return ""


def answer_name(question: str) -> str:
    """How a note names an answer: by the start of its question (one line, made safe)."""
    words = safe_line(" ".join(question.split()))
    return f"the answer to “{words[:40]}{'…' if len(words) > 40 else ''}”"
