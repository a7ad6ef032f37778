"""Small-sample statistics for comparing prompts: means, spreads, t intervals, Welch's test.

Pure functions, standard library only (no scipy). Notation for a sample x₁…xₙ:

* mean  x̄ = (1/n) Σ xᵢ
* sd    s = √( Σ (xᵢ − x̄)² / (n − 1) )   (the sample standard deviation, n − 1 in the divisor)
* sem   s / √n                            (standard error of the mean)
* 95 % confidence interval of the mean: x̄ ± t₀.₉₇₅,ₙ₋₁ · s/√n, with t the Student t quantile
  on n − 1 degrees of freedom. It needs n ≥ 2 and s > 0: with one value there is no spread to
  measure, and a zero spread gives a zero-width interval that is not evidence of anything, so
  both give *no* interval (``None``) rather than a misleading one.

Welch's interval for the difference of two means (unequal variances), b − a:

* se = √( s_a²/n_a + s_b²/n_b )
* ν  = se⁴ / ( (s_a²/n_a)²/(n_a − 1) + (s_b²/n_b)²/(n_b − 1) )   (Welch–Satterthwaite)
* CI = (x̄_b − x̄_a) ± t₀.₉₇₅,ν · se

Paired difference (when sample i of both sides shares something, here the sampling seed):
dᵢ = bᵢ − aᵢ over the pairs where both exist; d̄ ± t₀.₉₇₅,ₘ₋₁ · s_d/√m for m pairs.

Intervals are plain t intervals, never clipped to a metric's range: a bound outside it (a
probability above 1) says the normal approximation is poor at this n, which a reader should see.

The t quantile is computed, not looked up: the t CDF through the regularised incomplete beta
function (Lentz's continued fraction, accurate to ~1e-14), inverted by bisection. It works for
fractional degrees of freedom, which Welch's ν always is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache
from statistics import NormalDist
from typing import Any

CONFIDENCE = 0.95
"""Two-sided confidence level of every interval."""

ROUNDING = 1e-12
"""A spread below this fraction of the values' size is float rounding, not variation."""

_NORMAL_DF = 1e7
"""Above this many degrees of freedom the t and normal quantiles agree to ~1e-8."""


# ----------------------------------------------------------------- the t distribution


def _incomplete_beta_fraction(a: float, b: float, x: float) -> float:
    """Continued fraction of I_x(a, b) (modified Lentz; Numerical Recipes' ``betacf``)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 1000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def regularized_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b) = B(x; a, b) / B(a, b), for a, b > 0 and 0 ≤ x ≤ 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    # The fraction converges fast for x < (a+1)/(a+b+2); on the other side use the symmetry
    # I_x(a, b) = 1 − I_{1−x}(b, a).
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _incomplete_beta_fraction(a, b, x) / a
    return 1.0 - front * _incomplete_beta_fraction(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T ≤ t) for Student's t with ``df`` > 0 degrees of freedom:
    for t ≥ 0, 1 − ½ · I_{df/(df+t²)}(df/2, ½)."""
    if df <= 0 or math.isnan(df):
        raise ValueError(f"degrees of freedom must be positive, not {df}")
    if math.isinf(t):
        return 1.0 if t > 0 else 0.0
    tail = 0.5 * regularized_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


@lru_cache(maxsize=4096)
def t_quantile(p: float, df: float) -> float:
    """The t such that P(T ≤ t) = ``p`` on ``df`` degrees of freedom (fractional allowed;
    ``math.inf`` gives the normal quantile). ``t_quantile(0.975, 4)`` = 2.776445…"""
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be strictly between 0 and 1, not {p}")
    if df <= 0 or math.isnan(df):
        raise ValueError(f"degrees of freedom must be positive, not {df}")
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    if df >= _NORMAL_DF:
        return NormalDist().inv_cdf(p)
    # Bracket: the t quantile is at least the normal one; double the upper end until it holds.
    low = NormalDist().inv_cdf(p)
    high = max(2.0 * low, 1.0)
    while t_cdf(high, df) < p:
        low, high = high, high * 2.0
        if high > 1e300:  # pragma: no cover - p within 1e-300 of 1 on tiny df
            return math.inf
    for _ in range(200):
        middle = 0.5 * (low + high)
        if middle in (low, high):
            break
        if t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
    return 0.5 * (low + high)


def t_critical(df: float, confidence: float = CONFIDENCE) -> float:
    """The two-sided critical value: t_{(1+confidence)/2, df} (1.96 as df → ∞ for 95 %)."""
    return t_quantile(0.5 + confidence / 2.0, df)


# ------------------------------------------------------------------------ summaries


@dataclass(frozen=True, slots=True)
class Summary:
    """Mean, spread and confidence interval of one metric over n samples.

    ``sd``/``sem`` need n ≥ 2; the interval also needs sd > 0 (see the module docstring).
    ``t`` is the critical value used (t₀.₉₇₅ on n − 1 df for 95 %).
    """

    n: int
    mean: float | None
    sd: float | None
    sem: float | None
    t: float | None
    ci_low: float | None
    ci_high: float | None
    minimum: float | None
    maximum: float | None

    @property
    def has_interval(self) -> bool:
        return self.ci_low is not None and self.ci_high is not None

    @property
    def half_width(self) -> float | None:
        """t · sem: the ± of the interval."""
        if self.t is None or self.sem is None or not self.has_interval:
            return None
        return self.t * self.sem

    @property
    def identical(self) -> bool:
        """Two or more values, all the same: no spread was observed."""
        return self.n >= 2 and self.sd == 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


EMPTY = Summary(0, None, None, None, None, None, None, None, None)


def summarise(values: Iterable[float], confidence: float = CONFIDENCE) -> Summary:
    """Summary of the finite values (None, NaN and ±∞ are left out: they are not measurements)."""
    xs = [float(v) for v in values if v is not None and math.isfinite(v)]
    n = len(xs)
    if n == 0:
        return EMPTY
    mean = math.fsum(xs) / n
    if n == 1:
        return Summary(1, mean, None, None, None, None, None, xs[0], xs[0])
    variance = math.fsum((x - mean) ** 2 for x in xs) / (n - 1)
    if all(x == xs[0] for x in xs):
        variance = 0.0  # exactly: rounding in the mean must not invent a spread
        mean = xs[0]
    sd = math.sqrt(variance)
    if sd <= ROUNDING * max(abs(x) for x in xs):
        sd = 0.0  # values equal up to float rounding (−1.2 − −0.4 vs −1.0 − −0.2) are equal
    sem = sd / math.sqrt(n)
    t = t_critical(n - 1, confidence)
    low = high = None
    if sd > 0:
        low, high = mean - t * sem, mean + t * sem
    return Summary(n, mean, sd, sem, t, low, high, min(xs), max(xs))


@dataclass(frozen=True, slots=True)
class Difference:
    """Welch's comparison of two means: ``diff`` = mean_b − mean_a (see the module docstring).

    ``ci_low``/``ci_high`` are ``None`` when either side has fewer than 2 values or neither side
    varies (se = 0: no noise was observed, so there is nothing to compare the difference with).
    """

    n_a: int
    n_b: int
    diff: float | None
    se: float | None
    df: float | None
    t: float | None
    ci_low: float | None
    ci_high: float | None

    @property
    def has_interval(self) -> bool:
        return self.ci_low is not None and self.ci_high is not None

    @property
    def excludes_zero(self) -> bool | None:
        """True when the interval lies entirely above or below 0; None without an interval."""
        if self.ci_low is None or self.ci_high is None:
            return None
        return self.ci_low > 0 or self.ci_high < 0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["excludes_zero"] = self.excludes_zero
        return data


def welch(a: Summary, b: Summary, confidence: float = CONFIDENCE) -> Difference:
    """Difference b − a of two summarised samples with Welch's interval."""
    if a.mean is None or b.mean is None:
        return Difference(a.n, b.n, None, None, None, None, None, None)
    diff = b.mean - a.mean
    if a.sd is None or b.sd is None:
        return Difference(a.n, b.n, diff, None, None, None, None, None)
    va, vb = a.sd**2 / a.n, b.sd**2 / b.n
    se = math.sqrt(va + vb)
    if se == 0:
        return Difference(a.n, b.n, diff, 0.0, None, None, None, None)
    df = (va + vb) ** 2 / (va**2 / (a.n - 1) + vb**2 / (b.n - 1))
    t = t_critical(df, confidence)
    return Difference(a.n, b.n, diff, se, df, t, diff - t * se, diff + t * se)


def paired(
    pairs: Iterable[tuple[float | None, float | None]], confidence: float = CONFIDENCE
) -> Difference:
    """Mean of the differences b − a over the pairs where both values are finite, with its t
    interval on m − 1 df (m pairs). ``n_a`` = ``n_b`` = m."""
    diffs = [
        b - a
        for a, b in pairs
        if a is not None and b is not None and math.isfinite(a) and math.isfinite(b)
    ]
    s = summarise(diffs, confidence)
    df = float(s.n - 1) if s.n >= 2 else None
    return Difference(s.n, s.n, s.mean, s.sem, df, s.t, s.ci_low, s.ci_high)
