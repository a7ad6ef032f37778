"""The welcome of an empty chat fits 80×24 and names the keys as they are bound."""

from __future__ import annotations

from rich.cells import cell_len

from tui.app.text.welcome import MAX_LINES, MAX_WIDTH, welcome_lines


def test_it_fits_and_names_the_keys_that_matter_first():
    lines = welcome_lines()
    assert len(lines) <= MAX_LINES
    assert MAX_WIDTH <= 72 and all(cell_len(line) <= MAX_WIDTH for line in lines)
    text = "\n".join(lines)
    assert "Type a question" in text
    for key, words in (("F4", "every number"), ("F5", "heatmap"), ("t ", "token cursor")):
        assert any(line.strip().startswith(key) and words in line for line in lines), key
    assert "F2" in text and "F1" in text
    assert "tiny English demo" in text and "--base-url" in text


def test_a_real_server_needs_no_demo_note_and_rebound_keys_are_named():
    lines = welcome_lines({"toggle_pane": "F10"}, built_in=False)
    text = "\n".join(lines)
    assert "demo" not in text and "--base-url" not in text
    assert any(line.strip().startswith("F10") for line in lines)
