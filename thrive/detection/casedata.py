"""What a detection run reads: the cases as columns, and the geography the scans need.

Why columns: every detector is a pure function of (`CaseData`, `Geography`, `Parameters`), so a run can store
exactly what it read (`snapshot()`, a compact JSON with a SHA-256 digest) and any alert can be reproduced
later from its run's snapshot (`from_snapshot`), whatever has happened to the cases since.

Which cases: every case of the region (residence or incident in it) that is not withdrawn or merged away,
dated by the date of death (else the date found), from `analysis_date - history_days + 1` to `analysis_date`.
Places, each falling back on the other when unknown: the space-time scan and locations of concern use the
incident place (a cluster is deaths grouped where they happen: PHE 2019's "point cluster"); the Poisson scan
and the area series use the residence (rates are of the resident population, and ONS counts deaths by
residence).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db.models import Q
from django.db.models.functions import Coalesce

from thrive.geography.models import Area, AreaLevel
from thrive.surveillance import codes
from thrive.surveillance.models import Case

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
EXCLUDED_STATUSES = (codes.Status.WITHDRAWN, codes.Status.MERGED)
SNAPSHOT_VERSION = 1


@dataclass(frozen=True)
class Geography:
    """The region's areas: LSOA 2011 centroids and populations (for the scans), boroughs and ICSs."""

    region_id: int
    lsoa_ids: IntArray
    lsoa_codes: tuple[str, ...]
    lsoa_names: tuple[str, ...]
    lsoa_coordinates: FloatArray  # (lat, lon) per LSOA
    lsoa_population: FloatArray
    lsoa_borough: IntArray  # the borough id of each LSOA (-1 when unknown)
    boroughs: Mapping[int, tuple[str, str, int | None]]  # id -> (code, name, ics id)
    icss: dict[int, tuple[str, str]]  # id -> (code, name)

    @classmethod
    def load(cls, region: Area) -> Geography:
        icss = {
            pk: (code, name)
            for pk, code, name in Area.objects.filter(level=AreaLevel.ICS, parent=region)
            .order_by("code")
            .values_list("pk", "code", "name")
        }
        boroughs = {
            pk: (code, name, ics)
            for pk, code, name, ics in Area.objects.filter(level=AreaLevel.BOROUGH, ics__in=list(icss))
            .order_by("code")
            .values_list("pk", "code", "name", "ics_id")
        }
        rows = list(
            Area.objects.filter(
                level=AreaLevel.LSOA11,
                borough__in=list(boroughs),
                centroid_lat__isnull=False,
                centroid_lon__isnull=False,
            )
            .order_by("code")
            .values_list("pk", "code", "name", "centroid_lat", "centroid_lon", "population", "borough_id")
        )
        return cls(
            region_id=region.pk,
            lsoa_ids=np.array([r[0] for r in rows], dtype=np.int64),
            lsoa_codes=tuple(r[1] for r in rows),
            lsoa_names=tuple(r[2] for r in rows),
            lsoa_coordinates=np.array([(r[3], r[4]) for r in rows], dtype=np.float64).reshape(-1, 2),
            lsoa_population=np.array([float(r[5] or 0) for r in rows], dtype=np.float64),
            lsoa_borough=np.array([r[6] if r[6] is not None else -1 for r in rows], dtype=np.int64),
            boroughs=boroughs,
            icss=icss,
        )

    def ics_of(self, borough_id: int) -> int | None:
        found = self.boroughs.get(borough_id)
        return found[2] if found else None


@dataclass(frozen=True)
class CaseData:
    """One row per case (columns as arrays, in case-id order)."""

    analysis_date: dt.date
    start: dt.date
    case_ids: IntArray
    days: IntArray  # days since `start`
    residence_lsoa: IntArray  # LSOA 2011 area ids; -1 when unknown
    incident_lsoa: IntArray
    residence_borough: IntArray  # borough area ids; -1 when unknown
    incident_borough: IntArray
    method: tuple[str, ...]
    location_type: tuple[str, ...]
    substances: tuple[tuple[str, ...], ...]
    lat: FloatArray  # the incident's clear point (exact for public places), NaN when unknown
    lon: FloatArray
    new_terms: frozenset[str]  # substance names still flagged as new to the vocabulary

    @property
    def size(self) -> int:
        return int(self.case_ids.size)

    @cached_property
    def borough(self) -> IntArray:
        """Where the person lived, else where they died (the area series count by residence)."""
        return np.where(self.residence_borough >= 0, self.residence_borough, self.incident_borough)

    @cached_property
    def place_borough(self) -> IntArray:
        """Where they died, else where they lived (locations of concern)."""
        return np.where(self.incident_borough >= 0, self.incident_borough, self.residence_borough)

    def lsoa(self, place: str) -> IntArray:
        """The LSOA by `place` ("incident" or "residence"), falling back on the other."""
        first, second = (
            (self.incident_lsoa, self.residence_lsoa)
            if place == "incident"
            else (self.residence_lsoa, self.incident_lsoa)
        )
        return np.where(first >= 0, first, second)

    @property
    def dates(self) -> npt.NDArray[np.datetime64]:
        return np.datetime64(self.start, "D") + self.days.astype("timedelta64[D]")

    def day_of(self, date: dt.date) -> int:
        return (date - self.start).days

    def date_of(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=int(day))

    def since(self, first: dt.date) -> npt.NDArray[np.bool_]:
        return self.days >= self.day_of(first)

    def snapshot(self) -> tuple[dict[str, Any], str]:
        """The JSON to store with a run, and its SHA-256 digest (over the canonical JSON)."""
        snapshot = {
            "version": SNAPSHOT_VERSION,
            "analysis_date": self.analysis_date.isoformat(),
            "start": self.start.isoformat(),
            "case_ids": self.case_ids.tolist(),
            "days": self.days.tolist(),
            "residence_lsoa": self.residence_lsoa.tolist(),
            "incident_lsoa": self.incident_lsoa.tolist(),
            "residence_borough": self.residence_borough.tolist(),
            "incident_borough": self.incident_borough.tolist(),
            "method": _indexed(self.method),
            "location_type": _indexed(self.location_type),
            "substances": {str(i): list(s) for i, s in enumerate(self.substances) if s},
            "points": {
                str(i): [float(self.lat[i]), float(self.lon[i])]
                for i in np.flatnonzero(~np.isnan(self.lat)).tolist()
            },
            "new_terms": sorted(self.new_terms),
        }
        return snapshot, digest(snapshot)


def digest(snapshot: dict[str, Any]) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _indexed(values: tuple[str, ...]) -> dict[str, list[Any]]:
    """Repeated strings as a value list and one index per row (a third of the size of the plain list)."""
    names = sorted(set(values))
    position = {name: i for i, name in enumerate(names)}
    return {"values": names, "index": [position[v] for v in values]}


def _unindexed(column: dict[str, list[Any]]) -> tuple[str, ...]:
    return tuple(column["values"][i] for i in column["index"])


def from_snapshot(snapshot: dict[str, Any]) -> CaseData:
    """The `CaseData` a run stored; raises ValueError if the snapshot is not one this version can read."""
    if snapshot.get("version") != SNAPSHOT_VERSION:
        raise ValueError("This run's snapshot was pruned or has an unknown version")
    size = len(snapshot["case_ids"])
    lat = np.full(size, np.nan)
    lon = np.full(size, np.nan)
    for index, (y, x) in snapshot["points"].items():
        lat[int(index)], lon[int(index)] = y, x
    substances = [()] * size
    for index, names in snapshot["substances"].items():
        substances[int(index)] = tuple(names)
    return CaseData(
        analysis_date=dt.date.fromisoformat(snapshot["analysis_date"]),
        start=dt.date.fromisoformat(snapshot["start"]),
        case_ids=np.array(snapshot["case_ids"], dtype=np.int64),
        days=np.array(snapshot["days"], dtype=np.int64),
        residence_lsoa=np.array(snapshot["residence_lsoa"], dtype=np.int64),
        incident_lsoa=np.array(snapshot["incident_lsoa"], dtype=np.int64),
        residence_borough=np.array(snapshot["residence_borough"], dtype=np.int64),
        incident_borough=np.array(snapshot["incident_borough"], dtype=np.int64),
        method=_unindexed(snapshot["method"]),
        location_type=_unindexed(snapshot["location_type"]),
        substances=tuple(substances),
        lat=lat,
        lon=lon,
        new_terms=frozenset(snapshot["new_terms"]),
    )


def _ids(values: Iterable[int | None]) -> IntArray:
    return np.array([-1 if v is None else v for v in values], dtype=np.int64)


def region_cases_q(region: Area) -> Q:
    return Q(residence_ics__parent=region) | Q(incident_ics__parent=region)


def load(region: Area, *, analysis_date: dt.date, history_days: int) -> CaseData:
    """The region's cases dated within the history window ending on `analysis_date` (three queries)."""
    start = analysis_date - dt.timedelta(days=history_days - 1)
    rows = list(
        Case.objects.filter(region_cases_q(region))
        .exclude(status__in=EXCLUDED_STATUSES)
        .annotate(day=Coalesce("date_of_death", "date_found"))
        .filter(day__gte=start, day__lte=analysis_date)
        .order_by("pk")
        .values_list(
            "pk",
            "day",
            "residence_lsoa11_id",
            "incident_lsoa11_id",
            "residence_borough_id",
            "incident_borough_id",
            "method_group",
            "location_type",
            "incident_lat",
            "incident_lon",
        )
    )
    ids = [r[0] for r in rows]
    names: dict[int, list[str]] = {}
    new_terms: set[str] = set()
    through = Case.substances.through
    for case_id, name, is_new in (
        through.objects.filter(case_id__in=ids)
        .order_by("case_id", "substance__name")
        .values_list("case_id", "substance__name", "substance__is_new")
    ):
        names.setdefault(case_id, []).append(name)
        if is_new:
            new_terms.add(name)
    return CaseData(
        analysis_date=analysis_date,
        start=start,
        case_ids=np.array(ids, dtype=np.int64),
        days=np.array([(r[1] - start).days for r in rows], dtype=np.int64),
        residence_lsoa=_ids(r[2] for r in rows),
        incident_lsoa=_ids(r[3] for r in rows),
        residence_borough=_ids(r[4] for r in rows),
        incident_borough=_ids(r[5] for r in rows),
        method=tuple(r[6] or "" for r in rows),
        location_type=tuple(r[7] or "" for r in rows),
        substances=tuple(tuple(names.get(pk, ())) for pk in ids),
        lat=np.array([r[8] if r[8] is not None else np.nan for r in rows], dtype=np.float64),
        lon=np.array([r[9] if r[9] is not None else np.nan for r in rows], dtype=np.float64),
        new_terms=frozenset(new_terms),
    )
