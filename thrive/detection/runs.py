"""Detection runs over the Case table: the nightly run (every detector) and the incremental run after new or
changed cases (every detector but the retrospective Poisson scan, with the space-time scan ranked against the
nightly run's replications; see `scans.py`).

A run reads the region's cases once (`casedata.load`), stores that snapshot and the parameters with the run,
runs the detectors (pure functions of the snapshot), then turns each signal into an alert or an update of one
(`alerts.raise_or_update`). A failing detector is recorded on the run and does not stop the others.
`reproduce` re-runs an alert's detector on its run's snapshot.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from thrive.accounts.models import User
from thrive.core import audit
from thrive.detection import alerts, casedata, locations, means, scans, series
from thrive.detection.casedata import CaseData, Geography
from thrive.detection.models import Alert, DetectionRun, RegionParameters
from thrive.detection.parameters import DEFAULTS, Parameters, with_overrides
from thrive.detection.signals import DetectorOutcome, Signal
from thrive.geography.models import Area, AreaLevel

logger = logging.getLogger(__name__)
Kind = DetectionRun.Kind
SNAPSHOT_KEEP_DAYS = 90  # snapshots of older runs no alert cites are emptied by the nightly run
NULL_MAX_AGE_DAYS = 1  # an incremental run borrows replications from a nightly run at most this many days old


def parameters_for(region: Area) -> Parameters:
    row = RegionParameters.objects.filter(region=region).first()
    return with_overrides(row.overrides) if row is not None else DEFAULTS


def set_region_parameters(*, region: Area, overrides: dict[str, Any], user: User) -> RegionParameters:
    """Save a region's overrides (checked against the defaults' types and bounds); audited."""
    with_overrides(overrides)
    with transaction.atomic():
        row, _ = RegionParameters.objects.select_for_update().get_or_create(region=region)
        before = row.overrides
        row.overrides, row.updated_by, row.updated_at = overrides, user, timezone.now()
        row.save()
        audit.record(
            action=audit.Action.UPDATE, obj=row, user=user, reason="detection parameters changed",
            summary=f"from {before} to {overrides}",
        )  # fmt: skip
    return row


def regions() -> list[Area]:
    return list(Area.objects.filter(level=AreaLevel.REGION).order_by("code"))


@dataclass
class RunReport:
    run: DetectionRun
    raised: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "run": self.run.pk,
            "region": self.run.region.code,
            "kind": self.run.kind,
            "status": self.run.status,
            "analysis_date": self.run.analysis_date.isoformat(),
            "cases": self.run.case_count,
            "seconds": self.run.seconds,
            "timings": self.run.timings,
            "raised": self.raised,
            "updated": self.updated,
            "summary": self.run.summary,
        }


def latest_null(region: Area, analysis_date: dt.date) -> scans.ScanNull | None:
    """The space-time replications of the newest successful nightly run for (nearly) this analysis day."""
    run = (
        DetectionRun.objects.filter(
            region=region,
            kind=Kind.NIGHTLY,
            status=DetectionRun.Status.SUCCEEDED,
            analysis_date__gte=analysis_date - dt.timedelta(days=NULL_MAX_AGE_DAYS),
            analysis_date__lte=analysis_date,
        )
        .exclude(scan_null={})
        .only("pk", "analysis_date", "scan_null")
        .first()
    )
    if run is None or "maxima" not in run.scan_null:
        return None
    return scans.ScanNull(
        run_id=run.pk,
        analysis_date=run.analysis_date,
        settings=run.scan_null["settings"],
        maxima=run.scan_null["maxima"],
    )


def detectors_for(
    kind: str, region: Area, analysis_date: dt.date
) -> dict[str, Callable[[CaseData, Geography, Parameters], DetectorOutcome]]:
    """The detectors a run of this kind uses, by name (the order they run in)."""
    null = latest_null(region, analysis_date) if kind == Kind.INCREMENTAL else None
    chosen: dict[str, Callable[[CaseData, Geography, Parameters], DetectorOutcome]] = {
        scans.SPACE_TIME: lambda d, g, p: scans.space_time(d, g, p, null=null),
    }
    if kind == Kind.NIGHTLY:
        chosen[scans.POISSON] = scans.poisson_spatial
    chosen["time-series"] = series.time_series
    chosen["new-means"] = lambda d, g, p: means.new_means(d, p)
    chosen["locations-of-concern"] = locations.locations_of_concern
    return chosen


def area_ids(signal: Signal, geography: Geography) -> set[int]:
    """The boroughs a signal concerns, their ICSs and the region (what scopes and notifications match on)."""
    found = {geography.region_id}
    for borough in signal.borough_ids:
        found.add(borough)
        ics = geography.ics_of(borough)
        if ics is not None:
            found.add(ics)
    return found


def run_detection(
    *,
    region: Area,
    kind: str = Kind.NIGHTLY,
    analysis_date: dt.date | None = None,
    triggered_by: list[int] | None = None,
) -> RunReport:
    """One run for one region: read, detect, record; returns what it raised and updated."""
    analysis_date = analysis_date or timezone.localdate()
    params = parameters_for(region)
    began = time.perf_counter()
    data = casedata.load(region, analysis_date=analysis_date, history_days=params.history_days)
    geography = Geography.load(region)
    snapshot, snapshot_digest = data.snapshot()
    run = DetectionRun.objects.create(
        region=region,
        kind=kind,
        analysis_date=analysis_date,
        parameters=params.as_json(),
        snapshot=snapshot,
        snapshot_digest=snapshot_digest,
        case_count=data.size,
        triggered_by=sorted(triggered_by or []),
    )
    timings: dict[str, float] = {"read": round(time.perf_counter() - began, 3)}
    summary: dict[str, Any] = {}
    found: list[tuple[str, Signal]] = []
    failures = []
    for name, detector in detectors_for(kind, region, analysis_date).items():
        started = time.perf_counter()
        try:
            outcome = detector(data, geography, params)
        except Exception as error:  # one detector failing must not stop the others
            logger.exception("Detector %s failed in run %s", name, run.pk)
            failures.append(f"{name}: {error}")
            summary[name] = {"signals": 0, "notes": [f"failed: {error}"]}
            continue
        finally:
            timings[name] = round(time.perf_counter() - started, 3)
        summary[name] = {"signals": len(outcome.signals), "notes": outcome.notes}
        if "null" in outcome.extra:
            run.scan_null = outcome.extra["null"]
        found.extend((name, signal) for signal in outcome.signals)
    report = RunReport(run=run)
    started = time.perf_counter()
    for _, signal in found:
        result = alerts.raise_or_update(
            signal=signal, run=run, region=region, area_ids=area_ids(signal, geography)
        )
        (report.raised if result.created else report.updated).append(result.alert.reference)
    timings["alerts"] = round(time.perf_counter() - started, 3)
    run.timings, run.summary, run.error = timings, summary, "\n".join(failures)
    run.status = DetectionRun.Status.FAILED if failures else DetectionRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.save(update_fields=["timings", "summary", "error", "status", "finished_at", "scan_null"])
    audit.record(
        action=audit.Action.CREATE, obj=run, reason=f"{run.get_kind_display()} detection run",
        summary=f"{data.size} cases; raised {len(report.raised)}, updated {len(report.updated)}",
    )  # fmt: skip
    if kind == Kind.NIGHTLY:
        prune_snapshots(region)
    return report


def run_all(*, kind: str = Kind.NIGHTLY, analysis_date: dt.date | None = None) -> list[RunReport]:
    """A run for every region loaded (London alone for now)."""
    return [run_detection(region=region, kind=kind, analysis_date=analysis_date) for region in regions()]


def prune_snapshots(region: Area, *, keep_days: int = SNAPSHOT_KEEP_DAYS) -> int:
    """Empty the snapshots (and replications) of old runs that no alert cites, to bound the table's size."""
    cited = set(Alert.objects.values_list("run_id", flat=True)) | set(
        Alert.objects.values_list("first_run_id", flat=True)
    )
    old = DetectionRun.objects.filter(
        region=region, started_at__lt=timezone.now() - dt.timedelta(days=keep_days)
    )
    with transaction.atomic():
        return (
            old.exclude(pk__in=[pk for pk in cited if pk])
            .exclude(snapshot={})
            .update(snapshot={}, scan_null={})
        )


DETECTOR_OF_KIND = {
    Alert.Kind.SPACE_TIME: scans.SPACE_TIME,
    Alert.Kind.SPATIAL: scans.POISSON,
    Alert.Kind.COUNT: "time-series",
    Alert.Kind.LOCATION: "locations-of-concern",
}


def reproduce(alert: Alert) -> list[Signal]:
    """Re-run the detector behind the alert's latest detection on that run's snapshot and parameters; the
    signals returned include the alert's when the result is reproduced."""
    run = alert.run
    if run is None:
        raise ValueError("The run behind this alert is no longer recorded")
    data = casedata.from_snapshot(run.snapshot)
    if casedata.digest(run.snapshot) != alert.snapshot_digest:
        raise ValueError("The run's snapshot does not match the digest the alert recorded")
    params = with_overrides(run.parameters)
    geography = Geography.load(run.region)
    name = DETECTOR_OF_KIND.get(Alert.Kind(alert.kind)) or (
        "new-means" if alert.detector == "new-means" else "time-series"
    )
    null_run = alert.details.get("null_from_run")
    null = stored_null(int(null_run)) if null_run else None
    detector = {
        scans.SPACE_TIME: lambda: scans.space_time(data, geography, params, null=null),
        scans.POISSON: lambda: scans.poisson_spatial(data, geography, params),
        "time-series": lambda: series.time_series(data, geography, params),
        "new-means": lambda: means.new_means(data, params),
        "locations-of-concern": lambda: locations.locations_of_concern(data, geography, params),
    }[name]
    return detector().signals


def stored_null(run_id: int) -> scans.ScanNull | None:
    run = DetectionRun.objects.filter(pk=run_id).exclude(scan_null={}).first()
    if run is None:
        return None
    return scans.ScanNull(run.pk, run.analysis_date, run.scan_null["settings"], run.scan_null["maxima"])
