"""Locations of concern: public places with repeated incidents (bridges, railway, high buildings, cliffs...).

Incidents at the public location types (CONTRACTS.md) with a map point are linked when within
`location_radius_m` of each other (a chain of links joins them, so incidents along a short stretch of a bridge
or platform group together); a group with at least `location_min_incidents` incidents in the last
`location_window_days` is a location of concern. The alert lists the whole group over the history read, so the
response group sees how long the place has been used. The clear points of public places are exact (see
`surveillance.places`); the map of a location of concern is shown only to users with `LOCATION_POINTS_VIEW`.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from thrive.detection.casedata import CaseData, Geography
from thrive.detection.parameters import Parameters
from thrive.detection.signals import DetectorOutcome, Signal
from thrive.geography.geometry import LocalProjection
from thrive.surveillance import codes


def public_incidents(data: CaseData) -> np.ndarray:
    public = np.array([t in codes.PUBLIC_LOCATION_TYPES for t in data.location_type], dtype=bool)
    return np.flatnonzero(public & ~np.isnan(data.lat) & ~np.isnan(data.lon))


def groups(lat: np.ndarray, lon: np.ndarray, radius_m: float) -> np.ndarray:
    """A group label per point: points within `radius_m` of each other (directly or by a chain) share one."""
    if lat.size == 0:
        return np.zeros(0, dtype=np.int64)
    projection = LocalProjection(lat0=float(lat.mean()), lon0=float(lon.mean()))
    x, y = projection.xy(lat, lon)
    pairs = cKDTree(np.column_stack([x, y])).query_pairs(radius_m, output_type="ndarray")
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(lat.size, lat.size))
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64)


def locations_of_concern(data: CaseData, geography: Geography, params: Parameters) -> DetectorOutcome:
    outcome = DetectorOutcome()
    rows = public_incidents(data)
    labels = groups(data.lat[rows], data.lon[rows], params.location_radius_m)
    recent_from = data.day_of(data.analysis_date) - params.location_window_days + 1
    for label in np.unique(labels).tolist():
        members = rows[labels == label]
        recent = members[data.days[members] >= recent_from]
        if recent.size < params.location_min_incidents:
            continue
        members = members[np.argsort(data.days[members], kind="stable")]
        outcome.signals.append(_signal(data, geography, params, members, int(recent.size)))
    return outcome


def _signal(
    data: CaseData, geography: Geography, params: Parameters, members: np.ndarray, recent: int
) -> Signal:
    lat, lon = data.lat[members], data.lon[members]
    centre = (round(float(lat.mean()), 6), round(float(lon.mean()), 6))
    projection = LocalProjection(lat0=centre[0], lon0=centre[1])
    x, y = projection.xy(lat, lon)
    spread_km = float(np.hypot(x, y).max()) / 1000
    types = sorted({data.location_type[i] for i in members.tolist()})
    place = ", ".join(codes.label(codes.LocationType, t).lower() for t in types)
    boroughs = tuple(sorted({int(data.place_borough[i]) for i in members.tolist()} - {-1}))
    borough_names = ", ".join(geography.boroughs[b][1] for b in boroughs if b in geography.boroughs)
    first, last = int(data.days[members].min()), int(data.days[members].max())
    return Signal(
        kind="location_of_concern",
        detector="locations-of-concern",
        key="",
        title=f"Location of concern: {place}{' in ' + borough_names if borough_names else ''} "
        f"({recent} incidents in {params.location_window_days} days)",
        window_start=data.date_of(first),
        window_end=data.date_of(last),
        case_ids=tuple(int(data.case_ids[i]) for i in members.tolist()),
        borough_ids=boroughs,
        statistic_name=f"incidents in the last {params.location_window_days} days",
        statistic=float(recent),
        observed=recent,
        centre=centre,
        radius_km=max(spread_km, params.location_radius_m / 1000),
        details={"location_types": types, "incidents_in_history": int(members.size)},
        parameters={
            "radius_m": params.location_radius_m,
            "window_days": params.location_window_days,
            "min_incidents": params.location_min_incidents,
            "location_types": sorted(codes.PUBLIC_LOCATION_TYPES),
        },
    )
