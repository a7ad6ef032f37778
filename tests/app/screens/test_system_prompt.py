"""SystemPromptScreen driven from the keyboard, with the presets file on disk as the witness."""

from __future__ import annotations

from pathlib import Path

import tomli_w
from textual.widgets import Input, OptionList, Static, TextArea

from tests.app.screens.host import Host, screen_text
from tests.app.support import type_ahead
from tui.app.screens.confirm import ConfirmScreen
from tui.app.screens.system_prompt import PromptChoice, SystemPromptScreen
from tui.core.presets import BUILTIN_PRESETS, PresetStore

POLITE = "あなたは親切なAIです。丁寧に答えてください。"
TERSE = "Answer in one word."


def make_store() -> PresetStore:
    """The user's own "polite" and "terse" (as in the README's example file): theirs win over
    the built-in presets of the same names, which then are not listed."""
    store = PresetStore()
    write_presets(store.path, {"polite": POLITE, "terse": TERSE})
    store.reload()
    return store


def write_presets(path: Path, presets: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = [{"name": name, "prompt": prompt} for name, prompt in presets.items()]
    path.write_text(tomli_w.dumps({"preset": entries}), encoding="utf-8")


def on_disk() -> dict[str, str]:
    """The user's presets as a fresh store reads them from the file."""
    return {p.name: p.prompt for p in PresetStore().saved}


def host(store: PresetStore, prompt: str = "You are a pirate.", name: str | None = None) -> Host:
    return Host(lambda: SystemPromptScreen(store, prompt, name))


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


async def test_pick_a_preset_and_apply():
    app = host(make_store())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.focused is app.screen.query_one("#prompt-presets")
        await pilot.press("down", "enter")  # highlight "terse", load it
        assert app.screen.query_one("#prompt-editor", TextArea).text == TERSE
        assert app.screen.query_one("#prompt-name", Input).value == "terse"
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [PromptChoice("terse", TERSE)]


async def test_editing_after_picking_makes_the_prompt_custom():
    app = host(make_store())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # load "polite"
        await pilot.press("tab")  # to the editor
        assert app.focused is app.screen.query_one("#prompt-editor")
        await pilot.press("end", "!")
        await pilot.press("ctrl+s")
        await pilot.pause()
    [choice] = app.results
    assert choice.name is None
    assert choice.prompt.startswith(POLITE) and choice.prompt.endswith("!")


async def test_the_current_preset_is_kept_when_nothing_changes():
    app = host(make_store(), prompt=TERSE, name="terse")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#prompt-presets", OptionList).highlighted == 1
        assert "Editing preset: terse" in screen_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [PromptChoice("terse", TERSE)]


async def test_escape_cancels_with_none_and_changes_nothing():
    store = make_store()
    app = host(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter", "tab", "x", "escape")
        await pilot.pause()
    assert app.results == [None]
    assert on_disk() == {"polite": POLITE, "terse": TERSE}


async def test_typing_on_the_preset_list_writes_the_prompt():
    # Issue 15 item 11: F2 opened on the preset list (a fresh install has the built-in ones),
    # where typing did nothing.
    app = host(PresetStore(), prompt="")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.focused is app.screen.query_one("#prompt-presets")  # one key to switch
        await type_text(pilot, "Be brief.")
        assert app.focused is app.screen.query_one("#prompt-editor")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [PromptChoice(None, "Be brief.")]


async def test_typed_right_after_opening_lands_at_the_end_of_the_prompt():
    app = host(PresetStore(), prompt="You are a pirate.")
    async with app.run_test(size=(80, 24)) as pilot:
        type_ahead(app, *" Arr!", "ctrl+s")  # as fast as a terminal delivers them
        await pilot.pause()
        await pilot.pause()
    assert app.results == [PromptChoice(None, "You are a pirate. Arr!")]


async def test_built_in_presets_are_listed_marked_and_stay_as_shipped():
    # Issue 15 item 5: a fresh install has presets, marked as built in, never overwritten.
    app = host(PresetStore(), prompt="")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        rows = [line.split("▊ ")[1].split()[0] for line in screen_text(app).splitlines()[4:9]]
        assert rows == ["──", *(preset.name for preset in BUILTIN_PRESETS)]
        assert "── built in ──" in screen_text(app)
        await pilot.press("enter")  # load "polite"
        await pilot.pause()
        assert app.screen.query_one("#prompt-editor", TextArea).text == BUILTIN_PRESETS[0].prompt
        # Its own name is not offered for saving: a copy's is.
        assert app.screen.query_one("#prompt-name", Input).value == "polite (copy)"
        await pilot.press("tab", "end", *" Always.", "ctrl+n", "enter")
        await pilot.pause()
        assert on_disk() == {"polite (copy)": BUILTIN_PRESETS[0].prompt + " Always."}
        # Deleting a built-in one is refused; saving under its name too.
        await pilot.press("shift+tab", "shift+tab", "end", "delete")  # the last: 簡潔
        await pilot.pause()
        assert isinstance(app.screen, SystemPromptScreen)
        assert "簡潔 is built in" in screen_text(app)
        await pilot.press("ctrl+n", *"x", "ctrl+a")
        name = app.screen.query_one("#prompt-name", Input)
        name.value = "terse"
        await pilot.press("enter")
        await pilot.pause()
        assert "terse is built in" in screen_text(app)
        assert name.value == "terse (copy)"
    assert on_disk() == {"polite (copy)": BUILTIN_PRESETS[0].prompt + " Always."}


async def test_save_the_editor_text_as_a_new_preset():
    store = make_store()
    app = host(store, prompt="You are a pirate.")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+n")
        assert app.focused is app.screen.query_one("#prompt-name")
        await type_text(pilot, "pirate")
        await pilot.press("enter")
        await pilot.pause()
        assert on_disk()["pirate"] == "You are a pirate."
        assert "Saved preset pirate" in screen_text(app)
        await pilot.press("ctrl+s")  # the saved preset is now the named choice
        await pilot.pause()
    assert app.results == [PromptChoice("pirate", "You are a pirate.")]


async def test_saving_without_a_name_asks_for_one():
    app = host(make_store())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+n", "enter")
        await pilot.pause()
        assert "Type a name for the preset first" in screen_text(app)
    assert set(on_disk()) == {"polite", "terse"}


async def test_overwriting_asks_first_and_yes_overwrites():
    app = host(make_store(), prompt="New politeness.")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+n")
        await type_text(pilot, "polite")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Overwrite preset “polite”" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        assert on_disk()["polite"] == "New politeness."


async def test_overwriting_answered_no_keeps_the_old_preset():
    app = host(make_store(), prompt="New politeness.")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+n")
        await type_text(pilot, "polite")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, SystemPromptScreen)
        assert "Not saved" in screen_text(app)
    assert on_disk()["polite"] == POLITE


async def test_saving_a_picked_preset_unchanged_needs_no_question():
    app = host(make_store())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter", "ctrl+n", "enter")  # load polite, save under its own name
        await pilot.pause()
        assert isinstance(app.screen, SystemPromptScreen)
    assert on_disk()["polite"] == POLITE


async def test_delete_a_preset_after_confirming():
    app = host(make_store(), prompt=POLITE, name="polite")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert on_disk() == {"terse": TERSE}
        assert "Deleted preset polite" in screen_text(app)
        # The text stays in the editor, no longer a preset.
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [PromptChoice(None, POLITE)]


async def test_delete_answered_no_keeps_the_preset():
    app = host(make_store())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("escape")  # closes the question only
        await pilot.pause()
        assert isinstance(app.screen, SystemPromptScreen)
    assert set(on_disk()) == {"polite", "terse"}


async def test_a_broken_presets_file_is_shown_and_never_overwritten(isolated_home):
    path = Path(PresetStore().path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[[preset]]\nname = "a"\nprompt = "unterminated\n', encoding="utf-8")
    before = path.read_bytes()
    store = PresetStore()
    assert store.problem
    app = host(store, prompt="Something.")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        problem = app.screen.query_one("#prompt-problem", Static)
        assert problem.display
        assert "not valid TOML" in screen_text(app)
        await pilot.press("ctrl+n")
        await type_text(pilot, "mine")
        await pilot.press("enter")
        await pilot.pause()
        assert "Not saving" in screen_text(app)
        assert isinstance(app.screen, SystemPromptScreen)  # no overwrite question either
        # Applying still works: the prompt is not lost because the file is broken.
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert path.read_bytes() == before
    assert app.results == [PromptChoice(None, "Something.")]


async def test_markup_and_escapes_in_presets_show_literally():
    evil_prompt = "Say [/INST] then \x1b]0;pwned\x07 and \x1b[31mred"
    store = PresetStore()
    store.save("[bold]x[/bold]", "[link=http://e]y[/link]")
    store.save("[/INST]", evil_prompt)
    app = host(store, prompt="")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "[bold]x[/bold]" in text and "[/INST]" in text
        await pilot.press("down", "enter")
        await pilot.pause()
        editor = app.screen.query_one("#prompt-editor", TextArea)
        assert editor.text == "Say [/INST] then ␛]0;pwned␇ and ␛[31mred"
        text = screen_text(app)
        assert "\x1b" not in text and "␛]0;pwned␇" in text
        await pilot.press("ctrl+s")
        await pilot.pause()
    # Unedited, the preset's own text is what gets applied.
    assert app.results == [PromptChoice("[/INST]", evil_prompt)]


async def test_fits_and_stays_usable_at_80_by_24():
    app = host(make_store())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for selector in ("#prompt-presets", "#prompt-editor", "#prompt-name", "Footer"):
            region = app.screen.query_one(selector).region
            assert region.width > 0 and region.height > 0, selector
            assert region.bottom <= 24 and region.right <= 80, selector
        assert app.screen.query_one("#prompt-editor").region.height >= 5
        footer = screen_text(app).splitlines()[-1]
        assert "Apply" in footer and "Cancel" in footer and "Save as preset" in footer
