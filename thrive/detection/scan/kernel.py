"""The compiled inner loops: the best cylinder around each centre, and each replication's maximum.

A cylinder is a circle (a prefix of a centre's members) times a window of consecutive intervals. Expected
cases factorise as mu = A_Z x B_W / denominator (permutation: S_Z x T_W / C; Poisson: (C x P_Z / P) x
days_W / days), so the loops need only each circle's running measure A and the windows' running weight B.

Only cylinders that could beat every smaller one are evaluated: a circle whose newest site has no case in a
window has the same count and no smaller mu than the circle before it, and a window whose first or last
interval holds none of the circle's cases has the same count and no smaller mu than the window shrunk to
those cases. SaTScan keeps the first of equal values (circles by size, then window end ascending, then start
descending), and the shrunk cylinder always comes first, so skipping changes neither the maximum nor the
winner.

Arguments travel as three tuples: circles = (offsets, members, measure) where centre c's circles end at
members[offsets[c]:offsets[c + 1]] and measure[k] is A of the circle ending at k; events = (pointer,
interval, count) with site s's cases in pointer[s]:pointer[s + 1], intervals ascending and distinct; and
weights = (cumulative B by interval, denominator, total cases).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from thrive.detection.scan.data import FloatArray, IntArray

NO_CLUSTER = -1
# One cylinder's result: (llr, member position of its last site, first interval, last interval, observed,
# expected); the position is NO_CLUSTER when no cylinder qualifies.
Best = tuple[float, int, int, int, int, float]


@njit(cache=True)
def log_likelihood_ratio(observed: float, expected: float, total: float) -> float:
    """Kulldorff's Poisson LLR with the total as U (SaTScan's statistic for both models)."""
    inside = observed * math.log(observed / expected)
    if observed >= total:
        return inside
    return inside + (total - observed) * math.log((total - observed) / (total - expected))


@njit(cache=True)
def could_beat(observed: float, expected: float, total: float, floor: float) -> bool:
    """False only when the LLR cannot exceed `floor`: from ln x <= x - 1 and ln y >= 1 - 1/y,
    LLR <= C (n - mu)^2 / (mu (C - mu)); the margin covers rounding, so skipping never changes a result."""
    excess = observed - expected
    return total * excess * excess * (1 + 1e-9) > floor * expected * (total - expected)


@njit(cache=True)
def group_events(
    sites: IntArray, intervals: IntArray, counts: IntArray, site_count: int, interval_count: int
) -> tuple[IntArray, IntArray, IntArray]:
    """Case rows (site, interval, count) as per-site runs, intervals ascending and distinct, counts summed;
    rows with a zero count are dropped."""
    keys = sites * interval_count + intervals
    order = np.argsort(keys)
    out_intervals = np.empty(keys.size, dtype=np.int64)
    out_counts = np.zeros(keys.size, dtype=np.int64)
    pointer = np.zeros(site_count + 1, dtype=np.int64)
    used = 0
    previous = -1
    for row in order:
        if counts[row] == 0:
            continue
        if keys[row] != previous:
            out_intervals[used] = intervals[row]
            pointer[sites[row] + 1] += 1
            used += 1
            previous = keys[row]
        out_counts[used - 1] += counts[row]
    for site in range(site_count):
        pointer[site + 1] += pointer[site]
    return pointer, out_intervals[:used], out_counts[:used]


@njit(cache=True)
def _insert_sorted(values: IntArray, used: int, value: int) -> None:
    position = used
    while position > 0 and values[position - 1] > value:
        values[position] = values[position - 1]
        position -= 1
    values[position] = value


@njit(cache=True)
def sweep_alive(
    positions: IntArray,
    circles: tuple[IntArray, np.ndarray, FloatArray],
    events: tuple[IntArray, IntArray, IntArray],
    max_length: int,
    weights: tuple[FloatArray, float, float],
    counts: IntArray,
    offsets: IntArray,
    floor: float,
) -> Best:
    """Best cylinder among the circles ending at the member `positions` (ascending, one centre's) and the
    windows that end on the last interval (prospective "alive" windows; a purely spatial scan has one
    interval), counting only LLRs above `floor`. `counts` and `offsets` are zeroed scratch of length
    max_length and are left zeroed."""
    _, members, circle_measure = circles
    event_pointer, event_interval, event_count = events
    cumulative_weight, denominator, total = weights
    last = cumulative_weight.size - 2
    best, best_k, best_start, best_n, best_mu = floor, NO_CLUSTER, 0, 0, 0.0
    used = 0
    for k in positions:
        site = members[k]
        newest = max_length
        for event in range(event_pointer[site], event_pointer[site + 1]):
            offset = last - event_interval[event]
            if offset >= max_length:
                continue
            if counts[offset] == 0:
                _insert_sorted(offsets, used, offset)
                used += 1
            counts[offset] += event_count[event]
            newest = min(newest, offset)
        if newest == max_length:
            continue
        observed = 0
        for position in range(used):  # start descending: the shortest window first
            offset = offsets[position]
            observed += counts[offset]
            if offset < newest or observed < 2:
                continue
            start = last - offset
            window_weight = cumulative_weight[last + 1] - cumulative_weight[start]
            expected = circle_measure[k] * window_weight / denominator
            if observed > expected and could_beat(observed, expected, total, best):
                llr = log_likelihood_ratio(observed, expected, total)
                if llr > best:
                    best, best_k, best_start, best_n, best_mu = llr, k, start, observed, expected
    for position in range(used):
        counts[offsets[position]] = 0
    return best, best_k, best_start, last, best_n, best_mu


@njit(cache=True)
def sweep_all(
    first: int,
    stop: int,
    circles: tuple[IntArray, np.ndarray, FloatArray],
    events: tuple[IntArray, IntArray, IntArray],
    span: tuple[int, int, int],
    weights: tuple[FloatArray, float, float],
    scratch: tuple[IntArray, IntArray, IntArray],
    floor: float,
) -> Best:
    """Best cylinder among the circles ending at members[first:stop] and every window of at most
    span[2] intervals inside [span[0], span[1]] (retrospective), counting only LLRs above `floor`. The
    scratch arrays are zeroed, as long as the number of intervals, and are left zeroed."""
    _, members, circle_measure = circles
    event_pointer, event_interval, event_count = events
    low, high, max_length = span
    cumulative_weight, denominator, total = weights
    counts, intervals, own = scratch
    best, best_k, best_start, best_end, best_n, best_mu = floor, NO_CLUSTER, 0, 0, 0, 0.0
    used = 0
    for k in range(first, stop):
        site = members[k]
        owned = 0
        for event in range(event_pointer[site], event_pointer[site + 1]):
            interval = event_interval[event]
            if interval < low or interval > high:
                continue
            if counts[interval] == 0:
                _insert_sorted(intervals, used, interval)
                used += 1
            counts[interval] += event_count[event]
            own[owned] = interval
            owned += 1
        if owned == 0:
            continue
        # Window ends ascending, visiting only ends within max_length after one of the new site's cases.
        latest_own = -1
        end_position = np.searchsorted(intervals[:used], own[0])
        while end_position < used:
            end = intervals[end_position]
            while latest_own + 1 < owned and own[latest_own + 1] <= end:
                latest_own += 1
            if end - own[latest_own] >= max_length:
                if latest_own + 1 == owned:
                    break
                end_position = np.searchsorted(intervals[:used], own[latest_own + 1])
                continue
            newest_own = own[latest_own]
            observed = 0
            for start_position in range(end_position, -1, -1):  # start descending
                start = intervals[start_position]
                if end - start >= max_length:
                    break
                observed += counts[start]
                if start > newest_own or observed < 2:
                    continue
                window_weight = cumulative_weight[end + 1] - cumulative_weight[start]
                expected = circle_measure[k] * window_weight / denominator
                if observed > expected and could_beat(observed, expected, total, best):
                    llr = log_likelihood_ratio(observed, expected, total)
                    if llr > best:
                        best, best_k, best_start, best_end = llr, k, start, end
                        best_n, best_mu = observed, expected
            end_position += 1
    for position in range(used):
        counts[intervals[position]] = 0
    return best, best_k, best_start, best_end, best_n, best_mu


@njit(cache=True)
def best_cylinder(
    centre: int,
    circles: tuple[IntArray, np.ndarray, FloatArray],
    events: tuple[IntArray, IntArray, IntArray],
    alive: bool,
    span: tuple[int, int, int],
    weights: tuple[FloatArray, float, float],
) -> Best:
    """The best cylinder around one centre with windows inside [span[0], span[1]] (retrospective) or ending
    on the last interval (alive), at most span[2] intervals long."""
    interval_count = weights[0].size - 1
    first, stop = circles[0][centre], circles[0][centre + 1]
    if alive:
        max_length = span[2]
        scratch = np.zeros(max_length, dtype=np.int64), np.zeros(max_length, dtype=np.int64)
        positions = np.arange(first, stop)
        return sweep_alive(positions, circles, events, max_length, weights, scratch[0], scratch[1], 0.0)
    return sweep_all(
        first,
        stop,
        circles,
        events,
        span,
        weights,
        (
            np.zeros(interval_count, dtype=np.int64),
            np.zeros(interval_count, dtype=np.int64),
            np.zeros(interval_count, dtype=np.int64),
        ),
        0.0,
    )


@njit(cache=True, parallel=True)
def centre_bests(
    circles: tuple[IntArray, np.ndarray, FloatArray],
    events: tuple[IntArray, IntArray, IntArray],
    alive: bool,
    max_length: int,
    weights: tuple[FloatArray, float, float],
) -> tuple[FloatArray, IntArray, IntArray, IntArray, FloatArray]:
    """Each centre's best cylinder over the study period: llr, member position, (first, last) interval,
    observed and expected, one row per centre."""
    centre_count = circles[0].size - 1
    span = (0, weights[0].size - 2, max_length)
    llr = np.zeros(centre_count)
    position = np.full(centre_count, NO_CLUSTER, dtype=np.int64)
    window = np.zeros((centre_count, 2), dtype=np.int64)
    observed = np.zeros(centre_count, dtype=np.int64)
    expected = np.zeros(centre_count)
    for centre in prange(centre_count):
        best = best_cylinder(centre, circles, events, alive, span, weights)
        llr[centre], position[centre] = best[0], best[1]
        window[centre, 0], window[centre, 1] = best[2], best[3]
        observed[centre], expected[centre] = best[4], best[5]
    return llr, position, window, observed, expected


@njit(cache=True)
def _spatial_maximum(
    site_cases: FloatArray,
    circles: tuple[IntArray, np.ndarray, FloatArray],
    expected: FloatArray,
    total: float,
) -> float:
    """The maximum over every circle of a purely spatial scan, written without unpredictable branches (a
    circle that adds no case cannot beat the one before it, so evaluating it is harmless)."""
    offsets, members, _ = circles
    best = 0.0
    for centre in range(offsets.size - 1):
        observed = 0.0
        for k in range(offsets[centre], offsets[centre + 1]):
            observed += site_cases[members[k]]
            mu = expected[k]
            excess = observed - mu
            hopeful = (
                (excess > 0.0)
                & (observed >= 2.0)
                & (total * excess * excess * (1 + 1e-9) > best * mu * (total - mu))
            )
            if hopeful:
                best = max(best, log_likelihood_ratio(observed, mu, total))
    return best


@njit(cache=True)
def _sparse_alive_maximum(
    circles: tuple[IntArray, np.ndarray, FloatArray],
    inverse: tuple[IntArray, IntArray, IntArray],
    events: tuple[IntArray, IntArray, IntArray],
    max_length: int,
    weights: tuple[FloatArray, float, float],
    counts: IntArray,
    offsets: IntArray,
) -> float:
    """The maximum over alive windows, visiting only the circles whose newest site has cases: through the
    inverse index, each site with cases lists the (centre, member position) pairs where it enters."""
    inverse_pointer, inverse_centre, inverse_position = inverse
    event_pointer = events[0]
    site_count = event_pointer.size - 1
    start = np.zeros(site_count + 1, dtype=np.int64)
    for site in range(site_count):
        if event_pointer[site] < event_pointer[site + 1]:
            for entry in range(inverse_pointer[site], inverse_pointer[site + 1]):
                start[inverse_centre[entry] + 1] += 1
    for centre in range(site_count):
        start[centre + 1] += start[centre]
    filled = start[:-1].copy()
    positions = np.empty(start[site_count], dtype=np.int64)
    for site in range(site_count):
        if event_pointer[site] < event_pointer[site + 1]:
            for entry in range(inverse_pointer[site], inverse_pointer[site + 1]):
                centre = inverse_centre[entry]
                positions[filled[centre]] = inverse_position[entry]
                filled[centre] += 1
    best = 0.0
    for centre in range(site_count):
        if start[centre] == start[centre + 1]:
            continue
        mine = positions[start[centre] : start[centre + 1]]
        for used in range(1, mine.size):
            _insert_sorted(mine, used, mine[used])
        best = sweep_alive(mine, circles, events, max_length, weights, counts, offsets, best)[0]
    return best


@njit(cache=True, parallel=True)
def replication_maxima(
    replication_pointer: IntArray,
    case_site: IntArray,
    case_interval: IntArray,
    circles: tuple[IntArray, np.ndarray, FloatArray],
    inverse: tuple[IntArray, IntArray, IntArray],
    alive: bool,
    max_length: int,
    weights: tuple[FloatArray, float, float],
) -> FloatArray:
    """The maximum LLR of each replicated data set; replication r's cases, one per row, are rows
    replication_pointer[r]:replication_pointer[r + 1] of case_site and case_interval. `inverse` lists, for
    each site, the (centre, member position) pairs where it enters a circle (see `inverse_index`)."""
    replication_count = replication_pointer.size - 1
    site_count = circles[0].size - 1
    cumulative_weight, denominator, total = weights
    interval_count = cumulative_weight.size - 1
    span = (0, interval_count - 1, max_length)
    spatial_expected = circles[2] * (cumulative_weight[1] - cumulative_weight[0]) / denominator
    maxima = np.zeros(replication_count)
    for replication in prange(replication_count):
        first_row, stop_row = replication_pointer[replication], replication_pointer[replication + 1]
        sites = case_site[first_row:stop_row]
        if interval_count == 1:
            site_cases = np.zeros(site_count)
            for site in sites:
                site_cases[site] += 1.0
            maxima[replication] = _spatial_maximum(site_cases, circles, spatial_expected, total)
            continue
        events = group_events(
            sites,
            case_interval[first_row:stop_row],
            np.ones(sites.size, dtype=np.int64),
            site_count,
            interval_count,
        )
        counts = np.zeros(interval_count, dtype=np.int64)
        intervals = np.zeros(interval_count, dtype=np.int64)
        if alive:
            maxima[replication] = _sparse_alive_maximum(
                circles, inverse, events, max_length, weights, counts, intervals
            )
            continue
        own = np.zeros(interval_count, dtype=np.int64)
        best = 0.0
        for centre in range(site_count):
            first, stop = circles[0][centre], circles[0][centre + 1]
            best = sweep_all(first, stop, circles, events, span, weights, (counts, intervals, own), best)[0]
        maxima[replication] = best
    return maxima
