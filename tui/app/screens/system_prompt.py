"""The system-prompt modal: edit the prompt, pick / save / delete named presets, apply.

Keys (all in the footer): ``ctrl+s`` apply, ``esc`` cancel, ``ctrl+n`` save the editor text
as a preset (focuses the name field; Enter there saves), ``delete`` on the preset list deletes
the highlighted preset, Enter on the list loads it into the editor, Tab moves between parts.
The list has the focus when the screen opens (switching is one keystroke away); typing there
writes in the editor instead (at the end of its text), so a person who came to write a prompt
is never typing into nothing. ↑ in the empty editor brings back earlier system prompts.

Built-in presets (``tui.core.presets.BUILTIN_PRESETS``) are marked as such and stay as
shipped: picking one fills the name field with a free copy's name ("polite (copy)"), so
editing it and pressing Enter in the name field saves the user's own copy.

Preset names and prompts are user text from a file: never parsed as markup, and shown through
``safe_text``/``safe_line`` so control characters cannot reach the terminal. When the shown
text had to be made safe, the original is what gets applied as long as it was not edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from tui.app.screens.confirm import ConfirmScreen
from tui.app.screens.type_ahead import deliver_early_key
from tui.app.widgets.recall_keys import recall_key
from tui.core.errors import ConfigError
from tui.core.presets import MAX_NAME, PresetsNotSaved, PresetStore, copy_name
from tui.core.safety import safe_line, safe_text

_PREVIEW = 60  # characters of a prompt shown beside its name in the list


@dataclass(frozen=True)
class PromptChoice:
    """What to use from now on. ``name`` is None for a prompt that is not a saved preset
    (typed, or a preset edited after it was picked)."""

    name: str | None
    prompt: str


BUILTIN_HEADING = "── built in ──"
"""The list's row above the built-in presets (a heading, never highlighted)."""


def preset_label(name: str, prompt: str) -> Content:
    """One list row: the name, then the start of the prompt, dimmed. Literal text only."""
    preview = safe_line(prompt.strip())
    if len(preview) > _PREVIEW:
        preview = preview[: _PREVIEW - 1] + "…"
    return Content.assemble(Content(safe_line(name)), ("  " + preview, "dim") if preview else "")


class PresetList(OptionList):
    """The saved presets. ``delete`` here deletes the highlighted one (after a question)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete", "screen.delete_preset", "Delete preset", id="system_prompt.delete"),
    ]


class SystemPromptScreen(ModalScreen[PromptChoice | None]):
    """Dismisses with a :class:`PromptChoice` (apply) or None (cancel)."""

    CSS_PATH = "system_prompt.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "apply", "Apply", priority=True, id="system_prompt.apply"),
        Binding("ctrl+n", "save_preset", "Save as preset", id="system_prompt.save"),
        Binding("escape", "cancel", "Cancel", id="system_prompt.cancel"),
    ]

    def __init__(self, store: PresetStore, current_prompt: str, current_name: str | None) -> None:
        super().__init__()
        self.store = store
        # What the editor shows and what it stands for: if the editor still shows
        # ``_loaded_shown``, the choice is ``_loaded_original`` under ``_candidate``.
        self._candidate: str | None = current_name
        self._loaded_original = current_prompt
        self._loaded_shown = safe_text(current_prompt)
        self._names: list[str | None] = []  # one per list row; None: the built-in heading
        # Start where switching is one keystroke away: the list, when there is one. Set as
        # the screen's auto focus (given when the screen is shown), not later in on_mount, so
        # that keys typed right after F2 already find it (see type_ahead).
        self.AUTO_FOCUS = "#prompt-presets" if store.presets else "#prompt-editor"

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-dialog") as dialog:
            dialog.border_title = "System prompt"
            dialog.border_subtitle = "Tab: presets → editor → name · Enter on a preset loads it"
            yield Static("", markup=False, id="prompt-problem")
            with Horizontal(id="prompt-body"):
                with Vertical(id="prompt-presets-pane"):
                    yield Label("Presets", classes="pane-title")
                    yield PresetList(markup=False, id="prompt-presets")
                with Vertical(id="prompt-editor-pane"):
                    yield Static("", markup=False, id="prompt-editing", classes="pane-title")
                    yield TextArea(
                        self._loaded_shown, id="prompt-editor", soft_wrap=True, tab_behavior="focus"
                    )
            with Horizontal(id="prompt-save-row"):
                yield Label("Save as", id="prompt-name-label")
                yield Input(
                    placeholder="preset name, Enter saves",
                    max_length=MAX_NAME,
                    compact=True,
                    id="prompt-name",
                )
            yield Static("", markup=False, id="prompt-status")
        yield Footer()

    def on_mount(self) -> None:
        problem = self.query_one("#prompt-problem", Static)
        if self.store.problem:
            problem.update(safe_line(self.store.problem))
        problem.display = bool(self.store.problem)
        self._fill_list(select=self._candidate)
        if self._candidate is not None:
            self.query_one("#prompt-name", Input).value = safe_line(self._candidate)
        self._show_editing()

    def on_key(self, event: events.Key) -> None:
        if deliver_early_key(self, event):
            return
        if self.focused is self.editor:
            # ↑ in the empty editor: the system prompts used before (the chat app's).
            recall_key(self.editor, getattr(self.app, "prompt_recall", None), event)
            return
        if isinstance(self.focused, PresetList) and event.is_printable and event.character:
            # Typing on the list writes the prompt: the editor takes the focus at once (the
            # next key typed goes there too) and this character, at the end of its text.
            event.stop()
            editor = self.editor
            self.set_focus(editor)
            editor.move_cursor(editor.document.end)
            editor.insert(event.character)

    # ------------------------------------------------------------------ state

    @property
    def editor(self) -> TextArea:
        return self.query_one("#prompt-editor", TextArea)

    def current_choice(self) -> PromptChoice:
        """The prompt the editor holds; named only if it is still the picked preset's text."""
        text = self.editor.text
        if text == self._loaded_shown:
            return PromptChoice(self._candidate, self._loaded_original)
        return PromptChoice(None, text)

    def _fill_list(self, select: str | None = None) -> None:
        presets = self.store.presets
        options: list[Option] = []
        self._names = []
        for preset in presets:
            if preset.builtin and None not in self._names:
                options.append(Option(Content.styled(BUILTIN_HEADING, "dim"), disabled=True))
                self._names.append(None)
            options.append(Option(preset_label(preset.name, preset.prompt)))
            self._names.append(preset.name)
        option_list = self.query_one("#prompt-presets", PresetList)
        option_list.set_options(options)
        if select is not None and select in self._names:
            option_list.highlighted = self._names.index(select)
        elif presets:
            option_list.highlighted = self._names.index(presets[0].name)

    @property
    def preset_names(self) -> set[str]:
        return {name for name in self._names if name is not None}

    def _show_editing(self) -> None:
        choice = self.current_choice()
        if choice.name is not None:
            text = f"Editing preset: {safe_line(choice.name)}"
        elif self._candidate is not None:
            text = f"Editing: custom (changed from {safe_line(self._candidate)})"
        else:
            text = "Editing: custom prompt"
        self.query_one("#prompt-editing", Static).update(text)

    def _status(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#prompt-status", Static)
        status.update(message)
        status.set_class(error, "-error")

    def _highlighted_name(self) -> str | None:
        index = self.query_one("#prompt-presets", PresetList).highlighted
        if index is None or not 0 <= index < len(self._names):
            return None
        return self._names[index]

    # ------------------------------------------------------------------ events

    @on(TextArea.Changed, "#prompt-editor")
    def _edited(self) -> None:
        self._show_editing()

    @on(OptionList.OptionSelected, "#prompt-presets")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        name = self._names[event.option_index]
        if name is None:
            return
        preset = self.store.get(name)
        shown = safe_text(preset.prompt)
        # Set the candidate first: replacing the text fires Changed, which reads it.
        self._candidate, self._loaded_original, self._loaded_shown = name, preset.prompt, shown
        editor = self.editor
        # replace() (not load_text) keeps the edit history: ctrl+z brings back the old text.
        editor.replace(shown, editor.document.start, editor.document.end)
        self._show_editing()
        if preset.builtin:
            # Its own name cannot be saved over: offer a copy's, ready for Enter.
            copy = copy_name(name, self.preset_names)
            self.query_one("#prompt-name", Input).value = safe_line(copy)
            self._status(
                f"Loaded built-in {safe_line(name)}; ctrl+s applies it, or edit it and save "
                f"your copy (ctrl+n, Enter: {safe_line(copy)})"
            )
            return
        self.query_one("#prompt-name", Input).value = safe_line(name)
        self._status(f"Loaded {safe_line(name)}; ctrl+s applies it (ctrl+z in the editor undoes)")

    @on(Input.Submitted, "#prompt-name")
    def _name_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._save(event.value)

    # ------------------------------------------------------------------ actions

    def action_apply(self) -> None:
        self.dismiss(self.current_choice())

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save_preset(self) -> None:
        name_input = self.query_one("#prompt-name", Input)
        if name_input.has_focus:
            self._save(name_input.value)
        else:
            name_input.focus()
            self._status("Type a name and press Enter to save the editor text as a preset")

    def action_delete_preset(self) -> None:
        name = self._highlighted_name()
        if name is None:
            self._status("No preset to delete", error=True)
            return
        if self.store.problem:
            self._status(f"Not deleting: {self.store.problem}", error=True)
            return
        if self.store.is_builtin(name):
            self._status(f"{safe_line(name)} is built in: it stays (it is not in your file)")
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._delete(name)

        self.app.push_screen(ConfirmScreen(f"Delete preset “{name}”?", "Delete"), confirmed)

    # ------------------------------------------------------------------ store changes

    def _target_name(self, typed: str) -> str:
        """The name to save under: the picked preset's own name if the field still shows it
        (it may have been made safe for display), else what was typed."""
        typed = typed.strip()
        if self._candidate is not None and typed == safe_line(self._candidate):
            return self._candidate
        return typed

    def _save(self, typed: str) -> None:
        name = self._target_name(typed)
        if not name:
            self._status("Type a name for the preset first", error=True)
            return
        if self.store.problem:
            # PresetStore refuses too; saying it here avoids asking to overwrite first.
            self._status(f"Not saving: {self.store.problem}; fix or move the file", error=True)
            return
        text = self.editor.text
        if self.store.is_builtin(name):
            copy = copy_name(name, self.preset_names)
            self.query_one("#prompt-name", Input).value = safe_line(copy)
            self._status(
                f"{safe_line(name)} is built in and stays as shipped: Enter saves your copy as "
                f"{safe_line(copy)}",
                error=True,
            )
            return
        if name in self.preset_names and self.store.get(name).prompt != text:

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self._write(name, text)
                else:
                    self._status("Not saved")

            question = f"Overwrite preset “{name}” with the editor text?"
            self.app.push_screen(ConfirmScreen(question, "Overwrite"), confirmed)
            return
        self._write(name, text)

    def _write(self, name: str, text: str) -> None:
        unsaved: str | None = None
        try:
            self.store.save(name, text)
        except PresetsNotSaved as exc:  # kept for the session: show it as saved, and why not
            unsaved = safe_line(str(exc))
        except ConfigError as exc:
            self._status(str(exc), error=True)
            return
        self._candidate, self._loaded_original, self._loaded_shown = name, text, text
        self._fill_list(select=name)
        self.query_one("#prompt-name", Input).value = safe_line(name)
        self._show_editing()
        self._status(unsaved or f"Saved preset {safe_line(name)}", error=unsaved is not None)

    def _delete(self, name: str) -> None:
        unsaved: str | None = None
        try:
            self.store.delete(name)
        except PresetsNotSaved as exc:
            unsaved = safe_line(str(exc))
        except ConfigError as exc:
            self._status(str(exc), error=True)
            return
        if self._candidate == name:
            # The editor keeps the text; it is a custom prompt now.
            self._candidate = None
            self.query_one("#prompt-name", Input).value = ""
        self._fill_list()
        self._show_editing()
        self._status(unsaved or f"Deleted preset {safe_line(name)}", error=unsaved is not None)
