"""The statistics behind prompt comparison, against published values and closed forms."""

import math

import pytest

from tui.core.stats import (
    Summary,
    paired,
    regularized_beta,
    summarise,
    t_cdf,
    t_critical,
    t_quantile,
    welch,
)

# Two-sided 95 % critical values t_{0.975, df}, as printed in standard tables (e.g. NIST/SEMATECH
# e-Handbook 1.3.6.7.2), to the three decimals tables give.
TABLE_975 = {
    1: 12.706,
    2: 4.303,
    3: 3.182,
    4: 2.776,
    5: 2.571,
    6: 2.447,
    7: 2.365,
    8: 2.306,
    9: 2.262,
    10: 2.228,
    11: 2.201,
    12: 2.179,
    15: 2.131,
    20: 2.086,
    25: 2.060,
    30: 2.042,
    40: 2.021,
    60: 2.000,
    100: 1.984,
}

# More digits (R's qt(0.975, df)).
T2 = 0.95 / math.sqrt(2 * 0.975 * 0.025)  # t_{0.975, 2} from the df = 2 closed form
T4 = 2.776445105197793  # t_{0.975, 4}
PRECISE_975 = {
    3: 3.182446305284263,
    5: 2.570581835636314,
    9: 2.262157162740992,
    10: 2.228138851986274,
    29: 2.045229642132703,
    30: 2.042272456301238,
    120: 1.979930405050279,
}


@pytest.mark.parametrize(("df", "expected"), sorted(TABLE_975.items()))
def test_t_975_matches_the_printed_table(df, expected):
    assert round(t_quantile(0.975, df), 3) == expected


@pytest.mark.parametrize(("df", "expected"), sorted(PRECISE_975.items()))
def test_t_975_matches_more_digits(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("p", [0.5001, 0.6, 0.75, 0.9, 0.975, 0.995, 0.9995])
def test_closed_forms_for_one_two_and_four_degrees_of_freedom(p):
    # df = 1 is the Cauchy distribution: t = tan(π(p − ½)).
    assert t_quantile(p, 1) == pytest.approx(math.tan(math.pi * (p - 0.5)), rel=1e-10)
    # df = 2: t = (2p − 1) / √(2p(1 − p)).
    assert t_quantile(p, 2) == pytest.approx((2 * p - 1) / math.sqrt(2 * p * (1 - p)), rel=1e-10)
    # df = 4: α = 4p(1 − p), q = cos(⅓ arccos √α) / √α, t = 2√(q − 1).
    alpha = 4 * p * (1 - p)
    q = math.cos(math.acos(math.sqrt(alpha)) / 3) / math.sqrt(alpha)
    assert t_quantile(p, 4) == pytest.approx(2 * math.sqrt(q - 1), rel=1e-9)


def test_lower_quantiles_are_symmetric_and_the_median_is_zero():
    assert t_quantile(0.025, 7) == -t_quantile(0.975, 7)
    assert t_quantile(0.5, 3) == 0.0


def test_infinite_degrees_of_freedom_give_the_normal_quantile():
    assert t_quantile(0.975, math.inf) == pytest.approx(1.959963984540054, abs=1e-12)
    assert t_critical(1e9) == pytest.approx(1.959963984540054, abs=1e-7)


def _t_density(x, df):
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_c - (df + 1) / 2 * math.log1p(x * x / df))


def _simpson(f, a, b, steps=2000):
    h = (b - a) / steps
    total = f(a) + f(b)
    for i in range(1, steps):
        total += (4 if i % 2 else 2) * f(a + i * h)
    return total * h / 3


@pytest.mark.parametrize("df", [1.7, 2.624, 5.5, 13.2])
def test_fractional_df_quantile_integrates_back_to_its_probability(df):
    # Welch's df is fractional: check against an independent integral of the t density,
    # P(0 ≤ T ≤ t) = 0.475 for the 0.975 quantile.
    t = t_quantile(0.975, df)
    assert _simpson(lambda x: _t_density(x, df), 0.0, t) == pytest.approx(0.475, abs=1e-9)
    # and the quantile lies between its integer neighbours' (it falls as df grows)
    assert t_quantile(0.975, math.ceil(df)) < t < t_quantile(0.975, math.floor(df))


def test_cdf_and_incomplete_beta_agree_with_closed_forms():
    assert t_cdf(1.0, 1) == pytest.approx(0.75, abs=1e-14)  # Cauchy: ½ + arctan(1)/π
    assert t_cdf(-1.0, 1) == pytest.approx(0.25, abs=1e-14)
    assert regularized_beta(1.0, 1.0, 0.3) == pytest.approx(0.3, abs=1e-14)  # uniform
    assert regularized_beta(2.0, 1.0, 0.3) == pytest.approx(0.09, abs=1e-14)  # x²


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        t_quantile(1.0, 3)
    with pytest.raises(ValueError):
        t_quantile(0.975, 0)


def test_summary_by_hand():
    # values 1, 2, 4: mean 7/3; Σ(x − x̄)² = 16/9 + 1/9 + 25/9 = 42/9; s² = 21/9; s = √(7/3)
    s = summarise([1.0, 2.0, 4.0])
    assert s.n == 3
    assert s.mean == pytest.approx(7 / 3)
    assert s.sd == pytest.approx(math.sqrt(7 / 3))
    assert s.sem == pytest.approx(math.sqrt(7 / 3) / math.sqrt(3))
    half = T2 * math.sqrt(7 / 3) / math.sqrt(3)
    assert s.t == pytest.approx(T2, abs=1e-9)
    assert s.half_width == pytest.approx(half, rel=1e-9)
    assert (s.ci_low, s.ci_high) == (pytest.approx(7 / 3 - half), pytest.approx(7 / 3 + half))
    assert (s.minimum, s.maximum) == (1.0, 4.0)


def test_summary_leaves_out_missing_and_non_finite_values():
    s = summarise([None, 1.0, math.nan, 3.0, math.inf])
    assert s.n == 2
    assert s.mean == 2.0
    assert s.sd == pytest.approx(math.sqrt(2))


def test_one_value_has_no_spread_and_no_interval():
    s = summarise([-0.5])
    assert (s.n, s.mean, s.sd, s.ci_low, s.ci_high, s.half_width) == (
        1,
        -0.5,
        None,
        None,
        None,
        None,
    )
    assert not s.has_interval


def test_identical_values_give_no_zero_width_interval():
    s = summarise([-0.3, -0.3, -0.3])  # -0.3 is not exact in binary; the mean must stay -0.3
    assert s.identical
    assert s.mean == -0.3
    assert s.sd == 0.0
    assert not s.has_interval
    assert s.half_width is None


def test_no_values():
    s = summarise([])
    assert s == Summary(0, None, None, None, None, None, None, None, None)


def test_welch_by_hand_with_equal_spreads():
    # a: 1, 2, 3 (mean 2, s² 1); b: 4, 5, 6 (mean 5, s² 1).
    # se = √(1/3 + 1/3) = √(2/3); ν = (2/3)² / ((1/3)²/2 + (1/3)²/2) = 4; t_{0.975,4} = 2.776445…
    d = welch(summarise([1.0, 2.0, 3.0]), summarise([4.0, 5.0, 6.0]))
    assert d.diff == pytest.approx(3.0)
    assert d.se == pytest.approx(math.sqrt(2 / 3))
    assert d.df == pytest.approx(4.0)
    assert d.t == pytest.approx(T4, abs=1e-9)
    half = T4 * math.sqrt(2 / 3)
    assert d.ci_low == pytest.approx(3 - half)
    assert d.ci_high == pytest.approx(3 + half)
    assert d.excludes_zero is True


def test_welch_by_hand_with_unequal_sizes_and_spreads():
    # a: 0, 2 (n 2, mean 1, s² 2); b: 0, 3, 6, 9 (n 4, mean 4.5, s² = (20.25+2.25)·2/3 = 15)
    # va = 2/2 = 1, vb = 15/4 = 3.75; se = √4.75; ν = 4.75² / (1²/1 + 3.75²/3) = 22.5625/5.6875
    d = welch(summarise([0.0, 2.0]), summarise([0.0, 3.0, 6.0, 9.0]))
    df = 22.5625 / 5.6875
    assert d.diff == pytest.approx(3.5)
    assert d.se == pytest.approx(math.sqrt(4.75))
    assert d.df == pytest.approx(df)
    assert d.ci_low == pytest.approx(3.5 - t_quantile(0.975, df) * math.sqrt(4.75))
    assert d.excludes_zero is False  # the interval is about ±6.1 wide around 3.5


def test_welch_without_an_interval():
    one = welch(summarise([1.0]), summarise([2.0, 3.0]))
    assert one.diff == pytest.approx(1.5)
    assert not one.has_interval
    assert one.excludes_zero is None
    flat = welch(summarise([1.0, 1.0]), summarise([2.0, 2.0]))
    assert flat.diff == 1.0
    assert flat.se == 0.0
    assert not flat.has_interval
    empty = welch(summarise([]), summarise([2.0, 3.0]))
    assert empty.diff is None


def test_welch_with_one_flat_side_uses_the_other_sides_degrees_of_freedom():
    d = welch(summarise([1.0, 1.0, 1.0]), summarise([2.0, 3.0, 4.0]))
    assert d.df == pytest.approx(2.0)
    assert d.t == pytest.approx(T2, abs=1e-9)


def test_paired_by_hand():
    # d = b − a = 1, 2, 2 (the None pair is skipped): mean 5/3, s² = (4/9 + 1/9 + 1/9)/2 = 1/3
    d = paired([(1.0, 2.0), (2.0, 4.0), (None, 9.0), (3.0, 5.0)])
    assert (d.n_a, d.n_b, d.df) == (3, 3, 2.0)
    assert d.diff == pytest.approx(5 / 3)
    assert d.se == pytest.approx(math.sqrt(1 / 3) / math.sqrt(3))
    assert d.ci_low == pytest.approx(5 / 3 - T2 / 3)
    assert d.ci_high == pytest.approx(5 / 3 + T2 / 3)
    assert d.excludes_zero


def test_differences_equal_up_to_rounding_have_no_spread():
    d = paired([(-0.2, -1.0), (-0.4, -1.2), (-0.6, -1.4)])  # −0.8 each, up to float rounding
    assert d.diff == pytest.approx(-0.8)
    assert d.se == 0.0
    assert not d.has_interval
    one = paired([(0.0, 1.0)])
    assert (one.diff, one.df, one.has_interval) == (1.0, None, False)
