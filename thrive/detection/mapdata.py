"""The alert page's map data: area outlines, the cluster circle and, only for users allowed exact locations,
incident points.

What is drawn: a cluster's LSOAs and its circle (centred on an LSOA centroid, public geography); a location of
concern's LSOAs, and its circle and points only with `LOCATION_POINTS_VIEW` (its centre is the middle of exact
public-place points); other alerts' boroughs. Points are the clear incident points of the cases the user
reaches (exact for public places, an LSOA centroid for homes). Boundaries are simplified to about 20 m.
"""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry import mapping, shape

from thrive.accounts.models import User
from thrive.accounts.permissions import Permission as P
from thrive.detection.models import Alert
from thrive.geography.models import Area, AreaLevel
from thrive.surveillance.models import Case

TOLERANCE_DEGREES = 0.0002


def _features(areas: list[tuple[str, str, Any]], role: str) -> list[dict[str, Any]]:
    features = []
    for code, name, boundary in areas:
        if not boundary:
            continue
        geometry = shapely.simplify(shape(boundary), TOLERANCE_DEGREES, preserve_topology=True)
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": name, "role": role},
                "geometry": mapping(geometry),
            }
        )
    return features


def map_data(alert: Alert, user: User, cases: list[Case]) -> dict[str, Any]:
    exact = user.can(P.LOCATION_POINTS_VIEW)
    location_ids = alert.details.get("location_ids") or []
    if alert.kind == Alert.Kind.LOCATION:
        lsoa_ids = {c.incident_lsoa11_id for c in cases if c.incident_lsoa11_id}
        areas = Area.objects.filter(pk__in=lsoa_ids)
    elif location_ids:
        areas = Area.objects.filter(level=AreaLevel.LSOA11, code__in=location_ids)
    else:
        areas = alert.areas.filter(level=AreaLevel.BOROUGH)
    features = _features(list(areas.order_by("code").values_list("code", "name", "boundary")), "area")
    show_circle = alert.radius_km is not None and (alert.kind != Alert.Kind.LOCATION or exact)
    circle = (
        {"lat": alert.centre_lat, "lon": alert.centre_lon, "radius_km": alert.radius_km}
        if show_circle and alert.centre_lat is not None
        else None
    )
    points = (
        [
            {"lat": c.incident_lat, "lon": c.incident_lon, "label": c.reference}
            for c in cases
            if c.incident_lat is not None and c.incident_lon is not None
        ]
        if exact
        else []
    )
    return {
        "areas": {"type": "FeatureCollection", "features": features},
        "circle": circle,
        "points": points,
        "exact": exact,
    }
