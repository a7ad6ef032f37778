"""The settings file's ``[ui]`` and ``[keys]`` in the running app.

* ``theme``: applied before the first frame; a name Textual does not know is reported and the
  default kept. A theme picked later (command palette → "Change theme") is saved back with
  :func:`~tui.core.config.save_ui_settings`, in a thread, so the next start looks the same; a
  file the app must not overwrite (broken, see ``tui.core.config``) is reported, not replaced.
* ``heatmap``: whether the token heatmap is on at start.
* ``low_prob_threshold`` (τ): new answers count tokens below it as "low", and the heatmap marks
  them (answers reopened from the history keep the τ they were recorded with).
* ``[keys]``: binding id → keys, passed to ``App.set_keymap``; ids that match no binding are
  reported (they are probably typos). Ids are listed in :mod:`tui.app.keymap`.

Every problem is one notification with markup off, each distinct message once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import InvalidThemeError

from tui.app.keymap import known_binding_ids
from tui.core.config import AppConfig, save_ui_settings
from tui.core.errors import ConfigError

if TYPE_CHECKING:
    from textual.app import App


class UiSettings:
    """What the app takes from the config file, and the theme saved back to it."""

    def __init__(self, config: AppConfig | None) -> None:
        self.config = config or AppConfig()
        self.saved_theme = self.config.ui.theme
        self._reported: set[str] = set()
        self._pending: list[str] = []  # found before the screen could show them

    @property
    def heatmap(self) -> bool:
        return self.config.ui.heatmap

    @property
    def low_prob_threshold(self) -> float:
        return self.config.ui.low_prob_threshold

    @property
    def keymap(self) -> dict[str, str]:
        return dict(self.config.keys)

    def apply(self, app: App[object]) -> None:
        """Theme and keymap, before the main screen is shown."""
        theme = self.config.ui.theme
        if theme:
            try:
                app.theme = theme
            except InvalidThemeError:
                self.saved_theme = None
                self._pending.append(f"config: unknown theme {theme!r}; using the default theme")
        if self.config.keys:
            app.set_keymap(self.config.keys)
            unknown = sorted(set(self.config.keys) - known_binding_ids())
            if unknown:
                names = ", ".join(repr(name) for name in unknown)
                self._pending.append(f"config: [keys] {names} match no key binding (ignored)")

    def report_problems(self, app: App[object]) -> None:
        """The config file's problems, once, when the screen can show them."""
        problem = f"config: {self.config.problem}" if self.config.problem else None
        for message in [problem, *self._pending]:
            if message:
                self.report(app, message)
        self._pending.clear()

    def report(self, app: App[object], message: str) -> None:
        if message in self._reported:
            return
        self._reported.add(message)
        app.notify(message, markup=False, severity="warning", timeout=15)

    def theme_changed(self, app: App[object], theme: str) -> None:
        """Save a theme the person picked (not the one applied from the file at start)."""
        if theme == self.saved_theme:
            return
        self.saved_theme = theme
        app.run_worker(
            lambda: self._save_theme(app, theme),
            thread=True,
            group="config",
            exit_on_error=False,
        )

    def _save_theme(self, app: App[object], theme: str) -> None:
        try:
            save_ui_settings(theme=theme, path=self.config.path)
        except (ConfigError, OSError) as exc:
            message = f"theme not saved: {exc}"
            app.call_from_thread(self.report, app, message)
