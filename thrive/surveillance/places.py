"""Where the person lived and where they died, as areas: from a map point, a postcode or a chosen area.

A point is kept exactly (encrypted) and, in the clear, exactly only for public places, where locations of
concern need it; for a home or other private place the clear point is its LSOA's centroid, so that nothing in
the clear is an address.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from thrive.geography.lookup import GeographyNotLoaded
from thrive.geography.models import Area
from thrive.geography.place import PlaceNotFound, resolve_place
from thrive.surveillance.codes import PUBLIC_LOCATION_TYPES

LEVELS = ("lsoa11", "lsoa21", "msoa21", "borough", "ics")


@dataclass(frozen=True)
class Where:
    areas: dict[str, Area | None]
    lat: float | None = None
    lon: float | None = None
    flag: str = ""

    @property
    def found(self) -> bool:
        return self.areas.get("borough") is not None


def _resolve(**given: Any) -> Where | None:
    """The areas of a point, postcode or area code; None when it does not resolve (unknown postcode or code,
    or no boundaries loaded to place a point in)."""
    try:
        place = resolve_place(**given)
    except (PlaceNotFound, GeographyNotLoaded):
        return None
    areas = {level: getattr(place, level, None) for level in LEVELS}
    outside = bool(getattr(place, "outside_region", False)) or areas["borough"] is None
    return Where(
        areas=areas,
        lat=getattr(place, "lat", None),
        lon=getattr(place, "lon", None),
        flag="outside_region" if outside else "",
    )


def _locate(point: dict[str, Any] | None, postcode: str | None, area: str | None) -> Where:
    """The most precise of a point, a postcode and an area that resolves; flags a point or postcode outside
    the region, a postcode the table does not know, and a point that could not be placed (no boundaries
    loaded)."""
    flag = ""
    lat = lon = None
    if point:
        lat, lon = float(point["lat"]), float(point["lon"])
        where = _resolve(lat=lat, lon=lon)
        if where is not None and where.found:
            return where
        flag = "outside_region" if where is not None else "not_located"
    if postcode:
        where = _resolve(postcode=postcode)
        if where is not None and where.found:
            return Where(
                areas=where.areas,
                lat=lat if lat is not None else where.lat,
                lon=lon if lon is not None else where.lon,
                flag=flag,
            )
        flag = flag or ("outside_region" if where is not None else "postcode_not_found")
    if area:
        where = _resolve(area_code=area)
        if where is not None:
            return Where(areas=where.areas, lat=lat, lon=lon, flag=flag)
    return Where(areas=dict.fromkeys(LEVELS), lat=lat, lon=lon, flag=flag)


def residence(current: dict[str, Any]) -> Where:
    """From the home postcode when the table knows it, else the chosen area."""
    return _locate(None, current.get("deceased.residence_postcode"), current.get("deceased.residence_area"))


def incident(current: dict[str, Any]) -> Where:
    """From the map point, else the postcode, else the chosen area."""
    return _locate(
        current.get("incident.location"), current.get("incident.postcode"), current.get("incident.area_code")
    )


def clear_point(where: Where, location_type: str) -> tuple[float | None, float | None]:
    """The point kept in the clear: exact for a public place, the LSOA centroid otherwise."""
    if where.lat is not None and location_type in PUBLIC_LOCATION_TYPES:
        return where.lat, where.lon
    lsoa = where.areas.get("lsoa11") or where.areas.get("lsoa21")
    if lsoa is not None and lsoa.centroid_lat is not None:
        return lsoa.centroid_lat, lsoa.centroid_lon
    return None, None


def area_exists(code: str, *levels: str) -> bool:
    query = Area.objects.filter(code=code)
    if levels:
        query = query.filter(level__in=levels)
    return query.exists()
