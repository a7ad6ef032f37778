"""The chat screen's dialogs and what their results change: help (F1), system prompt and
presets (F2), settings (F3), history (F6), export (F7), compare (F12), and their palette
entries (use a preset, export as a format, new conversation).

:class:`ChatDialogs` is a helper the chat screen owns (not a base class): it pushes the
screens, changes the session (so the next request uses the result) and the conversation
through the app's history link, and says what happened in one notification (markup off:
paths, titles and prompts are user text). Of the screen it uses only what a dialog needs: the
status line after a change, the input bar's text (the compare question) and its focus.
Modal screens come from ``app.modals`` (:mod:`tui.app.modals`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.app.actions import help_rows
from tui.app.history import BUSY
from tui.app.screens.export import ExportScreen
from tui.app.screens.history import HistoryChoice, HistoryScreen
from tui.app.text.status import prompt_label
from tui.core.builtin_defaults import BUILTIN_SETTINGS_NOTE
from tui.core.errors import LogprobChatError
from tui.core.export import conversation_format

if TYPE_CHECKING:
    from tui.app.app import LogprobChatApp
    from tui.app.screens.main import MainScreen


@dataclass(frozen=True)
class PresetChoice:
    name: str | None
    prompt: str


class ChatDialogs:
    """See the module docstring."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen

    @property
    def app(self) -> LogprobChatApp:
        return self.screen.chat_app

    def _ready_for_next_question(self) -> None:
        """A new prompt or new settings mean the user will ask again: put the cursor in the
        input bar (after the closed modal has handed the focus back to where it was), so
        typing does not land in the chat log as key commands."""
        self.screen.call_after_refresh(self.screen.input.focus)

    def _work(self, job: Any, group: str, *, exclusive: bool = True) -> None:
        self.screen.run_worker(job, group=group, exclusive=exclusive, exit_on_error=False)

    # ------------------------------------------------------------------ help, prompt, settings

    def help(self) -> None:
        """F1: getting started (the empty chat's welcome), then every key."""
        rows = help_rows(self.app.keymap)
        self.app.push_screen(self.app.modals.help(rows, self.screen.welcome()))

    def system_prompt(self) -> None:
        s = self.app.session
        screen = self.app.modals.system_prompt(self.app.presets, s.system_prompt, s.preset)
        self.app.push_screen(screen, self._apply_prompt)

    def _apply_prompt(self, choice: Any) -> None:
        if choice is None:
            return
        s = self.app.session
        s.system_prompt = choice.prompt
        s.preset = choice.name
        self.app.prompt_recall.add(choice.prompt)
        self.screen.update_status()
        label = prompt_label(s.preset, s.system_prompt)
        self.screen.notify(f"system prompt: {label} — applies to the next question", markup=False)
        self._ready_for_next_question()

    def preset_names(self) -> list[str]:
        return self.app.presets.names()

    def use_preset(self, name: str) -> None:
        try:
            preset = self.app.presets.get(name)
        except LogprobChatError as exc:
            self.screen.notify(str(exc), markup=False, severity="error")
            return
        self._apply_prompt(PresetChoice(preset.name, preset.prompt))

    def settings(self) -> None:
        """Open the settings at once (keys typed right after F3 go there), then ask the
        server for its models and show them in it."""
        s = self.app.session
        current = s.model or (s.backend.connection.model if s.backend else None) or ""
        options = self.app.options
        builtin = s.embedded and not options.model_file
        screen = self.app.modals.settings(
            None if s.client is not None else [],
            current,
            s.sampling,
            BUILTIN_SETTINGS_NOTE if builtin else "",
        )
        self.app.push_screen(screen, self._apply_settings)
        if s.client is not None:
            self._work(self._list_models(screen), "settings")

    async def _list_models(self, screen: Any) -> None:
        # No list (the server failed to give one) makes the modal offer a name field, where
        # any model can be typed; a list always has the current model in it.
        s = self.app.session
        models: list[str] = []
        if s.client is not None:
            try:
                models = await s.client.list_models()
            except LogprobChatError as exc:
                self.screen.notify(
                    f"could not list models: {exc}", markup=False, severity="warning"
                )
        show = getattr(screen, "show_models", None)
        if show is not None:
            await show(models)

    def _apply_settings(self, choice: Any) -> None:
        if choice is None:
            return
        s = self.app.session
        s.sampling = choice.sampling
        if choice.model:
            s.model = choice.model
        self.screen.update_status()
        self.screen.notify("Settings apply to the next question.", markup=False)
        self._ready_for_next_question()

    # ------------------------------------------------------------------ history

    def history(self) -> None:
        app = self.app
        screen = HistoryScreen(
            app.history, current_id=app.history.conversation_id, now=app.wall_clock
        )
        app.push_screen(screen, self._history_chosen)

    def _history_chosen(self, choice: HistoryChoice | None) -> None:
        if choice is None:
            return
        if choice.action == "comparison" and choice.conversation_id is not None:
            from tui.app.screens.set_entry import open_stored_set

            # Its own screen: a chat answer still streaming is no reason to wait.
            self._work(open_stored_set(self.app, choice.conversation_id), "history")
            return
        if self.screen.busy:
            self.screen.notify(BUSY, markup=False, severity="warning")
            return
        if choice.action == "new":
            self.new_conversation()
        elif choice.conversation_id is not None:
            self._work(self._open(choice.conversation_id), "history")

    def new_conversation(self, *, say: bool = True) -> bool:
        """Start a new conversation (the screen is cleared); False when it cannot be now."""
        try:
            self.app.history.start_new()
        except LogprobChatError as exc:
            self.screen.notify(str(exc), markup=False, severity="warning")
            return False
        if say:
            self.screen.notify("New conversation: the next question starts it.", markup=False)
        self.screen.set_focus(self.screen.input)
        return True

    async def _open(self, conversation_id: int) -> None:
        try:
            await self.app.history.open(conversation_id)
        except LogprobChatError as exc:
            self.screen.notify(str(exc), markup=False, severity="error")
            return
        self.screen.input.focus()

    # ------------------------------------------------------------------ export

    def export(self) -> None:
        def chosen(fmt: str | None) -> None:
            if fmt:
                self.export_as(fmt)

        self.app.push_screen(ExportScreen(), chosen)

    def export_as(self, fmt: str) -> None:
        """Export the conversation in ``fmt`` to ``data_dir/exports`` and say where."""
        self._work(self._export(fmt), "export", exclusive=False)

    async def _export(self, fmt: str) -> None:
        app = self.app
        try:
            path = await app.history.export(fmt, app.data_dir / "exports")
        except LogprobChatError as exc:
            app.notify(f"could not export: {exc}", markup=False, severity="error")
            return
        except OSError as exc:
            app.notify(f"could not export: {exc.strerror or exc}", markup=False, severity="error")
            return
        if path is None:
            app.notify("Nothing to export yet: ask a question first.", markup=False)
            return
        app.exported(path, f"exported {conversation_format(fmt).label} to {path}")

    # ------------------------------------------------------------------ score

    def score_source(self) -> Any:
        """What the score screen needs of the selected answer (``None``, said, when there is
        no finished answer with text selected)."""
        from tui.app.screens.score_entry import ScoreSource
        from tui.core.compare.form import key_for

        view = self.screen.chat.selected_view
        turn = view.turn if view is not None else None
        if turn is None or turn.answer is None or not turn.answer.text:
            self.screen.notify(
                "Select an answer with text first (↑↓ in the chat log).", markup=False
            )
            return None
        conversation = self.app.session.conversation
        messages = conversation.messages_for_request("", upto=turn)[:-1]
        return ScoreSource(
            question=turn.question,
            answer=turn.answer.text,
            history=tuple(messages),
            baseline=key_for(turn.preset, turn.system_prompt),
            what=f"answer #{view.number}" if view is not None else "the answer",
            top_logprobs=self.app.session.sampling.top_logprobs,
            threshold=self.app.low_prob_threshold,
            concurrency=self._concurrency(),
        )

    def _concurrency(self) -> int:
        """Requests at once for a comparison: the engine's slots, or the default."""
        from tui.core.compare import DEFAULT_CONCURRENCY

        backend = self.app.session.backend
        engine = backend.engine if backend is not None else None
        return engine.slots if engine is not None else DEFAULT_CONCURRENCY

    def score_answer(self) -> None:
        """Open "score this answer under…" on the chat log's selected answer."""
        from tui.app.screens.score import ScoreScreen

        source = self.score_source()
        if source is not None:
            self.app.push_screen(ScoreScreen(source))

    # ------------------------------------------------------------------ compare

    def compare_question(self) -> str:
        """The input bar's text, or, when it is empty, the last question asked."""
        typed = self.screen.input.text
        if typed.strip():
            return typed
        last = self.app.session.conversation.last
        return last.question if last is not None else ""

    def compare(self) -> None:
        """Open the compare screen from where the chat is: this question, the chat's system
        prompt as the baseline, its sampling, concurrency from the engine's slots; the
        prompts and samples as it was left, when it was opened before (and its question,
        unless one is typed in the input bar)."""
        # Imported when first opened: its widgets (a data table, selection lists) and the
        # statistics are not needed to paint the chat at start-up.
        from tui.app.screens.compare import CompareScreen
        from tui.core.compare import DEFAULT_CONCURRENCY

        s = self.app.session
        engine = s.backend.engine if s.backend is not None else None
        view = self.screen.chat.selected_view
        answer = view.turn.answer if view is not None else None
        draft = self.app.compare_draft
        typed = self.screen.input.text
        # The typed text (or, without a draft, the last question), else the draft's.
        keep = draft is not None and not typed.strip()
        question = draft.question if keep else self.compare_question()
        self.app.push_screen(
            CompareScreen(
                question=question,
                system_prompt=s.system_prompt,
                preset=s.preset,
                sampling=s.sampling,
                concurrency=engine.slots if engine is not None else DEFAULT_CONCURRENCY,
                answer=answer.text if answer is not None else "",
                draft=draft,
            )
        )
