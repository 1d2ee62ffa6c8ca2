"""EARS C1, C2 and C3 exactly as R `surveillance` 1.20.3 `earsC` computes them (quirks included).

See the project's notes on R surveillance (r-surveillance.md, E1-E6): one-sided z, sd with n-1, strict
`>`, and a C3 bound that starts from the observed count, with NaN where a zero-variance baseline makes R
give NA.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view
from scipy.special import ndtri

from thrive.detection.timeseries.result import (
    DetectorResult,
    FloatArray,
    as_count_matrix,
    check_evaluate,
)

EarsMethod = Literal["C1", "C2", "C3"]

# Weeks between the evaluated week and the newest baseline week: C1 uses the week before, C2 and C3 skip two.
_GUARD = {"C1": 1, "C2": 3, "C3": 3}


def ears(
    counts: npt.ArrayLike,
    *,
    method: EarsMethod,
    evaluate: tuple[int, int],
    baseline: int = 7,
    alpha: float = 0.001,
    min_sigma: float = 0.0,
) -> DetectorResult:
    """Runs one EARS method on each series (rows of `counts`) for the 1-based inclusive week range `evaluate`.

    `expected` is NaN (null in JSON): R's `earsC` returns no expected value, and Thrive's output equals R's.
    """
    if method not in _GUARD:
        raise ValueError(f"unknown EARS method {method!r}")
    if baseline < 3:
        raise ValueError("the EARS baseline must be at least 3 weeks")
    if min_sigma < 0:
        raise ValueError("the minimum sigma must be at least 0")
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
    y = as_count_matrix(counts)
    # R's maxLag: C3 also needs the C2 statistics of the two weeks before.
    history = baseline + _GUARD[method] - 1 + (2 if method == "C3" else 0)
    check_evaluate(evaluate, y.shape[1], history + 1, f"EARS {method} with a {baseline}-week baseline")
    first, last = evaluate
    z = float(ndtri(1 - alpha))
    if method == "C3":
        upper, _ = _c3_bound(y, first, last, baseline, z, min_sigma)
    else:
        mean, sd = _baseline_stats(y, first, last, baseline, _GUARD[method])
        upper = mean + z * np.maximum(sd, min_sigma)
    observed = y[:, first - 1 : last]
    with np.errstate(invalid="ignore"):
        alarm = observed > upper
    return DetectorResult(
        first_week=first,
        observed=observed,
        upperbound=upper,
        expected=np.full_like(upper, np.nan),
        alarm=alarm,
        alarm_na=np.isnan(upper),
    )


def _baseline_stats(
    y: FloatArray, first: int, last: int, baseline: int, guard: int
) -> tuple[FloatArray, FloatArray]:
    """Mean and sd (n-1) of the `baseline` weeks ending `guard` weeks before each week first..last."""
    windows = sliding_window_view(y, baseline, axis=1)
    # Week t (1-based) uses y[t-guard-baseline+1 .. t-guard], whose window starts at 0-based t-guard-baseline.
    chosen = windows[:, first - guard - baseline : last - guard - baseline + 1, :]
    return chosen.mean(axis=2), chosen.std(axis=2, ddof=1)


def _c3_bound(
    y: FloatArray, first: int, last: int, baseline: int, z: float, min_sigma: float
) -> tuple[FloatArray, FloatArray]:
    """R's C3: U = max(0, y_t + S2_t * (z - max(0, C2_{t-2} - 1) - max(0, C2_{t-1} - 1)))."""
    mean, sd = _baseline_stats(y, first - 2, last, baseline, 3)
    sigma = np.maximum(sd, min_sigma)
    with np.errstate(divide="ignore", invalid="ignore"):
        c2 = (y[:, first - 3 : last] - mean) / sigma
        excess = np.maximum(0.0, c2 - 1)  # np.maximum keeps NaN, as R's pmax does
        upper = y[:, first - 1 : last] + sigma[:, 2:] * (z - (excess[:, :-2] + excess[:, 1:-1]))
        return np.maximum(0.0, upper), mean[:, 2:]
