"""A place, for other apps: where a death happened or a person lives, as its areas at every level.

A place carries both its 2011 and its 2021 LSOA: rates, the Poisson scan and deprivation use 2011 (the
population and IMD files are on 2011 LSOAs); maps and current reporting may use 2021. Callers store the areas'
ids and `source` (how the place was found), and flag `outside_region` places rather than dropping them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from thrive.geography import lookup
from thrive.geography.models import Area, AreaLevel, LsoaLink, Postcode
from thrive.geography.postcodes import AREA_DETAIL, PostcodeProblem, find_postcode, problem_message


class PlaceSource(StrEnum):
    POINT = "point"
    POSTCODE = "postcode"
    AREA = "area"


@dataclass(frozen=True)
class Place:
    source: PlaceSource
    lsoa11: Area | None = None
    lsoa21: Area | None = None
    msoa21: Area | None = None
    borough: Area | None = None
    ics: Area | None = None
    lat: float | None = None
    lon: float | None = None
    postcode: str = ""
    outside_region: bool = False

    @property
    def most_precise(self) -> Area | None:
        return self.lsoa21 or self.lsoa11 or self.msoa21 or self.borough or self.ics


class PlaceNotFound(ValueError):
    """Nothing given resolves to a place; `reasons` says why, one sentence for each thing tried."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = reasons
        super().__init__(" ".join(reasons))


@dataclass(frozen=True)
class PostcodeResult:
    postcode: str  # normalised
    place: Place | None = None  # outside the region: a place with outside_region set
    problem: PostcodeProblem | None = None

    @property
    def message(self) -> str:
        return problem_message(self.problem, self.postcode) if self.problem else ""


def resolve_place(
    *,
    lat: float | None = None,
    lon: float | None = None,
    postcode: str | None = None,
    area_code: str | None = None,
    area_level: str | None = None,
) -> Place:
    """The most precise of what is given: a point, else a postcode the table knows, else an area code.

    Raises PlaceNotFound when none of them resolves (a malformed or unknown postcode and no area, say).
    """
    reasons: list[str] = []
    if lat is not None or lon is not None:
        place = place_at(lat, lon)
        if place is not None:
            return place
        reasons.append("The point is not a valid latitude and longitude.")
    if postcode:
        result = lookup_postcode(postcode)
        if result.place is not None:
            return result.place
        reasons.append(result.message)
    if area_code:
        place = place_of_area(area_code, level=area_level)
        if place is not None:
            return place
        reasons.append(f"There is no area with the code {area_code.strip().upper()}.")
    if not reasons:
        reasons.append("Give a point, a postcode or an area code.")
    raise PlaceNotFound(reasons)


def place_at(lat: float | None, lon: float | None) -> Place | None:
    """The place at a point (outside_region when it is not in the region); None for an invalid point."""
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    if abs(lat) > 90 or abs(lon) > 180:
        return None
    found = lookup.locate(lat, lon)
    if found is None:
        return Place(PlaceSource.POINT, lat=lat, lon=lon, outside_region=True)
    return Place(
        PlaceSource.POINT,
        found.lsoa11,
        found.lsoa21,
        found.msoa21,
        found.borough,
        found.ics,
        lat=lat,
        lon=lon,
    )


def lookup_postcode(text: str) -> PostcodeResult:
    """A typed postcode ("e16an" is read as "E1 6AN") to its place, or the reason there is none."""
    postcode, row, problem = find_postcode(text)
    if row is None or problem == PostcodeProblem.TERMINATED:
        return PostcodeResult(postcode, problem=problem)
    return PostcodeResult(postcode, _postcode_place(row), problem)


def _postcode_place(row: Postcode) -> Place:
    if not row.in_region:
        return Place(
            PlaceSource.POSTCODE, lat=row.lat, lon=row.lon, postcode=row.postcode, outside_region=True
        )
    lsoa11, lsoa21 = row.lsoa11, row.lsoa21
    if lsoa11 is None and lsoa21 is not None:
        lsoa11 = _other_vintage(lsoa21)
    elif lsoa21 is None and lsoa11 is not None:
        lsoa21 = _other_vintage(lsoa11)
    msoa21 = row.msoa21 or (_area(lsoa21.parent_id) if lsoa21 is not None else None)
    borough = row.borough
    return Place(
        PlaceSource.POSTCODE, lsoa11, lsoa21, msoa21, borough, _area(borough.ics_id) if borough else None,
        lat=row.lat, lon=row.lon, postcode=row.postcode,
    )  # fmt: skip


def place_of_area(code: str, *, level: str | None = None) -> Place | None:
    """The place an area code stands for, filled in upwards; an LSOA also gets its other vintage."""
    code = code.strip().upper()
    matches = Area.objects.defer(*AREA_DETAIL).filter(code=code)
    if level:
        matches = matches.filter(level=level)
    found = {AreaLevel(area.level): area for area in matches}
    if not found:
        return None
    lsoa11, lsoa21 = found.get(AreaLevel.LSOA11), found.get(AreaLevel.LSOA21)
    if lsoa21 is not None and lsoa11 is None:
        lsoa11 = _other_vintage(lsoa21)
    elif lsoa11 is not None and lsoa21 is None:
        lsoa21 = _other_vintage(lsoa11)
    area = lsoa21 or lsoa11 or next(iter(found.values()))
    msoa21 = found.get(AreaLevel.MSOA21) or (_area(lsoa21.parent_id) if lsoa21 is not None else None)
    return Place(PlaceSource.AREA, lsoa11, lsoa21, msoa21, _area(area.borough_id), _area(area.ics_id))


def _area(pk: int | None) -> Area | None:
    return Area.objects.defer(*AREA_DETAIL).filter(pk=pk).first() if pk else None


def _other_vintage(lsoa: Area) -> Area | None:
    """The LSOA of the other census that shares most of this one's land."""
    if lsoa.level == AreaLevel.LSOA11:
        link = LsoaLink.objects.filter(lsoa11=lsoa).order_by("-share_of_lsoa11", "lsoa21__code").first()
        return _area(link.lsoa21_id) if link else None
    link = LsoaLink.objects.filter(lsoa21=lsoa).order_by("-share_of_lsoa21", "lsoa11__code").first()
    return _area(link.lsoa11_id) if link else None
