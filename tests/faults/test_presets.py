"""Presets against a hostile machine: a config directory nobody may write into, and a second
instance saving into the same file (issue 17, items 5 and 9)."""

from __future__ import annotations

from pathlib import Path

from tests.app.screens.host import screen_text
from tests.app.support import make_app, send, type_ahead, wait_for
from tests.core.store.test_failures import read_only
from tui.app.screens.main import MainScreen
from tui.app.screens.system_prompt import SystemPromptScreen
from tui.core.presets import PresetStore


async def test_a_preset_saved_into_an_unwritable_config_dir_is_kept_for_the_session(
    scripted, isolated_home: Path
):
    config = isolated_home / "config"
    config.mkdir(parents=True)
    app = make_app(scripted, system_prompt="")
    with read_only(config):
        async with app.run_test(size=(100, 30)) as pilot:
            type_ahead(app, "f2", *"Be brief.")
            await wait_for(pilot, lambda: isinstance(app.screen, SystemPromptScreen))
            await pilot.pause()
            await pilot.press("ctrl+n", *"short", "enter")
            await pilot.pause()
            shown = screen_text(app)
            # One line that says what happened; the preset is in the list for this session.
            assert "cannot write" in shown and "kept for this session" in shown
            assert [p.name for p in app.presets.saved] == ["short"]
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
            assert "short │" in app.main.status.text
            await send(pilot, "こんにちは")  # the chat goes on with the preset
            assert app.is_running
        assert not (config / "presets.toml").exists()
    messages = scripted.chat_requests()[0].json["messages"]
    assert messages[0] == {"role": "system", "content": "Be brief."}


def test_two_instances_saving_presets_keep_each_other_s(tmp_path: Path):
    path = tmp_path / "presets.toml"
    first, second = PresetStore(path), PresetStore(path)  # two running TUIs
    first.save("polite", "Be polite.")
    second.save("terse", "Be terse.")  # read the file before this: "polite" survives
    first.save("pirate", "Arr.")
    assert {p.name: p.prompt for p in PresetStore(path).saved} == {
        "polite": "Be polite.",
        "terse": "Be terse.",
        "pirate": "Arr.",
    }
    second.delete("polite")  # a deletion in one is not undone by the other's next save
    first.save("terse", "Be terse, really.")
    assert {p.name: p.prompt for p in PresetStore(path).saved} == {
        "terse": "Be terse, really.",
        "pirate": "Arr.",
    }
    # And each instance lists what the other saved, without a restart.
    assert [p.name for p in second.saved] == ["terse", "pirate"]
    # The user's "polite" is gone: the built-in one of that name is offered again.
    assert second.get("polite").builtin
