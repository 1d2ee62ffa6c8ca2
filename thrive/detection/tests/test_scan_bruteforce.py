"""The scan against a brute-force SaTScan written with plain loops from reference/satscan.md: every circle,
every window, every cylinder, no shortcuts. Both must agree on each cluster's locations, window, observed,
expected and LLR, on which cylinder wins ties, and on every replication's maximum."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thrive.detection.scan import Cases, Locations, ScanSettings
from thrive.detection.scan.data import MODELS, Model
from thrive.detection.scan.engine import most_likely_clusters, prepare_scan, replicate
from thrive.detection.scan.montecarlo import replication_rng

RADIUS = 6367.0


@dataclass(frozen=True)
class Problem:
    ids: tuple[str, ...]
    coordinates: tuple[tuple[float, float], ...]
    coordinates_type: str
    cases: tuple[tuple[str, dt.date, int], ...]
    population: tuple[float, ...] | None
    settings: ScanSettings

    def locations(self) -> Locations:
        return Locations(
            ids=self.ids,
            coordinates=np.array(self.coordinates, dtype=np.float64),
            coordinates_type=self.coordinates_type,  # type: ignore[arg-type]
        )

    def case_arrays(self) -> Cases:
        index = {location_id: i for i, location_id in enumerate(self.ids)}
        return Cases(
            location_index=np.array([index[c[0]] for c in self.cases], dtype=np.int64),
            dates=np.array([c[1] for c in self.cases], dtype="datetime64[D]"),
            counts=np.array([c[2] for c in self.cases], dtype=np.int64),
        )


@dataclass(frozen=True)
class BruteCluster:
    centre: int
    size: int
    start: int
    end: int
    observed: int
    expected: float
    llr: float


class BruteForce:
    """SaTScan's rules, one at a time, with nothing skipped."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        s = problem.settings
        # Sites: identical coordinates are one site, named and ordered by their smallest id.
        by_point: dict[tuple[float, ...], list[str]] = {}
        point_of: dict[str, tuple[float, ...]] = {}
        for location_id, (a, b) in zip(problem.ids, problem.coordinates, strict=True):
            if problem.coordinates_type == "latlong":
                lat, lon = math.radians(a), math.radians(b)
                point: tuple[float, ...] = (
                    RADIUS * math.cos(lon) * math.cos(lat),
                    RADIUS * math.sin(lon) * math.cos(lat),
                    RADIUS * math.sin(lat),
                )
            else:
                point = (float(a), float(b))
            by_point.setdefault(point, []).append(location_id)
            point_of[location_id] = point
        groups = sorted((sorted(ids), point) for point, ids in by_point.items())
        self.site_ids = [ids for ids, _ in groups]
        self.points = [point for _, point in groups]
        site_of = {location_id: site for site, ids in enumerate(self.site_ids) for location_id in ids}
        # Intervals cut back from the end; the remainder joins the first.
        days = (s.end - s.start).days + 1
        length = days if s.max_temporal_days is None else s.time_aggregation_days
        self.count = days // length
        self.lengths = [length] * self.count
        self.lengths[0] += days - self.count * length
        self.max_length = 1 if s.max_temporal_days is None else s.max_temporal_days // length
        self.cases = [[0] * self.count for _ in self.site_ids]
        for location_id, date, count in problem.cases:
            back = (s.end - date).days
            interval = max(self.count - 1 - back // length, 0)
            self.cases[site_of[location_id]][interval] += count
        self.total = sum(map(sum, self.cases))
        if s.model == "space-time-permutation":
            self.measure = [float(sum(row)) for row in self.cases]
            self.weight = [float(sum(row[t] for row in self.cases)) for t in range(self.count)]
            self.denominator = float(self.total)
        else:
            assert problem.population is not None
            site_population = [0.0] * len(self.site_ids)
            for location_id, value in zip(problem.ids, problem.population, strict=True):
                site_population[site_of[location_id]] += value
            population_total = float(np.sum(site_population))
            self.measure = [self.total * value / population_total for value in site_population]
            self.weight = [float(value) for value in self.lengths]
            self.denominator = float(days)
        self.circles = [self._circle(centre) for centre in range(len(self.site_ids))]

    def _circle(self, centre: int) -> list[int]:
        s = self.problem.settings
        distance = [
            math.sqrt(sum((a - b) ** 2 for a, b in zip(p, self.points[centre], strict=True)))
            for p in self.points
        ]
        order = sorted(range(len(self.points)), key=lambda j: (distance[j], self.points[j]))
        limit = s.max_spatial_fraction * float(np.sum(self.measure))
        members: list[int] = []
        running = 0.0
        for site in order:
            if s.max_radius_km is not None and distance[site] > s.max_radius_km:
                break
            if running + self.measure[site] > limit:
                break
            running += self.measure[site]
            members.append(site)
        self.distances = distance
        return members

    def windows(self, low: int, high: int) -> list[tuple[int, int]]:
        alive = self.problem.settings.prospective or self.problem.settings.max_temporal_days is None
        ends = [self.count - 1] if alive else list(range(low, high + 1))
        return [
            (start, end) for end in ends for start in range(end, max(low, end - self.max_length + 1) - 1, -1)
        ]

    def best(self, centre: int, cases: list[list[int]], low: int, high: int) -> BruteCluster | None:
        best: BruteCluster | None = None
        measure = 0.0
        windows = self.windows(low, high)
        for size, site in enumerate(self.circles[centre], start=1):
            measure += self.measure[site]
            for start, end in windows:
                observed = sum(
                    cases[j][t] for j in self.circles[centre][:size] for t in range(start, end + 1)
                )
                weight = sum(self.weight[: end + 1]) - sum(self.weight[:start])
                expected = measure * weight / self.denominator
                if observed < 2 or not observed > expected:
                    continue
                llr = observed * math.log(observed / expected)
                if observed < self.total:
                    llr += (self.total - observed) * math.log(
                        (self.total - observed) / (self.total - expected)
                    )
                if best is None or llr > best.llr:
                    best = BruteCluster(centre, size, start, end, observed, expected, llr)
        return best

    def maximum(self, cases: list[list[int]]) -> float:
        found = [self.best(c, cases, 0, self.count - 1) for c in range(len(self.site_ids))]
        return max((b.llr for b in found if b is not None), default=0.0)

    def clusters(self) -> list[BruteCluster]:
        s = self.problem.settings
        retrospective_space_time = not s.prospective and s.max_temporal_days is not None
        collected: list[BruteCluster] = []
        for centre in range(len(self.site_ids)):
            best = self.best(centre, self.cases, 0, self.count - 1)
            if best is None:
                continue
            collected.append(best)
            if retrospective_space_time:
                self._secondaries(best, 0, self.count - 1, collected)
        collected.sort(key=lambda c: -c.llr)
        # Equal statistics (within 1e-9): fewer locations, then the centre first in id order.
        ordered: list[BruteCluster] = []
        while collected:
            top = collected[0]
            tied = [c for c in collected if top.llr - c.llr < 1e-9]
            tied.sort(key=lambda c: (c.size, c.centre, c.start))
            ordered.extend(tied)
            collected = [c for c in collected if c not in tied]
        kept: list[BruteCluster] = []
        for candidate in ordered:
            if retrospective_space_time and len(kept) == 500:
                break
            mine = set(self.circles[candidate.centre][: candidate.size])
            clash = False
            for other in kept:
                theirs = set(self.circles[other.centre][: other.size])
                separated = other.end + 1 < candidate.start or candidate.end + 1 < other.start
                if mine & theirs and not (retrospective_space_time and separated):
                    clash = True
            if not clash:
                kept.append(candidate)
        return [kept[0], *[c for c in kept[1:] if c.llr >= 0.001]][:10] if kept else []

    def _secondaries(self, around: BruteCluster, low: int, high: int, out: list[BruteCluster]) -> None:
        for first, last in ((low, around.start - 2), (around.end + 2, min(high, self.count - 2))):
            if last < first:
                continue
            best = self.best(around.centre, self.cases, first, last)
            if best is not None and best.llr > 1.0:
                out.append(best)
                self._secondaries(best, first, last, out)

    def location_ids(self, cluster: BruteCluster) -> tuple[str, ...]:
        return tuple(i for site in self.circles[cluster.centre][: cluster.size] for i in self.site_ids[site])


def assert_same_clusters(problem: Problem) -> None:
    brute = BruteForce(problem)
    expected = brute.clusters()
    prepared = prepare_scan(
        problem.locations(),
        problem.case_arrays(),
        problem.settings,
        population=None if problem.population is None else np.array(problem.population),
    )
    kept = most_likely_clusters(prepared)
    found = [kept[0], *[c for c in kept[1:] if c.llr >= 0.001]][:10] if kept else []
    assert len(found) == len(expected), (found, expected)
    for mine, theirs in zip(found, expected, strict=True):
        ids = tuple(
            i
            for site in prepared.space.circles.sites(mine.centre, mine.size).tolist()
            for i in prepared.sites.location_ids[site]
        )
        assert ids == brute.location_ids(theirs)
        assert (mine.start, mine.end, mine.observed) == (theirs.start, theirs.end, theirs.observed)
        assert mine.expected == pytest.approx(theirs.expected, rel=1e-12)
        assert mine.llr == pytest.approx(theirs.llr, rel=1e-12, abs=1e-12)


def assert_same_maxima(problem: Problem) -> None:
    brute = BruteForce(problem)
    prepared = prepare_scan(
        problem.locations(),
        problem.case_arrays(),
        problem.settings,
        population=None if problem.population is None else np.array(problem.population),
    )
    maxima = replicate(prepared)
    for replication, maximum in enumerate(maxima):
        sites, intervals = prepared.randomiser.replicate(replication_rng(problem.settings.seed, replication))
        cases = [[0] * brute.count for _ in brute.site_ids]
        for site, interval in zip(sites.tolist(), intervals.tolist(), strict=True):
            cases[site][interval] += 1
        assert maximum == pytest.approx(brute.maximum(cases), rel=1e-12, abs=1e-12)


START = dt.date(2024, 1, 1)


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    model: Model = draw(st.sampled_from(MODELS))
    site_count = draw(st.integers(1, 7))
    coordinates = tuple(
        (float(draw(st.integers(0, 4))), float(draw(st.integers(0, 4)))) for _ in range(site_count)
    )
    ids = tuple(f"L{draw(st.integers(0, 99)):02d}x{i}" for i in range(site_count))
    days = draw(st.integers(2, 30))
    end = START + dt.timedelta(days=days - 1)
    purely_spatial = model == "poisson" and draw(st.booleans())
    aggregation = draw(st.integers(1, max(1, days // 3)))
    share = 0.5 if model == "space-time-permutation" else 0.9
    max_days = None if purely_spatial else draw(st.integers(aggregation, max(aggregation, int(share * days))))
    if max_days is not None and max_days > int(share * days):
        max_days = None if model == "poisson" else int(share * days)
    if model == "space-time-permutation" and (max_days is None or max_days < aggregation):
        aggregation = 1
        max_days = max(1, int(0.5 * days))
    cases = tuple(
        (
            draw(st.sampled_from(ids)),
            START + dt.timedelta(days=draw(st.integers(0, days - 1))),
            draw(st.integers(0, 4)),
        )
        for _ in range(draw(st.integers(1, 25)))
    )
    if sum(c[2] for c in cases) == 0:
        cases = ((cases[0][0], cases[0][1], 1), *cases[1:])
    population = tuple(float(draw(st.integers(1, 50))) for _ in ids) if model == "poisson" else None
    settings_ = ScanSettings(
        model=model,
        start=START,
        end=end,
        max_temporal_days=max_days,
        time_aggregation_days=aggregation,
        max_radius_km=draw(st.sampled_from([None, 1.0, 1.5, 3.0])),
        max_spatial_fraction=draw(st.sampled_from([0.2, 0.35, 0.5])),
        prospective=max_days is not None and draw(st.booleans()),
        replications=draw(st.integers(0, 3)),
        seed=draw(st.integers(0, 1000)),
    )
    return Problem(ids, coordinates, "cartesian", cases, population, settings_)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_clusters_equal_brute_force(problem: Problem) -> None:
    assert_same_clusters(problem)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_replication_maxima_equal_brute_force(problem: Problem) -> None:
    assert_same_maxima(problem)


def _hand_problem(**changes: object) -> Problem:
    """Nine locations on a 3 x 3 lat/long grid near London with a burst in one corner."""
    ids = tuple(f"E0{i}" for i in range(9))
    coordinates = tuple((51.50 + 0.01 * (i // 3), -0.10 + 0.015 * (i % 3)) for i in range(9))
    cases = [(ids[i], START + dt.timedelta(days=(7 * i + 3 * j) % 40), 1) for i in range(9) for j in range(4)]
    cases += [(ids[0], START + dt.timedelta(days=36), 2), (ids[1], START + dt.timedelta(days=37), 2)]
    problem = Problem(
        ids=ids,
        coordinates=coordinates,
        coordinates_type="latlong",
        cases=tuple(cases),
        population=tuple(1000.0 + 100 * i for i in range(9)),
        settings=ScanSettings(
            model="space-time-permutation",
            start=START,
            end=START + dt.timedelta(days=39),
            max_temporal_days=14,
            max_radius_km=2.5,
            replications=9,
            seed=7,
        ),
    )
    return replace(problem, settings=replace(problem.settings, **changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"prospective": True},
        {"time_aggregation_days": 3, "max_temporal_days": 20},
        {"model": "poisson"},
        {"model": "poisson", "prospective": True, "max_radius_km": None},
        {"model": "poisson", "max_temporal_days": None, "max_spatial_fraction": 0.3},
    ],
)
def test_latlong_examples_equal_brute_force(changes: dict[str, object]) -> None:
    problem = _hand_problem(**changes)
    assert_same_clusters(problem)
    assert_same_maxima(problem)
