"""Sampling fields typed as text: one message per bad field, in the shared words."""

from __future__ import annotations

import pytest

from tui.core.sampling_form import format_sampling_field, parse_sampling_form
from tui.core.settings import Sampling


def test_valid_text_gives_a_sampling():
    form = parse_sampling_form(" 0.3 ", "20", "64", "7")
    assert form.errors == {}
    assert form.sampling == Sampling(temperature=0.3, top_logprobs=20, max_tokens=64, seed=7)


def test_a_blank_seed_means_none():
    assert parse_sampling_form("0", "0", "1", "  ").sampling == Sampling(0.0, 0, 1, None)


@pytest.mark.parametrize(
    ("fields", "name", "message"),
    [
        (("5", "5", "512", ""), "temperature", "temperature must be from 0 to 2, not 5"),
        (("hot", "5", "512", ""), "temperature", "temperature must be a number from 0 to 2"),
        (("nan", "5", "512", ""), "temperature", "temperature must be from 0 to 2, not nan"),
        (("", "5", "512", ""), "temperature", "temperature must be a number"),
        (("0.7", "-1", "512", ""), "top_logprobs", "top_logprobs must be from 0 to 20, not -1"),
        (("0.7", "2.5", "512", ""), "top_logprobs", "must be a whole number from 0 to 20"),
        (("0.7", "5", "0", ""), "max_tokens", "max_tokens must be from 1 to"),
        (("0.7", "5", "512", "x"), "seed", "seed must be a whole number, not 'x'"),
    ],
)
def test_each_bad_field_gets_its_own_message(fields, name, message):
    form = parse_sampling_form(*fields)
    assert form.sampling is None
    assert set(form.errors) == {name}
    assert message in form.errors[name]


def test_several_bad_fields_are_all_reported():
    form = parse_sampling_form("9", "99", "-3", "1.5")
    assert set(form.errors) == {"temperature", "top_logprobs", "max_tokens", "seed"}


def test_fields_start_as_the_current_values():
    sampling = Sampling(temperature=0.7, top_logprobs=5, max_tokens=512, seed=None)
    shown = [format_sampling_field(n, sampling) for n in ("temperature", "top_logprobs")]
    assert shown == ["0.7", "5"]
    assert format_sampling_field("seed", sampling) == ""
    assert format_sampling_field("seed", sampling.with_changes(seed=3)) == "3"


def test_top_logprobs_0_gets_a_warning_beside_the_field():
    from tui.core.sampling_form import TOP_LOGPROBS_ZERO_WARNING, sampling_warnings

    assert sampling_warnings(Sampling(top_logprobs=0)) == {
        "top_logprobs": TOP_LOGPROBS_ZERO_WARNING
    }
    assert "llama.cpp" in TOP_LOGPROBS_ZERO_WARNING
    assert sampling_warnings(Sampling(top_logprobs=1)) == {}


def test_a_field_as_typed_is_warned_about_alone():
    from tui.core.sampling_form import TOP_LOGPROBS_ZERO_WARNING, field_warning

    assert field_warning("top_logprobs", " 0 ") == TOP_LOGPROBS_ZERO_WARNING
    assert field_warning("top_logprobs", "3") is None
    assert field_warning("top_logprobs", "x") is None  # its error says what is wrong
    assert field_warning("temperature", "0") is None
