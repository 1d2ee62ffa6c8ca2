"""A synthetic test geography for detection: the personas' small London plus Croydon, each borough a box of
4 x 4 square LSOA 2011s with centroids, populations and boundaries (so points can be placed), and helpers that
write cases straight to the Case table (one shared data subject: detection reads no identifying field)."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from thrive.accounts.models import Organisation
from thrive.core.crypto import DataSubject
from thrive.geography.models import Area, AreaLevel
from thrive.surveillance.models import Case, Substance

CROYDON, SOUTH_WEST = "E09000008", "E54000031"
HACKNEY, TOWER_HAMLETS, BARNET = "E09000012", "E09000030", "E09000003"
SIDE = 4  # LSOAs per side of a borough
BOX_LON, BOX_LAT = 0.045, 0.035


def _box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


@dataclass
class Grid:
    region: Area
    boroughs: dict[str, Area]
    lsoas: dict[str, list[Area]]  # borough code -> its LSOAs, west to east then south to north

    def lsoa(self, borough: str, index: int = 5) -> Area:
        return self.lsoas[borough][index]

    @property
    def all_lsoas(self) -> list[Area]:
        return [lsoa for rows in self.lsoas.values() for lsoa in rows]


def build() -> Grid:
    """Run after `make_personas()` (which makes the region, ICSs and six boroughs)."""
    region = Area.objects.get(level=AreaLevel.REGION, code="E12000007")
    south_west, _ = Area.objects.get_or_create(
        level=AreaLevel.ICS, code=SOUTH_WEST, defaults={"name": "South West London", "parent": region}
    )
    croydon, created = Area.objects.get_or_create(
        level=AreaLevel.BOROUGH, code=CROYDON,
        defaults={"name": "Croydon", "parent": south_west, "ics": south_west, "population": 390000},
    )  # fmt: skip
    if created:
        croydon.borough = croydon
        croydon.save(update_fields=["borough"])
    boroughs = {b.code: b for b in Area.objects.filter(level=AreaLevel.BOROUGH).order_by("code")}
    lsoas: dict[str, list[Area]] = {}
    number = 0
    for index, (code, borough) in enumerate(boroughs.items()):
        west, south = -0.20 + 0.05 * (index % 3), 51.40 + 0.04 * (index // 3)
        borough.boundary = _box(west, south, west + BOX_LON, south + BOX_LAT)
        borough.centroid_lat, borough.centroid_lon = south + BOX_LAT / 2, west + BOX_LON / 2
        borough.save(update_fields=["boundary", "centroid_lat", "centroid_lon"])
        made = []
        for row in range(SIDE):
            for col in range(SIDE):
                number += 1
                w, s = west + col * BOX_LON / SIDE, south + row * BOX_LAT / SIDE
                made.append(
                    Area(
                        level=AreaLevel.LSOA11,
                        code=f"E0199{number:04d}",
                        name=f"{borough.name} {row}{col}",
                        parent=borough,
                        borough=borough,
                        ics_id=borough.ics_id,
                        population=1500 + number,
                        centroid_lat=round(s + BOX_LAT / SIDE / 2, 6),
                        centroid_lon=round(w + BOX_LON / SIDE / 2, 6),
                        boundary=_box(w, s, w + BOX_LON / SIDE, s + BOX_LAT / SIDE),
                    )  # fmt: skip
                )
        lsoas[code] = Area.objects.bulk_create(made)
        # The same squares as 2021 LSOAs: the point lookup needs both vintages.
        Area.objects.bulk_create(
            [
                Area(level=AreaLevel.LSOA21, code=a.code, name=a.name, borough=borough, ics_id=borough.ics_id,
                     boundary=a.boundary)
                for a in made
            ]
        )  # fmt: skip
    return Grid(region=region, boroughs=boroughs, lsoas=lsoas)


def add_cases(specs: Iterable[dict[str, Any]]) -> list[Case]:
    """Cases from dicts: `day` (a date), `lsoa` (an LSOA Area, the home), optional `incident` (an LSOA Area,
    default the home), `method`, `place` (location type, default home), `point` ((lat, lon), default the
    incident LSOA's centroid), `substances` (names), `status`."""
    subject = DataSubject.objects.create_subject()
    police = Organisation.objects.get(slug="example-police")
    cases, substance_names = [], []
    for spec in specs:
        home: Area = spec["lsoa"]
        scene: Area = spec.get("incident") or home
        lat, lon = spec.get("point") or (scene.centroid_lat, scene.centroid_lon)
        cases.append(
            Case(
                reference=f"TEST-{uuid.uuid4().hex[:10]}",
                subject=subject,
                first_reported_by=police,
                date_found=spec["day"],
                date_of_death=spec["day"],
                status=spec.get("status", "suspected"),
                residence_lsoa11=home,
                residence_borough_id=home.borough_id,
                residence_ics_id=home.ics_id,
                incident_lsoa11=scene,
                incident_borough_id=scene.borough_id,
                incident_ics_id=scene.ics_id,
                incident_lat=lat,
                incident_lon=lon,
                method_group=spec.get("method", "hanging_strangulation_suffocation"),
                location_type=spec.get("place", "home"),
                age=30,
                sex="male",
            )  # fmt: skip
        )
        substance_names.append(spec.get("substances", []))
    made = Case.objects.bulk_create(cases)
    through = Case.substances.through
    rows = []
    for case, names in zip(made, substance_names, strict=True):
        for name in names:
            substance, _ = Substance.objects.get_or_create(
                name=name, defaults={"is_new": name.startswith("new")}
            )
            rows.append(through(case_id=case.pk, substance_id=substance.pk))
    through.objects.bulk_create(rows)
    return made


def background(
    grid: Grid, *, rng: random.Random, count: int, start: dt.date, end: dt.date, **spec: Any
) -> list[dict[str, Any]]:
    """Case specs spread uniformly over the grid's LSOAs and the days from start to end."""
    days = (end - start).days + 1
    lsoas = grid.all_lsoas
    return [
        {"day": start + dt.timedelta(days=rng.randrange(days)), "lsoa": rng.choice(lsoas), **spec}
        for _ in range(count)
    ]
