"""Where the scan's circles come from, following SaTScan 10.3.2 (reference/satscan.md facts 1-5).

Locations with identical coordinates become one *site* (SaTScan's TractHandler joins them, so they always
enter a circle together). Sites are numbered in SaTScan's internal order: by their first location id as a
byte string. Around every site the sites are sorted by distance, exact ties by the smaller coordinate (x,
then y, then z), and every prefix is a circle while it stays within the distance and population limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from thrive.detection.scan.data import CoordinatesType, FloatArray, IntArray, Locations

EARTH_RADIUS_KM = 6367.0


@dataclass(frozen=True)
class Sites:
    """Distinct coordinates: `location_ids[s]` lists the ids at site `s` (byte order, so the first is the
    one SaTScan names the site by)."""

    location_ids: tuple[tuple[str, ...], ...]
    site_of_location: IntArray  # the site of each location of the `Locations` they came from
    points: FloatArray  # (sites, 3) Cartesian points on the sphere for latlong, (sites, 2) for cartesian
    coordinates: FloatArray  # (sites, 2) as given: (lat, lon) or (x, y)
    coordinates_type: CoordinatesType

    @property
    def count(self) -> int:
        return len(self.location_ids)


@dataclass(frozen=True)
class Circles:
    """For centre `c`, `members[offsets[c]:offsets[c + 1]]` are its sites nearest first; every prefix is a
    circle. `distances[k]` is the distance from the centre to `members[k]` (the chord for latlong)."""

    offsets: IntArray
    members: npt.NDArray[np.int32]
    distances: FloatArray


def latlong_to_points(lat_lon: FloatArray) -> FloatArray:
    """SaTScan's sphere of radius 6367 km; all its distances are chords between these points."""
    lat = np.radians(lat_lon[:, 0])
    lon = np.radians(lat_lon[:, 1])
    return np.column_stack(
        (
            EARTH_RADIUS_KM * np.cos(lon) * np.cos(lat),
            EARTH_RADIUS_KM * np.sin(lon) * np.cos(lat),
            EARTH_RADIUS_KM * np.sin(lat),
        )
    )


def make_sites(locations: Locations) -> Sites:
    points = (
        latlong_to_points(locations.coordinates)
        if locations.coordinates_type == "latlong"
        else locations.coordinates.astype(np.float64)
    )
    site_by_point: dict[tuple[float, ...], int] = {}
    site_ids: list[list[str]] = []
    first_location: list[int] = []
    site_of_location = np.empty(len(locations.ids), dtype=np.int64)
    for index in sorted(range(len(locations.ids)), key=lambda i: locations.ids[i]):
        key = tuple(float(value) for value in points[index])
        site = site_by_point.setdefault(key, len(site_ids))
        if site == len(site_ids):
            site_ids.append([])
            first_location.append(index)
        site_ids[site].append(locations.ids[index])
        site_of_location[index] = site
    firsts = np.asarray(first_location, dtype=np.int64)
    return Sites(
        location_ids=tuple(tuple(ids) for ids in site_ids),
        site_of_location=site_of_location,
        points=points[firsts],
        coordinates=locations.coordinates[firsts].astype(np.float64),
        coordinates_type=locations.coordinates_type,
    )


def build_circles(
    sites: Sites, measure: FloatArray, *, max_fraction: float, max_radius_km: float | None
) -> Circles:
    """`measure` is each site's share of the population at risk (cases for the permutation model, expected
    cases for Poisson): a circle grows while its running total stays <= max_fraction x the total, stopping at
    the first site that would exceed it, and (when set) while the chord is <= max_radius_km."""
    limit = max_fraction * float(measure.sum())
    points = sites.points
    # Positions in coordinate order, so a stable sort by distance breaks exact ties by the smaller coordinate.
    coordinate_rank = np.empty(sites.count, dtype=np.int64)
    coordinate_rank[np.lexsort(points.T[::-1])] = np.arange(sites.count)
    by_coordinate = np.argsort(coordinate_rank)
    nearby = None
    if max_radius_km is not None:
        reach = max_radius_km * (1 + 1e-9) + 1e-9
        nearby = cKDTree(points).query_ball_point(points, reach)
    offsets = np.zeros(sites.count + 1, dtype=np.int64)
    member_parts: list[npt.NDArray[np.int32]] = []
    distance_parts: list[FloatArray] = []
    for centre in range(sites.count):
        if nearby is None:
            candidates = by_coordinate
        else:
            candidates = np.asarray(nearby[centre], dtype=np.int64)
            candidates = candidates[np.argsort(coordinate_rank[candidates])]
        distances = _distances(points[candidates], points[centre])
        if max_radius_km is not None:
            keep = distances <= max_radius_km
            candidates, distances = candidates[keep], distances[keep]
        order = np.argsort(distances, kind="stable")
        candidates, distances = candidates[order], distances[order]
        inside = int(np.searchsorted(np.cumsum(measure[candidates]), limit, side="right"))
        member_parts.append(candidates[:inside].astype(np.int32))
        distance_parts.append(distances[:inside])
        offsets[centre + 1] = offsets[centre] + inside
    return Circles(
        offsets=offsets,
        members=np.concatenate(member_parts) if member_parts else np.zeros(0, dtype=np.int32),
        distances=np.concatenate(distance_parts) if distance_parts else np.zeros(0),
    )


def _distances(points: FloatArray, centre: FloatArray) -> FloatArray:
    """sqrt of the summed squared coordinate differences, dimension by dimension as SaTScan adds them."""
    difference = points - centre
    squared = difference[:, 0] * difference[:, 0]
    for dimension in range(1, points.shape[1]):
        squared = squared + difference[:, dimension] * difference[:, dimension]
    result: FloatArray = np.sqrt(squared)
    return result


def reported_radius_km(distance: float, coordinates_type: CoordinatesType) -> float:
    """The great-circle equivalent of the chord to the farthest member (cartesian distances are as given)."""
    if coordinates_type == "cartesian":
        return distance
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, distance / (2 * EARTH_RADIUS_KM)))
