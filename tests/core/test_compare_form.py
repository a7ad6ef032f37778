"""The compare screen's form: written prompts, ticked presets, order, baseline, field checks."""

from __future__ import annotations

import pytest

from tui.core.compare.form import (
    NO_SYSTEM,
    candidates,
    key_for,
    parse_compare_form,
    split_prompts,
)
from tui.core.compare.plan import PromptSpec
from tui.core.presets import PresetStore


@pytest.fixture
def store(tmp_path) -> PresetStore:
    store = PresetStore(tmp_path / "presets.toml")
    store.save("polite", "あなたは親切なAIです。")
    store.save("terse", "Answer in one word.")
    return store


def test_prompts_are_split_on_dash_lines_and_blank_parts_dropped():
    text = "Be kind.\nVery kind.\n---\n\n  Be terse.  \n -----\n---\n"
    assert split_prompts(text) == ["Be kind.\nVery kind.", "Be terse."]
    # Dashes inside a line are text, not a separator.
    assert split_prompts("a --- b\n--x") == ["a --- b\n--x"]
    assert split_prompts("  \n---\n") == []


def test_current_prompt_key():
    assert key_for("polite", "あなたは親切なAIです。") == ("preset", "polite")
    assert key_for(None, "  Be brief. ") == ("text", "Be brief.")
    assert key_for(None, "  ") == NO_SYSTEM


def test_written_prompts_come_first_then_ticks_in_tick_order(store):
    found = candidates(["Be brief."], [("preset", "terse"), NO_SYSTEM, ("preset", "polite")], store)
    assert [c.spec.label for c in found] == ["Be brief.", "terse", "(none)", "polite"]
    assert found[2].spec.system == ""
    assert found[3].spec.preset == "polite"
    assert found[3].spec.system == "あなたは親切なAIです。"


def test_the_baseline_moves_first_and_repeats_are_dropped(store):
    found = candidates(
        ["Be brief.", "Be brief."],
        [("preset", "terse"), ("preset", "terse")],
        store,
        baseline=("preset", "terse"),
    )
    assert [c.key for c in found] == [("preset", "terse"), ("text", "Be brief.")]
    # A baseline that is not on the list changes nothing.
    found = candidates(["A"], [("preset", "terse")], store, baseline=("preset", "polite"))
    assert [c.spec.label for c in found] == ["A", "terse"]


def test_a_deleted_preset_is_skipped_and_equal_labels_are_told_apart(store):
    found = candidates(["terse"], [("preset", "gone"), ("preset", "terse")], store)
    assert [c.spec.label for c in found] == ["terse", "terse #2"]


def form(**changes):
    values = {
        "prompts": (PromptSpec.from_text("A"), PromptSpec.from_text("B")),
        "question": "日本の首都は？",
        "samples": "5",
        "temperature": "0.7",
        "seed": "",
        "max_tokens": "64",
        "concurrency": "4",
        "top_logprobs": 5,
        **changes,
    }
    return parse_compare_form(**values)


def test_a_good_form_gives_a_plan():
    result = form(seed=" 100 ", temperature="0")
    assert result.errors == {}
    plan = result.plan
    assert plan is not None
    assert [p.label for p in plan.prompts] == ["A", "B"]
    assert plan.samples == 5
    assert plan.concurrency == 4
    assert plan.sampling.temperature == 0
    assert plan.sampling.seed == 100
    assert plan.sampling.max_tokens == 64
    assert plan.sampling.top_logprobs == 5
    assert form().plan.sampling.seed is None  # type: ignore[union-attr]


def test_every_bad_field_gets_its_own_one_line_message():
    result = form(
        prompts=(),
        question=" \n ",
        samples="five",
        temperature="3",
        seed="x",
        max_tokens="0",
        concurrency="65",
    )
    assert result.plan is None
    assert result.errors == {
        "prompts": "choose at least one prompt: tick a preset or write one",
        "question": "the question is empty",
        "samples": "samples must be a whole number from 1 to 1000, not 'five'",
        "temperature": "temperature must be from 0 to 2, not 3",
        "seed": "seed must be a whole number, not 'x'",
        "max_tokens": "max_tokens must be from 1 to 1,000,000, not 0",
        "concurrency": "concurrency must be from 1 to 64, not 65",
    }
    assert all("\n" not in message for message in result.errors.values())


def test_too_many_prompts():
    many = tuple(PromptSpec.from_text(str(i)) for i in range(27))
    assert "at most 26 prompts" in form(prompts=many).errors["prompts"]


def test_top_logprobs_is_a_field_of_the_form():
    assert form(top_logprobs=" 0 ").plan.sampling.top_logprobs == 0
    assert form(top_logprobs="20").plan.sampling.top_logprobs == 20
    bad = form(top_logprobs="-1")
    assert bad.plan is None and "top_logprobs" in bad.errors["top_logprobs"]
    assert "top_logprobs" in form(top_logprobs="many").errors
