"""Question sets: files of questions (with optional reference answers) read and checked
before anything runs (:mod:`.files`)."""

from tui.core.questions.files import (
    MAX_QUESTIONS,
    Question,
    QuestionFileError,
    parse_questions,
    read_questions,
    require_answers,
)

__all__ = [
    "MAX_QUESTIONS",
    "Question",
    "QuestionFileError",
    "parse_questions",
    "read_questions",
    "require_answers",
]
