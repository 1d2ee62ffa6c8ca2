"""Where a person is looking for support: a borough from a postcode, an ONS code or the browser's position.

The answers are plain-English messages a person can act on (a malformed postcode, one we do not know, one
outside London). Nothing here is logged or stored: a postcode is used for the lookup and then forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass

from thrive.directory.caching import local
from thrive.geography import lookup as point_lookup
from thrive.geography.models import Area, AreaLevel, Postcode

BOROUGHS_CACHE_KEY = "directory:boroughs:v1"
BOROUGHS_CACHE_SECONDS = 3600


@dataclass(frozen=True)
class Borough:
    """The few borough facts the public pages need, cached so a search does not fetch them every time."""

    pk: int
    code: str
    name: str
    ics_id: int | None
    parent_id: int | None

    @property
    def covering_area_ids(self) -> list[int]:
        """Areas whose services reach this borough: itself, its integrated care system, its region."""
        return [pk for pk in (self.pk, self.ics_id, self.parent_id) if pk is not None]


@dataclass(frozen=True)
class Place:
    borough: Borough | None = None
    label: str = ""
    error: str = ""
    field: str = ""  # the form field the error belongs to
    outside_region: bool = False
    lat: float | None = None
    lon: float | None = None


def boroughs() -> dict[str, Borough]:
    """Every borough by ONS code, in name order (kept by each process for an hour: boroughs change once a
    decade, and every public page needs them)."""
    cached: dict[str, Borough] | None = local.get(BOROUGHS_CACHE_KEY)
    if cached is None:
        rows = (
            Area.objects.filter(level=AreaLevel.BOROUGH)
            .order_by("name")
            .values_list("pk", "code", "name", "ics_id", "parent_id")
        )
        cached = {code: Borough(pk, code, name, ics, parent) for pk, code, name, ics, parent in rows}
        local.set(BOROUGHS_CACHE_KEY, cached, BOROUGHS_CACHE_SECONDS)
    return cached


def borough_by_pk(pk: int | None) -> Borough | None:
    return next((b for b in boroughs().values() if b.pk == pk), None) if pk is not None else None


def borough_choices() -> list[tuple[str, str]]:
    return [(code, borough.name) for code, borough in boroughs().items()]


def normalise_postcode(text: str) -> str | None:
    """'e16an' -> 'E1 6AN'; None when it cannot be a UK postcode."""
    compact = "".join(text.split()).upper()
    if not 5 <= len(compact) <= 7:
        return None
    outward, inward = compact[:-3], compact[-3:]
    if not (inward[0].isdigit() and inward[1:].isalpha()):
        return None
    if not (outward[0].isalpha() and any(ch.isdigit() for ch in outward) and outward.isalnum()):
        return None
    letters = len(outward) - len(outward.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    if letters > 2 or not outward[letters].isdigit():
        return None
    return f"{outward} {inward}"


def from_postcode(text: str) -> Place:
    postcode = normalise_postcode(text)
    if postcode is None:
        return Place(error="Enter a full postcode, like E1 6AN.", field="postcode")
    row = (
        Postcode.objects.filter(postcode=postcode, terminated_on__isnull=True)
        .values_list("borough_id", "in_region", "lat", "lon")
        .first()
    )
    if row is None:
        return Place(
            error=f"We cannot find the postcode {postcode}. Check it is right, or choose your borough "
            "instead.",
            field="postcode",
        )
    borough_id, in_region, lat, lon = row
    borough = borough_by_pk(borough_id) if in_region else None
    if borough is None:
        return Place(
            label=postcode,
            outside_region=True,
            error=f"{postcode} is outside London. This directory lists London services, so we are showing "
            "the national services that anyone can use.",
            field="postcode",
        )
    return Place(borough=borough, label=f"{postcode} ({borough.name})", lat=lat, lon=lon)


def from_borough_code(code: str) -> Place:
    borough = boroughs().get(code.strip().upper())
    if borough is None:
        return Place(error="Choose a London borough from the list.", field="borough")
    return Place(borough=borough, label=borough.name)


def from_position(lat: float, lon: float) -> Place:
    """The browser's position ("use my location") to a borough; the position itself is not kept."""
    located = point_lookup.locate(lat, lon)
    if located is None or located.borough is None:
        return outside_position()
    borough = boroughs().get(located.borough.code)
    return Place(borough=borough, label=borough.name if borough else "")


def outside_position() -> Place:
    return Place(
        outside_region=True,
        error="Your location seems to be outside London, so we are showing the national services that anyone "
        "can use.",
        field="postcode",
    )
