"""Comparison plans: validation, labels, presets, messages, seeds and dispatch order."""

from __future__ import annotations

import pytest

from tui.core.compare import ComparePlan, PromptSpec, resolve_prompts
from tui.core.compare.cells import cell_width, fit_cells, pad_cells
from tui.core.compare.plan import label_for_text
from tui.core.errors import ConfigError
from tui.core.presets import PresetStore
from tui.core.settings import Sampling


def one(text: str = "p") -> tuple[PromptSpec, ...]:
    return (PromptSpec.from_text(text),)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prompts": ()}, "at least one system prompt"),
        ({"message": "  \n"}, "the message is empty"),
        ({"samples": 0}, "samples must be from 1 to 1000, not 0"),
        ({"samples": 1001}, "samples must be from 1 to 1000"),
        ({"samples": True}, "samples must be"),
        ({"concurrency": 0}, "concurrency must be from 1 to 64, not 0"),
        ({"prompts": one() * 27}, "at most 26 prompts"),
        ({"threshold": 0.0}, "threshold"),
    ],
)
def test_bad_plans_are_refused_with_one_clear_line(kwargs, message):
    values = {"prompts": one(), "message": "q", **kwargs}
    with pytest.raises(ConfigError, match=message):
        ComparePlan(**values)


def test_labels_come_from_the_text_and_are_made_unique():
    plan = ComparePlan(
        (
            PromptSpec.from_text("same"),
            PromptSpec.from_text("same"),
            PromptSpec.from_text(""),
            PromptSpec.from_text("same #2"),
        ),
        "q",
    )
    assert [p.label for p in plan.prompts] == ["same", "same #3", "(none)", "same #2"]
    assert [p.system for p in plan.prompts] == ["same", "same", "", "same #2"]


def test_labels_are_short_one_line_and_safe():
    assert label_for_text("あなたは親切で丁寧なアシスタントです。") == "あなたは親切で丁寧…"
    assert cell_width(label_for_text("あなたは親切で丁寧なアシスタントです。")) <= 20
    assert label_for_text("a\x1b]0;pwn\x07\nb") == "a␛]0;pwn␇⏎b"
    assert label_for_text("   ") == "(none)"


def test_cells():
    assert cell_width("日本a") == 5
    assert cell_width("e\u0301") == 1  # a combining accent takes no cell
    assert fit_cells("日本語です", 6) == "日本…"
    assert fit_cells("short", 6) == "short"
    assert pad_cells("日本", 6) == "日本  "
    assert pad_cells("1.5", 5, right=True) == "  1.5"


def test_presets_resolve_in_the_given_order(isolated_home):
    store = PresetStore()
    store.save("polite", "あなたは親切なAIです。")
    store.save("terse", "簡潔に。")
    prompts = resolve_prompts([("preset", "terse"), ("system", "ad hoc"), ("preset", "polite")])
    assert [(p.label, p.system, p.preset) for p in prompts] == [
        ("terse", "簡潔に。", "terse"),
        ("ad hoc", "ad hoc", None),
        ("polite", "あなたは親切なAIです。", "polite"),
    ]


def test_an_unknown_preset_or_a_broken_file_is_one_clear_error(isolated_home):
    with pytest.raises(ConfigError, match="unknown preset 'nope'"):
        resolve_prompts([("preset", "nope")])
    path = PresetStore().path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[[preset]\nbroken", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        resolve_prompts([("preset", "any")])
    # ad-hoc prompts never read the presets file
    assert resolve_prompts([("system", "x")])[0].system == "x"


def test_messages_seeds_and_order():
    plan = ComparePlan(
        (PromptSpec.from_text("A"), PromptSpec.from_text("")),
        "question",
        samples=3,
        sampling=Sampling(seed=41),
        history=({"role": "user", "content": "u"}, {"role": "system", "content": "old"}),
    )
    assert plan.messages_for(plan.prompts[0]) == [
        {"role": "system", "content": "A"},
        {"role": "user", "content": "u"},
        {"role": "user", "content": "question"},
    ]
    assert plan.messages_for(plan.prompts[1])[0] == {"role": "user", "content": "u"}
    assert [plan.seed_for(i) for i in range(3)] == [41, 42, 43]
    assert plan.sampling_for(2).seed == 43 and plan.sampling_for(2).temperature == 0.7
    assert plan.order() == [(0, 0), (1, 0), (0, 1), (1, 1), (0, 2), (1, 2)]
    assert plan.total == 6
    assert not plan.greedy and not plan.deterministic
    greedy = ComparePlan(one(), "q", sampling=Sampling(temperature=0, seed=1))
    assert greedy.greedy and greedy.deterministic
