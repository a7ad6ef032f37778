"""The status line always names the prompt and the sampling, at any width."""

from rich.cells import cell_len

from tui.app.text.status import prompt_label, shorten_middle, status_line, with_indicators
from tui.core.settings import Sampling


def test_prompt_label():
    assert prompt_label("polite", "x") == "polite"
    assert prompt_label(None, "  typed  ") == "custom prompt"
    assert prompt_label(None, "") == "no preset"
    assert prompt_label("\x1b]0;x\x07", "") == "␛]0;x␇"


def test_wide_status_is_labelled():
    line = status_line(
        preset="polite",
        system_prompt="be nice",
        model="SmolLM2-135M-Instruct (built-in)",
        sampling=Sampling(seed=7),
        width=160,
    )
    assert line == (
        "prompt: polite │ model: SmolLM2-135M-Instruct (built-in) │ temperature 0.7 │ "
        "top_logprobs 5 │ max_tokens 512 │ seed 7"
    )


def test_narrow_status_keeps_every_number_and_cuts_the_model_in_the_middle():
    for width in (80, 60, 48):
        line = status_line(
            preset="丁寧な日本語",
            system_prompt="x",
            model="some-org/very-long-model-name-20b-Q4_K_M",
            sampling=Sampling(temperature=0.2, top_logprobs=20, max_tokens=64),
            width=width,
        )
        assert cell_len(line) <= width
        assert "T0.2" in line and "k20" in line and "max64" in line and "seed–" in line


def test_shorten_middle_counts_cells():
    assert shorten_middle("abcdef", 10) == "abcdef"
    assert shorten_middle("abcdefghij", 5) == "ab…ij"
    assert cell_len(shorten_middle("日本語のモデル名です", 7)) <= 7


def test_indicators_stay_whole_at_the_right_edge():
    def line(width: int) -> str:
        return status_line(
            preset="polite", system_prompt="", model="m", sampling=Sampling(), width=width
        )

    shown = with_indicators(line, ["history: memory only"], 80)
    assert cell_len(shown) == 80 and shown.endswith("history: memory only")
    assert shown.startswith("polite")
    assert with_indicators(line, [], 80) == line(80)
    # Too narrow for both: the status line wins.
    assert with_indicators(line, ["x" * 70], 80) == line(80)
