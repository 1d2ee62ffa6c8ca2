"""Small geometry helpers shared by the loader and the point lookup.

Distances and areas are worked out on a local flat projection (metres east and north of a reference point):
within a city it is accurate to a fraction of a per cent, needs no projection library, and, being affine,
keeps point-in-polygon answers and area ratios exactly as they are in longitude/latitude.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LON_AT_EQUATOR = 111_320.0


@dataclass(frozen=True)
class LocalProjection:
    lat0: float
    lon0: float

    @property
    def kx(self) -> float:
        return METRES_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(self.lat0))

    def xy(self, lat: Any, lon: Any) -> tuple[np.ndarray, np.ndarray]:
        x = (np.asarray(lon, dtype=float) - self.lon0) * self.kx
        y = (np.asarray(lat, dtype=float) - self.lat0) * METRES_PER_DEGREE_LAT
        return x, y

    def project(self, geometries: Any) -> Any:
        """The geometries (lon/lat) in metres on this projection."""
        kx = self.kx

        def transform(coords: np.ndarray) -> np.ndarray:
            return np.column_stack(
                [(coords[:, 0] - self.lon0) * kx, (coords[:, 1] - self.lat0) * METRES_PER_DEGREE_LAT]
            )

        return shapely.transform(geometries, transform)

    @classmethod
    def around(cls, geometries: Any) -> LocalProjection:
        """A projection centred on the middle of the geometries' bounds."""
        min_lon, min_lat, max_lon, max_lat = shapely.total_bounds(geometries)
        return cls(lat0=(min_lat + max_lat) / 2, lon0=(min_lon + max_lon) / 2)


def to_geojson(geometry: shapely.Geometry, precision: float = 1e-5) -> dict[str, Any]:
    """A GeoJSON geometry dict, snapped to the reference files' 1e-5 degree grid (about a metre)."""
    snapped = shapely.set_precision(geometry, precision)
    result: dict[str, Any] = json.loads(shapely.to_geojson(snapped))
    return result
