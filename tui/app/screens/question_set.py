"""The question-set screen: K system prompts over a question file, run live or opened from
the history (F6), read together.

From the top: the progress bar (done/total, rate, time left), the per-prompt summary (mean
logprob and mean prob over questions, the paired difference to the baseline with its 95 %
interval, wins/ties/losses), one sentence per prompt saying who wins on how many
questions, a strip plot of each prompt's per-question differences to the baseline, and the
per-question table (``s`` sorts it by the next order, ``r`` reverses; Enter opens the
question's samples or scores, and from there a sample's heatmap and inspector).

Esc stops a run (what finished is kept in the history), then goes back. ``c`` carries on a
stopped or interrupted set; ``x`` exports it (JSON, and CSV of the results and the summary).

The run is an async worker over :class:`~tui.core.sets.run.SetRun`; finished requests mark
the view dirty and a timer repaints the progress at most :data:`REFRESH_HZ` times a second,
the tables every :data:`TABLE_EVERY` seconds: a fast server costs a summary per repaint,
not one per request. Text building lives in :mod:`tui.core.sets.table` and
:mod:`tui.core.sets.plot`; this screen only places it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, ProgressBar, Static

from tui.app.screens.compare_export import run_export
from tui.app.widgets.literal_cells import literal, literal_row
from tui.core.backend import resolve_model
from tui.core.cells import fit_cells
from tui.core.errors import LogprobChatError, one_line
from tui.core.safety import safe_line
from tui.core.sets.export import results_csv, set_document, summary_csv
from tui.core.sets.history import to_resume
from tui.core.sets.keeping import Resumed, SetKeeper
from tui.core.sets.plan import Key, SetPlan
from tui.core.sets.plot import strip_plot
from tui.core.sets.progress import SetProgress, done_text, progress, progress_text
from tui.core.sets.results import SetResult
from tui.core.sets.run import SetRun
from tui.core.sets.stats import SetSummary, summarise_set
from tui.core.sets.table import (
    SORT_TEXT,
    SortKey,
    question_cells,
    question_order,
    summary_cells,
    verdict_sentences,
)

if TYPE_CHECKING:
    from tui.app.app import LogprobChatApp

SCREEN_HEADINGS = ("prompt", "n", "logprob", "prob", "Δ", "95% CI", "W/T/L")
"""The summary's headings on screen: :data:`SUMMARY_HEADINGS` made short enough for 80
columns (the legend line under the table spells them out)."""
LEGEND = "means over n questions · Δ, 95% CI: paired, vs the first · W/T/L: questions"
LABEL_CELLS = 16

REFRESH_HZ = 10
TABLE_EVERY = 0.5
"""Seconds between rebuilds of the tables and the plot while a run goes."""
QUESTION_CELLS = 40


def sort_orders(plan: SetPlan) -> list[tuple[SortKey, int]]:
    """Every order ``s`` steps through: file order, question text, then each prompt's value
    and each non-baseline prompt's difference to the baseline."""
    k = len(plan.prompts)
    return [
        ("order", 0),
        ("question", 0),
        *(("value", p) for p in range(k)),
        *(("difference", p) for p in range(1, k)),
    ]


class QuestionSetScreen(Screen[None]):
    """A set to run (``plan``), or one from the history (``stored``) to show or carry on."""

    CSS_PATH = "question_set.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stop", "Stop", priority=True, id="set.stop"),
        Binding("escape", "close", "Back", id="set.close"),
        Binding("s", "sort", "Sort", id="set.sort"),
        Binding("r", "reverse", "Reverse", id="set.reverse"),
        Binding("c", "carry_on", "Carry on", id="set.carry_on"),
        Binding("x", "export", "Export", id="set.export"),
    ]

    def __init__(self, plan: SetPlan, *, stored: Resumed | None = None) -> None:
        super().__init__()
        self.plan = plan
        self.stored = stored
        self.comparison_id: int | None = stored.stored.id if stored else None
        self.results: dict[Key, SetResult] = {r.key: r for r in (stored.done if stored else ())}
        self.set_run: SetRun | None = None
        self.summary: SetSummary = summarise_set(plan, list(self.results.values()))
        self.running = False
        self.state = "stored" if stored else "starting"
        self.model = (stored.model if stored else None) or ""
        self.sort = 0
        self.descending = False
        self.last_export: list[Path] = []
        self.notes: list[str] = []
        self._dirty = False
        self._tables_at = 0.0
        self._collecting = False
        self._collected = 0
        self._shown_order: list[int] = []
        self._shown_rows: dict[int, list[str]] = {}

    @property
    def chat_app(self) -> LogprobChatApp:
        return self.app  # type: ignore[return-value]

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static("", markup=False, id="set-title")
        yield ProgressBar(total=self.plan.total, show_eta=False, id="set-progress")
        yield Static("", markup=False, id="set-state")
        yield DataTable(id="set-summary", cursor_type="none", zebra_stripes=True)
        yield Static(Content(LEGEND), id="set-legend")
        yield Static("", markup=False, id="set-verdicts")
        yield Static("", markup=False, id="set-plot")
        yield Static("", markup=False, id="set-sorted")
        yield DataTable(id="set-questions", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        summary = self.query_one("#set-summary", DataTable)
        summary.add_columns(*(literal(h, right=k > 0) for k, h in enumerate(SCREEN_HEADINGS)))
        questions = self.query_one("#set-questions", DataTable)
        questions.add_columns(
            Text("id"),
            Text("question"),
            *(literal(fit_cells(safe_line(p.label), LABEL_CELLS)) for p in self.plan.prompts),
        )
        self._ticker = self.set_interval(1 / REFRESH_HZ, self._tick, pause=True)
        self._show(tables=True)
        questions.focus()
        if self.stored is None:
            self.start(resume=False)

    # ------------------------------------------------------------------ running

    def start(self, *, resume: bool) -> None:
        """Run the set (``resume``: carry the kept comparison on from its results)."""
        self.running = True
        self.state = "starting"
        self._ticker.resume()
        self.refresh_bindings()
        self._run(resume)

    @work(exclusive=True, group="set-run", exit_on_error=False)
    async def _run(self, resume: bool) -> None:
        state = "finished"
        keeper: SetKeeper | None = None
        set_run: SetRun | None = None
        try:
            session = self.chat_app.session
            client = session.client
            if client is None or session.backend is None:
                raise LogprobChatError(
                    f"no model is available: {session.backend_error}"
                    if session.backend_error
                    else "the model is not ready yet: try again in a moment"
                )
            if session.model is None:
                session.model = await resolve_model(session.backend, client)
            model = session.model
            if resume and self.model and self.model != model:
                raise LogprobChatError(
                    f"this set ran on {safe_line(self.model)}; the chat now uses "
                    f"{safe_line(model)}: switch the model (F3) to carry it on"
                )
            self.model = model
            done = to_resume(self.results.values()) if resume else []
            set_run = SetRun(client, self.plan, model, done=done)
            await set_run.prepare()  # a server that cannot score: one line, nothing kept
            keeper = await self._keeper(session.backend, model, resume)
            # Not kept (no history): the answers stay in memory for the question screen.
            set_run.keep_answers = keeper.comparison_id is None
            self.set_run = set_run
            self.state = "running"
            # The collector as while an answer streams (tui.app.gc_policy): thousands of
            # answers come and go, and automatic full collections would stall the screen.
            self.chat_app.gc_policy.stream_started()
            self._collecting = True
            await set_run.run(on_result=self._saver(keeper), on_progress=self._progressed)
        except asyncio.CancelledError:
            state = "stopped"
            raise
        except LogprobChatError as exc:
            state = f"failed: {exc}"
        except Exception as exc:  # a bug must not take the app down: say it in one line
            state = "failed: " + one_line(f"unexpected error ({type(exc).__name__}): {exc}")
        finally:
            if set_run is not None:
                await set_run.aclose()  # (run closes it; a failed prepare or keeper did not)
                if self.set_run is set_run:
                    self.results = dict(set_run.results)
            complete = len(self.results) == self.plan.total and all(
                r.ok for r in self.results.values()
            )
            if keeper is not None:
                await keeper.finish(complete)
            if self._collecting:
                self._collecting = False
                self.chat_app.gc_policy.stream_ended()
            self._ended(state)

    async def _keeper(self, backend: Any, model: str, resume: bool) -> SetKeeper:
        history = self.chat_app.history
        with contextlib.suppress(TimeoutError):  # a slow disk: run unsaved rather than wait
            await asyncio.wait_for(history.ready.wait(), 5)
        store = history.store
        if resume:
            if store is None or self.comparison_id is None:
                raise LogprobChatError("the history is not open: this set cannot be carried on")
            done = list(self.results.values())
            keeper, _ = await SetKeeper.resume(store, self.comparison_id, done, self.notes.append)
            return keeper
        keeper = await SetKeeper.create(
            store,
            self.plan,
            model=model,
            base_url=None if backend.engine is not None else backend.connection.base_url,
            on_note=self.notes.append,
        )
        self.comparison_id = keeper.comparison_id
        return keeper

    def _saver(self, keeper: SetKeeper) -> Any:
        async def save(result: SetResult) -> None:
            await keeper.save(result)
            self._dirty = True

        return save

    def _progressed(self, _: SetProgress) -> None:
        self._dirty = True

    def _tick(self) -> None:
        if self._collecting:
            done = len(self.results)
            self.chat_app.gc_policy.rows_added(done - self._collected)
            self._collected = done
        if self._dirty:
            self._dirty = False
            now = time.monotonic()
            tables = now - self._tables_at >= TABLE_EVERY
            self._show(tables=tables)

    def _ended(self, state: str) -> None:
        self.running = False
        self.state = state
        self._ticker.pause()
        if self.is_attached:
            self._show(tables=True)
            self.refresh_bindings()

    def action_stop(self) -> None:
        self.workers.cancel_group(self, "set-run")

    def action_carry_on(self) -> None:
        self.start(resume=True)

    # ------------------------------------------------------------------ showing

    def current_progress(self) -> SetProgress:
        if self.set_run is not None:
            return self.set_run.progress()
        failed = sum(1 for r in self.results.values() if not r.ok)
        return progress(len(self.results), self.plan.total, failed, len(self.results), 0.0)

    def _show(self, *, tables: bool) -> None:
        if self.set_run is not None:
            self.results = self.set_run.results
        p = self.current_progress()
        self.query_one("#set-title", Static).update(Content(self._title()))
        self.query_one("#set-progress", ProgressBar).update(progress=p.done)
        unit = "scores" if self.plan.mode == "score" else "samples"
        state = self.state + (" (Esc stops)" if self.running else "")
        if not self.running and p.done < self.plan.total:
            state += " · c carries it on"
        notes = f" · {safe_line(self.notes[-1])}" if self.notes else ""
        # Rate and time left while it runs; afterwards the counts alone (a finished set
        # reads the same whenever it is opened).
        counts = progress_text(p, unit) if self.running else done_text(p, unit)
        self.query_one("#set-state", Static).update(
            Content(f"{counts} · {safe_line(state)}{notes}")
        )
        if tables:
            self._tables_at = time.monotonic()
            self.summary = summarise_set(self.plan, list(self.results.values()))
            self._fill_tables()

    def _title(self) -> str:
        plan = self.plan
        what = "reference answers scored" if plan.mode == "score" else f"{plan.samples} samples"
        source = safe_line(plan.source or "questions")
        kept = f" · comparison {self.comparison_id}" if self.comparison_id else " · not kept"
        return (
            f"Question set {source} · {len(plan.questions)} questions × "
            f"{len(plan.prompts)} prompts · {what}{kept}"
        )

    def _fill_tables(self) -> None:
        summary = self.summary
        table = self.query_one("#set-summary", DataTable)
        table.clear()
        table.add_rows(
            literal_row([fit_cells(label, LABEL_CELLS), *rest])
            for label, *rest in summary_cells(summary)
        )
        width = max(40, self.size.width - 2)
        self.query_one("#set-verdicts", Static).update(
            Content("\n".join(verdict_sentences(summary)))
        )
        plot = strip_plot(summary, width)
        head = "Difference to the baseline per question (nats/token, │ = 0)"
        self.query_one("#set-plot", Static).update(
            Content("\n".join([head, *plot]) if plot else "")
        )
        self.query_one("#set-plot").display = bool(plot)
        key, prompt = sort_orders(self.plan)[self.sort]
        label = safe_line(self.plan.prompts[prompt].label)
        said = SORT_TEXT[key] + (f" ({label})" if key in ("value", "difference") else "")
        self.query_one("#set-sorted", Static).update(
            Content(
                f"Questions, by {said}{', descending' if self.descending else ''} · s sorts · "
                "r reverses · ⏎ opens"
            )
        )
        self._fill_questions(key, prompt)

    def _fill_questions(self, key: SortKey, prompt: int) -> None:
        """The question rows in ``key`` order. While the order stays the same (file order
        during a run, mostly) only the cells that changed are updated: rebuilding hundreds
        of rows twice a second would stall the screen."""
        table = self.query_one("#set-questions", DataTable)
        order = question_order(self.summary, key, prompt, descending=self.descending)
        rows = self._question_rows(order)
        if order == self._shown_order:
            columns = [column.key for column in table.ordered_columns]
            for j in order:
                before = self._shown_rows[j]
                for c, cell in enumerate(rows[j]):
                    if cell != before[c]:
                        table.update_cell(str(j), columns[c], literal(cell))
            self._shown_rows = rows
            return
        keep = self.highlighted_question()
        table.clear()
        for j in order:
            table.add_row(*(literal(cell) for cell in rows[j]), key=str(j))
        self._shown_order, self._shown_rows = order, rows
        if keep is not None and order:
            table.move_cursor(row=order.index(keep), animate=False)

    def _question_rows(self, order: list[int]) -> dict[int, list[str]]:
        """Each question's cells, the numbers padded to one width with the row's highest
        marked ``*`` after it (a space elsewhere), so they line up as a column: a
        right-justified cell would lose that trailing space."""
        cells = {j: question_cells(self.summary, j) for j in order}
        numbers = [v.rstrip("*") for row in cells.values() for v in row[2:]]
        width = max((len(v) for v in numbers), default=0)
        return {
            j: [
                ident,
                fit_cells(question, QUESTION_CELLS),
                *(v.rstrip("*").rjust(width) + ("*" if v.endswith("*") else " ") for v in values),
            ]
            for j, (ident, question, *values) in cells.items()
        }

    def highlighted_question(self) -> int | None:
        table = self.query_one("#set-questions", DataTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return None if row_key.value is None else int(row_key.value)

    # ------------------------------------------------------------------ keys

    def action_sort(self) -> None:
        self.sort = (self.sort + 1) % len(sort_orders(self.plan))
        self._show(tables=True)

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self._show(tables=True)

    @on(DataTable.RowSelected, "#set-questions")
    def _open_question(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is None:
            return
        from tui.app.screens.set_question import SetQuestionScreen

        self.app.push_screen(SetQuestionScreen(self, int(event.row_key.value)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return self.running
        if action == "close":
            return not self.running
        if action == "carry_on":
            return (
                not self.running
                and self.comparison_id is not None
                and (len(self.results) < self.plan.total or self.summary.failed > 0)
            )
        if action == "export":
            return not self.running and bool(self.results)
        return True

    def action_close(self) -> None:
        self.dismiss(None)

    def action_export(self) -> None:
        extra = {"comparison_id": self.comparison_id, "model": self.model}
        self._export(
            self.summary, list(self.results.values()), self.chat_app.data_dir / "exports", extra
        )

    def _export(
        self, summary: SetSummary, results: list[SetResult], directory: Path, extra: dict[str, Any]
    ) -> None:
        write = partial(write_set_exports, summary, results, directory, datetime.now(), extra)
        run_export(self, write, "the question set")

    def _exported(self, paths: list[Path]) -> None:
        self.last_export = paths
        names = ", ".join(p.name for p in paths[1:])
        self.chat_app.exported(paths[0], f"exported the question set to {paths[0]} (and {names})")


def write_set_exports(
    summary: SetSummary,
    results: list[SetResult],
    directory: Path,
    now: datetime,
    extra: dict[str, Any],
) -> list[Path]:
    """``question-set-<stamp>.json``, ``…-results.csv`` (one row per sample or score) and
    ``…-summary.csv`` (one row per prompt) in ``directory``; their paths, the JSON first."""
    from tui.core.jsonio import dumps_compact
    from tui.core.private_file import write_private_text

    directory.mkdir(parents=True, exist_ok=True)
    stem = directory / f"question-set-{now:%Y%m%d-%H%M%S}"
    files = {
        stem.with_name(stem.name + ".json"): dumps_compact(set_document(summary, results, extra))
        + "\n",
        stem.with_name(stem.name + "-results.csv"): results_csv(summary.plan, results),
        stem.with_name(stem.name + "-summary.csv"): summary_csv(summary),
    }
    for path, text in files.items():
        write_private_text(path, text)
    return list(files)
