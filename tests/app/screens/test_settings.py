"""SettingsScreen: validation keeps it open with a message; valid values dismiss with a choice."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList, Static

from tests.app.screens.host import Host, screen_text
from tui.app.screens.settings import SettingsChoice, SettingsScreen, model_options
from tui.core.settings import Sampling

MODELS = ["scripted-model", "gpt-oss-20b", "qwen3-8b"]


def host(models: list[str] = MODELS, current: str = "gpt-oss-20b", sampling=None) -> Host:
    return Host(lambda: SettingsScreen(models, current, sampling or Sampling()))


async def set_field(pilot, name: str, text: str) -> None:
    field = pilot.app.screen.query_one(f"#settings-{name}", Input)
    field.focus()
    await pilot.pause()
    await pilot.press("ctrl+u", *text) if text else await pilot.press("ctrl+u")


def test_the_current_model_is_offered_even_when_the_server_does_not_list_it():
    assert model_options(["a", "b", "a"], "c") == ["c", "a", "b"]
    assert model_options(["a", "b"], "b") == ["a", "b"]
    assert model_options([], "") == []


async def test_starts_on_the_current_model_with_the_current_values():
    sampling = Sampling(temperature=0.2, top_logprobs=3, max_tokens=64, seed=9)
    app = host(sampling=sampling)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        model_list = app.screen.query_one("#settings-model", OptionList)
        assert app.focused is model_list and model_list.highlighted == 1
        values = [
            app.screen.query_one(f"#settings-{n}", Input).value
            for n in ("temperature", "top_logprobs", "max_tokens", "seed")
        ]
        assert values == ["0.2", "3", "64", "9"]
        await pilot.press("enter")  # Enter applies
        await pilot.pause()
    assert app.results == [SettingsChoice("gpt-oss-20b", sampling)]


async def test_valid_values_dismiss_with_the_right_choice():
    app = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down")  # qwen3-8b
        await set_field(pilot, "temperature", "0")
        await set_field(pilot, "top_logprobs", "20")
        await set_field(pilot, "max_tokens", "32")
        await set_field(pilot, "seed", "42")
        await pilot.press("enter")
        await pilot.pause()
    expected = Sampling(temperature=0.0, top_logprobs=20, max_tokens=32, seed=42)
    assert app.results == [SettingsChoice("qwen3-8b", expected)]


async def test_a_blank_seed_means_none_and_ctrl_s_applies():
    app = host(sampling=Sampling(seed=5))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await set_field(pilot, "seed", "")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [SettingsChoice("gpt-oss-20b", Sampling(seed=None))]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("temperature", "5", "temperature must be from 0 to 2, not 5"),
        ("temperature", "warm", "temperature must be a number from 0 to 2, not 'warm'"),
        ("top_logprobs", "-1", "top_logprobs must be from 0 to 20, not -1"),
        ("top_logprobs", "21", "top_logprobs must be from 0 to 20, not 21"),
        ("max_tokens", "0", "max_tokens must be from 1 to"),
        ("seed", "1.5", "seed must be a whole number, not '1.5'"),
    ],
)
async def test_a_bad_value_shows_its_message_and_does_not_dismiss(name, text, message):
    app = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await set_field(pilot, name, text)
        await pilot.pause()
        error = app.screen.query_one(f"#settings-{name}-error", Static)
        assert error.display  # shown while typing
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        assert app.results == []
        assert message in screen_text(app)
        # Fixing the value clears the message and applies.
        await set_field(pilot, name, "1")
        await pilot.pause()
        assert not error.display
        await pilot.press("enter")
        await pilot.pause()
    assert len(app.results) == 1 and isinstance(app.results[0], SettingsChoice)


async def test_escape_cancels_with_none():
    app = host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await set_field(pilot, "temperature", "1.5")
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_without_a_model_list_the_model_is_typed():
    app = host(models=[], current="")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        model = app.screen.query_one("#settings-model", Input)
        assert app.focused is model
        await pilot.press("enter")  # empty: refused with a message
        await pilot.pause()
        assert app.results == [] and "type the model name" in screen_text(app)
        await pilot.press(*"llama-3")
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [SettingsChoice("llama-3", Sampling())]


async def test_model_names_with_markup_and_escapes_show_literally_and_round_trip():
    evil = "\x1b]0;pwned\x07model"
    models = ["[/INST]", "[bold]x[/bold]", evil, "[link=http://e]y[/link]"]
    app = host(models=models, current="[/INST]")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "[/INST]" in text and "[bold]x[/bold]" in text and "[link=http://e]y" in text
        assert "␛]0;pwned␇model" in text and "\x1b" not in text
        await pilot.press("down", "down", "enter")
        await pilot.pause()
    # The server's own name goes back to the server, not its display form.
    assert app.results == [SettingsChoice(evil, Sampling())]


async def test_a_typed_model_keeps_the_current_name_when_unchanged():
    evil = "m\x1b[31m"
    app = host(models=[], current=evil)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#settings-model", Input).value == "m␛[31m"
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [SettingsChoice(evil, Sampling())]


async def test_fits_at_80_by_24():
    app = host(models=[f"model-{i}" for i in range(30)], current="model-3")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for selector in ("#settings-model", "#settings-seed", "Footer"):
            region = app.screen.query_one(selector).region
            assert region.height > 0 and region.bottom <= 24, selector
        assert "Apply" in screen_text(app).splitlines()[-1]


async def test_top_logprobs_0_is_warned_about_where_it_is_chosen():
    app = host(sampling=Sampling(top_logprobs=0))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        # Opened with 0: the warning is there at once, under its field, and says why.
        (warning,) = screen.warnings().values()
        assert warning.startswith("⚠ 0 alternatives") and "llama.cpp" in warning
        assert "0 alternatives" in screen_text(app)
        await set_field(pilot, "top_logprobs", "3")
        await pilot.pause()
        assert screen.warnings() == {}
        await set_field(pilot, "top_logprobs", "0")
        await pilot.pause()
        assert list(screen.warnings()) == ["top_logprobs"]
        await pilot.press("ctrl+s")  # a warning never blocks
        await pilot.pause()
    assert app.results == [SettingsChoice("gpt-oss-20b", Sampling(top_logprobs=0))]


async def test_opens_before_the_servers_list_and_shows_it_when_it_comes():
    # F3 opens at once (keys typed after it land here): the current model meanwhile.
    app = host(models=None, current="gpt-oss-20b")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        assert "asking the server for its models" in screen_text(app)
        assert screen.models == ["gpt-oss-20b"] and app.focused.id == "settings-model"
        await screen.show_models(MODELS)
        await pilot.pause()
        model_list = screen.query_one("#settings-model", OptionList)
        assert screen.models == MODELS and model_list.highlighted == 1
        assert app.focused is model_list
        assert "asking the server" not in screen_text(app)


async def test_a_server_without_a_list_leaves_a_name_field():
    app = host(models=None, current="gpt-oss-20b")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.screen.show_models([])
        await pilot.pause()
        field = app.screen.query_one("#settings-model", Input)
        assert field.value == "gpt-oss-20b" and app.focused is field
