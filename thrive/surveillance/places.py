"""Where the person lived and where they died, as areas: from a map point, a postcode or a chosen area.

A point is kept exactly (encrypted) and, in the clear, exactly only for public places, where locations of concern
need it; for a home or other private place the clear point is its LSOA's centroid, so that nothing in the clear
is an address.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from thrive.geography import resolve_place
from thrive.geography.models import Area
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


NOWHERE = Where(areas=dict.fromkeys(LEVELS))


def _resolve(**given: Any) -> Where | None:
    place = resolve_place(**given)
    if place is None:
        return None
    areas = {level: getattr(place, level, None) for level in LEVELS}
    outside = bool(getattr(place, "outside_region", False)) or areas["borough"] is None
    return Where(areas=areas, lat=getattr(place, "lat", None), lon=getattr(place, "lon", None),
                 flag="outside_region" if outside else "")


def residence(current: dict[str, Any]) -> Where:
    """From the home postcode when known, else the chosen area; flags an unknown or out-of-region postcode."""
    postcode = current.get("deceased.residence_postcode")
    if postcode:
        where = _resolve(postcode=postcode)
        if where is not None and where.found:
            return where
        area = current.get("deceased.residence_area")
        fallback = _resolve(area_code=area) if area else None
        flag = "outside_region" if where is not None else "postcode_not_found"
        return Where(areas=(fallback or NOWHERE).areas, flag=flag)
    area = current.get("deceased.residence_area")
    if area:
        return _resolve(area_code=area) or NOWHERE
    return NOWHERE


def incident(current: dict[str, Any]) -> Where:
    """From the map point, else the postcode, else the chosen area. A point outside London is flagged."""
    point = current.get("incident.location")
    if point:
        where = _resolve(lat=float(point["lat"]), lon=float(point["lon"]))
        if where is not None:
            return where
        return Where(areas=dict.fromkeys(LEVELS), lat=float(point["lat"]), lon=float(point["lon"]),
                     flag="outside_region")
    postcode = current.get("incident.postcode")
    if postcode:
        where = _resolve(postcode=postcode)
        if where is not None and where.found:
            return where
        area = current.get("incident.area_code")
        fallback = _resolve(area_code=area) if area else None
        return Where(areas=(fallback or NOWHERE).areas, flag="outside_region" if where else "postcode_not_found")
    area = current.get("incident.area_code")
    if area:
        return _resolve(area_code=area) or NOWHERE
    return NOWHERE


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
