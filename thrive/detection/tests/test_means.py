"""Emerging means: new terms (not seen for 24 months, twice within 90 days) and increasing terms from the time
series, one alert per term."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from thrive.detection import casedata, means, runs, series
from thrive.detection.casedata import Geography
from thrive.detection.models import Alert
from thrive.detection.parameters import DEFAULTS
from thrive.detection.tests.grid import BARNET, HACKNEY, TOWER_HAMLETS, Grid, add_cases, background

TODAY = dt.date(2026, 6, 30)
pytestmark = pytest.mark.usefixtures("detection_urls")


def days_ago(*ago: int) -> list[dt.date]:
    return [TODAY - dt.timedelta(days=d) for d in ago]


def new_means_signals(grid: Grid) -> list[Any]:
    data = casedata.load(grid.region, analysis_date=TODAY, history_days=DEFAULTS.history_days)
    return means.new_means(data, DEFAULTS).signals


@pytest.fixture
def history(grid: Grid) -> None:
    """A first case three and a half years ago, so that "not seen for 24 months" can be judged."""
    add_cases([{"day": TODAY - dt.timedelta(days=1270), "lsoa": grid.lsoa(BARNET)}])


@given(
    st.lists(st.integers(min_value=0, max_value=3000), min_size=1, max_size=30).map(sorted),
    st.integers(min_value=1, max_value=800),
)
def test_a_novel_occurrence_follows_a_long_enough_absence(days: list[int], absence: int) -> None:
    found = means.novel_episodes(days, absence=absence, earliest_judged=0, unknown_term=False)
    for position in found:
        assert position == 0 or days[position] - days[position - 1] > absence
        assert position > 0 or days[0] >= absence
    for position in range(1, len(days)):
        assert (position in found) == (days[position] - days[position - 1] > absence)


def test_a_term_not_seen_for_two_years_twice_within_90_days_is_new(grid: Grid, history: None) -> None:
    lsoa = grid.lsoa(HACKNEY)
    add_cases(
        [
            {"day": d, "lsoa": lsoa, "substances": ["tramadol"], "method": "other"}
            for d in days_ago(900, 60, 10)
        ]
        + [{"day": d, "lsoa": lsoa, "method": "firearm"} for d in days_ago(40, 20)]
    )
    found = {s.key: s for s in new_means_signals(grid)}
    assert set(found) == {"substance:tramadol", "method:firearm"}
    tramadol = found["substance:tramadol"]
    assert tramadol.kind == "emerging_means" and tramadol.observed == 2 and tramadol.statistic == 2.0
    assert tramadol.window_start == TODAY - dt.timedelta(days=60) and tramadol.details["rule"] == "new"
    assert "tramadol" in tramadol.title and found["method:firearm"].details["term_kind"] == "method"


@pytest.mark.parametrize(
    ("ago", "why"),
    [
        ((500, 60, 10), "seen 16 months before"),
        ((150, 10), "110 days apart: never twice within 90 days"),
        ((60,), "only once"),
        ((700, 620), "new, but over a year ago"),
    ],
)
def test_not_new(grid: Grid, history: None, ago: tuple[int, ...], why: str) -> None:
    add_cases([{"day": d, "lsoa": grid.lsoa(HACKNEY), "substances": ["tramadol"]} for d in days_ago(*ago)])
    assert [s.key for s in new_means_signals(grid)] == [], why


def test_without_two_years_of_data_only_unknown_terms_can_be_new(grid: Grid) -> None:
    lsoa = grid.lsoa(HACKNEY)
    add_cases([{"day": d, "lsoa": lsoa, "substances": ["tramadol", "newzine"]} for d in days_ago(30, 5)])
    [found] = new_means_signals(grid)
    assert found.key == "substance:newzine" and found.details["unknown_to_vocabulary"] is True


def test_an_increasing_term_is_found_by_the_time_series(grid: Grid) -> None:
    rng = random.Random(3)
    start = TODAY - dt.timedelta(days=7 * 170)
    add_cases(background(grid, rng=rng, count=500, start=start, end=TODAY, substances=["alcohol"]))
    add_cases(background(grid, rng=rng, count=60, start=start, end=TODAY, substances=["paracetamol"]))
    lsoa = grid.lsoa(TOWER_HAMLETS)
    add_cases(
        [
            {"day": TODAY - dt.timedelta(days=i % 7), "lsoa": lsoa, "substances": ["paracetamol"]}
            for i in range(9)
        ]
    )
    data = casedata.load(grid.region, analysis_date=TODAY, history_days=DEFAULTS.history_days)
    outcome = series.time_series(data, Geography.load(grid.region), DEFAULTS)
    by_key = {s.key: s for s in outcome.signals}
    paracetamol = by_key["substance:paracetamol"]
    assert paracetamol.kind == "emerging_means" and paracetamol.details["rule"] == "increasing"
    assert paracetamol.observed is not None and paracetamol.observed >= 9
    assert "noufaily" in paracetamol.details["detectors"]
    assert "substance:alcohol" not in by_key
    borough = by_key["series:borough:E09000030"]
    assert borough.kind == "unusual_count" and borough.borough_ids == (grid.boroughs[TOWER_HAMLETS].pk,)
    assert outcome.extra["series"] == 7 + 3 + 1 + 2  # boroughs, ICSs, one method group, two substances


def test_new_and_increasing_signals_for_one_term_share_one_alert(grid: Grid, quick: dict[str, Any]) -> None:
    """The demo's emerging substance: unknown to the vocabulary, ten deaths over five months."""
    lsoas = grid.all_lsoas
    add_cases(
        [
            {"day": d, "lsoa": lsoas[i * 7], "method": "poisoning", "substances": ["newzine"]}
            for i, d in enumerate(days_ago(150, 110, 80, 60, 45, 33, 24, 15, 9, 4))
        ]
    )
    runs.run_detection(region=grid.region, analysis_date=TODAY)
    runs.run_detection(region=grid.region, analysis_date=TODAY + dt.timedelta(days=1))
    [alert] = Alert.objects.filter(kind=Alert.Kind.MEANS)
    assert alert.signal_key == "substance:newzine" and alert.case_links.count() == 10
    assert alert.detection_count == 2 and alert.window_start == TODAY - dt.timedelta(days=150)


def test_counts_by_week_end_on_the_analysis_date(grid: Grid) -> None:
    lsoa = grid.lsoa(HACKNEY)
    add_cases([{"day": d, "lsoa": lsoa} for d in days_ago(0, 6, 7, 13, 14, 30)])
    data = casedata.load(grid.region, analysis_date=TODAY, history_days=100)
    found = series.build_series(data, Geography.load(grid.region))
    hackney = next(i for i, s in enumerate(found) if s.series_id == f"borough:{HACKNEY}")
    counts = series.count_matrix(data, found, 6)
    assert np.array_equal(counts[hackney], [0, 1, 0, 1, 2, 2])  # 30 days ago is 4 weeks ago
