"""Properties of the scan that must hold for any data: the null model keeps its margins, expected counts add
up, statistics are sound, and seeded Monte Carlo runs repeat exactly."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import replace

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thrive.detection.scan import Cases, Locations, ScanSettings, run_scan
from thrive.detection.scan.engine import prepare_scan
from thrive.detection.scan.kernel import could_beat, group_events, log_likelihood_ratio
from thrive.detection.scan.models import poisson, space_time_permutation
from thrive.detection.scan.montecarlo import replication_rng
from thrive.detection.scan.timeline import Timeline

START = dt.date(2024, 1, 1)
case_rows = st.lists(
    st.tuples(st.integers(0, 5), st.integers(0, 29), st.integers(0, 5)), min_size=1, max_size=40
).filter(lambda rows: sum(r[2] for r in rows) > 0)


def arrays(rows: list[tuple[int, int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        np.array([r[0] for r in rows], dtype=np.int64),
        np.array([r[1] for r in rows], dtype=np.int64),
        np.array([r[2] for r in rows], dtype=np.int64),
    )


@settings(deadline=None)
@given(case_rows, st.integers(0, 10_000))
def test_a_permutation_replication_keeps_every_site_and_interval_total(
    rows: list[tuple[int, int, int]], seed: int
) -> None:
    sites, intervals, counts = arrays(rows)
    timeline = Timeline(START, START + dt.timedelta(days=29), 1)
    data, randomiser = space_time_permutation(
        sites, intervals, counts, site_count=6, timeline=timeline, max_length=15, alive=False
    )
    replicated_sites, replicated_intervals = randomiser.replicate(replication_rng(seed, 0))
    assert np.bincount(replicated_sites, minlength=6).tolist() == data.site_measure.tolist()
    assert np.bincount(replicated_intervals, minlength=30).tolist() == data.interval_weight.tolist()


@settings(deadline=None)
@given(case_rows, st.integers(1, 15), st.integers(0, 10_000))
def test_a_prospective_permutation_replication_draws_the_scanned_intervals_from_the_cases(
    rows: list[tuple[int, int, int]], max_length: int, seed: int
) -> None:
    sites, intervals, counts = arrays(rows)
    timeline = Timeline(START, START + dt.timedelta(days=29), 1)
    data, randomiser = space_time_permutation(
        sites, intervals, counts, site_count=6, timeline=timeline, max_length=max_length, alive=True
    )
    replicated_sites, replicated_intervals = randomiser.replicate(replication_rng(seed, 3))
    scanned = data.interval_weight.copy()
    scanned[: 30 - max_length] = 0
    assert np.bincount(replicated_intervals, minlength=30).tolist() == scanned.tolist()
    assert np.all(
        np.bincount(replicated_sites, minlength=6) <= data.site_measure
    )  # each case used at most once


@given(
    case_rows,
    st.lists(st.integers(0, 1000), min_size=6, max_size=6).filter(lambda p: min(p) > 0),
    st.booleans(),
)
def test_expected_counts_add_up_to_the_cases(
    rows: list[tuple[int, int, int]], people: list[int], alive: bool
) -> None:
    sites, intervals, counts = arrays(rows)
    timeline = Timeline(START, START + dt.timedelta(days=29), 4)
    intervals = timeline.interval_of(np.datetime64(START) + intervals)
    for data, _ in (
        space_time_permutation(
            sites, intervals, counts, site_count=6, timeline=timeline, max_length=3, alive=alive
        ),
        poisson(
            sites,
            intervals,
            counts,
            site_population=np.array(people, dtype=np.float64),
            timeline=timeline,
            max_length=3,
            alive=alive,
        ),
    ):
        expected_total = data.site_measure.sum() * data.interval_weight.sum() / data.denominator
        assert expected_total == pytest.approx(counts.sum())


@settings(deadline=None)
@given(st.integers(1, 500), st.floats(1e-3, 500), st.integers(0, 200))
def test_the_statistic_grows_with_cases_shrinks_with_expectation_and_the_bound_never_hides_a_winner(
    observed: int, expected: float, extra: int
) -> None:
    total = float(observed + extra)
    if not observed > expected or expected >= total:
        return
    llr = log_likelihood_ratio(float(observed), expected, total)
    assert llr > 0
    if observed + 1 <= total:
        assert log_likelihood_ratio(observed + 1.0, expected, total) > llr
    assert log_likelihood_ratio(float(observed), expected * 0.99, total) > llr
    assert could_beat(float(observed), expected, total, llr * (1 - 1e-12))
    assert could_beat(float(observed), expected, total, 0.0)


@settings(deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 6), st.integers(0, 3)), max_size=30))
def test_grouping_events_adds_counts_per_site_and_interval(rows: list[tuple[int, int, int]]) -> None:
    sites, intervals, counts = arrays(rows) if rows else (np.zeros(0, dtype=np.int64),) * 3
    pointer, grouped_intervals, grouped_counts = group_events(sites, intervals, counts, 5, 7)
    found = {
        (site, int(grouped_intervals[e])): int(grouped_counts[e])
        for site in range(5)
        for e in range(pointer[site], pointer[site + 1])
    }
    wanted: Counter[tuple[int, int]] = Counter()
    for site, interval, count in rows:
        wanted[(site, interval)] += count
    assert found == {key: value for key, value in wanted.items() if value}
    assert all(np.all(np.diff(grouped_intervals[pointer[s] : pointer[s + 1]]) > 0) for s in range(5))


def _locations(count: int) -> Locations:
    angles = np.linspace(0, 2 * math.pi, count, endpoint=False)
    return Locations(
        ids=tuple(f"S{i:02d}" for i in range(count)),
        coordinates=np.column_stack((51.5 + 0.02 * np.cos(angles), -0.1 + 0.03 * np.sin(angles))),
        coordinates_type="latlong",
    )


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.booleans(), st.sampled_from(["space-time-permutation", "poisson"]))
def test_uniform_data_has_no_cluster(per_cell: int, prospective: bool, model: str) -> None:
    locations = _locations(6)
    days = 20
    grid = [(site, day) for site in range(6) for day in range(days)]
    data = Cases(
        location_index=np.array([g[0] for g in grid], dtype=np.int64),
        dates=np.datetime64(START) + np.array([g[1] for g in grid]),
        counts=np.full(len(grid), per_cell, dtype=np.int64),
    )
    run = ScanSettings(
        model=model,  # type: ignore[arg-type]
        start=START,
        end=START + dt.timedelta(days=days - 1),
        max_temporal_days=7,
        prospective=prospective,
        replications=9,
    )
    result = run_scan(locations, data, run, population=np.full(6, 1000.0))
    assert result.clusters == ()
    assert np.all(result.replication_maxima >= 0)


def _random_problem(seed: int) -> tuple[Locations, Cases]:
    rng = np.random.default_rng(seed)
    locations = _locations(25)
    total = 120
    return locations, Cases(
        location_index=rng.integers(0, 25, total),
        dates=np.datetime64(START) + rng.integers(0, 60, total),
        counts=np.ones(total, dtype=np.int64),
    )


@pytest.mark.parametrize("prospective", [True, False])
def test_seeded_monte_carlo_repeats_exactly_whatever_the_threads(prospective: bool) -> None:
    locations, data = _random_problem(5)
    run = ScanSettings(
        model="space-time-permutation",
        start=START,
        end=START + dt.timedelta(days=59),
        max_temporal_days=14,
        max_radius_km=3.0,
        prospective=prospective,
        replications=49,
        seed=2024,
    )
    first = run_scan(locations, data, run)
    again = run_scan(locations, data, run)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        single = run_scan(locations, data, run)
    finally:
        numba.set_num_threads(threads)
    other_seed = run_scan(locations, data, replace(run, seed=7))
    assert first.replication_maxima.tolist() == again.replication_maxima.tolist()
    assert first.replication_maxima.tolist() == single.replication_maxima.tolist()
    assert first.as_json() == again.as_json() == single.as_json()
    assert first.replication_maxima.tolist() != other_seed.replication_maxima.tolist()


def test_batches_do_not_change_the_replications(monkeypatch: pytest.MonkeyPatch) -> None:
    locations, data = _random_problem(9)
    run = ScanSettings(
        model="poisson",
        start=START,
        end=START + dt.timedelta(days=59),
        max_temporal_days=None,
        max_spatial_fraction=0.3,
        replications=20,
        seed=1,
    )
    population = np.linspace(500, 1500, 25)
    whole = run_scan(locations, data, run, population=population).replication_maxima
    monkeypatch.setattr("thrive.detection.scan.montecarlo.BATCH_ROWS", 150)
    batched = run_scan(locations, data, run, population=population).replication_maxima
    assert whole.tolist() == batched.tolist()


def test_a_planted_cluster_is_found_and_significant() -> None:
    locations, data = _random_problem(11)
    planted = Cases(
        location_index=np.concatenate([data.location_index, np.array([3, 3, 4, 3, 4, 4])]),
        dates=np.concatenate([data.dates, np.datetime64(START) + np.array([57, 58, 58, 59, 59, 59])]),
        counts=np.ones(data.counts.size + 6, dtype=np.int64),
    )
    run = ScanSettings(
        model="space-time-permutation",
        start=START,
        end=START + dt.timedelta(days=59),
        max_temporal_days=14,
        max_radius_km=1.5,
        prospective=True,
        replications=99,
        seed=3,
    )
    top = run_scan(locations, planted, run).clusters[0]
    assert {"S03", "S04"} <= set(top.location_ids)
    assert top.p_value is not None and top.p_value <= 0.05
    prepared = prepare_scan(locations, planted, run)
    assert prepared.data.total == 126
