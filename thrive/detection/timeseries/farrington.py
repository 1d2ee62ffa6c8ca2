"""farringtonFlexible (Farrington 1996 and Noufaily 2012 settings) equal to R `surveillance` 1.20.3.

Follows the project's notes on R surveillance (r-surveillance.md, F1-F14) with index-based weeks:
reference windows k - 52i +/- w, Noufaily's seasonal blocks, a quasi-Poisson fit with a trend that is
dropped when it is not significant or would extrapolate, one Anscombe-residual reweighting, R's
overwritten `model$weights` (F8) in the trend test and the prediction's standard error, the delta and
nbPlugin bounds, and the 5-cases-in-4-weeks rule. All (series, week) fits are done together, in chunks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.special import stdtr

from thrive.detection.timeseries.poisson_glm import GroupTrendDesign, PoissonFits, fit_poisson
from thrive.detection.timeseries.result import (
    BoolArray,
    DetectorResult,
    FloatArray,
    as_count_matrix,
    check_evaluate,
)
from thrive.detection.timeseries.thresholds import delta_upper_bound, negative_binomial_upper_bound

ThresholdMethod = Literal["delta", "nbPlugin"]
WEEKS_PER_YEAR = 52
_DBL_EPSILON = float(np.finfo(np.float64).eps)
# Cells per chunk of fits (fits x observations per fit), to keep the working arrays near 100 MB.
_CHUNK_CELLS = 1_500_000


@dataclass(frozen=True)
class FlexibleSettings:
    """farringtonFlexible's control list, in Thrive's names (R's in comments)."""

    b: int  # years back
    w: int  # half-width of each reference window, in weeks
    no_periods: int  # noPeriods: seasonal factor levels (1 = none)
    weights_threshold: float  # weightsThreshold for the Anscombe residuals
    past_weeks_not_included: int  # pastWeeksNotIncluded
    p_threshold_trend: float  # pThresholdTrend
    threshold_method: ThresholdMethod  # thresholdMethod
    alpha: float
    reweight: bool = True
    trend: bool = True
    limit54: tuple[int, int] = (5, 4)  # (cases, weeks) needed for an alarm

    def validate(self) -> None:
        if self.b < 1 or self.w < 0:
            raise ValueError("b must be at least 1 and w at least 0")
        if self.no_periods < 1:
            raise ValueError("the number of periods must be at least 1")
        gap = WEEKS_PER_YEAR - 2 * self.w - 1
        if self.no_periods > 1 and self.no_periods - 1 > gap:
            raise ValueError(f"{self.no_periods} periods do not fit in the {gap} weeks between windows")
        if self.past_weeks_not_included < 0:
            raise ValueError("the number of past weeks not included must be at least 0")
        if not 0 < self.alpha < 1:
            raise ValueError("alpha must be between 0 and 1")
        if self.threshold_method not in ("delta", "nbPlugin"):
            raise ValueError(f"unknown threshold method {self.threshold_method!r}")
        if self.limit54[0] < 0 or self.limit54[1] < 1:
            raise ValueError("limit54 needs cases >= 0 and a period of at least 1 week")

    @property
    def first_week(self) -> int:
        """R's default range start: the oldest reference window must lie inside the series."""
        return WEEKS_PER_YEAR * self.b + self.w + 1


FARRINGTON_1996 = FlexibleSettings(
    b=3, w=3, no_periods=1, weights_threshold=1.0, past_weeks_not_included=3,
    p_threshold_trend=0.05, threshold_method="delta", alpha=0.01,
)  # fmt: skip
NOUFAILY_2012 = FlexibleSettings(
    b=3, w=3, no_periods=10, weights_threshold=2.58, past_weeks_not_included=26,
    p_threshold_trend=1.0, threshold_method="nbPlugin", alpha=0.01,
)  # fmt: skip


@dataclass(frozen=True)
class Layout:
    """Which weeks, relative to the evaluated week k (offset 0), enter the fit, and their seasonal group."""

    offsets: npt.NDArray[np.intp]
    groups: npt.NDArray[np.intp]  # 0-based index into the sorted factor levels present
    current_group: int  # the group of level noPeriods, used for the prediction


def reference_layout(settings: FlexibleSettings) -> Layout:
    """R's `blocks()` for index-based weeks, minus weeks k - pastWeeksNotIncluded .. k."""
    b, w, p = settings.b, settings.w, settings.no_periods
    level: dict[int, int] = dict.fromkeys(range(-w, 1), p)
    references = [-WEEKS_PER_YEAR * i for i in range(b + 1)]
    for i in range(1, b + 1):
        reference = references[i]
        level.update(dict.fromkeys(range(reference - w, reference + w + 1), p))
        if p == 1:
            continue
        period = references[i - 1] - 2 * w - 1 - reference
        lengths = [period // (p - 1) + (1 if j < period % (p - 1) else 0) for j in range(p - 1)]
        start = reference + w + 1
        for block, length in enumerate(lengths, start=1):
            level.update(dict.fromkeys(range(start, start + length), block))
            start += length
    kept = sorted(o for o in level if o < -settings.past_weeks_not_included)
    levels = np.array([level[o] for o in kept], dtype=np.intp)
    present = np.unique(levels)
    if p not in present:
        raise ValueError("no reference week is left once the past weeks not included are removed")
    return Layout(
        offsets=np.array(kept, dtype=np.intp),
        groups=np.searchsorted(present, levels).astype(np.intp),
        current_group=int(np.searchsorted(present, p)),
    )


def farrington_flexible(
    counts: npt.ArrayLike, *, evaluate: tuple[int, int], settings: FlexibleSettings
) -> DetectorResult:
    """Runs farringtonFlexible on each series (rows of `counts`) for the 1-based inclusive week range.

    Where R's model converges neither with nor without trend, `alarm` is NA, `upperbound` NA and
    `expected` 0, as R leaves it.
    """
    settings.validate()
    y = as_count_matrix(counts)
    check_evaluate(evaluate, y.shape[1], settings.first_week, f"b = {settings.b} years of reference weeks")
    layout = reference_layout(settings)
    rank = int(layout.groups.max()) + 1 + (1 if settings.trend else 0)
    if layout.offsets.size <= rank:
        raise ValueError("too few reference weeks are left to fit the model")
    first, last = evaluate
    weeks = np.arange(first, last + 1)
    series_index, week_index = np.meshgrid(np.arange(y.shape[0]), weeks, indexing="ij")
    series_flat, week_flat = series_index.ravel(), week_index.ravel()
    outputs = [np.empty(series_flat.size) for _ in range(4)]
    chunk = max(1, _CHUNK_CELLS // layout.offsets.size)
    for start in range(0, series_flat.size, chunk):
        part = slice(start, start + chunk)
        results = _evaluate_fits(y, series_flat[part], week_flat[part], layout, settings)
        for output, result in zip(outputs, results, strict=True):
            output[part] = result
    upper, expected, alarm_value, alarm_na = (o.reshape(series_index.shape) for o in outputs)
    return DetectorResult(
        first_week=first,
        observed=y[:, first - 1 : last],
        upperbound=upper,
        expected=expected,
        alarm=alarm_value.astype(bool),
        alarm_na=alarm_na.astype(bool),
    )


@dataclass(frozen=True)
class _Fitted:
    """The outcome of R's fitFun for each fit: usable, the final model, phi and the F8 dispersion."""

    usable: BoolArray
    model: PoissonFits
    phi: FloatArray
    dispersion: FloatArray

    def take(self, rows: npt.NDArray[np.intp]) -> _Fitted:
        return _Fitted(self.usable[rows], self.model.take(rows), self.phi[rows], self.dispersion[rows])


@dataclass(frozen=True)
class _Predictions:
    """Per fit: the linear predictor at week k, its standard error (F8), phi, and whether R had a model."""

    eta: FloatArray
    se_eta: FloatArray
    phi: FloatArray
    usable: BoolArray

    @classmethod
    def empty(cls, size: int) -> _Predictions:
        return cls(np.full(size, np.nan), np.full(size, np.nan), np.full(size, np.nan), np.zeros(size, bool))

    def store(self, rows: npt.NDArray[np.intp], fitted: _Fitted, group: int) -> None:
        self.eta[rows] = fitted.model.group_levels[:, group]
        self.se_eta[rows] = np.sqrt(fitted.model.prediction_variance(group) * fitted.dispersion)
        self.phi[rows] = fitted.phi
        self.usable[rows] = fitted.usable


def _evaluate_fits(
    y: FloatArray,
    series: npt.NDArray[np.intp],
    weeks: npt.NDArray[np.intp],
    layout: Layout,
    settings: FlexibleSettings,
) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray]:
    responses = y[series[:, None], weeks[:, None] - 1 + layout.offsets[None, :]]
    group = layout.current_group
    predictions = _Predictions.empty(series.size)
    keep_trend = np.zeros(series.size, dtype=bool)
    if settings.trend:
        design = GroupTrendDesign(layout.groups, layout.offsets.astype(np.float64))
        trend_fit = _fit_and_reweight(design, responses, settings)
        keep_trend = trend_fit.usable & _trend_is_kept(trend_fit, design, responses, group, settings)
        kept = np.flatnonzero(keep_trend)
        predictions.store(kept, trend_fit.take(kept), group)
    # R refits without trend when the trend fit failed to converge, was not significant or extrapolated.
    refit = np.flatnonzero(~keep_trend)
    if refit.size:
        design = GroupTrendDesign(layout.groups, None)
        predictions.store(refit, _fit_and_reweight(design, responses[refit], settings), group)
    return _bounds(y, series, weeks, predictions, settings)


def _trend_is_kept(
    fitted: _Fitted, design: GroupTrendDesign, responses: FloatArray, group: int, settings: FlexibleSettings
) -> BoolArray:
    """doTrend: b >= 3, the t test of the slope (with the F8 dispersion) below the threshold, and the
    predicted mean no higher than the largest count in the fit."""
    model = fitted.model
    with np.errstate(divide="ignore", invalid="ignore"):
        t_value = model.slope / np.sqrt(model.slope_variance() * fitted.dispersion)
        p_value = 2 * stdtr(responses.shape[1] - design.rank, -np.abs(t_value))
    with np.errstate(over="ignore"):
        predicted = np.maximum(np.exp(model.group_levels[:, group]), _DBL_EPSILON)
    return np.asarray(
        (settings.b >= 3) & (p_value < settings.p_threshold_trend) & (predicted <= responses.max(axis=1))
    )


def _fit_and_reweight(design: GroupTrendDesign, responses: FloatArray, settings: FlexibleSettings) -> _Fitted:
    """R's algo.farrington.fitGLM.flexible for one formula: fit, floor phi at 1, reweight once, refit."""
    residual_df = responses.shape[1] - design.rank
    first = fit_poisson(design, responses)
    phi = np.maximum(1.0, _dispersion(first.working_weights, responses, first.mu, residual_df))
    if not settings.reweight:
        dispersion = _dispersion(first.working_weights, responses, first.mu, residual_df)
        return _Fitted(first.converged, first, phi, dispersion)
    hat = first.hat_values(design)
    with np.errstate(divide="ignore", invalid="ignore"):
        anscombe = (
            1.5
            * (responses ** (2.0 / 3.0) * first.mu ** (-1.0 / 6.0) - np.sqrt(first.mu))
            / np.sqrt(phi[:, None] * (1 - hat))
        )
    omega = _reweighting(anscombe, settings.weights_threshold)
    second = fit_poisson(design, responses, omega)
    phi = np.maximum(1.0, _dispersion(second.working_weights, responses, second.mu, residual_df))
    # F8: R then overwrites model$weights with omega, which every later summary and prediction uses.
    return _Fitted(first.converged, second, phi, _dispersion(omega, responses, second.mu, residual_df))


def _dispersion(weights: FloatArray, responses: FloatArray, mu: FloatArray, residual_df: int) -> FloatArray:
    """summary.glm's dispersion: sum(weights * working residual^2) / df.residual."""
    working_residual = (responses - mu) / mu
    if residual_df <= 0:
        return np.full(responses.shape[0], np.nan)
    return np.asarray(np.sum(weights * working_residual**2, axis=1) / residual_df)


def _reweighting(anscombe: FloatArray, threshold: float) -> FloatArray:
    """algo.farrington.assign.weights: s^-2 above the threshold, 1 otherwise, scaled to sum to n."""
    with np.errstate(divide="ignore"):
        raw = np.where(anscombe > threshold, anscombe**-2.0, 1.0)
    gamma = anscombe.shape[1] / raw.sum(axis=1)
    return np.asarray(gamma[:, None] * raw)


def _bounds(
    y: FloatArray,
    series: npt.NDArray[np.intp],
    weeks: npt.NDArray[np.intp],
    predictions: _Predictions,
    settings: FlexibleSettings,
) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray]:
    """Upper bound, expected, alarm and alarm-is-NA per fit, with R's limit54 and NA rules (F9-F12)."""
    observed = y[series, weeks - 1]
    cases, period = settings.limit54
    recent = y[series[:, None], weeks[:, None] - 1 - np.arange(period)[None, :]]
    enough = recent.sum(axis=1) >= cases
    eta = predictions.eta
    with np.errstate(over="ignore"):
        if settings.threshold_method == "delta":
            mu0 = np.maximum(np.exp(eta), _DBL_EPSILON)
            upper = delta_upper_bound(mu0, predictions.se_eta * mu0, predictions.phi, settings.alpha)
            fitted_value, expected = mu0, mu0
        else:
            mu0 = np.exp(eta)
            upper = negative_binomial_upper_bound(mu0, predictions.phi, settings.alpha)
            fitted_value, expected = eta, mu0
    with np.errstate(divide="ignore", invalid="ignore"):
        score = (observed - fitted_value) / (upper - fitted_value)
        alarm = enough & ~np.isnan(score) & (score > 1) & (observed != 0)
    usable = predictions.usable
    upper = np.where(enough & usable, upper, np.nan)
    expected = np.where(usable, np.where(enough & ~np.isnan(upper), expected, np.nan), 0.0)
    return upper, expected, alarm & usable, ~usable
