"""Every key binding a ``[keys]`` entry of the config file can rebind, in one registry.

:func:`binding_owners` lists each screen and widget that declares ``BINDINGS``; a new screen
with keys is one entry here (``tests/app/test_keymap.py`` fails when a class with bindings is
missing, or a binding has no id). The ids themselves: ``main.*``, ``log.*`` and ``input.*``
come from the action table (:mod:`tui.app.actions`, shared by the chat and sample screens);
every other screen names its own (``history.open``, ``compare.run``, ``sample.back``,
``score.run``, ``branch.cancel``, ``side.back``…).
"""

from __future__ import annotations

from textual.dom import DOMNode


def binding_owners() -> tuple[type[DOMNode], ...]:
    """Every class of the app that declares key bindings (imported here, not at start-up:
    only a config file with ``[keys]`` asks)."""
    from tui.app.screens.branch import BranchScreen
    from tui.app.screens.compare import CompareScreen
    from tui.app.screens.confirm import ConfirmScreen
    from tui.app.screens.export import ExportScreen
    from tui.app.screens.help import HelpScreen
    from tui.app.screens.history import ConversationList, HistoryScreen
    from tui.app.screens.main import MainScreen
    from tui.app.screens.messages import MessagesScreen
    from tui.app.screens.question_set import QuestionSetScreen
    from tui.app.screens.rename import RenameScreen
    from tui.app.screens.sample import SampleScreen
    from tui.app.screens.score import ScoreScreen
    from tui.app.screens.set_question import SetQuestionScreen
    from tui.app.screens.settings import SettingsScreen
    from tui.app.screens.side_by_side import SideBySideScreen
    from tui.app.screens.system_prompt import PresetList, SystemPromptScreen
    from tui.app.widgets.answer_pane import PaneScroll
    from tui.app.widgets.chat_log import ChatLog
    from tui.app.widgets.prompt_input import PromptInput

    return (
        MainScreen,
        ChatLog,
        PaneScroll,
        MessagesScreen,
        PromptInput,
        SampleScreen,
        ScoreScreen,
        CompareScreen,
        QuestionSetScreen,
        SetQuestionScreen,
        ConfirmScreen,
        ExportScreen,
        HelpScreen,
        HistoryScreen,
        ConversationList,
        RenameScreen,
        SettingsScreen,
        SystemPromptScreen,
        BranchScreen,
        SideBySideScreen,
        PresetList,
    )


def known_binding_ids() -> set[str]:
    """Every id a ``[keys]`` entry can rebind."""
    ids: set[str] = set()
    for owner in binding_owners():
        for binding in owner.BINDINGS:
            binding_id = getattr(binding, "id", None)
            if binding_id:
                ids.add(binding_id)
    return ids
