"""Every user action in one table: its keys, its words, where it applies.

The footer bindings, the help screen's rows and the command palette are all generated from
:data:`ACTIONS`, so a key shown in one place is the key that works in the others.

``where`` says which part of the screen holds the binding (when its key works):

* ``screen``: wherever the focus is (function keys, ctrl+c to stop);
* ``log``: the chat log has focus (single letters and arrows, since typing there is not text);
* ``input``: the input bar has focus.

``owner`` says which object does the action (``action_<name>`` is its method):

* ``screen``: the screen (dialogs, focus moves, F4);
* ``chat``: the chat log (selecting answers, reasoning);
* ``pane``: the answer pane (token cursor, copy and save, heatmap), reached from a key through
  the screen's ``pane`` action (:func:`action_string`), so every screen that composes a chat
  log and an answer pane runs them the same way;
* ``input``: the input bar.

Binding ids (``[keys]`` in the config file) are ``<where>.<action>`` with ``main`` for
``screen``: ``main.help``, ``log.copy_json``, ``input.send``. The sample screen reuses them for
the same actions (one entry rebinds an action wherever it is), and every other screen's ids
are listed by :func:`tui.app.keymap.binding_owners`.

``palette`` is ``False`` for actions that make no sense without a key (moving the cursor by one).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

from textual.binding import Binding

Where = Literal["screen", "log", "input"]
Owner = Literal["screen", "chat", "pane", "input"]


@dataclass(frozen=True, slots=True)
class ActionSpec:
    action: str  # method name without ``action_`` on the widget that owns the binding
    keys: str  # Textual key names, comma separated
    description: str  # short: the footer
    help: str  # one sentence: help screen and palette
    group: str
    where: Where
    owner: Owner = "screen"  # who does it (see the module docstring)
    show: bool = True  # in the footer
    palette: bool = True
    priority: bool = False
    key_display: str | None = None
    palette_title: str | None = None  # longer than the footer's word, when it needs to be
    in_help: bool = True  # a row of its own in F1 help (False: said by its pair's row)
    help_key: str | None = None  # the key as help writes it, when the footer's differs
    help_pair: str | None = None  # an action whose key help writes first on this row

    @property
    def title(self) -> str:
        return self.palette_title or self.description


GENERAL = "General"
ANSWERS = "Answers"
TOKENS = "Token cursor"
COPY = "Copy and save"
BRANCHES = "Branches and siblings"
INPUT = "Input"

ACTIONS: tuple[ActionSpec, ...] = (
    # -- screen-wide
    # Stopping is ctrl+c (or Esc twice, see MainScreen.escape_stops): Esc alone leaves the
    # input, so a person who only wanted out of it never loses the answer. Only while an
    # answer streams (the footer shows it then); otherwise ctrl+c copies as usual.
    ActionSpec("stop", "ctrl+c", "Stop",
               "Stop the answer being generated, keeping what arrived (also: Esc twice)",
               GENERAL, "screen", priority=True, key_display="^c",
               palette_title="Stop generating"),
    # Keys that open a screen are priority bindings: they run as the key is read, so the keys
    # typed right after them go to the new screen, not to the input bar underneath.
    ActionSpec("help", "f1", "Help", "Show every key and what it does", GENERAL, "screen",
               priority=True, palette_title="Help: keys and actions"),
    ActionSpec("system_prompt", "f2", "Prompt", "Edit the system prompt, pick or save a preset",
               GENERAL, "screen", priority=True, palette_title="System prompt and presets"),
    ActionSpec("settings", "f3", "Settings",
               "Model, temperature, top_logprobs, max_tokens and seed for the next request",
               GENERAL, "screen", priority=True, palette_title="Settings: model and sampling"),
    ActionSpec("toggle_pane", "f4", "Numbers",
               "Every number of the selected answer: the pane beside the chat (show or hide), "
               "or under it on a narrow terminal (enlarge or shrink)",
               GENERAL, "screen", palette_title="Answer pane: show, hide, enlarge"),
    ActionSpec("toggle_heatmap", "f5", "Heat",
               "Colour answer tokens by probability (bold underline: p below the threshold)",
               GENERAL, "screen", owner="pane", palette_title="Token heatmap on/off"),
    ActionSpec("history", "f6", "History",
               "Past conversations: search, open, rename, delete, start a new one",
               GENERAL, "screen", priority=True, palette_title="History: open a past conversation"),
    ActionSpec("export", "f7", "Export",
               "Export this conversation as JSON, JSONL, Markdown or CSV (exports folder)",
               GENERAL, "screen", show=False, priority=True,
               palette_title="Export this conversation…"),
    ActionSpec("new_conversation", "ctrl+n", "New",
               "Start a new conversation (the current one stays in the history); after a "
               "full context, ask the question again there",
               GENERAL, "screen", show=False, palette_title="New conversation"),
    ActionSpec("focus_log", "f8", "Log",
               "Move the focus to the chat log (select answers, token cursor, copy)",
               GENERAL, "screen", show=False, palette_title="Focus the chat log"),
    ActionSpec("focus_json", "f9", "JSON", "Move the focus to the raw JSON viewer to scroll it",
               GENERAL, "screen", show=False, palette_title="Focus the raw JSON viewer"),
    ActionSpec("messages", "ctrl+l", "Messages",
               "Every notice so far, with the paths of saved and exported files",
               GENERAL, "screen", show=False, priority=True, key_display="ctrl+l",
               palette_title="Messages: notices and file paths"),
    # F12: F6 and F7 go to history and conversation export, F10/F11 are the menu and
    # full-screen keys of common terminals. Priority: a key that opens a screen runs as it is
    # read, so what is typed next goes to that screen. Not in the footer, which is full at 80
    # columns; F1 help and the palette list it.
    ActionSpec("compare", "f12", "Compare",
               "Compare system prompts: the same question, N samples each, with 95% intervals",
               GENERAL, "screen", show=False, priority=True,
               palette_title="Compare system prompts (K prompts × N samples)"),
    # -- input bar
    ActionSpec("send_enter", "enter", "Send", "Send the question", INPUT, "input", owner="input",
               palette=False, key_display="⏎"),
    ActionSpec("send", "ctrl+s", "Send", "Send the question (works in multi-line mode)",
               INPUT, "input", owner="input", show=False, palette_title="Send the question"),
    ActionSpec("toggle_multiline", "ctrl+o", "Multi",
               "Multi-line mode: Enter inserts a newline, ctrl+s sends", INPUT, "input",
               owner="input", palette_title="Multi-line input on/off"),
    ActionSpec("leave_input", "escape", "Log",
               "Leave the input for the chat log (an answer keeps coming; Esc again stops it)",
               INPUT, "input", palette=False, key_display="esc"),
    ActionSpec("newline", "ctrl+j,shift+enter", "Newline",
               "Insert a newline without sending", INPUT, "input",
               owner="input", show=False, palette=False),
    # -- chat log: answers
    ActionSpec("select_previous", "up,k", "Prev", "Select the previous answer", ANSWERS, "log",
               owner="chat", key_display="↑k", palette_title="Select the previous answer"),
    ActionSpec("select_next", "down,j", "Next", "Select the next answer", ANSWERS, "log",
               owner="chat", key_display="↓j", palette_title="Select the next answer"),
    ActionSpec("select_last", "G", "Latest", "Select the latest answer", ANSWERS, "log",
               owner="chat", show=False, palette_title="Select the latest answer"),
    ActionSpec("toggle_heatmap", "h", "Heatmap", "Colour answer tokens by probability",
               ANSWERS, "log", owner="pane", show=False, palette=False),
    ActionSpec("toggle_reasoning", "r", "Reasoning",
               "Expand or collapse the selected answer's reasoning", ANSWERS, "log", owner="chat",
               palette_title="Expand or collapse reasoning"),
    ActionSpec("score_answer", "o", "Score",
               "Score the selected answer under other system prompts: how likely each makes "
               "this exact answer, and which tokens it makes more or less likely",
               ANSWERS, "log", show=False, priority=False,
               palette_title="Score this answer under other prompts…"),
    ActionSpec("focus_input", "i,enter", "Input", "Back to the input bar", ANSWERS, "log",
               show=False, key_display="i", palette_title="Focus the input bar"),
    ActionSpec("help", "question_mark", "Help", "Show every key and what it does", GENERAL,
               "log", show=False, palette=False, key_display="?"),
    ActionSpec("leave", "escape", "Back",
               "Leave the token cursor, or go back to the input (right after Esc in the "
               "input, while an answer streams: stop it)",
               ANSWERS, "log", palette=False, key_display="esc"),
    # -- chat log: token cursor
    ActionSpec("toggle_cursor", "t", "Tokens", "Enter or leave the token cursor", TOKENS, "log",
               owner="pane", palette_title="Token cursor on/off"),
    ActionSpec("cursor_left", "left", "Prev token", "Previous token", TOKENS, "log", owner="pane",
               show=False, palette=False, key_display="←", in_help=False),
    ActionSpec("cursor_right", "right", "Move", "Previous / next token", TOKENS, "log",
               owner="pane", palette=False, key_display="←→", help_key="→",
               help_pair="cursor_left"),
    ActionSpec("cursor_first", "home", "First", "First token", TOKENS, "log", owner="pane",
               show=False, palette=False),
    ActionSpec("cursor_last", "end", "Last", "Last token", TOKENS, "log", owner="pane", show=False,
               palette=False),
    ActionSpec("cursor_least_likely", "m", "Least",
               "Put the token cursor on the selected answer's least likely token", TOKENS, "log",
               owner="pane", palette_title="Jump to the least likely token"),
    ActionSpec("cursor_next_low", "n", "Next low",
               "Move the token cursor to the next token with p below the threshold", TOKENS,
               "log", owner="pane", palette_title="Jump to the next low-probability token"),
    # -- copy and save (chat log keys; the palette works from anywhere)
    ActionSpec("copy_json", "c", "Copy",
               "Copy the selected answer's raw logprob JSON, with its context (question, prompt, "
               "model, sampling, time)", COPY, "log",
               owner="pane", palette_title="Copy raw logprob JSON"),
    ActionSpec("copy_stats", "s", "Stats",
               "Copy the selected answer's stats as text, with its context", COPY,
               "log", owner="pane", palette_title="Copy stats as text"),
    ActionSpec("copy_text", "y", "Text", "Copy the selected answer's text", COPY, "log",
               owner="pane", palette_title="Copy the answer text"),
    ActionSpec("copy_json_compact", "C", "Copy tokens",
               "Copy one line of JSON per token (token, logprob, alternatives), with the context",
               COPY, "log", owner="pane", show=False,
               palette_title="Copy raw logprobs, one line per token"),
    ActionSpec("copy_stats_compact", "S", "Stats by token",
               "Copy one line of text per token (p, logprob, alternatives), with the context",
               COPY, "log", owner="pane", show=False,
               palette_title="Copy stats, one line per token"),
    ActionSpec("save_json", "w", "Save",
               "Save the selected answer's raw logprob JSON to a file (for big payloads; the "
               "path is kept in the messages, ctrl+l)", COPY,
               "log", owner="pane", palette_title="Save raw logprob JSON to a file"),
    # -- branches and siblings (issue 16): made by the screen (it sends them), switched by
    # the log. b needs the token cursor on the token to branch at (it says so otherwise).
    ActionSpec("branch", "b", "Branch",
               "Branch the answer at the token under the cursor: pick one of its alternatives "
               "(or type your own text) and the model continues from there",
               BRANCHES, "log", palette_title="Branch at this token: take an alternative…"),
    ActionSpec("regenerate", "g", "Regen",
               "Regenerate the selected answer: the same question, a new sample (a sibling)",
               BRANCHES, "log", show=False, palette_title="Regenerate the selected answer"),
    ActionSpec("edit_question", "e", "Edit",
               "Edit the selected answer's question in the input; Enter sends it as a sibling",
               BRANCHES, "log", show=False, palette_title="Edit and resend the question"),
    ActionSpec("sibling_previous", "left_square_bracket", "Prev sibling",
               "Previous sibling of the selected answer", BRANCHES, "log", owner="chat",
               show=False, palette=False, key_display="[", in_help=False),
    ActionSpec("sibling_next", "right_square_bracket", "Siblings",
               "Previous / next sibling of the selected answer (‹2/3›); later questions follow",
               BRANCHES, "log", owner="chat", show=False, key_display="[]", help_key="]",
               help_pair="sibling_previous", palette_title="Next sibling of the selected answer"),
    ActionSpec("toggle_mark", "space", "Mark",
               "Mark the selected answer to see it side by side with another (v)",
               BRANCHES, "log", owner="chat", show=False, key_display="space",
               palette_title="Mark this answer for side by side"),
    ActionSpec("side_by_side", "v", "Side by side",
               "Two answers side by side: the marked one (or a sibling) and the selected one, "
               "their numbers with the differences and their heatmaps from where they part",
               BRANCHES, "log", show=False, palette_title="Side by side: two answers…"),
)  # fmt: skip


SIBLING_ACTIONS = frozenset(
    {"branch", "regenerate", "edit_question", "sibling_previous", "sibling_next",
     "toggle_mark", "side_by_side"}
)  # fmt: skip
"""The chat's keys for siblings: screens that show answers without asking (a comparison's
sample, a scored answer) do not offer them."""


_ID_PREFIX: dict[Where, str] = {"screen": "main", "log": "log", "input": "input"}


def binding_id(spec: ActionSpec) -> str:
    """The id a ``[keys]`` entry of the config file uses to rebind this action:
    ``main.help`` (a screen key), ``log.copy_json``, ``input.send``."""
    return f"{_ID_PREFIX[spec.where]}.{spec.action}"


def action_string(spec: ActionSpec) -> str:
    """The action a key of ``spec.where`` runs so that ``spec.owner`` does it: its own
    action (``select_previous`` on the log), the screen's (``screen.leave`` from the log), or
    the answer pane's through the screen (``screen.pane('copy_json')``, ``pane('…')`` from a
    screen key)."""
    if spec.owner == "pane":
        call = f"pane({spec.action!r})"
        return call if spec.where == "screen" else f"screen.{call}"
    if spec.owner == "screen" and spec.where != "screen":
        return f"screen.{spec.action}"
    return spec.action


def bindings_for(where: Where, only: Collection[str] | None = None) -> list[Binding]:
    """Textual bindings for the keys of ``where``, in table order (``only``: just these
    actions, for a screen that offers fewer)."""
    return [
        Binding(
            spec.keys,
            action_string(spec),
            spec.description,
            show=spec.show,
            priority=spec.priority,
            key_display=spec.key_display,
            tooltip=spec.help,
            id=binding_id(spec),
        )
        for spec in ACTIONS
        if spec.where == where and (only is None or spec.action in only)
    ]


def key_label(
    spec: ActionSpec, keymap: Mapping[str, str] | None = None, *, help: bool = False
) -> str:
    """How a key is written in help: ``f1``, ``ctrl+s``, ``↑/k`` (or as the keymap rebinds it).
    ``help``: help's own way where it differs from the footer's (``→`` beside ``←``)."""
    keys = (keymap or {}).get(binding_id(spec))
    if keys is None and help and spec.help_key:
        return spec.help_key
    if keys is None and spec.key_display:
        return spec.key_display
    return " / ".join(k.strip() for k in (keys or spec.keys).split(","))


def find_spec(action: str, where: Where) -> ActionSpec:
    """The table entry of ``action`` where it is bound (``KeyError`` when it is not)."""
    for spec in ACTIONS:
        if spec.action == action and spec.where == where:
            return spec
    raise KeyError(f"{where}.{action}")


def help_rows(keymap: Mapping[str, str] | None = None) -> list[tuple[str, str, str]]:
    """``(key, description, group)`` for the help screen: one row per binding, except that
    a pair of keys for one motion (← and →) is one row with both keys."""
    rows = []
    for spec in ACTIONS:
        if not spec.in_help:
            continue
        key = key_label(spec, keymap)
        if spec.help_pair:
            pair = find_spec(spec.help_pair, spec.where)
            if {binding_id(pair), binding_id(spec)} & set(keymap or {}):
                # Rebound: both keys, as bound now (the footer's "←→" no longer holds).
                left = key_label(pair, keymap, help=True)
                key = f"{left} / {key_label(spec, keymap, help=True)}"
        rows.append((key, spec.help, spec.group))
    return rows


def palette_actions() -> list[ActionSpec]:
    """One entry per action offered in the command palette (no duplicates)."""
    seen: set[str] = set()
    out = []
    for spec in ACTIONS:
        if spec.palette and spec.action not in seen:
            seen.add(spec.action)
            out.append(spec)
    return out
