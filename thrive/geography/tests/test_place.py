"""resolve_place: a point, a postcode or an area code to both LSOA vintages and the areas above them."""

from __future__ import annotations

import pytest

from thrive.geography import testing
from thrive.geography.loader import LoadResult
from thrive.geography.models import Area, AreaLevel, Postcode
from thrive.geography.place import PlaceNotFound, PlaceSource, resolve_place

pytestmark = pytest.mark.django_db


def codes(place) -> tuple[str | None, ...]:
    return tuple(
        a.code if a else None for a in (place.lsoa11, place.lsoa21, place.msoa21, place.borough, place.ics)
    )


def test_a_point(tiny_geography: LoadResult) -> None:
    place = resolve_place(lat=testing.CANARY_WHARF[0], lon=testing.CANARY_WHARF[1])
    assert place.source == PlaceSource.POINT and not place.outside_region
    assert codes(place) == ("E01900002", "E01900011", "E02900001", "E09000030", "E54000029")
    assert (place.lat, place.lon) == testing.CANARY_WHARF
    assert place.most_precise is place.lsoa21


def test_a_point_outside_is_a_place_flagged_outside(tiny_geography: LoadResult) -> None:
    place = resolve_place(lat=testing.OUTSIDE[0], lon=testing.OUTSIDE[1])
    assert place.outside_region and codes(place) == (None,) * 5 and place.lat == testing.OUTSIDE[0]


def test_a_postcode(tiny_geography: LoadResult) -> None:
    lsoa = Area.objects.get(level=AreaLevel.LSOA11, code="E01900002")
    borough = Area.objects.get(level=AreaLevel.BOROUGH, code="E09000030")
    Postcode.objects.create(postcode="E14 5AB", lat=51.5054, lon=-0.0235, lsoa11=lsoa, borough=borough)
    place = resolve_place(postcode="e145ab")
    assert place.source == PlaceSource.POSTCODE and place.postcode == "E14 5AB"
    # the 2021 LSOA comes from the links (the largest share, then the lower code) when the row has none
    assert codes(place) == ("E01900002", "E01900011", "E02900001", "E09000030", "E54000029")


@pytest.mark.parametrize(
    ("code", "level", "expected"),
    [
        ("E01900001", None, ("E01900001", "E01900001", "E02900001", "E09000030", "E54000029")),
        ("e01900012", None, ("E01900002", "E01900012", "E02900001", "E09000030", "E54000029")),
        ("E01900002", None, ("E01900002", "E01900011", "E02900001", "E09000030", "E54000029")),
        ("E01900001", "lsoa21", ("E01900001", "E01900001", "E02900001", "E09000030", "E54000029")),
        ("E02900003", None, (None, None, "E02900003", "E09000003", "E54000028")),
        ("E09000012", None, (None, None, None, "E09000012", "E54000029")),
        ("E54000028", None, (None, None, None, None, "E54000028")),
        ("E12000007", None, (None, None, None, None, None)),
    ],
)
def test_an_area_code(tiny_geography: LoadResult, code: str, level: str | None, expected: tuple) -> None:
    place = resolve_place(area_code=code, area_level=level)
    assert place.source == PlaceSource.AREA and codes(place) == expected and place.lat is None


def test_the_most_precise_wins_and_unresolved_ones_fall_through(tiny_geography: LoadResult) -> None:
    place = resolve_place(lat=51.62, lon=-0.2, area_code="E09000030")
    assert place.source == PlaceSource.POINT and place.borough.code == "E09000003"  # type: ignore[union-attr]
    place = resolve_place(postcode="E1 6AN", area_code="E09000012")
    assert place.source == PlaceSource.AREA and place.borough.code == "E09000012"  # type: ignore[union-attr]


def test_nothing_resolves(tiny_geography: LoadResult) -> None:
    with pytest.raises(PlaceNotFound) as nothing:
        resolve_place(postcode="not a postcode", area_code="E09999999")
    assert nothing.value.reasons == [
        "Enter a full UK postcode, like SW1A 1AA.",
        "There is no area with the code E09999999.",
    ]
    with pytest.raises(PlaceNotFound, match="Give a point, a postcode or an area code"):
        resolve_place()
    with pytest.raises(PlaceNotFound, match="not a valid latitude"):
        resolve_place(lat=51.5)
