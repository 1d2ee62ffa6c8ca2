"""The scan's inputs, settings and results, kept free of numba and Django so that callers (the nightly
detection run, the `thrive scan` command, tests) share one vocabulary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

Model = Literal["space-time-permutation", "poisson"]
CoordinatesType = Literal["latlong", "cartesian"]
MODELS: tuple[Model, ...] = ("space-time-permutation", "poisson")
COORDINATES_TYPES: tuple[CoordinatesType, ...] = ("latlong", "cartesian")

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class ScanError(ValueError):
    """Inputs or settings the scan cannot use; the message is meant for the analyst."""


@dataclass(frozen=True)
class Locations:
    """Every location that can be a circle centre or member: `coordinates[i]` is (lat, lon) in degrees for
    `latlong`, (x, y) in kilometres for `cartesian`."""

    ids: tuple[str, ...]
    coordinates: FloatArray
    coordinates_type: CoordinatesType

    def __post_init__(self) -> None:
        if self.coordinates.shape != (len(self.ids), 2):
            raise ScanError("coordinates must have one (2-value) row per location id")
        if len(set(self.ids)) != len(self.ids):
            raise ScanError("location ids must be unique")
        if not np.all(np.isfinite(self.coordinates)):
            raise ScanError("coordinates must be finite numbers")


@dataclass(frozen=True)
class Cases:
    """Case counts by location (an index into `Locations.ids`) and date; rows may repeat a location and
    date."""

    location_index: IntArray
    dates: npt.NDArray[np.datetime64]
    counts: IntArray

    def __post_init__(self) -> None:
        if not (self.location_index.shape == self.dates.shape == self.counts.shape):
            raise ScanError("cases need one location, date and count per row")
        if self.counts.size and int(self.counts.min()) < 0:
            raise ScanError("case counts cannot be negative")


@dataclass(frozen=True)
class ScanSettings:
    """`max_temporal_days=None` with the Poisson model asks for a purely spatial scan; the space-time
    permutation model always needs it. `max_spatial_fraction` is SaTScan's percent of the population at
    risk divided by 100 (for the permutation model the population is the cases)."""

    model: Model
    start: dt.date
    end: dt.date
    max_temporal_days: int | None
    time_aggregation_days: int = 1
    max_radius_km: float | None = None
    max_spatial_fraction: float = 0.5
    prospective: bool = False
    replications: int = 999
    seed: int = 12345678

    @property
    def purely_spatial(self) -> bool:
        return self.max_temporal_days is None

    def as_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "analysis": "purely-spatial" if self.purely_spatial else "space-time",
            "prospective": self.prospective,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "max_temporal_days": self.max_temporal_days,
            "time_aggregation_days": None if self.purely_spatial else self.time_aggregation_days,
            "max_radius_km": self.max_radius_km,
            "max_spatial_fraction": self.max_spatial_fraction,
            "replications": self.replications,
            "seed": self.seed,
        }


@dataclass(frozen=True)
class Cluster:
    rank: int
    centre_id: str
    centre: tuple[float, float]
    location_ids: tuple[str, ...]
    radius_km: float
    start: dt.date
    end: dt.date
    observed: int
    expected: float
    llr: float
    p_value: float | None
    recurrence_interval_days: float | None

    def as_json(self, coordinates_type: CoordinatesType, *, prospective: bool) -> dict[str, Any]:
        first, second = self.centre
        centre = {"lat": first, "lon": second} if coordinates_type == "latlong" else {"x": first, "y": second}
        row: dict[str, Any] = {
            "rank": self.rank,
            "centre": centre,
            "location_ids": list(self.location_ids),
            "radius_km": self.radius_km,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "observed": self.observed,
            "expected": self.expected,
            "llr": self.llr,
            "p_value": self.p_value,
        }
        if prospective:
            row["recurrence_interval_days"] = self.recurrence_interval_days
        return row


@dataclass(frozen=True)
class ScanResult:
    settings: ScanSettings
    coordinates_type: CoordinatesType
    location_count: int
    case_count: int
    clusters: tuple[Cluster, ...]
    replication_maxima: FloatArray = field(repr=False)
    max_temporal_intervals: int

    def as_json(self) -> dict[str, Any]:
        parameters = self.settings.as_json()
        parameters["coordinates_type"] = self.coordinates_type
        parameters["max_temporal_intervals"] = self.max_temporal_intervals
        return {
            "parameters": parameters,
            "locations": self.location_count,
            "cases": self.case_count,
            "clusters": [
                cluster.as_json(self.coordinates_type, prospective=self.settings.prospective)
                for cluster in self.clusters
            ],
        }
