"""The two probability models as the kernel sees them: a measure per site (A), a weight per interval (B), a
denominator, and a way to draw replicated data sets under the null hypothesis.

Space-time permutation (reference/satscan.md 11, 20): mu_jt = S_j x T_t / C, and a replication permutes the
cases' intervals among the cases, so every S_j and T_t is kept. Poisson (SaTScan's discrete Poisson model
with a population constant over the study period): mu_jt = C x (P_j / P) x (days_t / days), and a
replication places the C cases independently with those probabilities (multinomial given C).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from thrive.detection.scan.data import FloatArray, IntArray, ScanError
from thrive.detection.scan.kernel import group_events
from thrive.detection.scan.timeline import Timeline


@dataclass(frozen=True)
class ModelData:
    site_measure: FloatArray  # A per site; also the population at risk for the percent limit
    interval_weight: FloatArray  # B per interval
    denominator: float
    total: int  # C
    events: tuple[IntArray, IntArray, IntArray]  # the real data, grouped by site (see kernel)

    @property
    def cumulative_weight(self) -> FloatArray:
        return np.concatenate(([0.0], np.cumsum(self.interval_weight)))


@dataclass(frozen=True)
class PermutationRandomiser:
    """Gives the scanned intervals (the last `max_length` for alive windows, else all) to a uniformly
    random set of cases: the same as permuting every case's interval, restricted to what is scanned."""

    case_site: IntArray  # one row per case
    scanned_intervals: IntArray  # the intervals of the cases whose interval is scanned

    def replicate(self, rng: np.random.Generator) -> tuple[IntArray, IntArray]:
        chosen = rng.choice(self.case_site.size, size=self.scanned_intervals.size, replace=False)
        return self.case_site[chosen], self.scanned_intervals


@dataclass(frozen=True)
class PoissonRandomiser:
    """Places C cases with probability proportional to population x interval length; only the cases that
    fall in scanned intervals are drawn (their number is binomial)."""

    total: int
    site_probability: FloatArray
    scanned_intervals: IntArray
    interval_probability: FloatArray  # over scanned_intervals
    scanned_share: float  # the share of the study period's days that is scanned

    def replicate(self, rng: np.random.Generator) -> tuple[IntArray, IntArray]:
        count = self.total if self.scanned_share >= 1.0 else int(rng.binomial(self.total, self.scanned_share))
        sites = rng.choice(self.site_probability.size, size=count, p=self.site_probability)
        intervals = rng.choice(self.scanned_intervals, size=count, p=self.interval_probability)
        return sites.astype(np.int64), intervals.astype(np.int64)


Randomiser = PermutationRandomiser | PoissonRandomiser


def expand_cases(
    case_site: IntArray, case_interval: IntArray, case_count: IntArray
) -> tuple[IntArray, IntArray]:
    """One row per case, so that permuting rows permutes cases."""
    return np.repeat(case_site, case_count), np.repeat(case_interval, case_count)


def first_scanned_interval(timeline: Timeline, max_length: int, alive: bool) -> int:
    return timeline.count - max_length if alive else 0


def space_time_permutation(
    case_site: IntArray,
    case_interval: IntArray,
    case_count: IntArray,
    *,
    site_count: int,
    timeline: Timeline,
    max_length: int,
    alive: bool,
) -> tuple[ModelData, PermutationRandomiser]:
    total = int(case_count.sum())
    site_cases = np.bincount(case_site, weights=case_count, minlength=site_count).astype(np.float64)
    interval_cases = np.bincount(case_interval, weights=case_count, minlength=timeline.count).astype(
        np.float64
    )
    data = ModelData(
        site_measure=site_cases,
        interval_weight=interval_cases,
        denominator=float(total),
        total=total,
        events=group_events(case_site, case_interval, case_count, site_count, timeline.count),
    )
    sites, intervals = expand_cases(case_site, case_interval, case_count)
    scanned = intervals[intervals >= first_scanned_interval(timeline, max_length, alive)]
    return data, PermutationRandomiser(case_site=sites, scanned_intervals=np.sort(scanned))


def poisson(
    case_site: IntArray,
    case_interval: IntArray,
    case_count: IntArray,
    *,
    site_population: FloatArray,
    timeline: Timeline,
    max_length: int,
    alive: bool,
) -> tuple[ModelData, PoissonRandomiser]:
    total = int(case_count.sum())
    population = float(site_population.sum())
    if population <= 0:
        raise ScanError("the total population must be above zero")
    cases_here = np.bincount(case_site, weights=case_count, minlength=site_population.size)
    empty = np.flatnonzero((cases_here > 0) & (site_population <= 0))
    if empty.size:
        raise ScanError(f"{empty.size} location(s) have cases but no population")
    lengths = timeline.lengths().astype(np.float64)
    data = ModelData(
        site_measure=total * site_population / population,
        interval_weight=lengths,
        denominator=float(timeline.days),
        total=total,
        events=group_events(case_site, case_interval, case_count, site_population.size, timeline.count),
    )
    first = first_scanned_interval(timeline, max_length, alive)
    scanned_lengths = lengths[first:]
    randomiser = PoissonRandomiser(
        total=total,
        site_probability=site_population / population,
        scanned_intervals=np.arange(first, timeline.count, dtype=np.int64),
        interval_probability=scanned_lengths / scanned_lengths.sum(),
        scanned_share=float(scanned_lengths.sum()) / timeline.days,
    )
    return data, randomiser
