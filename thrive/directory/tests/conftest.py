"""Directory test fixtures: a small London with square boroughs, postcodes, and a clean cache per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from thrive.accounts.testing import small_london
from thrive.directory import caching
from thrive.directory.tests.factories import PostcodeFactory
from thrive.geography import lookup
from thrive.geography.models import Area, AreaLevel

# Fictional 0.05-degree squares, one per borough of the small London, side by side along a line of latitude.
SQUARES = {"E09000030": 0, "E09000012": 1, "E09000025": 2, "E09000001": 3, "E09000003": 4, "E09000007": 5}
SOUTH, WEST, SIDE = 51.50, -0.10, 0.05


def square(index: int) -> dict[str, object]:
    west = WEST + index * SIDE
    ring = [
        [west, SOUTH],
        [west + SIDE, SOUTH],
        [west + SIDE, SOUTH + SIDE],
        [west, SOUTH + SIDE],
        [west, SOUTH],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def centre(code: str) -> tuple[float, float]:
    return SOUTH + SIDE / 2, WEST + SQUARES[code] * SIDE + SIDE / 2


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """Cached pages and counters from one test must not leak into the next."""
    cache.clear()
    caching.local.clear()
    yield
    cache.clear()
    caching.local.clear()


@pytest.fixture
def london(db: None) -> dict[str, Area]:
    """The small London: region, two ICSs, six boroughs (each a square with an LSOA of the same shape)."""
    areas = small_london()
    for code, index in SQUARES.items():
        borough = areas[code]
        borough.boundary = square(index)
        borough.centroid_lat, borough.centroid_lon = centre(code)
        borough.save()
        for level in (AreaLevel.LSOA11, AreaLevel.LSOA21):
            Area.objects.get_or_create(
                level=level,
                code=f"{code[:3]}{index:06d}",
                defaults={
                    "name": f"{borough.name} 001A",
                    "parent": borough,
                    "borough": borough,
                    "ics": borough.ics,
                    "boundary": square(index),
                },
            )
    lookup.clear_cache()
    return areas


@pytest.fixture
def postcodes(london: dict[str, Area]) -> dict[str, object]:
    """A Tower Hamlets postcode, a Barnet one, and one outside London."""
    lat, lon = centre("E09000030")
    blat, blon = centre("E09000003")
    return {
        "tower_hamlets": PostcodeFactory.create(
            postcode="E1 6AN", lat=lat, lon=lon, borough=london["E09000030"]
        ),
        "barnet": PostcodeFactory.create(postcode="EN5 1AA", lat=blat, lon=blon, borough=london["E09000003"]),
        "outside": PostcodeFactory.create(
            postcode="CM1 1AA", lat=51.73, lon=0.47, borough=None, in_region=False
        ),
    }
