"""The two upper-bound rules of farringtonFlexible, as R `surveillance` 1.20.3 computes them."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from scipy.special import betainc, ndtri, pdtr

from thrive.detection.timeseries.result import FloatArray

_Cdf = Callable[[FloatArray, npt.NDArray[np.intp]], FloatArray]

_DBL_EPSILON = float(np.finfo(np.float64).eps)
# R's qDiscrete_search lowers p by this factor before searching, so that a CDF equal to p up to rounding
# still counts as reaching it.
_LEFT_CONTINUITY_FUZZ = 1 - 8 * _DBL_EPSILON


def delta_upper_bound(mu0: FloatArray, se_mu: FloatArray, phi: FloatArray, alpha: float) -> FloatArray:
    """Farrington 1996 with the 2/3 power transform, one-sided (qnorm(1 - alpha)); NaN where R gives NA.

    R sorts the lower and upper ends with NAs first and reports the second, so the upper bound is the
    larger end, or the only one that is a number.
    """
    z = float(ndtri(1 - alpha))
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = phi + se_mu**2 / mu0
        se = np.sqrt(4.0 / 9.0 * mu0 ** (1.0 / 3.0) * tau)
        centre = mu0 ** (2.0 / 3.0)
        high = (centre + z * se) ** 1.5
        low = (centre - z * se) ** 1.5
    return np.asarray(np.fmax(high, low))


def negative_binomial_upper_bound(mu0: FloatArray, phi: FloatArray, alpha: float) -> FloatArray:
    """Noufaily 2012 plug-in: the (1 - alpha) quantile of a negative binomial with mean mu0 and variance
    phi * mu0 (Poisson when phi is 1), found by R's discrete search; NaN where mu0 is infinite."""
    p = (1 - alpha) * _LEFT_CONTINUITY_FUZZ
    mu0 = np.asarray(mu0, dtype=np.float64)
    phi = np.asarray(phi, dtype=np.float64)
    result = np.full(mu0.shape, np.nan)
    usable = np.isfinite(mu0) & (mu0 >= 0)
    negative_binomial = usable & (phi > 1)
    poisson = usable & ~negative_binomial
    size = mu0[negative_binomial] / (phi[negative_binomial] - 1)
    prob = 1.0 / phi[negative_binomial]
    result[negative_binomial] = _discrete_quantile(
        p,
        mu0[negative_binomial],
        mu0[negative_binomial] * phi[negative_binomial],
        lambda x, rows: betainc(size[rows], x + 1, prob[rows]),
    )
    lam = mu0[poisson]
    result[poisson] = _discrete_quantile(p, lam, lam, lambda x, rows: pdtr(x, lam[rows]))
    return result


def _discrete_quantile(p: float, mean: FloatArray, variance: FloatArray, cdf: _Cdf) -> FloatArray:
    """Smallest x >= 0 with cdf(x) >= p, searched from a normal guess like R's do_search (one step at a
    time, stopping on NaN); a zero mean has quantile 0 as in R."""
    guess = np.maximum(0.0, np.rint(mean + np.sqrt(variance) * float(ndtri(p))))
    x = np.where(mean > 0, guess, 0.0)
    rows = np.flatnonzero(mean > 0)
    at_x = cdf(x[rows], rows)
    left = at_x >= p
    # Search to the left while the week below still reaches p.
    down = rows[left]
    while down.size:
        candidates = x[down] > 0
        down = down[candidates]
        below = cdf(x[down] - 1, down)
        step = below >= p
        x[down[step]] -= 1
        down = down[step]
    # Search to the right until p is reached (or the CDF is NaN).
    up = rows[~left]
    while up.size:
        x[up] += 1
        value = cdf(x[up], up)
        up = up[(value < p)]
    return x
