"""Score this answer under…: one given answer scored under several system prompts, and
which of its tokens each prompt makes more or less likely.

Opened on an answer of the chat (its key in :mod:`tui.app.actions`) or from the compare
screen's "score a given answer" mode (with its prompts: it scores at once). Two views:

* **the form**: presets to tick (space), prompts to write (``---`` between two), the order
  (Enter on one makes it the baseline, the first); ``ctrl+s`` scores;
* **the results**: one row per prompt (the numbers of :mod:`tui.core.score.table`), and for
  the highlighted prompt the answer's heatmap under it and its **difference heatmap** against
  the first prompt (each token coloured by Δ = ln p under it − under the first, the legend
  under the log), shown with the chat's own :class:`ChatLog` and :class:`AnswerPane`, so the
  token cursor, the inspector and copying work as in the chat. ``x`` exports JSON and CSV;
  Esc stops a run, then goes back to the form.

The scoring is a worker over :class:`~tui.core.score.run.ScoreRun` with the app's
:class:`~tui.core.score.Scorer` (the server's kind asked once per connection); each result is
kept in the history as it comes (a comparison of kind ``score``).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, OptionList, SelectionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from tui.app.actions import SIBLING_ACTIONS, ActionSpec, bindings_for
from tui.app.commands import ActionsProvider, Entry
from tui.app.screens.main import BREAKPOINTS
from tui.app.screens.score_entry import ScoreSource
from tui.app.screens.score_turns import score_turns
from tui.app.text.comparison_content import DIM, candidate_label, preview
from tui.app.text.difference import DifferencePalette, difference_legend, token_differences
from tui.app.widgets.answer_pane import AnswerPane, toggle_pane
from tui.app.widgets.chat_log import ChatLog
from tui.app.widgets.literal_cells import literal
from tui.core.compare.form import NO_SYSTEM, Candidate, CandidateKey, candidates, split_prompts
from tui.core.compare.plan import PromptSpec
from tui.core.errors import ConfigError, LogprobChatError, one_line
from tui.core.recovery import RecoveryProgress
from tui.core.safety import safe_line
from tui.core.score import ScoreUnsupported
from tui.core.score.export import write_score_exports
from tui.core.score.history import comparison_fields, result_fields
from tui.core.score.run import ScoreEntry, ScorePlan, ScoreRun
from tui.core.score.table import COLUMNS, columns_that_fit, score_rows, table_cells

if TYPE_CHECKING:
    from tui.app.app import LogprobChatApp

SCREEN_ACTIONS = frozenset({"toggle_pane", "toggle_heatmap", "focus_log", "focus_json"})
CHAT_ONLY = frozenset({"focus_input", "help", "score_answer"}) | SIBLING_ACTIONS


class ScoreCommands(ActionsProvider):
    """The score screen's own actions, then the chat log's (token cursor, copy…)."""

    def _entries(self) -> list[Entry]:
        screen = self.screen
        assert isinstance(screen, ScoreScreen)
        own: list[Entry] = [
            ("Score under these prompts (ctrl+s)", "Score the answer", screen.action_run),
            ("Export the scores (x)", "JSON and CSV into the exports folder", screen.action_export),
            ("Back (esc)", "Back to the form, or to the chat", screen.action_back),
        ]
        return [*own, *super()._entries()]


class ScoreScreen(Screen[None]):
    CSS_PATH: ClassVar[Any] = ["answer_layout.tcss", "score.tcss"]
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = BREAKPOINTS
    COMMANDS: ClassVar[set[Any]] = {ScoreCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s", "run", "Score", priority=True, tooltip="Score the answer", id="score.run"
        ),
        Binding("escape", "stop", "Stop", priority=True, tooltip="Stop scoring", id="score.stop"),
        Binding("escape", "back", "Back", tooltip="Back to the form, or the chat", id="score.back"),
        Binding("x", "export", "Export", tooltip="Write JSON and CSV files", id="score.export"),
        *bindings_for("screen", only=SCREEN_ACTIONS),
    ]

    def __init__(self, source: ScoreSource, *, prompts: list[PromptSpec] | None = None) -> None:
        super().__init__()
        self.source = source
        self.start_with = prompts
        self.baseline = source.baseline
        self.plan: ScorePlan | None = None
        self.entries: list[ScoreEntry] = []
        self.method: str | None = None
        self.running = False
        self.showing_results = False
        self.shown: int | None = None
        self.last_export: list[Path] = []
        self._candidates: list[Candidate] = []

    @property
    def chat_app(self) -> LogprobChatApp:
        return self.app  # type: ignore[return-value]

    @property
    def keymap(self) -> dict[str, str]:
        return getattr(self.app, "keymap", {})

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        answer = " ".join(safe_line(self.source.answer).split())
        yield Static(Content(f"Score {self.source.what} under…"), id="score-title", markup=False)
        with VerticalScroll(id="score-form"):
            yield Static(Content("Answer: " + answer), id="score-answer", markup=False)
            with Horizontal(id="score-sources"):
                with Vertical(classes="score-source"):
                    yield Label("Presets (space ticks)", classes="score-label")
                    yield SelectionList[CandidateKey](id="score-presets")
                with Vertical(classes="score-source"):
                    yield Label("Write prompts (--- between two)", classes="score-label")
                    yield TextArea(id="score-written", soft_wrap=True, tab_behavior="focus")
            yield Label("Scored in this order (Enter: make it the first)", classes="score-label")
            yield OptionList(id="score-order", markup=False)
            yield Static("", id="score-error", markup=False)
            yield Static(
                Content("ctrl+s scores · esc back · the first prompt is the one to beat"),
                id="score-hint",
                markup=False,
            )
        with Vertical(id="score-results"):
            yield Static("", id="score-status", markup=False)
            yield DataTable(id="score-table", cursor_type="row", zebra_stripes=True)
            with Horizontal(id="body"):
                with Vertical(id="chat-area"):
                    yield ChatLog(id="log")
                    yield Static("", id="score-legend", markup=False)
                yield AnswerPane(noun="Score", threshold=self.source.threshold, heat=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.chat = self.query_one(ChatLog)
        self.pane = self.query_one(AnswerPane)
        self.table = self.query_one("#score-table", DataTable)
        self._fill_presets()
        self._update_order()
        if not getattr(self.app, "cursor_blink", True):
            self.query_one(TextArea).cursor_blink = False
        self.watch(self.app, "theme", self._repaint, init=False)
        if self.start_with:
            self.start(self.start_with)
        else:
            self._show_view(results=False)
            self.query_one("#score-presets", SelectionList).focus()

    # ------------------------------------------------------------------ the form

    def _fill_presets(self) -> None:
        store = self.chat_app.presets
        options: list[Selection[CandidateKey]] = [
            Selection(Content("(no system prompt)"), NO_SYSTEM, self.baseline == NO_SYSTEM)
        ]
        for p in store.presets:
            key: CandidateKey = ("preset", p.name)
            label = Content.assemble(Content(safe_line(p.name)), ("  " + preview(p.prompt), DIM))
            options.append(Selection(label, key, self.baseline == key))
        presets = self.query_one("#score-presets", SelectionList)
        presets.add_options(options)
        presets.highlighted = 0
        if self.baseline[0] == "text":
            self.query_one("#score-written", TextArea).text = self.baseline[1]

    def _candidates_now(self) -> list[Candidate]:
        written = split_prompts(self.query_one("#score-written", TextArea).text)
        ticked = list(self.query_one("#score-presets", SelectionList).selected)
        return candidates(written, ticked, self.chat_app.presets, self.baseline)

    @on(SelectionList.SelectedChanged, "#score-presets")
    @on(TextArea.Changed, "#score-written")
    def _update_order(self) -> None:
        self._candidates = self._candidates_now()
        order = self.query_one("#score-order", OptionList)
        order.set_options(Option(candidate_label(i, c)) for i, c in enumerate(self._candidates))

    @on(OptionList.OptionSelected, "#score-order")
    def _make_first(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.baseline = self._candidates[event.option_index].key
        self._update_order()

    def _error(self, message: str) -> None:
        error = self.query_one("#score-error", Static)
        error.update(Content(safe_line(message)))
        error.display = bool(message)

    def _show_view(self, *, results: bool) -> None:
        self.showing_results = results
        self.query_one("#score-form").display = not results
        self.query_one("#score-results").display = results
        self.refresh_bindings()

    # ------------------------------------------------------------------ scoring

    def action_run(self) -> None:
        if self.running:
            return
        self._error("")
        self.start([c.spec for c in self._candidates_now()])

    def start(self, prompts: list[PromptSpec]) -> None:
        source = self.source
        try:
            plan = ScorePlan(
                tuple(prompts),
                source.question,
                source.answer,
                top_logprobs=source.top_logprobs,
                history=source.history,
                threshold=source.threshold,
                concurrency=source.concurrency,
            )
        except ConfigError as exc:
            self._show_view(results=False)
            self._error(str(exc))
            self.app.bell()
            return
        if self.chat_app.scorer() is None:
            self._show_view(results=False)
            self._error("the model is not ready yet: try again in a moment")
            return
        self.plan, self.entries, self.method, self.shown = plan, [], None, None
        self.running = True
        self._show_view(results=True)
        self.table.clear()
        self.chat.clear()
        self._status("scoring…")
        self.table.focus()
        self._score(plan)

    @work(exclusive=True, group="score", exit_on_error=False)
    async def _score(self, plan: ScorePlan) -> None:
        app = self.chat_app
        scorer = app.scorer()
        assert scorer is not None
        run = ScoreRun(scorer, plan)
        self.entries = run.entries
        record = None
        state = "done"
        try:
            self.method = await scorer.method()
            session = app.session
            fields = comparison_fields(
                plan, method=self.method, model=session.model, base_url=app.history_url()
            )
            fields["conversation_id"] = app.history.conversation_id
            record = app.history.record_comparison(fields)
            self._status(f"scoring under {len(plan.prompts)} prompts · {self.method}…")
            await run.run(on_entry=partial(self._entry_done, record), on_progress=self._progress)
        except asyncio.CancelledError:
            state = "stopped"
            raise
        except ScoreUnsupported as exc:
            state = str(exc)
        except LogprobChatError as exc:
            state = f"failed: {exc}"
        except Exception as exc:  # a bug must not take the app down: one line
            state = "failed: " + one_line(f"unexpected error ({type(exc).__name__}): {exc}")
        finally:
            if record is not None:
                record.finish("complete" if state == "done" else "stopped")
            self._ended(state)

    def _entry_done(self, record: Any, entry: ScoreEntry) -> None:
        record.result(result_fields(entry))
        self._fill_table()
        # Shown again when it is the one shown, or the first (every difference is to it).
        if self.shown is None or entry.index in (self.shown, 0):
            self.show_prompt(self.table.cursor_row if self.shown is not None else 0)

    def _progress(self, progress: RecoveryProgress) -> None:
        self._status(progress.message)

    def _ended(self, state: str) -> None:
        self.running = False
        if self.is_attached:
            done = sum(e.ok for e in self.entries)
            words = (
                f"{done} of {len(self.entries)} scored · {self.method}"
                if state == "done"
                else state
            )
            self._status(words + " · ↑↓ a prompt · F8 the answer · x export · esc back")
            self._fill_table()
            self.refresh_bindings()

    def action_stop(self) -> None:
        self.workers.cancel_group(self, "score")

    def _status(self, text: str) -> None:
        if self.is_attached:
            self.query_one("#score-status", Static).update(Content(safe_line(text)))

    # ------------------------------------------------------------------ the results

    def _fill_table(self) -> None:
        """The rows so far, with the columns that fit the table's width (the least wanted
        go first: :func:`~tui.core.score.table.columns_that_fit`), numbers right-aligned."""
        cursor = self.table.cursor_row
        cells = table_cells(score_rows(self.entries))
        for k, entry in enumerate(self.entries):
            if entry.status in ("pending", "running"):
                cells[k] = [cells[k][0], "…"] + [""] * (len(cells[k]) - 2)
        width = (self.table.size.width or self.size.width) - 2
        kept = columns_that_fit(COLUMNS, cells, width)
        self.table.clear(columns=True)
        for c in kept:
            # Widths given, not measured by the table as rows come: it measured them on its
            # next idle, and on a busy machine the heading row was drawn unpadded meanwhile.
            widest = max([cell_len(COLUMNS[c].heading), *(cell_len(row[c]) for row in cells)])
            self.table.add_column(COLUMNS[c].heading, key=COLUMNS[c].heading, width=widest)
        for row in cells:
            self.table.add_row(*(literal(row[c], right=COLUMNS[c].right) for c in kept))
        if self.entries:
            self.table.move_cursor(row=min(cursor, len(self.entries) - 1))

    def on_resize(self) -> None:
        if self.entries:
            self.call_after_refresh(self._fill_table)

    @on(DataTable.RowHighlighted, "#score-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row != self.shown:
            self.show_prompt(event.cursor_row)

    def show_prompt(self, index: int) -> None:
        """The answer under prompt ``index``, and its difference to the first prompt."""
        if self.plan is None or not 0 <= index < len(self.entries):
            return
        self.shown = index
        entry, first = self.entries[index], self.entries[0]
        turns = score_turns(self.plan, entry, first, model=self.chat_app.session.model or "")
        self.chat.clear()
        legend = self.query_one("#score-legend", Static)
        if not turns:
            why = safe_line(entry.error or entry.status)
            legend.update(Content(f"no score under «{safe_line(entry.label)}»: {why}"))
            return
        self.chat.show_turns(turns)
        self._colour()
        self.chat.select(0)

    def _colour(self) -> None:
        """The heatmap (if on) on the answer, the difference scale on the difference view."""
        legend = self.query_one("#score-legend", Static)
        index = self.shown
        if index is None or not self.chat.views:
            return
        entry, first = self.entries[index], self.entries[0]
        self.chat.set_heat(self.pane.heat)
        if index == 0 or len(self.chat.views) < 2 or entry.score is None or first.score is None:
            legend.update(
                Content(
                    f"«{safe_line(first.label)}» is the first prompt: ↓ another to see which "
                    "tokens it makes more or less likely"
                )
            )
            return
        deltas = token_differences(first.score.answer.tokens, entry.score.answer.tokens)
        palette = DifferencePalette.from_variables(self.app.get_css_variables(), deltas)
        self.chat.views[1].set_heat(palette)
        a, b = first.score.metrics.sum_logprob, entry.score.metrics.sum_logprob
        total = None if a is None or b is None else b - a
        legend.update(
            difference_legend(palette, safe_line(first.label), safe_line(entry.label), total)
        )

    def _repaint(self) -> None:
        self._colour()

    @on(ChatLog.AnswerSelected)
    def _answer_selected(self, message: ChatLog.AnswerSelected) -> None:
        self.pane.show(message.view)

    @on(AnswerPane.HeatChanged)
    def _heat_changed(self, message: AnswerPane.HeatChanged) -> None:
        self._colour()

    # ------------------------------------------------------------------ other actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pane":
            return self.pane.check_action(str(parameters[0]), ())
        if action == "stop":
            return self.running
        if action == "back":
            return not self.running
        if action == "run":
            return not self.running and not self.showing_results
        if action == "export":
            return self.showing_results and not self.running and any(e.ok for e in self.entries)
        return action not in CHAT_ONLY

    def offers(self, spec: ActionSpec) -> bool:
        if spec.where == "log":
            return spec.action not in CHAT_ONLY
        return spec.where == "screen" and spec.action in SCREEN_ACTIONS

    def run_spec(self, spec: ActionSpec) -> None:
        target = {"chat": self.chat, "pane": self.pane}.get(spec.owner, self)
        self.call_later(partial(target.run_action, spec.action))

    async def action_pane(self, action: str) -> None:
        await self.pane.run_action(action)

    def action_leave(self) -> None:
        """Esc in the chat log: leave the token cursor, else go back."""
        if not self.pane.leave_cursor():
            self.action_back()

    def action_back(self) -> None:
        if self.showing_results:
            self._show_view(results=False)
            self.query_one("#score-presets", SelectionList).focus()
        else:
            self.dismiss(None)

    def action_focus_log(self) -> None:
        self.chat.focus()

    def action_focus_json(self) -> None:
        self.pane.focus_json()

    def action_toggle_pane(self) -> None:
        toggle_pane(self, self.chat, self.pane)

    def action_export(self) -> None:
        if self.plan is None or not self.entries:
            return
        app = self.chat_app
        self._export(self.plan, list(self.entries), app.data_dir / "exports", app.history_url())

    @work(thread=True, group="score-export", exit_on_error=False)
    def _export(
        self, plan: ScorePlan, entries: list[ScoreEntry], directory: Path, url: str | None
    ) -> None:
        model = self.chat_app.session.model
        try:
            paths = write_score_exports(
                plan,
                entries,
                directory,
                datetime.now(),
                method=self.method,
                model=model,
                base_url=url,
            )
        except OSError as exc:
            self.app.call_from_thread(
                self.notify,
                f"could not export: {exc.strerror or exc}",
                markup=False,
                severity="error",
            )
            return
        self.app.call_from_thread(self._exported, paths)

    def _exported(self, paths: list[Path]) -> None:
        self.last_export = paths
        names = ", ".join(p.name for p in paths[1:])
        self.notify(f"exported the scores to {paths[0]} (and {names})", markup=False, timeout=10)
