"""The footer's keys: urgent first, then the focused widget's, then the screen's; whole keys
only, as many as fit."""

from __future__ import annotations

from tui.app.text.footer import FooterItem, action_name, fit_footer, footer_rank


def test_action_names_of_every_binding_shape():
    assert action_name("stop") == "stop"
    assert action_name("screen.leave") == "leave"
    assert action_name("screen.pane('copy_json')") == "copy_json"
    assert action_name("pane('toggle_heatmap')") == "toggle_heatmap"


def test_urgent_then_local_then_the_screen_in_table_order():
    assert footer_rank("stop", local=False, order=9) < footer_rank("send", local=True, order=0)
    assert footer_rank("send", local=True, order=5) < footer_rank("help", local=False, order=1)
    assert footer_rank("help", local=False, order=1) < footer_rank("pane", local=False, order=2)


def test_whole_keys_only_as_many_as_fit():
    items = [
        FooterItem("f1", "Help", (1, 1, 1)),
        FooterItem("⏎", "Send", (1, 0, 0)),
        FooterItem("f4", "Numbers", (1, 1, 2)),
        FooterItem("f5", "Heat", (1, 1, 3)),
    ]
    assert [i.width for i in items] == [8, 7, 11, 8]
    chosen = fit_footer(items, 24)
    # Send first (the focused widget's), Help; Numbers does not fit whole, Heat still does.
    assert [i.description for i in chosen] == ["Send", "Help", "Heat"]
    assert sum(i.width for i in chosen) <= 24
    assert fit_footer(items, 3) == []
