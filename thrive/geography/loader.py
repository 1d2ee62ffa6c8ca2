"""Loading the checked reference files into areas, population bands and LSOA 2011↔2021 links.

All files are read and checked first (`sources.read_sources`); then one transaction inserts what is new and
updates what differs, so a failed load leaves the database as it was and a second load changes nothing.
Areas missing from the files are kept (other records may point at them) and reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from django.db import connection, transaction
from django.db.models import Model

from thrive.core import audit
from thrive.geography import lookup
from thrive.geography.geometry import LocalProjection, to_geojson
from thrive.geography.models import Area, AreaLevel, AreaPopulation, LsoaLink
from thrive.geography.sources import POPULATION_YEAR, Feature, Sources, read_sources

if TYPE_CHECKING:
    from thrive.accounts.models import User

REGION_CODE = "E12000007"
REGION_NAME = "London"
LINK_MIN_SHARE = 0.1  # a 2011/2021 overlap below this share of both areas is a generalisation sliver
BATCH = 500
AREA_FIELDS = (
    "name",
    "parent",
    "borough",
    "ics",
    "population",
    "imd_decile",
    "imd_rank",
    "imd_domains",
    "ods_code",
    "centroid_lat",
    "centroid_lon",
    "boundary",
)
Progress = Callable[[str], None]


@dataclass
class Wanted:
    """An area as the files describe it; links to other areas are (level, code) pairs."""

    level: str
    code: str
    name: str
    shape: shapely.Geometry
    geometry: dict[str, Any]
    parent: tuple[str, str] | None = None
    borough: tuple[str, str] | None = None
    ics: tuple[str, str] | None = None
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class LoadResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    not_in_files: dict[str, int] = field(default_factory=dict)
    population_rows: tuple[int, int] = (0, 0)  # created, updated
    links: tuple[int, int, int] = (0, 0, 0)  # created, updated, deleted

    @property
    def changed(self) -> bool:
        return (
            any(self.created.values()) or any(self.updated.values()) or any(self.population_rows + self.links)
        )

    def summary(self) -> str:
        created = sum(self.created.values())
        updated = sum(self.updated.values())
        text = (
            f"areas: {created:,} created, {updated:,} updated; population rows: {self.population_rows[0]:,} "
            f"created, {self.population_rows[1]:,} updated; LSOA 2011-2021 links: {self.links[0]:,} created, "
            f"{self.links[1]:,} updated, {self.links[2]:,} removed"
        )
        kept = {level: n for level, n in self.not_in_files.items() if n}
        if kept:
            text += "; kept, though not in the files: " + ", ".join(
                f"{n:,} {level}" for level, n in kept.items()
            )
        return text


def load_geography(
    *, directory: Path, user: User | None = None, progress: Progress | None = None
) -> LoadResult:
    """Check every file in `directory`, then load it in one transaction; audited when anything changes."""
    say: Progress = progress or (lambda message: None)
    sources = read_sources(directory, say)
    say("Working out centroids, integrated care system and region outlines, and LSOA 2011-2021 links")
    wanted = wanted_areas(sources)
    links = lsoa_links(sources)
    result = LoadResult()
    with transaction.atomic():
        existing = {(area.level, area.code): area for area in Area.objects.all()}
        ids: dict[tuple[str, str], int] = {}
        for level in AreaLevel.values:
            _save_level(level, wanted.get(level, []), existing, ids, result)
            result.not_in_files[level] = sum(1 for key in existing if key[0] == level and key not in ids)
            say(f"Saved {len(wanted.get(level, [])):,} {level} areas")
        result.population_rows = _save_population(sources, wanted, ids)
        say("Saved population by sex and age band")
        result.links = _save_links(links, ids)
        say("Saved LSOA 2011-2021 links")
        if result.changed:
            audit.record(
                action=audit.Action.UPDATE if existing else audit.Action.CREATE,
                object_type="geography.area",
                user=user,
                summary=f"Loaded geography from {directory}: {result.summary()}",
            )
    lookup.clear_cache()
    return result


def _centroid(shape: shapely.Geometry) -> dict[str, float]:
    point = shapely.centroid(shape)
    return {"centroid_lat": round(point.y, 6), "centroid_lon": round(point.x, 6)}


def _feature_area(level: str, feature: Feature, **links: Any) -> Wanted:
    return Wanted(level, feature.code, feature.name, feature.shape, feature.geometry, **links)


def wanted_areas(sources: Sources) -> dict[str, list[Wanted]]:
    """Every area the files describe, by level, with populations, deprivation and links filled in."""
    region = ("region", REGION_CODE)
    borough_shapes = {code: feature.shape for code, feature in sources.boroughs.items()}
    region_shape = shapely.union_all(list(borough_shapes.values()))
    result: dict[str, list[Wanted]] = {
        "region": [Wanted("region", REGION_CODE, REGION_NAME, region_shape, to_geojson(region_shape))]
    }
    result["ics"] = []
    for ics in sorted(sources.ics.values(), key=lambda item: item.name):
        shape = shapely.union_all([borough_shapes[code] for code in ics.boroughs])
        area = Wanted(
            "ics", ics.code, ics.name, shape, to_geojson(shape), parent=region, ics=("ics", ics.code)
        )
        area.values["ods_code"] = ics.ods_code
        result["ics"].append(area)
    result["borough"] = []
    for code, feature in sorted(sources.boroughs.items()):
        ics_key = ("ics", sources.borough_ics[code])
        result["borough"].append(
            _feature_area("borough", feature, parent=ics_key, borough=("borough", code), ics=ics_key)
        )
    for level, features in (
        ("msoa21", sources.msoa21),
        ("lsoa21", sources.lsoa21),
        ("lsoa11", sources.lsoa11),
    ):
        result[level] = []
        for _code, feature in sorted(features.items()):
            borough_code = feature.links["borough"]
            parent = ("msoa21", feature.links["msoa"]) if level == "lsoa21" else ("borough", borough_code)
            ics_key = ("ics", sources.borough_ics[borough_code])
            result[level].append(
                _feature_area(level, feature, parent=parent, borough=("borough", borough_code), ics=ics_key)
            )
    for areas in result.values():
        for area in areas:
            area.values.update(_centroid(area.shape))
            area.values.setdefault("ods_code", "")
            population = sources.population.get(area.code) if area.level in ("borough", "lsoa11") else None
            area.values["population"] = population.total if population else None
            deprivation = sources.deprivation.get(area.code) if area.level == "lsoa11" else None
            area.values["imd_decile"] = deprivation.decile if deprivation else None
            area.values["imd_rank"] = deprivation.rank if deprivation else None
            area.values["imd_domains"] = deprivation.domains if deprivation else None
    for level in ("ics", "region"):
        for area in result[level]:
            members = [b for b in result["borough"] if level == "region" or b.ics == ("ics", area.code)]
            area.values["population"] = sum(b.values["population"] for b in members)
    return result


def lsoa_links(sources: Sources) -> list[tuple[str, str, float, float]]:
    """(LSOA 2011 code, LSOA 2021 code, share of the 2011 area, share of the 2021 area) for each real overlap.

    Most LSOAs kept their code and shape: an identical pair is a full link, and anything else touching either
    of them can only be a sliver. Only the rest need an intersection.
    """
    codes11 = np.array(list(sources.lsoa11))
    codes21 = np.array(list(sources.lsoa21))
    projection = LocalProjection.around([f.shape for f in sources.boroughs.values()])
    shapes11 = projection.project(np.array([f.shape for f in sources.lsoa11.values()], dtype=object))
    shapes21 = projection.project(np.array([f.shape for f in sources.lsoa21.values()], dtype=object))
    new, old = shapely.STRtree(shapes11).query(shapes21, predicate="intersects")
    identical = (codes21[new] == codes11[old]) & shapely.equals_exact(shapes21[new], shapes11[old], 1e-6)
    same21, same11 = np.zeros(len(codes21), bool), np.zeros(len(codes11), bool)
    same21[new[identical]] = True
    same11[old[identical]] = True
    links = [
        (str(codes11[o]), str(codes21[n]), 1.0, 1.0)
        for n, o in zip(new[identical], old[identical], strict=True)
    ]
    rest = ~same21[new] & ~same11[old]
    new, old = new[rest], old[rest]
    overlap = shapely.area(shapely.intersection(shapes21[new], shapes11[old]))
    share11 = overlap / shapely.area(shapes11[old])
    share21 = overlap / shapely.area(shapes21[new])
    for n, o, s11, s21 in zip(new, old, share11, share21, strict=True):
        if max(s11, s21) >= LINK_MIN_SHARE:
            links.append((str(codes11[o]), str(codes21[n]), round(float(s11), 4), round(float(s21), 4)))
    return links


def _save_level(
    level: str,
    wanted: list[Wanted],
    existing: dict[tuple[str, str], Area],
    ids: dict[tuple[str, str], int],
    result: LoadResult,
) -> None:
    to_create: list[tuple[Area, Wanted]] = []
    to_update: list[Area] = []
    for item in wanted:
        if (level, item.code) in existing:
            ids[(level, item.code)] = existing[(level, item.code)].pk
    for item in wanted:
        values = {
            "name": item.name,
            "boundary": item.geometry,
            **item.values,
            **{f"{link}_id": ids.get(getattr(item, link)) for link in ("parent", "borough", "ics")},
        }
        area = existing.get((level, item.code))
        if area is None:
            to_create.append((Area(level=level, code=item.code, **values), item))
        elif any(getattr(area, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(area, name, value)
            to_update.append(area)
    Area.objects.bulk_create([area for area, _ in to_create], batch_size=BATCH)
    for area, item in to_create:
        ids[(level, item.code)] = area.pk
        if item.borough == (level, item.code) or item.ics == (level, item.code):  # a borough's own borough
            area.borough_id = ids.get(item.borough) if item.borough else None
            area.ics_id = ids.get(item.ics) if item.ics else None
            to_update.append(area)
    Area.objects.bulk_update(to_update, AREA_FIELDS, batch_size=BATCH)
    result.created[level] = len(to_create)
    result.updated[level] = len({area.pk for area in to_update} - {area.pk for area, _ in to_create})


def _save_population(
    sources: Sources, wanted: dict[str, list[Wanted]], ids: dict[tuple[str, str], int]
) -> tuple[int, int]:
    desired: dict[tuple[int, str, str], int] = {}
    for level in ("lsoa11", "borough"):
        for item in wanted[level]:
            for (sex, band), count in sources.population[item.code].bands.items():
                desired[(ids[(level, item.code)], sex, band)] = count
    for level in ("ics", "region"):
        for item in wanted[level]:
            area_id = ids[(level, item.code)]
            for borough in wanted["borough"]:
                if level == "ics" and borough.ics != ("ics", item.code):
                    continue
                for (sex, band), count in sources.population[borough.code].bands.items():
                    desired[(area_id, sex, band)] = desired.get((area_id, sex, band), 0) + count
    rows = AreaPopulation.objects.filter(year=POPULATION_YEAR).values_list(
        "pk", "area_id", "sex", "age_band", "count"
    )
    existing = {(area_id, sex, band): (pk, count) for pk, area_id, sex, band, count in rows}
    to_create = [
        (area_id, POPULATION_YEAR, sex, band, count)
        for (area_id, sex, band), count in desired.items()
        if (area_id, sex, band) not in existing
    ]
    to_update = [
        AreaPopulation(pk=existing[key][0], count=count)
        for key, count in desired.items()
        if key in existing and existing[key][1] != count
    ]
    _insert(AreaPopulation, ("area_id", "year", "sex", "age_band", "count"), to_create)
    AreaPopulation.objects.bulk_update(to_update, ["count"], batch_size=BATCH * 4)
    return len(to_create), len(to_update)


def _save_links(
    links: list[tuple[str, str, float, float]], ids: dict[tuple[str, str], int]
) -> tuple[int, int, int]:
    desired = {(ids[("lsoa11", a)], ids[("lsoa21", b)]): (s11, s21) for a, b, s11, s21 in links}
    rows = LsoaLink.objects.values_list("pk", "lsoa11_id", "lsoa21_id", "share_of_lsoa11", "share_of_lsoa21")
    existing = {(a, b): (pk, (s11, s21)) for pk, a, b, s11, s21 in rows}
    to_create = [(a, b, s11, s21) for (a, b), (s11, s21) in desired.items() if (a, b) not in existing]
    to_update = [
        LsoaLink(pk=existing[key][0], share_of_lsoa11=shares[0], share_of_lsoa21=shares[1])
        for key, shares in desired.items()
        if key in existing and existing[key][1] != shares
    ]
    stale = [pk for key, (pk, _) in existing.items() if key not in desired]
    _insert(LsoaLink, ("lsoa11_id", "lsoa21_id", "share_of_lsoa11", "share_of_lsoa21"), to_create)
    LsoaLink.objects.bulk_update(to_update, ["share_of_lsoa11", "share_of_lsoa21"], batch_size=BATCH * 4)
    LsoaLink.objects.filter(pk__in=stale).delete()
    return len(to_create), len(to_update), len(stale)


def _insert(model: type[Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Plain multi-row inserts: for tens of thousands of small rows, several times faster than bulk_create."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(column) for column in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH * 10):
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({placeholders})",  # noqa: S608 - names from model meta
                rows[start : start + BATCH * 10],
            )
