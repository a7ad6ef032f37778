"""How the question-set screen is opened: from the compare screen's form with a question
file (its prompts, sampling and mode; the file read and checked before anything runs), or
from the history (F6) to show a stored set again, or carry it on."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual.widgets import Input

from tui.app.screens.compare_form import NUMBER_FIELDS
from tui.app.widgets.compare_mode import CompareMode
from tui.core.compare import ComparePlan, Sample
from tui.core.compare.form import parse_compare_form
from tui.core.errors import LogprobChatError
from tui.core.questions import read_questions
from tui.core.sets.history import comparison_fields, result_fields, sample_result, set_of_one
from tui.core.sets.keeping import SetKeeper
from tui.core.sets.plan import SetPlan
from tui.core.sets.recent import remember_file


def start_set(compare: Any, path_text: str) -> None:
    """The compare screen's run with a question file (see :func:`set_from_compare`)."""
    compare.run_worker(set_from_compare(compare, path_text), exit_on_error=False)


async def set_from_compare(compare: Any, path_text: str) -> None:
    """Read the file and the form; open the set screen running it, or say what is wrong
    under the form (one line, nothing runs)."""
    fields = {name: compare.query_one(f"#compare-{name}", Input).value for name in NUMBER_FIELDS}
    form = parse_compare_form(
        prompts=[c.spec for c in compare._candidates_now()],
        question="(the question file's)",
        **fields,
    )
    for name in ("prompts", *NUMBER_FIELDS):
        compare._show_error(name, form.errors.get(name, ""))
    if form.plan is None:
        compare.app.bell()
        return
    path = Path(path_text).expanduser()
    scoring = compare.query_one(CompareMode).scoring
    try:
        questions = await asyncio.to_thread(read_questions, path)
        plan = SetPlan(
            form.plan.prompts,
            tuple(questions),
            mode="score" if scoring else "sample",
            samples=form.plan.samples,
            sampling=form.plan.sampling,
            concurrency=form.plan.concurrency,
            top_logprobs=form.plan.sampling.top_logprobs,
            threshold=getattr(compare.app, "low_prob_threshold", form.plan.threshold),
            source=path.name,
        )
    except LogprobChatError as exc:
        compare._show_error("run", str(exc))
        compare.app.bell()
        return
    compare._show_error("run", "")
    await asyncio.to_thread(remember_file, compare.chat_app.data_dir, path)
    from tui.app.screens.question_set import QuestionSetScreen

    compare.app.push_screen(QuestionSetScreen(plan))


async def open_stored_set(app: Any, comparison_id: int) -> None:
    """A stored comparison (F6) on the set screen: its numbers, and carrying it on when it
    stopped before the end. A problem is one notification."""
    store = app.history.store
    if store is None:
        app.notify("The history is not open.", markup=False, severity="warning")
        return
    try:
        resumed = await SetKeeper.load(store, comparison_id)
    except LogprobChatError as exc:
        app.notify(str(exc), markup=False, severity="error")
        return
    from tui.app.screens.question_set import QuestionSetScreen

    app.push_screen(QuestionSetScreen(resumed.plan, stored=resumed))


class KeptComparison:
    """The compare screen's one-question run kept in the history as a set of one question
    (:func:`~tui.core.sets.history.set_of_one`), written in order with the chat's writes,
    never waiting: F6 lists it and reopens it on the set screen."""

    def __init__(self, app: Any, plan: ComparePlan, model: str) -> None:
        backend = app.session.backend
        remote = backend is not None and backend.engine is None
        fields = comparison_fields(
            set_of_one(plan), model=model, base_url=backend.connection.base_url if remote else None
        )
        self.record = app.history.record_comparison(fields)

    def save(self, sample: Sample) -> None:
        result = sample_result(sample)
        if result is not None:
            self.record.result(result_fields(result))

    def finish(self, complete: bool) -> None:
        self.record.finish("complete" if complete else "stopped")
