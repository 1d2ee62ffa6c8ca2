"""Point lookup: latitude/longitude to LSOA 2011, LSOA 2021, MSOA 2021, borough and integrated care system.

The index (a shapely STRtree over each LSOA vintage's polygons on a local metric projection) is built once per
process from the loaded boundaries and cached; `clear_cache()` drops it after a reload. The boundaries are
clipped to mean high water, so the Thames and the docks are gaps between LSOAs: a point in such a gap, inside
the region once gaps up to 1.2 km wide are closed, takes the nearest LSOA (a bridge belongs to a bank). Any
other point is outside the region and gets None, for the caller to flag.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.db.models import TextField
from django.db.models.functions import Cast

from thrive.geography.geometry import METRES_PER_DEGREE_LAT, LocalProjection
from thrive.geography.models import Area, AreaLevel

GAP_CLOSING_METRES = 600.0
NEAREST_LIMIT_METRES = 2000.0
NONE = -1


class GeographyNotLoaded(RuntimeError):
    def __init__(self) -> None:
        super().__init__("No LSOA boundaries are loaded: run `thrive load-geography` first.")


@dataclass(frozen=True)
class Located:
    lsoa11: Area | None
    lsoa21: Area | None
    msoa21: Area | None
    borough: Area | None
    ics: Area | None


@dataclass(frozen=True)
class LocatedMany:
    """Area ids for each point, in input order; -1 where there is none (outside the region, bad input)."""

    lsoa11: np.ndarray
    lsoa21: np.ndarray
    msoa21: np.ndarray
    borough: np.ndarray
    ics: np.ndarray

    @property
    def inside(self) -> np.ndarray:
        return np.asarray(self.borough != NONE)


def _shapes(texts: list[str]) -> np.ndarray:
    return np.asarray(shapely.from_geojson(np.array(texts, dtype=object)), dtype=object)


class _Layer:
    """One vintage of LSOAs: the tree and, per polygon, its area's id and the ids it lies in."""

    def __init__(self, rows: list[tuple[Any, ...]], projection: LocalProjection) -> None:
        """`rows` are (id, GeoJSON text, parent id, borough id, ics id)."""
        shapes = _shapes([row[1] for row in rows])
        self.shapes = projection.project(shapes)
        self.tree = shapely.STRtree(self.shapes)
        ids = np.array([[NONE if v is None else v for v in (r[0], *r[2:])] for r in rows], dtype=np.int64)
        self.ids, self.parent, self.borough, self.ics = ids.reshape(-1, 4).T

    def containing(self, points: np.ndarray) -> np.ndarray:
        """Index of the polygon holding each point (the lowest, on a shared edge), else -1."""
        found = np.full(len(points), NONE, dtype=np.int64)
        if len(self.ids) == 0:
            return found
        point_index, shape_index = self.tree.query(points, predicate="intersects")
        order = np.lexsort((shape_index, point_index))
        point_index, shape_index = point_index[order], shape_index[order]
        first = np.unique(point_index, return_index=True)[1]
        found[point_index[first]] = shape_index[first]
        return found

    def first(self, point: shapely.Point) -> int:
        hits = self.tree.query(point, predicate="intersects")
        return int(hits.min()) if hits.size else NONE

    def nearest_one(self, point: shapely.Point) -> int:
        hits = self.tree.query_nearest(point, max_distance=NEAREST_LIMIT_METRES, all_matches=False)
        return int(hits[0]) if hits.size else NONE

    def nearest(self, points: np.ndarray, found: np.ndarray, wanted: np.ndarray) -> None:
        """Fill `found` for the `wanted` points with the nearest polygon within the limit."""
        todo = np.flatnonzero(wanted & (found == NONE))
        if todo.size == 0 or len(self.ids) == 0:
            return
        point_index, shape_index = self.tree.query_nearest(
            points[todo], max_distance=NEAREST_LIMIT_METRES, all_matches=False
        )
        found[todo[point_index]] = shape_index

    def take(self, column: np.ndarray, found: np.ndarray) -> np.ndarray:
        return np.where(found == NONE, NONE, column[np.maximum(found, 0)])


class AreaIndex:
    def __init__(self) -> None:
        self.areas: dict[int, Area] = {
            area.pk: area for area in Area.objects.defer("boundary", "imd_domains")
        }
        layers: dict[str, list[tuple[Any, ...]]] = {level: [] for level in AreaLevel.values}
        rows = (
            Area.objects.filter(boundary__isnull=False)
            .annotate(geojson=Cast("boundary", output_field=TextField()))
            .order_by("code")
            .values_list("level", "pk", "geojson", "parent_id", "borough_id", "ics_id")
        )
        for level, *row in rows.filter(level__in=[AreaLevel.LSOA11, AreaLevel.LSOA21, AreaLevel.REGION]):
            layers[level].append(tuple(row))
        if not layers[AreaLevel.LSOA11] and not layers[AreaLevel.LSOA21]:
            raise GeographyNotLoaded
        region = _shapes([row[1] for row in layers[AreaLevel.REGION]])
        if not len(region):
            region = _shapes(list(rows.filter(level=AreaLevel.BOROUGH).values_list("geojson", flat=True)))
        self.projection = LocalProjection.around(region)
        self.kx = self.projection.kx
        self.lsoa11 = _Layer(layers[AreaLevel.LSOA11], self.projection)
        self.lsoa21 = _Layer(layers[AreaLevel.LSOA21], self.projection)
        land = shapely.union_all(self.projection.project(region))
        self.region = land.buffer(GAP_CLOSING_METRES).buffer(-GAP_CLOSING_METRES)
        shapely.prepare(self.region)

    def locate_many(self, lats: Any, lons: Any) -> LocatedMany:
        """Vectorised lookup of many points (sequences or arrays of latitude and longitude)."""
        lat = np.atleast_1d(np.asarray(lats, dtype=float))
        lon = np.atleast_1d(np.asarray(lons, dtype=float))
        if lat.shape != lon.shape:
            raise ValueError("latitudes and longitudes must be the same length")
        valid = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
        x, y = self.projection.xy(np.where(valid, lat, 0.0), np.where(valid, lon, 0.0))
        points = shapely.points(x, y)
        found11 = np.where(valid, self.lsoa11.containing(points), NONE)
        found21 = np.where(valid, self.lsoa21.containing(points), NONE)
        on_land = (found11 != NONE) | (found21 != NONE)
        in_gap = valid & ~on_land
        if in_gap.any():
            in_gap[in_gap] = shapely.contains_xy(self.region, x[in_gap], y[in_gap])
        inside = on_land | in_gap
        self.lsoa11.nearest(points, found11, inside)
        self.lsoa21.nearest(points, found21, inside)
        by_2021 = found21 != NONE
        return LocatedMany(
            lsoa11=self.lsoa11.take(self.lsoa11.ids, found11),
            lsoa21=self.lsoa21.take(self.lsoa21.ids, found21),
            msoa21=self.lsoa21.take(self.lsoa21.parent, found21),
            borough=np.where(
                by_2021,
                self.lsoa21.take(self.lsoa21.borough, found21),
                self.lsoa11.take(self.lsoa11.borough, found11),
            ),
            ics=np.where(
                by_2021,
                self.lsoa21.take(self.lsoa21.ics, found21),
                self.lsoa11.take(self.lsoa11.ics, found11),
            ),
        )

    def locate(self, lat: float, lon: float) -> Located | None:
        """The areas holding one point, or None outside the region: `locate_many`'s rules for one point."""
        if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
            return None
        x, y = (lon - self.projection.lon0) * self.kx, (lat - self.projection.lat0) * METRES_PER_DEGREE_LAT
        point = shapely.Point(x, y)
        found11, found21 = self.lsoa11.first(point), self.lsoa21.first(point)
        if found11 == NONE and found21 == NONE and not shapely.contains_xy(self.region, x, y):
            return None
        if found11 == NONE:
            found11 = self.lsoa11.nearest_one(point)
        if found21 == NONE:
            found21 = self.lsoa21.nearest_one(point)
        if found11 == NONE and found21 == NONE:
            return None
        areas = self.areas.get
        by = (self.lsoa21, found21) if found21 != NONE else (self.lsoa11, found11)
        return Located(
            lsoa11=areas(int(self.lsoa11.ids[found11])) if found11 != NONE else None,
            lsoa21=areas(int(self.lsoa21.ids[found21])) if found21 != NONE else None,
            msoa21=areas(int(self.lsoa21.parent[found21])) if found21 != NONE else None,
            borough=areas(int(by[0].borough[by[1]])),
            ics=areas(int(by[0].ics[by[1]])),
        )


_index: AreaIndex | None = None
_lock = threading.Lock()


def area_index() -> AreaIndex:
    """The process's index, built on first use."""
    global _index
    index = _index
    if index is None:
        with _lock:
            if _index is None:
                _index = AreaIndex()
            index = _index
    return index


def clear_cache() -> None:
    """Forget the index (after a geography load, or between tests); the next lookup rebuilds it."""
    global _index
    with _lock:
        _index = None


def locate(lat: float, lon: float) -> Located | None:
    return area_index().locate(lat, lon)


def locate_many(lats: Any, lons: Any) -> LocatedMany:
    return area_index().locate_many(lats, lons)
