"""Screens of the TUI: the main chat screen and its modals, each with its ``.tcss`` beside it."""
