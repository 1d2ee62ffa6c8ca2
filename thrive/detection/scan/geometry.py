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
from numba import njit, prange

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
    circle. `distances[k]` is the distance from the centre to `members[k]` (the chord for latlong) and
    `measure[k]` the running total of the site measure up to and including `members[k]`."""

    offsets: IntArray
    members: npt.NDArray[np.int32]
    distances: FloatArray
    measure: FloatArray

    def as_kernel_tuple(self) -> tuple[IntArray, npt.NDArray[np.int32], FloatArray]:
        return self.offsets, self.members, self.measure

    def size(self, centre: int, position: int) -> int:
        """The number of sites in the circle of `centre` that ends at member position `position`."""
        return position + 1 - int(self.offsets[centre])

    def sites(self, centre: int, size: int) -> npt.NDArray[np.int32]:
        first = int(self.offsets[centre])
        return self.members[first : first + size]

    def inverse_index(self) -> tuple[IntArray, IntArray, IntArray]:
        """For each site, the (centre, member position) pairs where it enters a circle: site s's pairs are
        entries pointer[s]:pointer[s + 1] of (centres, positions)."""
        site_count = self.offsets.size - 1
        centres = np.repeat(np.arange(site_count, dtype=np.int64), np.diff(self.offsets))
        order = np.argsort(self.members, kind="stable")
        pointer = np.concatenate(([0], np.cumsum(np.bincount(self.members, minlength=site_count))))
        return pointer.astype(np.int64), centres[order], order.astype(np.int64)


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
    the first site that would exceed it, and (when set) while the distance is <= max_radius_km."""
    limit = max_fraction * float(measure.sum())
    radius = math.inf if max_radius_km is None else float(max_radius_km)
    # Sites in coordinate order, so a stable sort by distance breaks exact ties by the smaller coordinate.
    by_coordinate = np.lexsort(sites.points.T[::-1]).astype(np.int64)
    points = np.ascontiguousarray(sites.points[by_coordinate])
    ordered_measure = np.ascontiguousarray(measure[by_coordinate], dtype=np.float64)
    sizes = np.zeros(sites.count, dtype=np.int64)
    members = np.zeros(0, dtype=np.int64)
    distances = np.zeros(0)
    running = np.zeros(0)
    # A first guess at how many sites to sort per centre (as if the measure were even), too many rather
    # than too few: a guess too small costs another partial sort.
    guess = max(256, int(2.5 * max_fraction * sites.count))
    _circles_kernel(
        points, ordered_measure, (limit, radius, guess), sizes, members, distances, running, False
    )
    offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    members = np.zeros(offsets[-1], dtype=np.int64)
    distances = np.zeros(offsets[-1])
    running = np.zeros(offsets[-1])
    _circles_kernel(
        points, ordered_measure, (limit, radius, guess), offsets, members, distances, running, True
    )
    # Back from coordinate order to site numbers: centres and members.
    rank = np.empty(sites.count, dtype=np.int64)
    rank[by_coordinate] = np.arange(sites.count)
    spans = [slice(offsets[rank[c]], offsets[rank[c] + 1]) for c in range(sites.count)]
    sizes = np.diff(offsets)[rank]
    return Circles(
        offsets=np.concatenate(([0], np.cumsum(sizes))).astype(np.int64),
        members=by_coordinate[np.concatenate([members[span] for span in spans])].astype(np.int32),
        distances=np.concatenate([distances[span] for span in spans]),
        measure=np.concatenate([running[span] for span in spans]),
    )


@njit(cache=True, parallel=True)
def _circles_kernel(
    points: FloatArray,
    measure: FloatArray,
    limits: tuple[float, float, int],
    offsets: IntArray,
    members: IntArray,
    distances: FloatArray,
    running: FloatArray,
    fill: bool,
) -> None:
    """For each centre (sites in coordinate order), its members nearest first while the running measure
    stays <= limits[0] and the distance <= limits[1]: the first pass (fill False) stores each centre's
    count in `offsets`; the second writes members, distances and running measures from offsets[centre]."""
    count = points.shape[0]
    for centre in prange(count):
        near, near_distances, near_running = _nearest(points, measure, limits, centre)
        if not fill:
            offsets[centre] = near.size
            continue
        first = offsets[centre]
        members[first : first + near.size] = near
        distances[first : first + near.size] = near_distances
        running[first : first + near.size] = near_running


@njit(cache=True)
def _nearest(
    points: FloatArray, measure: FloatArray, limits: tuple[float, float, int], centre: int
) -> tuple[IntArray, FloatArray, FloatArray]:
    """One centre's circle. Distances are the square root of the squared differences added dimension by
    dimension, as SaTScan adds them. Only as many sites are sorted as needed: every site within the k-th
    smallest distance is exactly the first ones of the full order; limits[2] is the first k to try."""
    limit, radius, wanted = limits
    count, dimensions = points.shape
    distance = np.empty(count)
    for site in range(count):
        squared = 0.0
        for dimension in range(dimensions):
            difference = points[site, dimension] - points[centre, dimension]
            squared += difference * difference
        distance[site] = math.sqrt(squared)
    candidates = np.flatnonzero(distance <= radius)
    candidate_distance = distance[candidates]
    while True:
        if wanted < candidates.size:
            cutoff = np.partition(candidate_distance, wanted - 1)[wanted - 1]
            chosen = candidates[candidate_distance <= cutoff]
        else:
            chosen = candidates
        chosen = chosen[np.argsort(distance[chosen], kind="mergesort")]
        total = np.cumsum(measure[chosen])
        inside = np.searchsorted(total, limit, side="right")
        if inside < chosen.size or chosen.size == candidates.size:
            return chosen[:inside], distance[chosen[:inside]], total[:inside]
        wanted *= 4


def reported_radius_km(distance: float, coordinates_type: CoordinatesType) -> float:
    """The great-circle equivalent of the chord to the farthest member (cartesian distances are as given)."""
    if coordinates_type == "cartesian":
        return distance
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, distance / (2 * EARTH_RADIUS_KM)))
