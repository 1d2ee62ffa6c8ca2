"""`run_scan`: from arrays to SaTScan's cluster list, for the nightly detection run and `thrive scan`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from thrive.detection.scan.clusters import (
    RETROSPECTIVE_SPACE_TIME_LIMIT,
    Candidate,
    ScanSpace,
    collect_candidates,
    monte_carlo_ranks,
    rank_candidates,
    reported,
    without_overlap,
)
from thrive.detection.scan.data import (
    MODELS,
    Cases,
    Cluster,
    FloatArray,
    Locations,
    ScanError,
    ScanResult,
    ScanSettings,
)
from thrive.detection.scan.geometry import Sites, build_circles, make_sites, reported_radius_km
from thrive.detection.scan.kernel import centre_bests
from thrive.detection.scan.models import ModelData, Randomiser, poisson, space_time_permutation
from thrive.detection.scan.montecarlo import simulate_maxima
from thrive.detection.scan.timeline import Timeline, max_temporal_intervals

MAX_SPATIAL_FRACTION = 0.5  # SaTScan's ceiling on the percent of the population at risk


def check_settings(settings: ScanSettings) -> None:
    if settings.model not in MODELS:
        raise ScanError(f"unknown model {settings.model!r} (use {' or '.join(MODELS)})")
    if settings.purely_spatial and settings.model == "space-time-permutation":
        raise ScanError("the space-time permutation model needs a maximum temporal size")
    if settings.purely_spatial and settings.prospective:
        raise ScanError(
            "a purely spatial scan is retrospective: give a maximum temporal size to scan prospectively"
        )
    if settings.max_temporal_days is not None and settings.max_temporal_days < 1:
        raise ScanError("the maximum temporal size must be at least 1 day")
    if not 0 < settings.max_spatial_fraction <= MAX_SPATIAL_FRACTION:
        raise ScanError(f"the maximum spatial fraction must be above 0 and at most {MAX_SPATIAL_FRACTION}")
    if settings.max_radius_km is not None and not settings.max_radius_km > 0:
        raise ScanError("the maximum radius must be above 0 km")
    if settings.replications < 0:
        raise ScanError("the number of replications cannot be negative")
    if settings.seed < 0:
        raise ScanError("the seed cannot be negative")


@dataclass(frozen=True)
class PreparedScan:
    """Everything the scan derives from its inputs before looking for clusters."""

    settings: ScanSettings
    location_count: int
    sites: Sites
    timeline: Timeline
    data: ModelData
    randomiser: Randomiser
    space: ScanSpace


def prepare_scan(
    locations: Locations, cases: Cases, settings: ScanSettings, *, population: FloatArray | None = None
) -> PreparedScan:
    check_settings(settings)
    sites = make_sites(locations)
    timeline = Timeline(
        settings.start,
        settings.end,
        (settings.end - settings.start).days + 1
        if settings.purely_spatial
        else settings.time_aggregation_days,
    )
    max_length = (
        1
        if settings.max_temporal_days is None
        else max_temporal_intervals(timeline, settings.max_temporal_days, settings.model)
    )
    case_site = sites.site_of_location[cases.location_index]
    case_interval = timeline.interval_of(cases.dates)
    case_count = cases.counts.astype(np.int64)
    if int(case_count.sum()) == 0:
        raise ScanError("there are no cases in the study period")
    alive = settings.prospective or settings.purely_spatial
    data: ModelData
    randomiser: Randomiser
    if settings.model == "space-time-permutation":
        data, randomiser = space_time_permutation(
            case_site,
            case_interval,
            case_count,
            site_count=sites.count,
            timeline=timeline,
            max_length=max_length,
            alive=alive,
        )
    else:
        if population is None:
            raise ScanError("the Poisson model needs a population for every location")
        if (
            population.shape != (len(locations.ids),)
            or not np.all(np.isfinite(population))
            or population.min() < 0
        ):
            raise ScanError("the population must be one finite, non-negative number per location")
        site_population = np.bincount(
            sites.site_of_location, weights=population, minlength=sites.count
        ).astype(np.float64)
        data, randomiser = poisson(
            case_site,
            case_interval,
            case_count,
            site_population=site_population,
            timeline=timeline,
            max_length=max_length,
            alive=alive,
        )
    circles = build_circles(
        sites,
        data.site_measure,
        max_fraction=settings.max_spatial_fraction,
        max_radius_km=settings.max_radius_km,
    )
    weights = (data.cumulative_weight, data.denominator, float(data.total))
    space = ScanSpace(
        circles=circles, events=data.events, weights=weights, max_length=max_length, alive=alive
    )
    return PreparedScan(
        settings=settings,
        location_count=len(locations.ids),
        sites=sites,
        timeline=timeline,
        data=data,
        randomiser=randomiser,
        space=space,
    )


def most_likely_clusters(prepared: PreparedScan) -> list[Candidate]:
    """The ranked, non-overlapping clusters of the real data, before Monte Carlo."""
    space = prepared.space
    bests = centre_bests(
        space.circles.as_kernel_tuple(), space.events, space.alive, space.max_length, space.weights
    )
    space_time_retrospective = not space.alive
    ranked = rank_candidates(collect_candidates(space, bests, with_secondaries=space_time_retrospective))
    return without_overlap(
        ranked,
        space.circles,
        prepared.sites.count,
        time_separates=space_time_retrospective,
        limit=RETROSPECTIVE_SPACE_TIME_LIMIT if space_time_retrospective else None,
    )


def replicate(prepared: PreparedScan) -> FloatArray:
    """The maximum LLR of each Monte Carlo replication."""
    space = prepared.space
    return simulate_maxima(
        prepared.randomiser,
        replications=prepared.settings.replications,
        seed=prepared.settings.seed,
        circles=space.circles,
        alive=space.alive,
        max_length=space.max_length,
        weights=space.weights,
    )


def run_scan(
    locations: Locations, cases: Cases, settings: ScanSettings, *, population: FloatArray | None = None
) -> ScanResult:
    """Scans for high-rate clusters. `population` (one value per location) is needed by the Poisson model
    and ignored by the space-time permutation model."""
    prepared = prepare_scan(locations, cases, settings, population=population)
    kept = most_likely_clusters(prepared)
    maxima = replicate(prepared)
    ranks = monte_carlo_ranks(np.array([c.llr for c in kept]), maxima)
    clusters = tuple(
        _cluster(number, kept[index], int(ranks[index]), prepared)
        for number, index in enumerate(reported(kept, ranks, settings.replications), start=1)
    )
    return ScanResult(
        settings=settings,
        coordinates_type=locations.coordinates_type,
        location_count=prepared.location_count,
        case_count=prepared.data.total,
        clusters=clusters,
        replication_maxima=maxima,
        max_temporal_intervals=prepared.space.max_length,
    )


def _cluster(number: int, candidate: Candidate, monte_carlo_rank: int, prepared: PreparedScan) -> Cluster:
    sites, circles, timeline, settings = (
        prepared.sites,
        prepared.space.circles,
        prepared.timeline,
        prepared.settings,
    )
    circle = circles.sites(candidate.centre, candidate.size).tolist()
    farthest = circles.distances[int(circles.offsets[candidate.centre]) + candidate.size - 1]
    p_value = monte_carlo_rank / (settings.replications + 1) if settings.replications else None
    recurrence = None
    if settings.prospective and p_value is not None:
        recurrence = max(1.0, timeline.aggregation_days / p_value)
    first, second = sites.coordinates[candidate.centre]
    return Cluster(
        rank=number,
        centre_id=sites.location_ids[candidate.centre][0],
        centre=(float(first), float(second)),
        location_ids=tuple(location_id for site in circle for location_id in sites.location_ids[site]),
        radius_km=reported_radius_km(float(farthest), sites.coordinates_type),
        start=timeline.first_day(candidate.start),
        end=timeline.last_day(candidate.end),
        observed=candidate.observed,
        expected=candidate.expected,
        llr=candidate.llr,
        p_value=p_value,
        recurrence_interval_days=recurrence,
    )
