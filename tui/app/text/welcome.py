"""What an empty chat says to someone who has never used it (and what F1 repeats).

It fits 80×24 (at most :data:`MAX_LINES` lines of at most :data:`MAX_WIDTH` cells: the chat
log's width at 80 columns, less its padding, scroll bar and margin),
names the keys as they are bound now (``keys``: action → key, from the keymap), and says
what the built-in model is: a 135M-parameter demo that writes English, badly; a real model
comes with ``--base-url``.
"""

from __future__ import annotations

MAX_LINES = 12
MAX_WIDTH = 72

WELCOME_KEYS = {
    "toggle_pane": "F4",
    "toggle_heatmap": "F5",
    "toggle_cursor": "t",
    "focus_log": "F8",
    "system_prompt": "F2",
    "help": "F1",
}
"""The keys the welcome names, as bound by default (action → key)."""

BUILT_IN_NOTE = (
    "The built-in model (SmolLM2-135M) is a tiny English demo: expect odd\n"
    "answers. For a real model: logprob-chat --base-url http://HOST:8000/v1"
)
REMOTE_NOTE = "Each answer shows how likely the model found every token it wrote."


def welcome_lines(keys: dict[str, str] | None = None, *, built_in: bool = True) -> list[str]:
    """The welcome, one string per line: what to type, the five keys that show what this
    chat is for, where every other key is, and what the model is."""
    k = {**WELCOME_KEYS, **(keys or {})}
    rows = [
        (k["toggle_pane"], "every number of the selected answer (under the chat when narrow)"),
        (k["toggle_heatmap"], "heatmap: each token coloured by how likely the model found it"),
        (
            k["toggle_cursor"],
            f"token cursor, in the chat log ({k['focus_log']}): probability and alternatives",
        ),
        (k["system_prompt"], "system prompt and presets: ask again, compare the numbers"),
        (k["help"], "every key, and what the numbers mean"),
    ]
    width = max(len(key) for key, _ in rows)
    lines = [
        "Welcome to logprob-chat: it shows how sure the model was of every token.",
        "Type a question below and press Enter. Then:",
        "",
    ]
    lines += [f"  {key.ljust(width)}  {words}" for key, words in rows]
    lines.append("")
    lines += (BUILT_IN_NOTE if built_in else REMOTE_NOTE).split("\n")
    return lines
