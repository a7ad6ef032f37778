"""The settings modal: model and sampling for the next request.

Keys: Enter (in any field, or on the model list) or ``ctrl+s`` applies, ``esc`` cancels,
Tab moves between fields. Each field shows its own one-line message as it is typed; applying
with a bad field shows the messages and keeps the modal open. A valid but surprising value
(top_logprobs 0: no alternatives, and on llama.cpp 1 asked instead) gets a warning under its
field, from the moment it is typed (or when the modal opens with it), never blocking.

The screen opens at once (keys typed right after F3 land in it) with the model list known so
far; the server's own list is asked meanwhile and shown when it comes (:meth:`show_models`):
as the list, or, when the server gives none, as a field where any name can be typed.

Model names come from the server: shown through ``safe_line`` with markup off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.core.safety import safe_line
from tui.core.sampling_form import (
    SAMPLING_FIELDS,
    field_warning,
    format_sampling_field,
    parse_sampling_form,
)
from tui.core.settings import MAX_TOP_LOGPROBS, Sampling


@dataclass(frozen=True)
class SettingsChoice:
    """The model and sampling to use from the next request on."""

    model: str
    sampling: Sampling


LOADING = "asking the server for its models…"

_LABELS = {
    "temperature": ("Temperature", "0 to 2"),
    "top_logprobs": ("Top logprobs", f"alternatives per token, 0 to {MAX_TOP_LOGPROBS}"),
    "max_tokens": ("Max tokens", "at least 1"),
    "seed": ("Seed", "blank = none"),
    "repeat_penalty": ("Repeat penalty", "llama.cpp, 1 to 2; blank = none"),
}


def model_options(models: list[str], current: str) -> list[str]:
    """The names to offer: the server's list, with the current model first if it is missing
    (so applying other changes never silently switches the model), without duplicates."""
    names = list(dict.fromkeys(models))
    if current and current not in names:
        names.insert(0, current)
    return names


class SettingsScreen(ModalScreen[SettingsChoice | None]):
    """Dismisses with a :class:`SettingsChoice` (apply) or None (cancel)."""

    CSS_PATH = "settings.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "apply", "Apply", priority=True, id="settings.apply"),
        Binding("escape", "cancel", "Cancel", id="settings.cancel"),
    ]

    AUTO_FOCUS = "#settings-model"

    def __init__(
        self, models: list[str] | None, current_model: str, sampling: Sampling, note: str = ""
    ) -> None:
        """``models`` None: the server's list is still being asked (:meth:`show_models`);
        ``note``: a line under the fields (the built-in model's demo defaults)."""
        super().__init__()
        self.note = note
        # No list from the server means a text field (with the current name), not a
        # one-entry list that would leave no way to name another model.
        self.awaiting_models = models is None
        self.models = model_options(models or [], current_model)
        if not models and not self.awaiting_models:
            self.models = []
        self.current_model = current_model
        self.sampling = sampling

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="settings-dialog") as dialog:
            dialog.border_title = "Settings (next request)"
            dialog.border_subtitle = "Enter or ctrl+s applies · Esc cancels · Tab next field"
            with Horizontal(classes="settings-row", id="settings-model-row"):
                yield Label("Model", classes="settings-label")
                yield self._model_widget()
            yield Static(
                LOADING if self.awaiting_models else "",
                markup=False,
                id="settings-model-note",
                classes="settings-note",
            )
            yield Static("", markup=False, id="settings-model-error", classes="settings-error")
            for name in SAMPLING_FIELDS:
                label, hint = _LABELS[name]
                with Horizontal(classes="settings-row"):
                    yield Label(label, classes="settings-label")
                    yield Input(
                        format_sampling_field(name, self.sampling),
                        compact=True,
                        id=f"settings-{name}",
                        classes="settings-input",
                    )
                    yield Label(hint, classes="settings-hint")
                yield Static(
                    "", markup=False, id=f"settings-{name}-error", classes="settings-error"
                )
                yield Static(
                    "", markup=False, id=f"settings-{name}-warning", classes="settings-warning"
                )
            if self.note:
                yield Static(self.note, markup=False, id="settings-note")
        yield Footer()

    def _model_widget(self) -> OptionList | Input:
        if self.models:
            options = OptionList(
                *(Option(Content(safe_line(name))) for name in self.models),
                markup=False,
                id="settings-model",
            )
            if self.current_model in self.models:
                options.highlighted = self.models.index(self.current_model)
            return options
        return Input(
            safe_line(self.current_model),
            placeholder="model name (the server lists none)",
            compact=True,
            id="settings-model",
        )

    def on_mount(self) -> None:
        for error in self.query(".settings-error"):
            error.display = False
        for name in SAMPLING_FIELDS:
            self._show_warning(name)
        self.query_one("#settings-model-note").display = self.awaiting_models

    async def show_models(self, models: list[str]) -> None:
        """The server's list came (empty: it gave none): show it, with the current model
        highlighted (the only one offered meanwhile) and the focus where it was."""
        if not self.awaiting_models or not self.is_attached:
            return
        self.awaiting_models = False
        self.query_one("#settings-model-note").display = False
        old = self.query_one("#settings-model")
        had_focus = old.has_focus
        self.models = model_options(models, self.current_model) if models else []
        new = self._model_widget()
        await old.remove()
        await self.query_one("#settings-model-row").mount(new)
        if had_focus:
            self.set_focus(new)

    # ------------------------------------------------------------------ reading the form

    def _text(self, name: str) -> str:
        return self.query_one(f"#settings-{name}", Input).value

    def chosen_model(self) -> str:
        model = self.query_one("#settings-model")
        if isinstance(model, OptionList):
            index = model.highlighted
            return self.models[index] if index is not None else self.current_model
        assert isinstance(model, Input)
        typed = model.value.strip()
        # The field shows a safe form of the current name; unchanged means the current one.
        return self.current_model if typed == safe_line(self.current_model) else typed

    def _show_errors(self, errors: dict[str, str]) -> None:
        for name in ("model", *SAMPLING_FIELDS):
            error = self.query_one(f"#settings-{name}-error", Static)
            message = errors.get(name, "")
            error.update(message)
            error.display = bool(message)

    def read_form(self) -> SettingsChoice | None:
        """The choice if every field is valid; otherwise show each field's message."""
        form = parse_sampling_form(*(self._text(name) for name in SAMPLING_FIELDS))
        errors = dict(form.errors)
        model = self.chosen_model()
        if not model:
            errors["model"] = "type the model name the server expects"
        self._show_errors(errors)
        if errors or form.sampling is None:
            return None
        return SettingsChoice(model, form.sampling)

    # ------------------------------------------------------------------ events and actions

    @on(Input.Changed, ".settings-input")
    def _changed(self, event: Input.Changed) -> None:
        # Live feedback for the field being typed in only: the others keep what they showed.
        name = (event.input.id or "").removeprefix("settings-")
        form = parse_sampling_form(*(self._text(n) for n in SAMPLING_FIELDS))
        error = self.query_one(f"#settings-{name}-error", Static)
        message = form.errors.get(name, "")
        error.update(message)
        error.display = bool(message)
        self._show_warning(name)

    def _show_warning(self, name: str) -> None:
        warning = self.query_one(f"#settings-{name}-warning", Static)
        message = field_warning(name, self._text(name)) or ""
        warning.update("⚠ " + message if message else "")
        warning.display = bool(message)

    def warnings(self) -> dict[str, str]:
        """The warnings shown under the fields now (for tests)."""
        return {
            name: str(self.query_one(f"#settings-{name}-warning", Static).render())
            for name in SAMPLING_FIELDS
            if self.query_one(f"#settings-{name}-warning", Static).display
        }

    @on(Input.Submitted)
    @on(OptionList.OptionSelected)
    def _submitted(self, event: Input.Submitted | OptionList.OptionSelected) -> None:
        event.stop()
        self.action_apply()

    def action_apply(self) -> None:
        choice = self.read_form()
        if choice is not None:
            self.dismiss(choice)
        else:
            self.app.bell()

    def action_cancel(self) -> None:
        self.dismiss(None)
