"""Locations of concern: public places with at least two incidents within 100 m in 12 months."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest

from thrive.detection import casedata, locations, runs
from thrive.detection.casedata import Geography
from thrive.detection.models import Alert
from thrive.detection.parameters import DEFAULTS, with_overrides
from thrive.detection.tests.grid import CROYDON, Grid, add_cases

TODAY = dt.date(2026, 6, 30)
SITE = (51.4200, -0.1000)
METRE = 1 / 111_000  # degrees of latitude
pytestmark = pytest.mark.usefixtures("detection_urls")


def near(metres_north: float) -> tuple[float, float]:
    return SITE[0] + metres_north * METRE, SITE[1]


def incidents(grid: Grid, *specs: tuple[int, float, str]) -> None:
    """(days ago, metres north of the site, location type) each."""
    lsoa = grid.lsoa(CROYDON)
    add_cases(
        [
            {"day": TODAY - dt.timedelta(days=ago), "lsoa": lsoa, "place": place, "point": near(north),
             "method": "fall_from_height"}
            for ago, north, place in specs
        ]
    )  # fmt: skip


def signals(grid: Grid, **overrides: Any) -> list[Any]:
    params = with_overrides(overrides)
    data = casedata.load(grid.region, analysis_date=TODAY, history_days=params.history_days)
    return locations.locations_of_concern(data, Geography.load(grid.region), params).signals


def test_points_within_the_distance_group_together_by_chains() -> None:
    lat = np.array([SITE[0], SITE[0] + 90 * METRE, SITE[0] + 180 * METRE, SITE[0] + 500 * METRE])
    lon = np.full(4, SITE[1])
    labels = locations.groups(lat, lon, 100.0)
    assert labels[0] == labels[1] == labels[2] and labels[3] != labels[0]
    assert locations.groups(np.zeros(0), np.zeros(0), 100.0).size == 0


def test_two_incidents_at_a_public_place_within_a_year_are_a_location_of_concern(grid: Grid) -> None:
    incidents(
        grid,
        (30, 0, "high_building_or_car_park"),
        (200, 60, "high_building_or_car_park"),
        (900, 30, "bridge"),
    )
    [found] = signals(grid)
    assert found.kind == "location_of_concern" and found.observed == 2
    assert found.details["incidents_in_history"] == 3 and len(found.case_ids) == 3
    assert found.radius_km == pytest.approx(0.1) and found.centre is not None
    assert abs(found.centre[0] - near(30)[0]) < 0.001
    assert found.borough_ids == (grid.boroughs[CROYDON].pk,) and "Croydon" in found.title


@pytest.mark.parametrize(
    ("specs", "why"),
    [
        (((30, 0, "high_building_or_car_park"), (400, 20, "high_building_or_car_park")), "a year apart"),
        (((30, 0, "bridge"), (60, 250, "bridge")), "250 m apart"),
        (((30, 0, "home"), (60, 10, "home")), "homes are not public places"),
        (((30, 0, "bridge"),), "only one"),
    ],
)
def test_not_a_location_of_concern(grid: Grid, specs: tuple[tuple[int, float, str], ...], why: str) -> None:
    incidents(grid, *specs)
    assert signals(grid) == [], why


def test_the_rule_is_configurable(grid: Grid) -> None:
    incidents(grid, (30, 0, "bridge"), (60, 150, "bridge"))
    assert signals(grid) == []
    assert len(signals(grid, location_radius_m=200)) == 1
    assert signals(grid, location_radius_m=200, location_min_incidents=3) == []


def test_a_location_of_concern_raises_one_alert_and_later_incidents_join_it(
    grid: Grid, quick: dict[str, Any]
) -> None:
    incidents(grid, (30, 0, "high_building_or_car_park"), (200, 60, "high_building_or_car_park"))
    runs.run_detection(region=grid.region, analysis_date=TODAY)
    incidents(grid, (1, 40, "high_building_or_car_park"))
    runs.run_detection(region=grid.region, analysis_date=TODAY)
    [alert] = Alert.objects.filter(kind=Alert.Kind.LOCATION)
    assert alert.case_links.count() == 3 and alert.observed == 3 and alert.detection_count == 2
    assert DEFAULTS.location_radius_m == 100.0
