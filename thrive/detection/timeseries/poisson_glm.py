"""Many quasi-Poisson log-linear fits at once, step for step as R's `glm.fit` takes them.

The model is the one farringtonFlexible fits: a level per seasonal group (cell means, the same column
space as R's intercept plus treatment contrasts) and optionally a linear time trend. The weighted least
squares problem of a factor plus one slope has a closed form per group, so each IRLS step is a few passes
over the fit's observations; a compiled loop runs them fit by fit (numpy passes over all fits at once
were 8x slower, being bound by memory traffic).

R's iterates are copied, not just its optimum: start at mu = y + 0.1, deviance test
|dev - devold| / (|dev| + 0.1) < 1e-8, at most 25 iterations, mu and d(mu)/d(eta) floored at machine
epsilon, step halving when the deviance is not finite. Like R, the weights, hat values and covariance
returned are those of the last iteration's start, while mu is the final one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import numpy.typing as npt

from thrive.detection.timeseries.result import BoolArray, FloatArray

EPSILON = 1e-8
MAX_ITERATIONS = 25
_DBL_EPSILON = float(np.finfo(np.float64).eps)


@dataclass(frozen=True)
class GroupTrendDesign:
    """Observation i belongs to seasonal group `groups[i]`; `time` is the trend covariate or None."""

    groups: npt.NDArray[np.intp]
    time: FloatArray | None

    @property
    def n_groups(self) -> int:
        return int(self.groups.max()) + 1

    @property
    def rank(self) -> int:
        return self.n_groups + (0 if self.time is None else 1)

    @property
    def indicator(self) -> FloatArray:
        matrix = np.zeros((self.groups.size, self.n_groups))
        matrix[np.arange(self.groups.size), self.groups] = 1.0
        return matrix


@dataclass(frozen=True)
class _Normal:
    """The weighted least squares quantities of one step: group weight sums, group mean times, slope scale."""

    weight_sums: FloatArray  # (F, groups)
    mean_times: FloatArray  # (F, groups); zeros without trend
    time_scatter: FloatArray  # (F,); weighted within-group sum of squares of time, inf without trend


@dataclass(frozen=True)
class PoissonFits:
    converged: BoolArray  # (F,)
    group_levels: FloatArray  # (F, groups): the linear predictor of each group at time 0
    slope: FloatArray  # (F,): trend coefficient, 0 without trend
    mu: FloatArray  # (F, n): final fitted means
    working_weights: FloatArray  # (F, n): prior weight x mu at the start of the last iteration
    normal: _Normal

    def hat_values(self, design: GroupTrendDesign) -> FloatArray:
        """R's `hatvalues()`: w_i x_i' (X'WX)^-1 x_i, with values within 10 eps of 1 set to 1."""
        hat = self.working_weights * self._leverage_factor(design.groups, design.time)
        hat[hat > 1 - 10 * _DBL_EPSILON] = 1.0
        return hat

    def prediction_variance(self, group: int) -> FloatArray:
        """x0' (X'WX)^-1 x0 for a new point in `group` at time 0 (the unscaled variance of its eta)."""
        n = self.normal
        return np.asarray(1.0 / n.weight_sums[:, group] + n.mean_times[:, group] ** 2 / n.time_scatter)

    def slope_variance(self) -> FloatArray:
        return 1.0 / self.normal.time_scatter

    def take(self, rows: npt.NDArray[np.intp]) -> PoissonFits:
        """The fits at `rows` only."""
        n = self.normal
        return PoissonFits(
            self.converged[rows],
            self.group_levels[rows],
            self.slope[rows],
            self.mu[rows],
            self.working_weights[rows],
            _Normal(n.weight_sums[rows], n.mean_times[rows], n.time_scatter[rows]),
        )

    def _leverage_factor(self, groups: npt.NDArray[np.intp], time: FloatArray | None) -> FloatArray:
        n = self.normal
        factor = 1.0 / n.weight_sums[:, groups]
        if time is not None:
            factor = factor + (time[None, :] - n.mean_times[:, groups]) ** 2 / n.time_scatter[:, None]
        return factor


def fit_poisson(
    design: GroupTrendDesign, y: FloatArray, prior_weights: FloatArray | None = None
) -> PoissonFits:
    """Fits every row of `y` (F, n) with the shared design, optionally with prior weights (F, n)."""
    weights = np.ones_like(y) if prior_weights is None else np.ascontiguousarray(prior_weights)
    fits, n = y.shape
    has_trend = design.time is not None
    time = design.time if design.time is not None else np.zeros(n)
    converged = np.zeros(fits, dtype=np.bool_)
    levels = np.zeros((fits, design.n_groups))
    slope = np.zeros(fits)
    mu = np.empty((fits, n))
    working = np.empty((fits, n))
    weight_sums = np.empty((fits, design.n_groups))
    mean_times = np.zeros((fits, design.n_groups))
    scatter = np.full(fits, np.inf)
    _irls(
        np.ascontiguousarray(y), weights, design.groups, time, has_trend,
        converged, levels, slope, mu, working, weight_sums, mean_times, scatter,
    )  # fmt: skip
    return PoissonFits(converged, levels, slope, mu, working, _Normal(weight_sums, mean_times, scatter))


@numba.njit(cache=True, nogil=True)
def _irls(  # the outputs are filled in place
    y: FloatArray,
    prior: FloatArray,
    groups: npt.NDArray[np.intp],
    time: FloatArray,
    has_trend: bool,
    converged: BoolArray,
    levels: FloatArray,
    slope: FloatArray,
    mu_out: FloatArray,
    working_out: FloatArray,
    weight_sums: FloatArray,
    mean_times: FloatArray,
    scatter: FloatArray,
) -> None:  # pragma: no cover - compiled; covered through fit_poisson
    fits, n = y.shape
    n_groups = levels.shape[1]
    eta = np.empty(n)
    mu = np.empty(n)
    z = np.empty(n)
    working = np.empty(n)
    group_z = np.empty(n_groups)
    new_levels = np.empty(n_groups)
    old_levels = np.empty(n_groups)
    for f in range(fits):
        yf, wf = y[f], prior[f]
        for i in range(n):
            mu[i] = yf[i] + 0.1
            eta[i] = np.log(mu[i])
            mu_out[f, i] = mu[i]
        dev_old = _deviance(yf, mu, wf)
        have_old = False
        old_slope = 0.0
        new_slope = 0.0
        for _ in range(MAX_ITERATIONS):
            sums, means = weight_sums[f], mean_times[f]
            sums[:] = 0.0
            means[:] = 0.0
            group_z[:] = 0.0
            for i in range(n):
                working[i] = wf[i] * mu[i]
                z[i] = eta[i] + (yf[i] - mu[i]) / mu[i]
                g = groups[i]
                sums[g] += working[i]
                group_z[g] += working[i] * z[i]
                if has_trend:
                    means[g] += working[i] * time[i]
            new_slope = 0.0
            if has_trend:
                for g in range(n_groups):
                    means[g] /= sums[g]
                within = 0.0
                cross = 0.0
                for i in range(n):
                    centred = time[i] - means[groups[i]]
                    within += working[i] * centred * centred
                    cross += working[i] * centred * z[i]
                scatter[f] = within
                new_slope = cross / within
            finite = np.isfinite(new_slope)
            for g in range(n_groups):
                new_levels[g] = group_z[g] / sums[g] - new_slope * means[g]
                finite = finite and np.isfinite(new_levels[g])
            for i in range(n):
                working_out[f, i] = working[i]
            if not finite:  # R: non-finite coefficients, stop unconverged
                break
            dev = _update(yf, wf, groups, time, new_levels, new_slope, eta, mu)
            if not np.isfinite(dev) and have_old:  # R: step size truncated due to divergence
                for _ in range(MAX_ITERATIONS):
                    for g in range(n_groups):
                        new_levels[g] = (new_levels[g] + old_levels[g]) / 2
                    new_slope = (new_slope + old_slope) / 2
                    dev = _update(yf, wf, groups, time, new_levels, new_slope, eta, mu)
                    if np.isfinite(dev):
                        break
            elif not np.isfinite(dev):  # R: no valid set of coefficients has been found
                break
            levels[f, :] = new_levels
            slope[f] = new_slope
            mu_out[f, :] = mu
            if abs(dev - dev_old) / (0.1 + abs(dev)) < EPSILON:
                converged[f] = True
                break
            dev_old = dev
            old_levels[:] = new_levels
            old_slope = new_slope
            have_old = True


@numba.njit(cache=True, nogil=True)
def _update(
    y: FloatArray,
    prior: FloatArray,
    groups: npt.NDArray[np.intp],
    time: FloatArray,
    levels: FloatArray,
    slope: float,
    eta: FloatArray,
    mu: FloatArray,
) -> float:  # pragma: no cover - compiled
    """New linear predictor and mean (R's pmax(exp(eta), eps)); returns the deviance."""
    for i in range(y.size):
        eta[i] = levels[groups[i]] + slope * time[i]
        mu[i] = max(np.exp(eta[i]), _DBL_EPSILON)
    return _deviance(y, mu, prior)


@numba.njit(cache=True, nogil=True)
def _deviance(y: FloatArray, mu: FloatArray, prior: FloatArray) -> float:  # pragma: no cover - compiled
    """R's poisson()$dev.resids summed: 2 w (y log(y/mu) - (y - mu)), with 0 log 0 = 0."""
    total = 0.0
    for i in range(y.size):
        term = mu[i] if y[i] == 0 else y[i] * np.log(y[i] / mu[i]) - (y[i] - mu[i])
        total += prior[i] * term
    return 2.0 * total
