"""Hand-worked examples of each SaTScan 10.3.2 convention in reference/satscan.md (fact numbers in names)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from thrive.detection.scan import Cases, Locations, ScanError, ScanSettings, run_scan
from thrive.detection.scan.clusters import (
    Candidate,
    monte_carlo_ranks,
    rank_candidates,
    reported,
    without_overlap,
)
from thrive.detection.scan.geometry import (
    EARTH_RADIUS_KM,
    Circles,
    build_circles,
    latlong_to_points,
    make_sites,
    reported_radius_km,
)
from thrive.detection.scan.kernel import log_likelihood_ratio
from thrive.detection.scan.timeline import Timeline, max_temporal_intervals

DAY = dt.timedelta(days=1)
START = dt.date(2024, 1, 1)


def cartesian(*points: tuple[float, float], ids: tuple[str, ...] | None = None) -> Locations:
    return Locations(
        ids=ids or tuple(f"L{i}" for i in range(len(points))),
        coordinates=np.array(points, dtype=np.float64),
        coordinates_type="cartesian",
    )


def cases(*rows: tuple[int, dt.date, int]) -> Cases:
    return Cases(
        location_index=np.array([r[0] for r in rows], dtype=np.int64),
        dates=np.array([r[1] for r in rows], dtype="datetime64[D]"),
        counts=np.array([r[2] for r in rows], dtype=np.int64),
    )


def test_1_latlong_becomes_points_on_a_6367_km_sphere() -> None:
    points = latlong_to_points(np.array([[0.0, 0.0], [0.0, 90.0], [90.0, 0.0]]))
    assert points == pytest.approx(np.array([[6367, 0, 0], [0, 6367, 0], [0, 0, 6367]]), abs=1e-9)


def test_2_distance_limit_uses_the_chord_and_radius_is_reported_along_the_sphere() -> None:
    locations = Locations(
        ids=("A", "B"), coordinates=np.array([[51.5, 0.0], [51.5, 0.5]]), coordinates_type="latlong"
    )
    a, b = latlong_to_points(locations.coordinates)
    chord = float(np.linalg.norm(a - b))
    arc = 2 * EARTH_RADIUS_KM * math.asin(chord / (2 * EARTH_RADIUS_KM))
    assert arc > chord
    circles = build_circles(
        make_sites(locations), np.ones(2), max_fraction=1.0, max_radius_km=(chord + arc) / 2
    )
    assert circles.sites(0, 2).tolist() == [0, 1]  # B is within the limit by chord, not by arc
    assert reported_radius_km(float(circles.distances[1]), "latlong") == pytest.approx(arc, rel=1e-12)
    assert reported_radius_km(0.0, "latlong") == 0.0
    too_short = build_circles(
        make_sites(locations), np.ones(2), max_fraction=1.0, max_radius_km=chord * 0.999
    )
    assert too_short.offsets.tolist() == [0, 1, 2]


def test_3_and_4_every_location_is_a_centre_and_ties_enter_one_at_a_time_smaller_coordinate_first() -> None:
    locations = cartesian((0, 0), (1, 0), (0, 1), (-1, 0), (0, -1), (5, 5))
    circles = build_circles(make_sites(locations), np.ones(6), max_fraction=1.0, max_radius_km=None)
    assert circles.offsets.size == 7  # one centre per location, including the one far away
    around_origin = circles.sites(0, 6).tolist()
    assert around_origin == [0, 3, 4, 2, 1, 5]  # (-1, 0), (0, -1), (0, 1), (1, 0): x first, then y


def test_3_identical_coordinates_are_one_site_named_by_the_first_id() -> None:
    sites = make_sites(cartesian((0, 0), (3, 4), (0, 0), ids=("Z9", "M1", "A5")))
    assert sites.location_ids == (("A5", "Z9"), ("M1",))
    assert sites.site_of_location.tolist() == [0, 1, 0]


def test_5_percent_limit_stops_at_the_first_location_that_would_exceed_it() -> None:
    locations = cartesian((0, 0), (1, 0), (2, 0), (3, 0))
    measure = np.array([2.0, 10.0, 0.0, 1.0])  # total 13, half is 6.5
    circles = build_circles(make_sites(locations), measure, max_fraction=0.5, max_radius_km=None)
    assert circles.sites(0, 1).tolist() == [0]
    assert int(circles.offsets[1] - circles.offsets[0]) == 1  # no skipping past the 10 to the 0 and 1
    assert int(circles.offsets[2] - circles.offsets[1]) == 0  # a centre above the limit has no circle
    # Around (2, 0) the sites at x = 1 and x = 3 are equally far: x = 1 comes first and its 10 stops growth.
    assert circles.measure[circles.offsets[2] : circles.offsets[3]].tolist() == [0.0]


def test_6_intervals_are_cut_back_from_the_end_and_the_remainder_joins_the_first() -> None:
    timeline = Timeline(START, START + 23 * DAY, 7)
    assert timeline.lengths().tolist() == [10, 7, 7]
    assert [(timeline.first_day(t), timeline.last_day(t)) for t in range(3)] == [
        (START, START + 9 * DAY),
        (START + 10 * DAY, START + 16 * DAY),
        (START + 17 * DAY, START + 23 * DAY),
    ]
    dates = np.array([START, START + 9 * DAY, START + 10 * DAY, START + 23 * DAY], dtype="datetime64[D]")
    assert timeline.interval_of(dates).tolist() == [0, 0, 1, 2]


def test_7_maximum_temporal_size_in_intervals_and_the_models_ceilings() -> None:
    timeline = Timeline(START, START + 29 * DAY, 7)  # 30 days, 4 intervals
    assert max_temporal_intervals(timeline, 15, "space-time-permutation") == 2
    with pytest.raises(ScanError, match="50%"):
        max_temporal_intervals(timeline, 16, "space-time-permutation")
    assert max_temporal_intervals(timeline, 27, "poisson") == 3
    with pytest.raises(ScanError, match="90%"):
        max_temporal_intervals(timeline, 28, "poisson")
    with pytest.raises(ScanError, match="shorter than one time interval"):
        max_temporal_intervals(timeline, 6, "poisson")


def test_10_case_dates_outside_the_study_period_are_an_error() -> None:
    timeline = Timeline(START, START + 9 * DAY, 1)
    with pytest.raises(ScanError, match="study period"):
        timeline.interval_of(np.array([START - DAY], dtype="datetime64[D]"))


def test_12_test_statistic() -> None:
    assert log_likelihood_ratio(5.0, 1.0, 10.0) == pytest.approx(5 * math.log(5) + 5 * math.log(5 / 9))
    assert log_likelihood_ratio(10.0, 4.0, 10.0) == pytest.approx(10 * math.log(10 / 4))


def _two_sites(*rows: tuple[int, dt.date, int], **changes: Any) -> list[dict[str, Any]]:
    """Three far-apart locations (circles hold one location each)."""
    settings = ScanSettings(
        model="space-time-permutation",
        start=START,
        end=START + 19 * DAY,
        max_temporal_days=10,
        max_radius_km=1.0,
        replications=0,
    )
    result = run_scan(cartesian((0, 0), (10, 0), (20, 0)), cases(*rows), replace(settings, **changes))
    clusters: list[dict[str, Any]] = result.as_json()["clusters"]
    return clusters


def test_11_expected_cases_are_site_total_times_window_total_over_all_cases() -> None:
    # L0: 3 cases on day 15; L1: 1 on day 2 and 1 on day 15; L2: 1 on days 0, 6, 12 and 18. C = 9.
    rows = [(0, START + 15 * DAY, 3), (1, START + 2 * DAY, 1), (1, START + 15 * DAY, 1)]
    rows += [(2, START + day * DAY, 1) for day in (0, 6, 12, 18)]
    top = _two_sites(*rows)[0]
    assert top["location_ids"] == ["L0"]
    assert (top["start"], top["end"], top["observed"]) == ("2024-01-16", "2024-01-16", 3)
    assert top["expected"] == pytest.approx(3 * 4 / 9)  # S = 3 at L0, T = 4 on day 15
    assert top["llr"] == pytest.approx(3 * math.log(3 / (4 / 3)) + 6 * math.log(6 / (9 - 4 / 3)))


def test_13_only_high_rates_with_at_least_two_cases() -> None:
    single = _two_sites((0, START + 15 * DAY, 1), (1, START + 2 * DAY, 3), (2, START + 5 * DAY, 3))
    assert all(cluster["observed"] >= 2 for cluster in single)
    uniform = [(site, START + day * DAY, 1) for site in range(3) for day in range(20)]
    assert _two_sites(*uniform) == []


def test_9_prospective_windows_end_on_the_end_date() -> None:
    early_burst = [(0, START + 2 * DAY, 4), (1, START + 12 * DAY, 2), (2, START + 17 * DAY, 2)]
    early_burst += [(site, START + day * DAY, 1) for site in range(3) for day in (0, 7, 14, 19)]
    retrospective = _two_sites(*early_burst)
    assert retrospective[0]["start"] == "2024-01-03" and retrospective[0]["location_ids"] == ["L0"]
    prospective = _two_sites(*early_burst, prospective=True)
    assert prospective and all(cluster["end"] == "2024-01-20" for cluster in prospective)
    assert all(cluster["start"] >= "2024-01-11" for cluster in prospective)  # at most 10 days back


def _bursts_at_l0(second_burst_day: int) -> list[tuple[int, dt.date, int]]:
    """6 cases at L0 on day 3 (the centre's best, LLR 2.62) and 5 on an odd later day (LLR 2.14 > 1);
    L1 and L2 have one case every even day."""
    rows = [(0, START + 3 * DAY, 6), (0, START + second_burst_day * DAY, 5)]
    return rows + [(site, START + day * DAY, 1) for site in (1, 2) for day in range(0, 20, 2)]


def test_15_and_17_a_centres_clusters_before_and_after_its_best_are_kept_when_time_separates_them() -> None:
    windows = [(c["location_ids"], c["start"], c["end"]) for c in _two_sites(*_bursts_at_l0(13))]
    assert windows[0] == (["L0"], "2024-01-04", "2024-01-04")
    assert (["L0"], "2024-01-14", "2024-01-14") in windows
    second = next(c for c in _two_sites(*_bursts_at_l0(13)) if c["start"] == "2024-01-14")
    assert second["llr"] == pytest.approx(log_likelihood_ratio(5, 11 * 5 / 31, 31))


def test_15_quirk_the_part_after_never_reaches_the_last_interval() -> None:
    def l0_windows(day: int) -> list[tuple[str, str]]:
        return [
            (c["start"], c["end"]) for c in _two_sites(*_bursts_at_l0(day)) if c["location_ids"] == ["L0"]
        ]

    assert l0_windows(17) == [("2024-01-04", "2024-01-04"), ("2024-01-18", "2024-01-18")]
    assert l0_windows(19) == [("2024-01-04", "2024-01-04")]


def test_16_ties_put_fewer_locations_first_then_the_centre_first_in_id_order() -> None:
    def candidate(centre: int, size: int, llr: float) -> Candidate:
        return Candidate(centre=centre, size=size, start=0, end=0, observed=2, expected=1.0, llr=llr)

    ranked = rank_candidates(
        [candidate(3, 2, 5.0), candidate(1, 2, 5.0 + 5e-10), candidate(2, 1, 5.0), candidate(0, 1, 7.0)]
    )
    assert [(c.centre, c.size) for c in ranked] == [(0, 1), (2, 1), (1, 2), (3, 2)]


def _circles(*member_lists: list[int]) -> Circles:
    sizes = [len(m) for m in member_lists]
    members = np.array([site for m in member_lists for site in m], dtype=np.int32)
    return Circles(
        offsets=np.concatenate(([0], np.cumsum(sizes))).astype(np.int64),
        members=members,
        distances=np.zeros(members.size),
        measure=np.zeros(members.size),
    )


def test_17_no_geographical_overlap_unless_a_whole_interval_separates_the_windows() -> None:
    member_lists = [[0, 1], [1, 2], [2, 3], [3]]
    circles = _circles(*member_lists)

    def at(centre: int, start: int, end: int, llr: float) -> Candidate:
        return Candidate(
            centre=centre,
            size=len(member_lists[centre]),
            start=start,
            end=end,
            observed=2,
            expected=1,
            llr=llr,
        )

    ranked = [at(0, 5, 9, 9.0), at(1, 11, 12, 8.0), at(1, 10, 12, 7.5), at(2, 0, 3, 7.0), at(3, 0, 0, 6.0)]
    kept = without_overlap(ranked, circles, 4, time_separates=True, limit=None)
    assert [(c.centre, c.start) for c in kept] == [(0, 5), (1, 11), (2, 0)]  # day 10 touches day 9: no gap
    spatial = without_overlap(ranked, circles, 4, time_separates=False, limit=None)
    assert [(c.centre, c.start) for c in spatial] == [(0, 5), (2, 0)]
    assert len(without_overlap(ranked, circles, 4, time_separates=True, limit=2)) == 2  # fact 18's cap


def test_19_what_is_printed() -> None:
    def candidate(llr: float) -> Candidate:
        return Candidate(centre=0, size=1, start=0, end=0, observed=2, expected=1.0, llr=llr)

    kept = [candidate(9.0), candidate(3.0), candidate(0.0005), candidate(2.0)]
    assert reported(kept, np.array([1, 100, 1, 99]), replications=99) == [0, 3]
    many = [candidate(10.0 - i) for i in range(12)]
    assert reported(many, np.ones(12, dtype=np.int64), replications=0) == list(range(10))


def test_21_monte_carlo_rank_counts_ties_against_the_cluster() -> None:
    maxima = np.array([5.0, 3.0, 5.0 - 1e-10, 6.0])
    assert monte_carlo_ranks(np.array([5.0, 7.0, 2.0]), maxima).tolist() == [4, 1, 5]


def test_21_and_23_p_value_and_recurrence_interval() -> None:
    rows = [(0, START + 18 * DAY, 3), (0, START + 19 * DAY, 3)]
    rows += [(site, START + day * DAY, 1) for site in range(3) for day in range(0, 20, 3)]
    clusters = _two_sites(*rows, prospective=True, replications=19, time_aggregation_days=2)
    top = clusters[0]
    assert top["p_value"] * 20 == pytest.approx(round(top["p_value"] * 20))
    assert top["recurrence_interval_days"] == pytest.approx(max(1.0, 2 / top["p_value"]))
    retrospective = _two_sites(*rows, replications=19)
    assert "recurrence_interval_days" not in retrospective[0]


def test_12_all_cases_in_the_cluster_uses_only_the_inside_term() -> None:
    locations = cartesian((0, 0), (10, 0))
    settings = ScanSettings(
        model="poisson", start=START, end=START + 9 * DAY, max_temporal_days=None, replications=0
    )
    result = run_scan(locations, cases((0, START, 4)), settings, population=np.array([10.0, 90.0]))
    top = result.clusters[0]
    assert (top.observed, top.expected) == (4, pytest.approx(0.4))
    assert top.llr == pytest.approx(4 * math.log(4 / 0.4))


def test_purely_spatial_poisson_expected_follows_population() -> None:
    locations = cartesian((0, 0), (1, 0), (10, 0))
    rows = cases((0, START, 6), (1, START + DAY, 1), (2, START + 2 * DAY, 3))
    settings = ScanSettings(
        model="poisson", start=START, end=START + 9 * DAY, max_temporal_days=None, replications=0
    )
    result = run_scan(locations, rows, settings, population=np.array([100.0, 100.0, 800.0]))
    top = result.clusters[0]
    assert (top.location_ids, top.observed, top.expected) == (("L0",), 6, pytest.approx(1.0))
    assert (top.start, top.end) == (START, START + 9 * DAY)
