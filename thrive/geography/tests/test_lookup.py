"""Point lookup on the tiny fixture: inside, in a gap (the "river"), outside, bad input, and bulk = single."""

from __future__ import annotations

import math

import numpy as np
import pytest

from thrive.geography import lookup, testing
from thrive.geography.loader import LoadResult, load_geography
from thrive.geography.models import Area

pytestmark = pytest.mark.django_db


def codes(found: lookup.Located | None) -> tuple[str | None, ...] | None:
    if found is None:
        return None
    areas = (found.lsoa11, found.lsoa21, found.msoa21, found.borough, found.ics)
    return tuple(area.code if area else None for area in areas)


def test_a_point_gets_every_level(tiny_geography: LoadResult) -> None:
    assert codes(lookup.locate(*testing.CANARY_WHARF)) == (
        "E01900002", "E01900011", "E02900001", "E09000030", "E54000029"
    )  # fmt: skip
    assert codes(lookup.locate(51.62, -0.17)) == (
        "E01900006",
        "E01900006",
        "E02900003",
        "E09000003",
        "E54000028",
    )


def test_a_point_in_a_gap_inside_the_region_takes_the_nearest_area(tiny_geography: LoadResult) -> None:
    assert codes(lookup.locate(*testing.IN_THE_RIVER)) == (
        "E01900001", "E01900001", "E02900001", "E09000030", "E54000029"
    )  # fmt: skip


@pytest.mark.parametrize(
    "point", [testing.OUTSIDE, (50.0, -1.0), (math.nan, 0.0), (51.5, math.inf), (91.0, 0.0), (51.5, 181.0)]
)
def test_points_outside_the_region_or_invalid_get_none(
    tiny_geography: LoadResult, point: tuple[float, float]
) -> None:
    assert lookup.locate(*point) is None


def test_bulk_lookup_agrees_with_single_points(tiny_geography: LoadResult) -> None:
    rng = np.random.default_rng(7)
    lats = np.concatenate([rng.uniform(51.45, 51.70, 400), [math.nan, testing.IN_THE_RIVER[0]]])
    lons = np.concatenate([rng.uniform(-0.30, 0.05, 400), [0.0, testing.IN_THE_RIVER[1]]])
    many = lookup.locate_many(lats, lons)
    for i, (lat, lon) in enumerate(zip(lats, lons, strict=True)):
        single = lookup.locate(lat, lon)
        expected = (
            tuple(
                -1 if a is None else a.pk
                for a in (single.lsoa11, single.lsoa21, single.msoa21, single.borough, single.ics)
            )
            if single
            else (-1,) * 5
        )
        got = tuple(
            int(getattr(many, level)[i]) for level in ("lsoa11", "lsoa21", "msoa21", "borough", "ics")
        )
        assert got == expected, (lat, lon)
    assert many.inside.sum() > 50 and not many.inside.all()


def test_bulk_lookup_checks_its_input(tiny_geography: LoadResult) -> None:
    with pytest.raises(ValueError, match="same length"):
        lookup.locate_many([51.5, 51.6], [0.0])
    assert lookup.locate_many([], []).borough.shape == (0,)


def test_a_shared_edge_goes_to_the_lower_code(tiny_geography: LoadResult) -> None:
    found = lookup.locate(51.5, -0.03)  # on the line between the western and eastern halves
    assert found is not None and found.lsoa11 is not None and found.lsoa11.code == "E01900001"


def test_nothing_loaded_is_an_error(db: None) -> None:
    with pytest.raises(lookup.GeographyNotLoaded, match="load-geography"):
        lookup.locate(51.5, -0.1)


def test_the_index_is_built_once_and_rebuilt_after_a_load(tiny_geography: LoadResult, fixture_dir) -> None:
    first = lookup.area_index()
    assert lookup.area_index() is first
    load_geography(directory=fixture_dir)
    assert lookup.area_index() is not first
    assert lookup.locate(*testing.CANARY_WHARF).borough == Area.objects.get(code="E09000030")  # type: ignore[union-attr]


def test_areas_without_boundaries_are_not_enough(db: None) -> None:
    Area.objects.create(level="lsoa11", code="E01900001", name="No boundary")
    with pytest.raises(lookup.GeographyNotLoaded):
        lookup.locate(51.5, -0.1)
