"""The compare screen's help rows and command-palette entries."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from tui.app.commands import EntriesProvider, Entry

if TYPE_CHECKING:
    from tui.app.screens.compare import CompareScreen

HELP_ROWS: tuple[tuple[str, str, str], ...] = (
    ("ctrl+s", "Run the comparison (from the form, or again from the results)", "Compare"),
    ("esc", "Stop a running comparison (what finished is kept)", "Compare"),
    ("esc", "From the results: back to the form; from the form: back to the chat", "Compare"),
    ("tab / shift+tab", "Move between the parts of the screen", "Compare"),
    ("space", "Tick or untick a preset", "Form"),
    ("enter", "On the list of prompts: make that prompt the baseline", "Form"),
    (
        "→",
        "In the question-file field: take the completed path (ctrl+s then runs the set)",
        "Form",
    ),
    ("s / r", "On a question set: sort the questions by the next order / reverse", "Set"),
    ("c / x", "On a question set: carry a stopped set on / export it", "Set"),
    ("↑ / ↓", "Move in the table; the samples of the highlighted prompt show beside it", "Results"),
    (
        "enter",
        "On the table: go to its samples; on a sample: open it (heatmap, inspector)",
        "Results",
    ),
    (
        "x",
        "Export the table and every sample (JSON, CSV) to the data directory's exports/",
        "Results",
    ),
    ("ctrl+p", "Command palette", "Compare"),
)
"""The help screen's rows: (key, what it does, group)."""

PALETTE: tuple[tuple[str, str, str], ...] = (
    ("help", "Help: keys of the compare screen (f1)", "Every key of this screen"),
    ("run", "Run the comparison (ctrl+s)", "Send every prompt × sample request"),
    ("stop", "Stop the comparison (esc)", "Cancel the requests still running; keep the rest"),
    ("export", "Export the comparison: JSON and CSV (x)", "Write the table and every sample"),
    ("edit", "Edit the comparison (esc)", "Back to the form: prompts, question, samples"),
    ("open_sample", "Open the highlighted sample (enter)", "Its heatmap and token inspector"),
    ("close", "Close the compare screen (esc)", "Back to the chat"),
)
"""(action, title with its key, help): offered when the screen's ``check_action`` allows."""


class CompareCommands(EntriesProvider):
    """The compare screen's actions in the command palette (only those that apply now)."""

    def _entries(self) -> list[Entry]:
        screen = cast("CompareScreen", self.screen)
        entries = []
        for action, title, help_text in PALETTE:
            if screen.check_action(action, ()):
                entries.append((title, help_text, partial(screen.run_palette_action, action)))
        return entries
