"""F1/F2/F3 and the palette open the modal screens with the agreed arguments, and their
results change the next request. (The real modals are tested on their own branch; here they
are stand-ins with the same signatures.)"""

from __future__ import annotations

from tests.app.support import PromptChoice, SettingsChoice, make_app, send, wait_for
from tui.app.screens.main import MainScreen
from tui.core.presets import PresetStore
from tui.core.settings import Sampling


async def test_system_prompt_choice_is_shown_and_used_by_the_next_request(scripted, tmp_path):
    app = make_app(scripted, system_prompt="old", tmp_presets=tmp_path / "presets.toml")
    app.modals.prompt_result = PromptChoice("丁寧", "あなたは親切なAIです。")
    async with app.run_test(size=(160, 48)) as pilot:
        assert "custom prompt" in app.main.status.text
        await pilot.press("f2")
        await pilot.pause()
        name, args = app.modals.calls[-1]
        assert name == "system_prompt"
        assert isinstance(args[0], PresetStore) and args[1:] == ("old", None)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert app.main.status.text.startswith("prompt: 丁寧 │")
        await send(pilot, "こんにちは")
        messages = scripted.chat_requests()[0].json["messages"]
        assert messages[0] == {"role": "system", "content": "あなたは親切なAIです。"}
        assert app.main.views[0].header_text.startswith("#1 · 丁寧 ·")


async def test_cancelled_modal_changes_nothing(scripted):
    app = make_app(scripted, system_prompt="keep")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.session.system_prompt == "keep"


async def test_settings_choice_applies_to_the_next_request(scripted):
    app = make_app(scripted)
    app.modals.settings_result = SettingsChoice(
        "other-model", Sampling(temperature=0.2, top_logprobs=3, max_tokens=64, seed=42)
    )
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("f3")
        await wait_for(pilot, lambda: bool(app.modals.calls))
        await pilot.pause()
        name, (models, model, sampling) = app.modals.calls[-1]
        assert name == "settings" and models == ["scripted-model"] and model == "scripted-model"
        assert sampling == Sampling()
        await pilot.press("enter")
        await pilot.pause()
        status = app.main.status.text
        assert "temperature 0.2" in status and "top_logprobs 3" in status and "seed 42" in status
        await send(pilot, "q")
        body = scripted.chat_requests()[0].json
        assert (body["model"], body["temperature"], body["top_logprobs"]) == ("other-model", 0.2, 3)
        assert (body["max_tokens"], body["seed"]) == (64, 42)


async def test_help_opens_with_every_binding(scripted):
    app = make_app(scripted)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        name, (rows,) = app.modals.calls[-1]
        assert name == "help" and ("f2", "Edit the system prompt, pick or save a preset",
                                   "General") in rows  # fmt: skip
        await pilot.press("escape")
        await pilot.press("escape")  # to the chat log, where ? also opens help
        await pilot.press("question_mark")
        await pilot.pause()
        assert [c[0] for c in app.modals.calls] == ["help", "help"]


async def test_presets_are_offered_in_the_palette(scripted, tmp_path):
    store = PresetStore(tmp_path / "presets.toml")
    store.save("terse", "Answer in one word.")
    app = make_app(scripted, presets=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p", *"use preset terse")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.preset == "terse"
        assert app.session.system_prompt == "Answer in one word."


async def test_missing_modal_screens_are_reported_not_crashed(scripted):
    from tui.app.modals import Modals

    app = make_app(scripted, modals=Modals())
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) or app.screen.__class__.__name__ == "HelpScreen"
