"""The compare screen: the same question under several system prompts, N samples each, and
whether the difference in the model's confidence is larger than run-to-run noise.

Two views on one screen:

* **the form**: the question (or a question file: :mod:`~tui.app.screens.question_set`);
  presets to tick (space), prompts to write (``---`` between two); the list in order, where
  Enter makes a prompt the baseline; samples, temperature, seed, max_tokens, concurrency.
  ``ctrl+s`` runs. Each bad field shows its own one-line message.
* **the results**: progress, a live table (best value of each column marked ``*`` and bold), the
  distribution of each prompt's samples on a shared scale, the differences from the first prompt
  with their verdicts and the notes (the words of ``logprob-chat compare``), and the samples of
  the highlighted prompt; Enter on a sample opens it with its heatmap and token inspector.
  ``x`` exports everything (JSON and CSV). Esc stops a run, then goes back to the form.

The form is remembered between openings (:class:`CompareDraft`: question, written prompts,
ticked presets, baseline, samples), so F12 opens as it was left; a question typed in the
chat's input bar meanwhile takes the question's place. When a run ends the focus is on the
samples of the highlighted prompt, so Enter opens sample #1.

The results view is :class:`~tui.app.widgets.compare_results.CompareResults`; this screen owns
the form, the run and the export. The run is an async worker over
:class:`~tui.core.compare.Comparison`; finished samples mark the view dirty and a timer
repaints it at most :data:`REFRESH_HZ` times a second, so a fast server costs one aggregate per
repaint, not one per sample. Cancelling the worker cancels every request (the engine guarantees
it) and keeps what finished.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import (
    Footer,
    Input,
    OptionList,
    SelectionList,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from tui.app.screens.compare_commands import HELP_ROWS, CompareCommands
from tui.app.screens.compare_export import run_export
from tui.app.screens.compare_form import NUMBER_FIELDS, CompareDraft, compose_form
from tui.app.screens.set_entry import KeptComparison, start_set
from tui.app.text.comparison_content import DIM, candidate_label, preview
from tui.app.widgets.compare_mode import CompareMode
from tui.app.widgets.compare_results import CompareResults
from tui.app.widgets.question_source import QuestionSource
from tui.app.widgets.recall_keys import recall_key
from tui.core.backend import resolve_model
from tui.core.compare import DEFAULT_SAMPLES, ComparePlan, CompareResult, Comparison, Sample
from tui.core.compare.export import write_exports
from tui.core.compare.form import (
    NO_SYSTEM,
    Candidate,
    CandidateKey,
    CompareForm,
    candidates,
    key_for,
    parse_compare_form,
    split_prompts,
)
from tui.core.errors import LogprobChatError, one_line
from tui.core.safety import safe_line
from tui.core.sampling_form import field_warning, format_sampling_field
from tui.core.settings import Sampling

if TYPE_CHECKING:
    from tui.app.app import LogprobChatApp

REFRESH_HZ = 10
"""Repaints of the results per second while samples arrive."""


class CompareScreen(Screen[None]):
    """Opened from the chat with its question, prompt and sampling (see
    :meth:`~tui.app.screens.chat_dialogs.ChatDialogs.compare`)."""

    CSS_PATH = "compare.tcss"
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [
        (0, "-narrow"),
        (120, "-wide"),
    ]
    COMMANDS: ClassVar[set[Any]] = {CompareCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s", "run", "Run", priority=True, tooltip="Run the comparison", id="compare.run"
        ),
        Binding(
            "escape",
            "stop",
            "Stop",
            priority=True,
            tooltip="Stop the comparison",
            id="compare.stop",
        ),
        Binding("escape", "edit", "Edit", tooltip="Back to the form", id="compare.edit"),
        Binding("escape", "close", "Close", tooltip="Back to the chat", id="compare.close"),
        Binding("x", "export", "Export", tooltip="Write JSON and CSV files", id="compare.export"),
        Binding("f1", "help", "Help", tooltip="Every key of this screen", id="compare.help"),
    ]

    def __init__(
        self,
        *,
        question: str,
        system_prompt: str,
        preset: str | None,
        sampling: Sampling,
        concurrency: int,
        answer: str = "",
        draft: CompareDraft | None = None,
    ) -> None:
        """``draft``: the form as the last opening left it (its question gives way to a
        ``question`` typed in the chat's input since)."""
        super().__init__()
        self.question = question
        self.answer = answer  # the chat's selected answer, for the "score" mode
        self.sampling = sampling
        self.concurrency = concurrency
        self.baseline: CandidateKey = key_for(preset, system_prompt)
        self.current_prompt = system_prompt.strip() if not preset else ""
        self.draft = draft
        if draft is not None:
            self.baseline = draft.baseline
            self.current_prompt = draft.written
        self.comparison: Comparison | None = None
        self.kept: KeptComparison | None = None
        self.plan: ComparePlan | None = None
        self.result: CompareResult | None = None
        self.running = False
        self.showing_results = False
        self.state = ""
        self.last_export: list[Path] = []
        self._candidates: list[Candidate] = []
        self._dirty = False
        self._backend_name = ""

    @property
    def chat_app(self) -> LogprobChatApp:
        return self.app  # type: ignore[return-value]

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        initial = {name: self._initial(name) for name in NUMBER_FIELDS}
        yield from compose_form(
            self.question, self.answer, self.current_prompt, initial, self.chat_app.data_dir
        )
        yield CompareResults(id="compare-results")
        yield Footer(compact=True)

    def on_key(self, event: events.Key) -> None:
        """↑ in the empty question: earlier questions; in the empty prompts box: earlier
        system prompts (as in the chat's input and in F2)."""
        focused = self.focused
        if isinstance(focused, TextArea) and focused.id == "compare-question":
            recall_key(focused, self.chat_app.question_recall, event)
        elif isinstance(focused, TextArea) and focused.id == "compare-written":
            recall_key(focused, self.chat_app.prompt_recall, event)

    def _initial(self, name: str) -> str:
        if name == "samples":
            return self.draft.samples if self.draft is not None else str(DEFAULT_SAMPLES)
        if name == "concurrency":
            return str(self.concurrency)
        return format_sampling_field(name, self.sampling)

    def on_mount(self) -> None:
        self._show_view(results=False)
        for error in self.query(".compare-error"):
            error.display = False
        self._fill_presets()
        self._update_order()
        self._show_top_warning()
        self.results = self.query_one(CompareResults)
        if not self.chat_app.cursor_blink:
            for area in self.query(TextArea):
                area.cursor_blink = False
            for field in self.query(Input):
                field.cursor_blink = False
        self._ticker = self.set_interval(1 / REFRESH_HZ, self._tick, pause=True)
        self.query_one("#compare-question", TextArea).focus()

    # ------------------------------------------------------------------ the form

    def _fill_presets(self) -> None:
        store = self.chat_app.presets
        ticked = set(self.draft.ticked) if self.draft is not None else {self.baseline}
        options: list[Selection[CandidateKey]] = [
            Selection(Content("(no system prompt)"), NO_SYSTEM, NO_SYSTEM in ticked)
        ]
        for preset in store.presets:
            key: CandidateKey = ("preset", preset.name)
            label = Content.assemble(
                Content(safe_line(preset.name)), ("  " + preview(preset.prompt), DIM)
            )
            options.append(Selection(label, key, key in ticked))
        presets = self.query_one("#compare-presets", SelectionList)
        presets.add_options(options)
        presets.highlighted = 0  # so the first Space ticks a row instead of doing nothing
        if store.problem:
            self._show_error("prompts", store.problem)

    def _candidates_now(self) -> list[Candidate]:
        written = split_prompts(self.query_one("#compare-written", TextArea).text)
        ticked = list(self.query_one("#compare-presets", SelectionList).selected)
        return candidates(written, ticked, self.chat_app.presets, self.baseline)

    def _update_order(self) -> None:
        self._candidates = self._candidates_now()
        order = self.query_one("#compare-order", OptionList)
        highlighted = order.highlighted
        order.set_options(Option(candidate_label(i, c)) for i, c in enumerate(self._candidates))
        if self._candidates:
            order.highlighted = min(highlighted or 0, len(self._candidates) - 1)

    @on(SelectionList.SelectedChanged, "#compare-presets")
    @on(TextArea.Changed, "#compare-written")
    def _sources_changed(self) -> None:
        self._update_order()
        if self._candidates:
            self._show_error("prompts", "")

    @on(OptionList.OptionSelected, "#compare-order")
    def _make_baseline(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.baseline = self._candidates[event.option_index].key
        self._update_order()
        self.query_one("#compare-order", OptionList).highlighted = 0

    @on(Input.Changed, ".compare-input")
    def _field_changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("compare-")
        self._show_error(name, self._read_form().errors.get(name, ""))
        if name == "top_logprobs":
            self._show_top_warning()

    def _show_top_warning(self) -> None:
        """top_logprobs 0 is valid but surprising (no alternatives; 1 asked on llama.cpp)."""
        text = self.query_one("#compare-top_logprobs", Input).value
        message = field_warning("top_logprobs", text) or ""
        warning = self.query_one("#compare-top-warning", Static)
        warning.update(Content("⚠ " + message if message else ""))
        warning.display = bool(message)

    @on(Input.Submitted, ".compare-input")
    def _field_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_run()

    def _read_form(self) -> CompareForm:
        def text(name: str) -> str:
            return self.query_one(f"#compare-{name}", Input).value

        return parse_compare_form(
            prompts=[c.spec for c in self._candidates_now()],
            question=self.query_one("#compare-question", TextArea).text,
            samples=text("samples"),
            temperature=text("temperature"),
            seed=text("seed"),
            max_tokens=text("max_tokens"),
            concurrency=text("concurrency"),
            top_logprobs=text("top_logprobs"),
            repeat_penalty=self.sampling.repeat_penalty,
        )

    def _show_error(self, name: str, message: str) -> None:
        error = self.query_one(f"#compare-{name}-error", Static)
        error.update(Content(safe_line(message)))
        error.display = bool(message)

    def form_errors(self) -> dict[str, str]:
        """The one-line messages shown under the form's fields (for tests and the palette)."""
        out = {}
        for error in self.query(".compare-error"):
            if error.display:
                out[(error.id or "").removeprefix("compare-").removesuffix("-error")] = str(
                    error.render()
                )
        return out

    # ------------------------------------------------------------------ running

    @on(CompareMode.Changed)
    def _mode_changed(self, message: CompareMode.Changed) -> None:
        for fields in self.query(".compare-fields"):
            fields.display = not message.scoring  # scoring has no samples or sampling

    def action_run(self) -> None:
        if self.running:
            self.notify("A comparison is running: Esc stops it.", markup=False)
            return
        if path := self.query_one(QuestionSource).path:  # a question set: its own screen
            return start_set(self, path)
        if self.query_one(CompareMode).scoring:
            from tui.app.screens.score_entry import score_from_compare

            return score_from_compare(self, self.query_one(CompareMode).answer)
        form = self._read_form()
        for name in ("prompts", "question", *NUMBER_FIELDS):
            self._show_error(name, form.errors.get(name, ""))
        session = self.chat_app.session
        problem = ""
        if form.plan is not None and session.client is None:
            problem = (
                f"no model is available: {session.backend_error}"
                if session.backend_error
                else "the model is not ready yet: try again in a moment"
            )
        self._show_error("run", problem)
        if form.plan is None or problem:
            if self.showing_results:
                self.action_edit()  # run again from the results: show what is wrong
            self.app.bell()
            return
        self.start(form.plan)

    def start(self, plan: ComparePlan) -> None:
        """Show the results view for ``plan`` and send its requests."""
        self._keep_draft()
        self.plan = plan
        self.comparison = None
        self.result = None
        self.running = True
        self.state = "starting"
        session = self.chat_app.session
        backend = session.backend
        self._backend_name = (backend.display_name if backend else "") or session.model or ""
        self.results.reset(plan)
        self._show_view(results=True)
        self.results.table.focus()
        self._show_results()
        self._run(plan)

    @work(exclusive=True, group="compare", exit_on_error=False)
    async def _run(self, plan: ComparePlan) -> None:
        session = self.chat_app.session
        state = "finished"
        try:
            client = session.client
            if client is None or session.backend is None:
                raise LogprobChatError("the connection to the model was closed")
            if session.model is None:
                session.model = await resolve_model(session.backend, client)
            comparison = Comparison(client, plan, session.model)
            self.comparison, self.kept = comparison, KeptComparison(self.app, plan, session.model)
            self.state = "running"
            self._dirty = True
            self._ticker.resume()
            await comparison.run(on_sample=self._sample_done)
        except asyncio.CancelledError:
            state = "stopped"
            raise
        except LogprobChatError as exc:
            state = f"failed: {exc}"
        except Exception as exc:  # a bug must not take the app down: say it in one line
            state = "failed: " + one_line(f"unexpected error ({type(exc).__name__}): {exc}")
        finally:
            self._ended(state)

    def _sample_done(self, sample: Sample) -> None:
        self._dirty = True
        if self.kept is not None:  # in the history as a set of one question (F6 reopens it)
            self.kept.save(sample)

    def _tick(self) -> None:
        if self._dirty:
            self._dirty = False
            self._show_results()

    def _ended(self, state: str) -> None:
        self.running = False
        self.state = state
        if self.kept is not None and self.comparison is not None:
            self.kept.finish(self.comparison.result().complete)
        self._ticker.pause()
        if self.is_attached:
            self._show_results()
            # Once more after the next layout: a run that ended before the results view was
            # first laid out drew its histograms and sample lines for a guessed width.
            self.call_after_refresh(self._show_results)
            self.refresh_bindings()
            if self.showing_results and self.focused in (None, self.results.table):
                # Enter now opens the highlighted prompt's sample #1 (Tab: back to the table).
                self.set_focus(self.query_one("#compare-sample-list"))

    def action_stop(self) -> None:
        self.workers.cancel_group(self, "compare")

    # ------------------------------------------------------------------ showing results

    def _show_results(self) -> None:
        if self.plan is None:
            return
        state = self.state + (" (Esc stops)" if self.running else "")
        self.result = self.results.show(self.comparison, state, self._backend_name)

    def action_open_sample(self) -> None:
        self.results.open_highlighted()

    # ------------------------------------------------------------------ other actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        in_results = self.showing_results
        if action == "stop":
            return self.running
        if action == "edit":
            return bool(in_results) and not self.running
        if action == "close":
            return not in_results and not self.running
        if action == "export":
            return bool(in_results) and self.result is not None and not self.running
        if action == "open_sample":
            return bool(in_results)
        if action == "run":
            return not self.running
        return True

    def run_palette_action(self, action: str) -> None:
        self.call_later(self.run_action, action)

    def action_edit(self) -> None:
        self._show_view(results=False)
        self.query_one("#compare-question", TextArea).focus()

    def _show_view(self, *, results: bool) -> None:
        """The form or the results (never both: each needs the whole height at 80×24)."""
        self.showing_results = results
        self.query_one("#compare-form").display = not results
        self.query_one("#compare-results").display = results
        self.refresh_bindings()

    def action_close(self) -> None:
        self._keep_draft()
        self.dismiss(None)

    def _keep_draft(self) -> None:
        """Remember the form for the next opening (``app.compare_draft``)."""
        self.chat_app.compare_draft = CompareDraft(
            question=self.query_one("#compare-question", TextArea).text,
            written=self.query_one("#compare-written", TextArea).text,
            ticked=tuple(self.query_one("#compare-presets", SelectionList).selected),
            baseline=self.baseline,
            samples=self.query_one("#compare-samples", Input).value,
        )

    def action_help(self) -> None:
        self.app.push_screen(self.chat_app.modals.help(list(HELP_ROWS)))

    def action_export(self) -> None:
        if self.result is None:
            self.notify("Nothing to export yet.", markup=False)
            return
        session = self.chat_app.session
        extra = {
            "base_url": session.backend.connection.safe_url if session.backend else None,
            "backend": self._backend_name,
        }
        self._export(self.result, self.chat_app.data_dir / "exports", extra)

    def _export(self, result: CompareResult, directory: Path, extra: dict[str, Any]) -> None:
        write = partial(write_exports, result, directory, datetime.now(), extra)
        run_export(self, write, "the comparison")

    def _exported(self, paths: list[Path]) -> None:
        self.last_export = paths
        names = ", ".join(p.name for p in paths[1:])
        # Kept in the messages (ctrl+l) with its path, as every export is.
        self.chat_app.exported(paths[0], f"exported the comparison to {paths[0]} (and {names})", 10)
