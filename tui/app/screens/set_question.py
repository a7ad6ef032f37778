"""One question of a question set: its samples (or scores) under every prompt, one row
each; Enter opens one on the sample screen, with its heatmap and token inspector.

The answers come from the history (only this question's, tokens and all) or, for a set that
is not kept, from the run's memory."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui.app.messages import SampleChosen
from tui.app.widgets.literal_cells import literal
from tui.core.answer import Answer
from tui.core.cells import fit_cells
from tui.core.conversation import Turn
from tui.core.errors import LogprobChatError
from tui.core.safety import safe_line
from tui.core.sets.results import result_values
from tui.core.sets.table import number

if TYPE_CHECKING:
    from tui.app.screens.question_set import QuestionSetScreen

TEXT_CELLS = 60
HEADINGS = ("prompt", "sample", "status", "mean logprob", "mean prob", "tokens", "answer")


class SetQuestionScreen(Screen[None]):
    """Question ``question`` of the set shown by ``parent``."""

    CSS_PATH = "set_question.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="set_question.back"),
    ]

    def __init__(self, parent: QuestionSetScreen, question: int) -> None:
        super().__init__()
        self.set_screen = parent
        self.question = question
        self.rows: list[tuple[int, int, Answer | None, str]] = []  # prompt, sample, answer, error

    def compose(self) -> ComposeResult:
        plan = self.set_screen.plan
        q = plan.questions[self.question]
        yield Static(
            Content(f"Question {safe_line(q.id)} · Esc: back to the set · ⏎ opens an answer"),
            id="set-question-title",
        )
        yield Static(Content(safe_line(q.question)), id="set-question-text")
        if q.answer:
            yield Static(Content("Reference: " + safe_line(q.answer)), id="set-question-ref")
        yield DataTable(id="set-question-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*(literal(h, right=2 < k < 6) for k, h in enumerate(HEADINGS)))
        table.focus()
        self._load()

    @work(exclusive=True, group="set-question", exit_on_error=False)
    async def _load(self) -> None:
        parent = self.set_screen
        rows: list[tuple[int, int, Answer | None, str]] = []
        store = parent.chat_app.history.store
        try:
            if parent.comparison_id is not None and store is not None:
                for r in await store.comparison_results(parent.comparison_id, self.question):
                    rows.append((r.prompt, r.sample, r.answer, r.error or ""))
            else:
                for r in parent.results.values():
                    if r.question == self.question:
                        rows.append((r.prompt, r.sample, r.answer, r.error or ""))
        except LogprobChatError as exc:
            self.notify(str(exc), markup=False, severity="error")
        self.rows = sorted(rows, key=lambda row: (row[0], row[1]))
        self._fill()

    def _fill(self) -> None:
        plan = self.set_screen.plan
        table = self.query_one(DataTable)
        table.clear()
        for prompt, sample, answer, error in self.rows:
            values = result_values(answer)
            text = answer.text if answer is not None else error
            cells = [
                safe_line(plan.prompts[prompt].label),
                f"#{sample + 1}" if plan.mode == "sample" else "score",
                "ok" if answer is not None and not error else "failed",
                number(values["mean_logprob"]),
                number(values["mean_prob"]),
                "–" if values["length"] is None else str(int(values["length"])),
                fit_cells(safe_line(text), TEXT_CELLS),
            ]
            table.add_row(*(literal(cell, right=2 < k < 6) for k, cell in enumerate(cells)))

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        prompt_index, sample, answer, error = self.rows[event.cursor_row]
        if answer is None:
            self.notify(f"No answer to show: {error or 'not done'}", markup=False)
            return
        plan = self.set_screen.plan
        prompt = plan.prompts[prompt_index]
        q = plan.questions[self.question]
        turn = Turn(
            question=q.question,
            system_prompt=prompt.system,
            preset=prompt.preset,
            sampling=plan.compare_plan(self.question).sampling_for(sample),
            model=self.set_screen.model,
            answer=answer,
        )
        what = f"sample #{sample + 1}" if plan.mode == "sample" else "scored reference answer"
        title = (
            f"Question {safe_line(q.id)} · {prompt_index + 1}. {safe_line(prompt.label)} · "
            f"{what} · Esc: back to the question"
        )
        self.post_message(SampleChosen(turn, sample + 1, title))

    def action_back(self) -> None:
        self.dismiss(None)
