"""From each centre's best cylinder to SaTScan's ranked, non-overlapping cluster list
(reference/satscan.md facts 13-19 and 21)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from thrive.detection.scan.data import FloatArray, IntArray
from thrive.detection.scan.geometry import Circles
from thrive.detection.scan.kernel import NO_CLUSTER, best_cylinder

# SaTScan treats statistics within this distance as equal (ordering clusters and Monte Carlo ranks).
TIE_TOLERANCE = 1e-9
SECONDARY_MIN_LLR = 1.0  # a centre's further clusters before or after its best one need LLR above this
RETROSPECTIVE_SPACE_TIME_LIMIT = 500
REPORTED_MIN_LLR = 0.001
UNREPLICATED_REPORT_LIMIT = 10


@dataclass(frozen=True)
class Candidate:
    centre: int
    size: int  # sites in the circle (a prefix of the centre's members)
    start: int  # first interval
    end: int  # last interval
    observed: int
    expected: float
    llr: float


@dataclass(frozen=True)
class ScanSpace:
    """What the kernel needs to find a cylinder again (secondary clusters of one centre)."""

    circles: Circles
    events: tuple[IntArray, IntArray, IntArray]
    weights: tuple[FloatArray, float, float]
    max_length: int
    alive: bool

    @property
    def interval_count(self) -> int:
        return self.weights[0].size - 1


def collect_candidates(
    space: ScanSpace,
    bests: tuple[FloatArray, IntArray, IntArray, IntArray, FloatArray],
    *,
    with_secondaries: bool,
) -> list[Candidate]:
    """Every centre's best cylinder with LLR > 0; with secondaries (retrospective space-time), also the best
    cylinders of the same centre in the time before and after it, recursively, each with LLR > 1 and with
    at least one whole interval between the windows. Like SaTScan, the part after never reaches the last
    interval of the study period."""
    llr, position, window, observed, expected = bests
    found: list[Candidate] = []
    circles = space.circles
    for centre in np.flatnonzero(position != NO_CLUSTER).tolist():
        best = Candidate(
            centre=centre,
            size=circles.size(centre, int(position[centre])),
            start=int(window[centre, 0]),
            end=int(window[centre, 1]),
            observed=int(observed[centre]),
            expected=float(expected[centre]),
            llr=float(llr[centre]),
        )
        found.append(best)
        if with_secondaries:
            found.extend(_secondaries(space, best, low=0, high=space.interval_count - 1))
    return found


def _secondaries(space: ScanSpace, around: Candidate, *, low: int, high: int) -> list[Candidate]:
    found: list[Candidate] = []
    pending = [(low, around.start - 2), (around.end + 2, min(high, space.interval_count - 2))]
    while pending:
        first, last = pending.pop()
        if last < first:
            continue
        best = best_cylinder(
            around.centre,
            space.circles.as_kernel_tuple(),
            space.events,
            False,
            (first, last, space.max_length),
            space.weights,
        )
        if best[1] == NO_CLUSTER or best[0] <= SECONDARY_MIN_LLR:
            continue
        candidate = Candidate(
            centre=around.centre,
            size=space.circles.size(around.centre, int(best[1])),
            start=int(best[2]),
            end=int(best[3]),
            observed=int(best[4]),
            expected=float(best[5]),
            llr=float(best[0]),
        )
        found.append(candidate)
        pending.append((first, candidate.start - 2))
        pending.append((candidate.end + 2, min(last, space.interval_count - 2)))
    return found


def rank_candidates(candidates: list[Candidate]) -> list[Candidate]:
    """LLR descending; statistics within 1e-9 are equal and then fewer sites come first, then the centre
    first in SaTScan's internal order (sites are numbered in that order)."""
    ordered = sorted(candidates, key=lambda c: (-c.llr, c.size, c.centre, c.start))
    result: list[Candidate] = []
    group: list[Candidate] = []
    for candidate in ordered:
        if group and group[-1].llr - candidate.llr >= TIE_TOLERANCE:
            result.extend(sorted(group, key=lambda c: (c.size, c.centre, c.start)))
            group = []
        group.append(candidate)
    result.extend(sorted(group, key=lambda c: (c.size, c.centre, c.start)))
    return result


def without_overlap(
    ranked: list[Candidate], circles: Circles, site_count: int, *, time_separates: bool, limit: int | None
) -> list[Candidate]:
    """SaTScan's default "no geographical overlap": keep a cluster iff it shares no site with a kept one,
    except (space-time) when the two windows have at least one whole interval between them."""
    kept: list[Candidate] = []
    covered = np.zeros(site_count, dtype=bool)
    windows_at: dict[int, list[tuple[int, int]]] = {}  # kept windows by site
    for candidate in ranked:
        if limit is not None and len(kept) >= limit:
            break
        sites = circles.sites(candidate.centre, candidate.size)
        shared = sites[covered[sites]]
        if time_separates:
            clash = any(
                start <= candidate.end + 1 and candidate.start <= end + 1
                for site in shared.tolist()
                for start, end in windows_at[site]
            )
        else:
            clash = shared.size > 0
        if clash:
            continue
        kept.append(candidate)
        covered[sites] = True
        for site in sites.tolist():
            windows_at.setdefault(site, []).append((candidate.start, candidate.end))
    return kept


def monte_carlo_ranks(llrs: FloatArray, maxima: FloatArray) -> IntArray:
    """1 + the replications whose maximum is at least the statistic (within 1e-9 counts as equal)."""
    ordered = np.sort(maxima)
    below = np.searchsorted(ordered, llrs - TIE_TOLERANCE, side="left")
    ranks: IntArray = 1 + (ordered.size - below).astype(np.int64)
    return ranks


def reported(kept: list[Candidate], ranks: IntArray, replications: int) -> list[int]:
    """Indexes of the kept clusters SaTScan prints: the first always; others with LLR >= 0.001 and a
    p-value below 1 (rank <= replications), or only the top ten when nothing was replicated."""
    chosen: list[int] = []
    for index, candidate in enumerate(kept):
        if index > 0:
            if candidate.llr < REPORTED_MIN_LLR:
                continue
            if replications > 0 and ranks[index] > replications:
                continue
            if replications == 0 and len(chosen) >= UNREPLICATED_REPORT_LIMIT:
                break
        chosen.append(index)
    return chosen
