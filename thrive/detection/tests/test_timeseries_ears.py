"""EARS against a brute-force transcription of R's earsC, on small hand-made and generated series."""

from __future__ import annotations

import math
import statistics
from typing import cast

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from thrive.detection.timeseries import EarsMethod, ears


def _r_pmax0(value: float) -> float:
    """R's pmax(0, x): NaN stays NaN (Python's max would give 0)."""
    return value if math.isnan(value) else max(0.0, value)


def _r_divide(numerator: float, denominator: float) -> float:
    if denominator != 0:
        return numerator / denominator
    return math.nan if numerator == 0 else math.copysign(math.inf, numerator)


def brute_force(
    y: list[int], method: str, first: int, last: int, baseline: int, alpha: float, min_sigma: float
):
    """One week at a time, straight from the earsC source; weeks are 1-based as in R."""
    z = norm.ppf(1 - alpha)

    def window(t: int, guard: int) -> list[int]:
        return y[t - guard - baseline : t - guard]  # y[t-guard-baseline+1 .. t-guard], 1-based

    def stats(t: int, guard: int) -> tuple[float, float]:
        values = window(t, guard)
        return statistics.fmean(values), max(statistics.stdev(values), min_sigma)

    bounds, alarms = [], []
    for t in range(first, last + 1):
        if method == "C3":
            excess = []
            for lag in (2, 1):
                mean, sd = stats(t - lag, 3)
                excess.append(_r_pmax0(_r_divide(y[t - lag - 1] - mean, sd) - 1))
            sd_now = stats(t, 3)[1]
            lagged = z - (excess[0] + excess[1])
            scaled = (
                math.nan if (sd_now == 0 and math.isinf(lagged)) or math.isnan(lagged) else sd_now * lagged
            )
            bound = _r_pmax0(y[t - 1] + scaled)
        else:
            mean, sd = stats(t, 1 if method == "C1" else 3)
            bound = mean + z * sd
        bounds.append(bound)
        alarms.append(None if math.isnan(bound) else y[t - 1] > bound)
    return bounds, alarms


def _compare(
    y: list[int], method: EarsMethod, first: int, baseline: int, alpha: float, min_sigma: float
) -> None:
    result = ears(
        np.array(y),
        method=method,
        evaluate=(first, len(y)),
        baseline=baseline,
        alpha=alpha,
        min_sigma=min_sigma,
    )
    bounds, alarms = brute_force(y, method, first, len(y), baseline, alpha, min_sigma)
    np.testing.assert_allclose(result.upperbound[0], bounds, rtol=1e-12, atol=1e-12, equal_nan=True)
    ours = [None if na else bool(a) for a, na in zip(result.alarm[0], result.alarm_na[0], strict=True)]
    assert ours == alarms


low_counts = st.lists(st.integers(0, 3) | st.integers(0, 40), min_size=20, max_size=45)


@settings(max_examples=200, deadline=None)
@given(
    y=low_counts,
    method=st.sampled_from(["C1", "C2", "C3"]),
    baseline=st.integers(3, 8),
    alpha=st.sampled_from([0.001, 0.025, 0.05, 0.3]),
    min_sigma=st.sampled_from([0.0, 0.0, 0.5, 2.0]),
)
def test_ears_equals_brute_force(
    y: list[int], method: EarsMethod, baseline: int, alpha: float, min_sigma: float
) -> None:
    first = baseline + {"C1": 1, "C2": 3, "C3": 5}[method]
    _compare(y, method, first, baseline, alpha, min_sigma)


def test_zero_baseline_makes_any_case_alarm_in_c1_and_c2() -> None:
    y = np.array([0] * 10 + [1])
    for method in ("C1", "C2"):
        result = ears(y, method=cast(EarsMethod, method), evaluate=(11, 11))
        assert result.upperbound[0, 0] == 0 and bool(result.alarm[0, 0])


def test_c3_with_constant_baselines_is_na_as_in_r() -> None:
    result = ears(np.zeros(14), method="C3", evaluate=(12, 14))
    assert np.all(np.isnan(result.upperbound)) and np.all(result.alarm_na) and not result.alarm.any()


def test_c3_alarm_comes_from_the_two_previous_weeks_not_the_current_one() -> None:
    y = [2, 3, 2, 4, 3, 2, 3, 2, 3, 30, 30, 0, 1]
    result = ears(np.array(y), method="C3", evaluate=(12, 13))
    assert result.upperbound[0, 0] == 0 and not result.alarm[0, 0]  # y = 0 never alarms
    assert bool(result.alarm[0, 1])  # a count of 1 alarms after two outbreak weeks
    _compare(y, "C3", 12, 7, 0.001, 0.0)


def test_alarm_is_strictly_above_the_bound() -> None:
    result = ears(np.array([2] * 8 + [2, 3]), method="C1", evaluate=(9, 10))
    assert list(result.upperbound[0]) == [2, 2]  # a constant baseline: sd 0, the bound is the mean
    assert list(result.alarm[0]) == [False, True]


@pytest.mark.parametrize(("method", "first"), [("C1", 7), ("C2", 9), ("C3", 11)])
def test_evaluation_that_starts_too_early_is_refused(method: EarsMethod, first: int) -> None:
    with pytest.raises(ValueError, match="at the earliest"):
        ears(np.arange(30), method=method, evaluate=(first, 30))


def test_many_series_at_once_equal_one_at_a_time() -> None:
    rng = np.random.default_rng(3)
    y = rng.poisson(1.5, size=(6, 40))
    together = ears(y, method="C3", evaluate=(12, 40), alpha=0.025)
    for s in range(6):
        alone = ears(y[s], method="C3", evaluate=(12, 40), alpha=0.025)
        np.testing.assert_array_equal(alone.upperbound[0], together.upperbound[s])


@pytest.mark.parametrize("method", ["C1", "C2", "C3"])
def test_expected_is_null_because_r_gives_none(method: str) -> None:
    counts = np.array([[3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3]])
    result = ears(counts, method=cast(EarsMethod, method), evaluate=(13, 16))
    assert np.isnan(result.expected).all()
    assert all(row["expected"] is None for row in result.rows(["s"]))
