"""Borough boundaries for the report form's map, simplified (about 50 m) so the page stays light without a
tile server. Built once per process from the loaded ONS boundaries."""

from __future__ import annotations

import json
from functools import lru_cache

import shapely
from shapely.geometry import mapping, shape

from thrive.geography.models import Area, AreaLevel

TOLERANCE_DEGREES = 0.0005


@lru_cache(maxsize=1)
def borough_boundaries() -> str:
    features = []
    for code, name, boundary in Area.objects.filter(
        level=AreaLevel.BOROUGH, boundary__isnull=False
    ).values_list("code", "name", "boundary"):
        geometry = shapely.simplify(shape(boundary), TOLERANCE_DEGREES, preserve_topology=True)
        features.append(
            {"type": "Feature", "properties": {"code": code, "name": name}, "geometry": mapping(geometry)}
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
