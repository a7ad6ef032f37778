"""The results half of the compare screen: heading and progress, the live table, the report
(distribution, differences, notes) and the samples of the highlighted prompt.

It shows whatever :class:`~tui.core.compare.Comparison` it is given (:meth:`show` aggregates
the samples finished so far), so the screen that runs the comparison only says when to repaint.
Moving in the table lists that prompt's samples; Enter on the table goes to them; Enter on a
sample posts :class:`~tui.app.messages.SampleChosen`, and the app opens it on the sample
screen.

DataTable cells are ``rich.text.Text`` (a ``str`` cell would be parsed as markup), everything
else ``Content``; every piece of model or user text went through ``safe_line``.
"""

from __future__ import annotations

from rich.style import Style as RichStyle
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.color import Color, ColorParseError
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from tui.app.messages import SampleChosen
from tui.app.text.comparison import (
    LABEL_CELLS,
    NARROW_LABEL_CELLS,
    RIGHT_ALIGNED,
    TABLE_COLUMNS,
    progress_text,
    sample_line,
    table_rows,
)
from tui.app.text.comparison_content import report_content
from tui.core.compare import ComparePlan, CompareResult, Comparison, Sample
from tui.core.compare.cells import fit_cells
from tui.core.compare.format import run_heading
from tui.core.conversation import Turn
from tui.core.safety import safe_line

HISTOGRAM_CELLS = (10, 40)
"""Narrowest and widest histogram of the distribution, in cells."""


class CompareResults(Vertical):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.plan: ComparePlan | None = None
        self.comparison: Comparison | None = None
        self.result: CompareResult | None = None
        self.shown_prompt = 0

    def compose(self) -> ComposeResult:
        yield Static("", markup=False, id="compare-heading")
        yield Static("", markup=False, id="compare-progress")
        yield DataTable(id="compare-table", cursor_type="row", zebra_stripes=False)
        with Horizontal(id="compare-lower"):
            with VerticalScroll(id="compare-report-box"):
                yield Static("", markup=False, id="compare-report")
            with Vertical(id="compare-samples-box"):
                yield Static("", markup=False, id="compare-samples-title")
                yield OptionList(id="compare-sample-list", markup=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, heading, _ in TABLE_COLUMNS:
            justify = "right" if key in RIGHT_ALIGNED else "left"
            table.add_column(Text(heading, justify=justify), key=key)

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one(DataTable)

    def reset(self, plan: ComparePlan) -> None:
        """An empty row per prompt of ``plan``, nothing else yet."""
        self.plan = plan
        self.comparison = None
        self.result = None
        self.shown_prompt = 0
        table = self.table
        table.clear()
        for k in range(len(plan.prompts)):
            table.add_row(*([Text("")] * len(TABLE_COLUMNS)), key=str(k))

    def show(
        self, comparison: Comparison | None, state: str, backend_name: str
    ) -> CompareResult | None:
        """Repaint from what ``comparison`` has finished (``state``: running, finished…)."""
        plan = self.plan
        if plan is None:
            return None
        self.comparison = comparison
        heading = self.query_one("#compare-heading", Static)
        progress = self.query_one("#compare-progress", Static)
        if comparison is None:
            heading.update(Content(f"Question: {safe_line(plan.message)}"))
            progress.update(Content(f"0/{plan.total} done · {safe_line(state)}"))
            return None
        result = self.result = comparison.result()
        question = fit_cells(" ".join(safe_line(plan.message).split()), 200)
        name = backend_name or result.model
        heading.update(Content(f"{run_heading(result, name)}\nQuestion: {question}"))
        progress.update(Content(progress_text(result, safe_line(state))))
        self._fill_table(result)
        report = report_content(result, self._histogram_width())
        self.query_one("#compare-report", Static).update(report)
        self._fill_samples()
        return result

    def _fill_table(self, result: CompareResult) -> None:
        table = self.table
        labels = NARROW_LABEL_CELLS if self.screen.has_class("-narrow") else LABEL_CELLS
        best_style = self._best_style()
        for k, row in enumerate(table_rows(result, labels)):
            for (key, _, _), cell in zip(TABLE_COLUMNS, row, strict=True):
                text = Text(
                    cell.text,
                    style=best_style if cell.best else "",
                    justify="right" if key in RIGHT_ALIGNED else "left",
                )
                table.update_cell(str(k), key, text, update_width=True)

    def _best_style(self) -> RichStyle:
        """Bold, in the theme's success colour (read each time: the theme can change; ANSI
        themes name colours such as ``ansi_green``, which only Textual parses)."""
        try:
            colour = Color.parse(self.app.get_css_variables().get("text-success", "")).rich_color
        except ColorParseError:
            colour = None
        return RichStyle(bold=True, color=colour)

    def _histogram_width(self) -> int:
        width = self.query_one("#compare-report-box").content_region.width or 60
        low, high = HISTOGRAM_CELLS
        return max(low, min(high, width - 2 * LABEL_CELLS - 6))

    # ------------------------------------------------------------------ samples

    @on(DataTable.RowHighlighted, "#compare-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.shown_prompt = event.cursor_row
        self._fill_samples()

    @on(DataTable.RowSelected, "#compare-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.query_one("#compare-sample-list", OptionList).focus()

    def samples_shown(self) -> list[Sample]:
        """The samples of the highlighted prompt, in order."""
        if self.comparison is None or self.plan is None:
            return []
        k = min(self.shown_prompt, len(self.plan.prompts) - 1)
        return [self.comparison.sample(k, i) for i in range(self.plan.samples)]

    def _fill_samples(self) -> None:
        plan = self.plan
        if plan is None:
            return
        k = min(self.shown_prompt, len(plan.prompts) - 1)
        title = f"Samples of {k + 1}. {safe_line(plan.prompts[k].label)} (Enter opens one)"
        self.query_one("#compare-samples-title", Static).update(Content(title))
        box = self.query_one("#compare-sample-list", OptionList)
        width = max(20, (box.content_region.width or 60) - 36)
        highlighted = box.highlighted
        box.set_options(Option(Content(sample_line(s, width))) for s in self.samples_shown())
        if box.option_count:
            box.highlighted = min(highlighted or 0, box.option_count - 1)

    @on(OptionList.OptionSelected, "#compare-sample-list")
    def _sample_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.open_sample(event.option_index)

    def open_highlighted(self) -> None:
        index = self.query_one("#compare-sample-list", OptionList).highlighted
        self.open_sample(index or 0)

    def open_sample(self, index: int) -> None:
        """Open sample ``index`` of the highlighted prompt on its own screen."""
        samples = self.samples_shown()
        plan = self.plan
        if not samples or plan is None or not 0 <= index < len(samples):
            return
        sample = samples[index]
        if sample.answer is None:
            message = f"Sample #{sample.number} has no answer yet ({sample.status})."
            self.notify(message, markup=False)
            return
        prompt = plan.prompts[sample.prompt_index]
        turn = Turn(
            question=plan.message,
            system_prompt=prompt.system,
            preset=prompt.preset,
            sampling=plan.sampling_for(sample.index),
            model=self.comparison.model if self.comparison else "",
            answer=sample.answer,
        )
        title = (
            f"{sample.prompt_index + 1}. {safe_line(prompt.label)} · sample #{sample.number} "
            f"of {plan.samples} · {sample.status} · Esc: back to the comparison"
        )
        self.post_message(SampleChosen(turn, sample.number, title))
