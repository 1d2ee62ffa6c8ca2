"""The two scans on the Case table: a prospective space-time permutation scan (clusters now) and a
retrospective purely spatial Poisson scan with the ONS population (areas with high rates over the study
period).

Both call the SaTScan-equal engine (`thrive.detection.scan.run_scan`) on LSOA 2011 centroids. Why the
incremental run can be fast: the Monte Carlo replications are nearly all of a scan's time, and one new case
barely moves the null distribution of the maximum statistic, so an incremental run scans the real data once
and ranks its clusters against the replication maxima of the latest nightly run for the same analysis day and
parameters (recorded in the alert as `null_from_run`); the next nightly run replaces it with a fresh
distribution. With no such run to borrow from, it replicates in full.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from thrive.detection.casedata import CaseData, Geography
from thrive.detection.parameters import Parameters
from thrive.detection.scan import Cases, Cluster, Locations, ScanError, ScanSettings, run_scan
from thrive.detection.signals import DetectorOutcome, Signal

SPACE_TIME = "space-time-permutation"
POISSON = "poisson-spatial"
TIE_TOLERANCE = 1e-9  # as the engine: replication maxima within 1e-9 of a statistic count as equal


@dataclass(frozen=True)
class ScanNull:
    """The replication maxima of a space-time scan, and what they were computed for."""

    run_id: int
    analysis_date: dt.date
    settings: dict[str, Any]
    maxima: list[float]

    def fits(self, settings: ScanSettings) -> bool:
        return self.settings == _comparable(settings) and len(self.maxima) == settings.replications

    def p_value(self, llr: float) -> float:
        ordered = np.sort(np.asarray(self.maxima))
        rank = 1 + ordered.size - int(np.searchsorted(ordered, llr - TIE_TOLERANCE, side="left"))
        return rank / (ordered.size + 1)


def _comparable(settings: ScanSettings) -> dict[str, Any]:
    """The settings that shape the null distribution (the study period's dates aside)."""
    values = settings.as_json()
    values.pop("start")
    values.pop("end")
    return values


def space_time_settings(params: Parameters, analysis_date: dt.date, *, replications: int) -> ScanSettings:
    return ScanSettings(
        model="space-time-permutation",
        start=analysis_date - dt.timedelta(days=params.scan_study_days - 1),
        end=analysis_date,
        max_temporal_days=params.scan_max_temporal_days,
        time_aggregation_days=params.scan_time_aggregation_days,
        max_radius_km=params.scan_max_radius_km,
        max_spatial_fraction=params.scan_max_spatial_fraction,
        prospective=True,
        replications=replications,
        seed=params.seed,
    )


def poisson_settings(params: Parameters, analysis_date: dt.date) -> ScanSettings:
    return ScanSettings(
        model="poisson",
        start=analysis_date - dt.timedelta(days=params.poisson_study_days - 1),
        end=analysis_date,
        max_temporal_days=None,
        max_spatial_fraction=params.poisson_max_population_fraction,
        replications=params.replications,
        seed=params.seed,
    )


def _scan_input(
    data: CaseData, geography: Geography, start: dt.date, place: str
) -> tuple[Locations, Cases, np.ndarray]:
    """Locations (every LSOA of the region) and one row per placed case in the study period."""
    position = {int(area_id): index for index, area_id in enumerate(geography.lsoa_ids.tolist())}
    index = np.array([position.get(int(a), -1) for a in data.lsoa(place).tolist()], dtype=np.int64)
    chosen = np.flatnonzero((index >= 0) & data.since(start))
    locations = Locations(
        ids=geography.lsoa_codes, coordinates=geography.lsoa_coordinates, coordinates_type="latlong"
    )
    cases = Cases(
        location_index=index[chosen],
        dates=data.dates[chosen],
        counts=np.ones(chosen.size, dtype=np.int64),
    )
    return locations, cases, chosen


def _cluster_cases(
    data: CaseData, geography: Geography, cases: Cases, chosen: np.ndarray, cluster: Cluster
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The case ids inside a cluster's circle and window, and the boroughs of its LSOAs."""
    members = set(cluster.location_ids)
    codes = geography.lsoa_codes
    first, last = data.day_of(cluster.start), data.day_of(cluster.end)
    case_ids = tuple(
        int(data.case_ids[row])
        for row, location in zip(chosen.tolist(), cases.location_index.tolist(), strict=True)
        if first <= data.days[row] <= last and codes[location] in members
    )
    boroughs = {int(geography.lsoa_borough[i]) for i, code in enumerate(codes) if code in members} - {-1}
    return case_ids, tuple(sorted(boroughs))


def _place_name(geography: Geography, code: str) -> str:
    return geography.lsoa_names[geography.lsoa_codes.index(code)]


def space_time(
    data: CaseData, geography: Geography, params: Parameters, *, null: ScanNull | None = None
) -> DetectorOutcome:
    """Prospective clusters alive on the analysis date with a recurrence interval of at least the threshold
    and enough cases. With a fitting `null`, the real data are scanned once and ranked against it."""
    outcome = DetectorOutcome()
    if not geography.lsoa_codes:
        outcome.notes.append("No LSOA 2011 centroids are loaded: the space-time scan was skipped.")
        return outcome
    full = space_time_settings(params, data.analysis_date, replications=params.replications)
    borrowed = null if null is not None and null.fits(full) else None
    settings = space_time_settings(
        params, data.analysis_date, replications=0 if borrowed else params.replications
    )
    locations, cases, chosen = _scan_input(data, geography, settings.start, "incident")
    try:
        result = run_scan(locations, cases, settings)
    except ScanError as error:
        outcome.notes.append(f"Space-time scan not run: {error}")
        return outcome
    if borrowed is None:
        outcome.extra["null"] = {
            "settings": _comparable(settings),
            "maxima": result.replication_maxima.tolist(),
        }
    else:
        outcome.notes.append(f"p-values ranked against the replications of nightly run {borrowed.run_id}")
    described = {**settings.as_json(), "replications": params.replications}
    for cluster in result.clusters:
        p_value = borrowed.p_value(cluster.llr) if borrowed else cluster.p_value
        if p_value is None:
            continue
        recurrence = max(1.0, settings.time_aggregation_days / p_value)
        if recurrence < params.scan_min_recurrence_days or cluster.observed < params.cluster_min_cases:
            continue
        case_ids, boroughs = _cluster_cases(data, geography, cases, chosen, cluster)
        days = (cluster.end - cluster.start).days + 1
        outcome.signals.append(
            Signal(
                kind="space_time_cluster",
                detector=SPACE_TIME,
                key="",
                title=f"{cluster.observed} deaths in {days} days within {cluster.radius_km:.1f} km of "
                f"{_place_name(geography, cluster.centre_id)}",
                window_start=cluster.start,
                window_end=cluster.end,
                case_ids=case_ids,
                borough_ids=boroughs,
                statistic_name="log-likelihood ratio",
                statistic=cluster.llr,
                p_value=p_value,
                recurrence_interval_days=recurrence,
                observed=cluster.observed,
                expected=cluster.expected,
                centre=cluster.centre,
                radius_km=cluster.radius_km,
                location_ids=cluster.location_ids,
                details={
                    "centre_lsoa": cluster.centre_id,
                    "rank": cluster.rank,
                    "null_from_run": borrowed.run_id if borrowed else None,
                },
                parameters=described,
            )
        )
    return outcome


def poisson_spatial(data: CaseData, geography: Geography, params: Parameters) -> DetectorOutcome:
    """Retrospective purely spatial clusters of high rates (residents' deaths against the ONS population)."""
    outcome = DetectorOutcome()
    if not geography.lsoa_codes or geography.lsoa_population.sum() <= 0:
        outcome.notes.append("No LSOA 2011 populations are loaded: the Poisson scan was skipped.")
        return outcome
    settings = poisson_settings(params, data.analysis_date)
    locations, cases, chosen = _scan_input(data, geography, settings.start, "residence")
    unpopulated = geography.lsoa_population[cases.location_index] <= 0
    if unpopulated.any():
        outcome.notes.append(f"{int(unpopulated.sum())} case(s) in LSOAs without a population were left out.")
        keep = ~unpopulated
        cases = Cases(
            location_index=cases.location_index[keep], dates=cases.dates[keep], counts=cases.counts[keep]
        )
        chosen = chosen[keep]
    try:
        result = run_scan(locations, cases, settings, population=geography.lsoa_population)
    except ScanError as error:
        outcome.notes.append(f"Poisson scan not run: {error}")
        return outcome
    for cluster in result.clusters:
        if cluster.p_value is None or cluster.p_value > params.poisson_alpha:
            continue
        if cluster.observed < params.cluster_min_cases:
            continue
        case_ids, boroughs = _cluster_cases(data, geography, cases, chosen, cluster)
        ratio = cluster.observed / cluster.expected if cluster.expected else float("inf")
        outcome.signals.append(
            Signal(
                kind="spatial_cluster",
                detector=POISSON,
                key="",
                title=f"{ratio:.1f} times the expected rate within {cluster.radius_km:.1f} km of "
                f"{_place_name(geography, cluster.centre_id)}",
                window_start=cluster.start,
                window_end=cluster.end,
                case_ids=case_ids,
                borough_ids=boroughs,
                statistic_name="log-likelihood ratio",
                statistic=cluster.llr,
                p_value=cluster.p_value,
                observed=cluster.observed,
                expected=cluster.expected,
                centre=cluster.centre,
                radius_km=cluster.radius_km,
                location_ids=cluster.location_ids,
                details={"centre_lsoa": cluster.centre_id, "rank": cluster.rank},
                parameters=settings.as_json(),
            )
        )
    return outcome
