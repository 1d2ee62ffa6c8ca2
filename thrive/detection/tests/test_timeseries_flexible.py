"""farringtonFlexible's pieces: the reference layout, the batched Poisson fit, the bounds and the rules."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.stats import nbinom, poisson

from thrive.detection.timeseries import FARRINGTON_1996, NOUFAILY_2012, farrington_flexible
from thrive.detection.timeseries.farrington import reference_layout
from thrive.detection.timeseries.poisson_glm import GroupTrendDesign, fit_poisson
from thrive.detection.timeseries.thresholds import negative_binomial_upper_bound


def test_farrington_layout_is_three_windows_of_seven_weeks() -> None:
    layout = reference_layout(FARRINGTON_1996)
    expected = [o for year in (3, 2, 1) for o in range(-52 * year - 3, -52 * year + 4)]
    assert list(layout.offsets) == expected
    assert set(layout.groups) == {0} and layout.current_group == 0


def test_noufaily_layout_has_nine_blocks_of_five_between_windows() -> None:
    layout = reference_layout(NOUFAILY_2012)
    assert layout.offsets[0] == -52 * 3 - 3 and layout.offsets[-1] == -27  # data run to k - 27
    assert layout.offsets.size == 52 * 3 + 3 - 26
    assert np.all(np.diff(layout.offsets) == 1)
    groups = dict(zip(layout.offsets.tolist(), layout.groups.tolist(), strict=True))
    window = layout.current_group
    assert window == 9  # levels 1..10 present, level 10 (the windows) is the last
    assert all(groups[o] == window for o in range(-107, -100))
    gap = [groups[o] for o in range(-100, -55)]  # 45 weeks between the -104 and -52 windows
    assert gap == [level for level in range(9) for _ in range(5)]


def test_uneven_blocks_give_the_first_ones_an_extra_week() -> None:
    layout = reference_layout(
        dataclasses.replace(NOUFAILY_2012, no_periods=7, w=2, past_weeks_not_included=10)
    )
    groups = dict(zip(layout.offsets.tolist(), layout.groups.tolist(), strict=True))
    gap = [groups[o] for o in range(-101, -54)]  # 47 weeks, 6 blocks: 5 of 8 then 1 of 7
    assert gap == [level for level in range(6) for _ in range(8 if level < 5 else 7)]


def test_fewer_past_weeks_left_out_than_w_keeps_part_of_the_current_window() -> None:
    layout = reference_layout(dataclasses.replace(FARRINGTON_1996, w=2, past_weeks_not_included=1))
    assert list(layout.offsets[-1:]) == [-2]


@st.composite
def count_problems(draw: st.DrawFn) -> tuple[GroupTrendDesign, np.ndarray, np.ndarray | None]:
    n_groups = draw(st.integers(1, 4))
    size = draw(st.integers(3, 10))
    groups = np.repeat(np.arange(n_groups), size)
    trend = draw(st.booleans())
    time = np.arange(groups.size, dtype=float) - groups.size if trend else None
    counts = draw(st.lists(st.integers(0, 12), min_size=groups.size * 3, max_size=groups.size * 3))
    y = np.array(counts, dtype=float).reshape(3, groups.size)
    weights = None
    if draw(st.booleans()):
        raw = np.array(draw(st.lists(st.floats(0.2, 3.0), min_size=y.size, max_size=y.size))).reshape(y.shape)
        weights = raw * groups.size / raw.sum(axis=1, keepdims=True)
    return GroupTrendDesign(groups, time), y, weights


@settings(max_examples=150, deadline=None)
@given(problem=count_problems())
def test_converged_fits_solve_the_score_equations(
    problem: tuple[GroupTrendDesign, np.ndarray, np.ndarray | None],
) -> None:
    design, y, weights = problem
    fits = fit_poisson(design, y, weights)
    w = np.ones_like(y) if weights is None else weights
    scale = 1e-6 * (y.sum(axis=1) + 1)
    for f in np.flatnonzero(fits.converged):
        residual = w[f] * (y[f] - fits.mu[f])
        group_scores = np.bincount(design.groups, weights=residual, minlength=design.n_groups)
        assert np.all(np.abs(group_scores) <= scale[f])
        if design.time is not None:
            assert abs(np.sum(residual * design.time)) <= scale[f] * np.abs(design.time).max()


def test_all_zero_counts_converge_at_the_last_allowed_iteration_like_r() -> None:
    """R's deviance test needs 25 IRLS steps of eta - 1 for 133 zeros (mu = 0.1 e^-25)."""
    layout = reference_layout(NOUFAILY_2012)
    fits = fit_poisson(GroupTrendDesign(layout.groups, None), np.zeros((1, layout.offsets.size)))
    assert fits.converged[0]
    np.testing.assert_allclose(fits.mu[0], 0.1 * np.exp(-25), rtol=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    mu0=st.floats(1e-3, 60.0),
    phi=st.one_of(st.just(1.0), st.floats(1.0001, 8.0)),
    alpha=st.sampled_from([0.001, 0.01, 0.05, 0.2]),
)
def test_plug_in_bound_is_the_smallest_count_reaching_the_quantile(
    mu0: float, phi: float, alpha: float
) -> None:
    bound = negative_binomial_upper_bound(np.array([mu0]), np.array([phi]), alpha)[0]
    distribution = nbinom(mu0 / (phi - 1), 1 / phi) if phi > 1 else poisson(mu0)
    # Away from the rounding edge (see reference F14), the quantile is unambiguous.
    assume(abs(distribution.cdf(bound) - (1 - alpha)) > 1e-9)
    assume(bound == 0 or abs(distribution.cdf(bound - 1) - (1 - alpha)) > 1e-9)
    assert distribution.cdf(bound) >= 1 - alpha
    assert bound == 0 or distribution.cdf(bound - 1) < 1 - alpha


def _series(seed: int, weeks: int = 260, mean: float = 3.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.poisson(mean * np.exp(0.5 * np.sin(2 * np.pi * np.arange(weeks) / 52)), size=(4, weeks))


@pytest.mark.parametrize("preset", [FARRINGTON_1996, NOUFAILY_2012], ids=["farrington", "noufaily"])
def test_fewer_than_five_cases_in_four_weeks_gives_no_alarm_and_no_bound(preset) -> None:
    y = _series(1, mean=0.4)
    y[:, -4:] = [[0, 0, 0, 4], [0, 1, 0, 3], [2, 0, 0, 3], [0, 0, 0, 0]]
    result = farrington_flexible(y, evaluate=(260, 260), settings=preset)
    assert list(result.alarm[:, 0]) == [False, False, True, False]
    assert np.isnan(result.upperbound[[0, 1, 3], 0]).all() and np.isnan(result.expected[[0, 1, 3], 0]).all()
    assert not result.alarm_na.any()


@pytest.mark.parametrize("preset", [FARRINGTON_1996, NOUFAILY_2012], ids=["farrington", "noufaily"])
def test_alarm_means_a_count_above_the_bound(preset) -> None:
    y = _series(2)
    y[:, -8:] += np.array([0, 9, 0, 14, 2, 20, 0, 6])
    result = farrington_flexible(y, evaluate=(200, 260), settings=preset)
    defined = ~np.isnan(result.upperbound)
    assert result.alarm.any()
    np.testing.assert_array_equal(result.alarm[defined], (result.observed > result.upperbound)[defined])


def test_many_series_at_once_equal_one_at_a_time() -> None:
    y = _series(3)
    together = farrington_flexible(y, evaluate=(230, 260), settings=NOUFAILY_2012)
    for s in range(y.shape[0]):
        alone = farrington_flexible(y[s], evaluate=(230, 260), settings=NOUFAILY_2012)
        np.testing.assert_array_equal(alone.upperbound[0], together.upperbound[s])
        np.testing.assert_array_equal(alone.expected[0], together.expected[s])


def test_evaluation_before_the_oldest_reference_window_is_refused() -> None:
    with pytest.raises(ValueError, match="week 160 at the earliest"):
        farrington_flexible(_series(4), evaluate=(159, 260), settings=FARRINGTON_1996)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"no_periods": 47}, "do not fit"),
        ({"alpha": 1.5}, "alpha"),
        ({"b": 0}, "b must"),
        ({"past_weeks_not_included": -1}, "past weeks"),
        ({"threshold_method": "muan"}, "threshold method"),
    ],
)
def test_settings_outside_what_r_handles_are_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        farrington_flexible(
            _series(5), evaluate=(200, 260), settings=dataclasses.replace(NOUFAILY_2012, **change)
        )
