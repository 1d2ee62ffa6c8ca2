"""When runs happen: a debounced incremental run after new or changed cases, and the nightly run, both through
the task framework (django-tasks; the database backend by default, RQ on Redis in production).

Why a row per region (`DetectionSchedule`) rather than trusting the queue alone: case saves come in bursts
(one report saves its case several times, an import saves hundreds), so each save only records its case id and
pushes the due time back (`incremental_debounce_seconds`, but never more than `incremental_max_delay_seconds`
after the first waiting change); one task per burst finds the row due and runs. A task that finds nothing
pending, or a newer due time, does nothing (or waits), so duplicates are harmless. The nightly run carries a
token: only the task holding the current token runs, and it schedules the next one whatever happens to the
run.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from thrive.detection.models import DetectionRun, DetectionSchedule, PendingCase
from thrive.detection.runs import parameters_for, run_detection
from thrive.geography.models import Area
from thrive.surveillance.models import Case

logger = logging.getLogger(__name__)
STALE = dt.timedelta(minutes=15)  # a due time this far past means its task was lost: queue another
NIGHTLY_GRACE = dt.timedelta(hours=2)


def _enqueue(task: Any, when: dt.datetime | None, *args: Any) -> bool:
    """Queue `task(*args)` to run at `when` if the backend can defer, else now; False if queueing failed."""
    try:
        if when is not None and task.get_backend().supports_defer:
            task = task.using(run_after=when)
        task.enqueue(*args)
    except Exception:
        logger.warning(
            "Could not queue %s%s; the nightly run still covers it", task.name, args, exc_info=True
        )
        return False
    return True


def regions_of(case_ids: Iterable[int]) -> list[Area]:
    ids: set[int] = set()
    for residence, incident in Case.objects.filter(pk__in=list(case_ids)).values_list(
        "residence_ics__parent_id", "incident_ics__parent_id"
    ):
        ids.update(i for i in (residence, incident) if i is not None)
    # Not the boundary (the region's outline, a large document): callers need the areas' ids and codes.
    return list(Area.objects.filter(pk__in=ids).defer("boundary", "imd_domains").order_by("code"))


def request_incremental(case_ids: Iterable[int]) -> None:
    """Called after a case is saved (on commit): note the cases and make sure a run is queued.

    While a run is queued (a burst of reports), a save adds its pending rows and pushes the due time back
    without the schedule row's lock, so reports never queue behind each other here. Only when no run is queued,
    or the worker has just taken it, does a save take the lock and queue one."""
    case_ids = sorted(set(case_ids))
    now = timezone.now()
    for region in regions_of(case_ids):
        params = parameters_for(region)
        PendingCase.objects.bulk_create(
            [PendingCase(region=region, case_id=pk, requested_at=now) for pk in case_ids],
            ignore_conflicts=True,
        )
        if not _push_back(region, now, params):
            _queue(region, now, params)


def _due(now: dt.datetime, first: dt.datetime, params: Any) -> dt.datetime:
    return min(
        now + dt.timedelta(seconds=params.incremental_debounce_seconds),
        first + dt.timedelta(seconds=params.incremental_max_delay_seconds),
    )


def _push_back(region: Area, now: dt.datetime, params: Any) -> bool:
    """Move a queued run's due time on; False when no run is queued. The update names the burst it read (its
    first request): a worker that has taken the run since has reset it, and the update then changes nothing."""
    row = (
        DetectionSchedule.objects.filter(region=region)
        .only("first_requested_at", "incremental_due_at")
        .first()
    )
    if row is None or row.first_requested_at is None or row.incremental_due_at is None:
        return False
    if row.incremental_due_at <= now - STALE:
        return False  # its task was lost: queue another
    return bool(
        DetectionSchedule.objects.filter(
            pk=row.pk, first_requested_at=row.first_requested_at, incremental_due_at__isnull=False
        ).update(last_requested_at=now, incremental_due_at=_due(now, row.first_requested_at, params))
    )


def _queue(region: Area, now: dt.datetime, params: Any) -> None:
    from thrive.detection.tasks import incremental_detection

    with transaction.atomic():
        row, _ = DetectionSchedule.objects.select_for_update().get_or_create(region=region)
        first = row.first_requested_at or now
        queued = row.incremental_due_at is not None and row.incremental_due_at > now - STALE
        row.first_requested_at, row.last_requested_at = first, now
        row.incremental_due_at = _due(now, first, params)
        row.save()
        due = row.incremental_due_at
    if not queued:
        _enqueue(incremental_detection, due, region.pk)


def run_due_incremental(region_id: int) -> str:
    """The incremental task's body: run if the burst has settled, else wait for it."""
    from thrive.detection.tasks import incremental_detection

    now = timezone.now()
    with transaction.atomic():
        row = DetectionSchedule.objects.select_for_update().filter(region_id=region_id).first()
        pending = PendingCase.objects.filter(region_id=region_id)
        case_ids = sorted(pending.values_list("case_id", flat=True))
        if row is None or not case_ids:
            return "nothing pending"
        due = row.incremental_due_at
        if due is not None and due > now and incremental_detection.get_backend().supports_defer:
            waiting = True
        else:
            waiting = False
            # Only those read: a case saved meanwhile stays pending, and its save queues the next run.
            pending.filter(case_id__in=case_ids).delete()
            row.first_requested_at, row.incremental_due_at = None, None
            row.save()
    if waiting:
        _enqueue(incremental_detection, due, region_id)
        return "waiting for changes to settle"
    region = Area.objects.get(pk=region_id)
    report = run_detection(region=region, kind=DetectionRun.Kind.INCREMENTAL, triggered_by=case_ids)
    ensure_nightly(region)
    return f"run {report.run.pk}: raised {len(report.raised)}, updated {len(report.updated)}"


def next_nightly(hour: int, now: dt.datetime | None = None) -> dt.datetime:
    local = timezone.localtime(now or timezone.now())
    due = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    return due if due > local else due + dt.timedelta(days=1)


def ensure_nightly(region: Area) -> dt.datetime | None:
    """Queue the region's next nightly run unless one is queued; None when the backend cannot defer tasks
    (then schedule `thrive detect --all` with cron instead)."""
    from thrive.detection.tasks import nightly_detection

    if not nightly_detection.get_backend().supports_defer:
        return None
    now = timezone.now()
    with transaction.atomic():
        row, _ = DetectionSchedule.objects.select_for_update().get_or_create(region=region)
        if row.nightly_due_at is not None and row.nightly_due_at > now - NIGHTLY_GRACE:
            return row.nightly_due_at
        row.nightly_due_at = next_nightly(parameters_for(region).nightly_hour, now)
        row.nightly_token = uuid.uuid4().hex
        row.save(update_fields=["nightly_due_at", "nightly_token"])
        due, token = row.nightly_due_at, row.nightly_token
    _enqueue(nightly_detection, due, region.pk, token)
    return due


def run_nightly(region_id: int, token: str) -> str:
    """The nightly task's body: run if this task holds the current token, then queue the next night's."""
    with transaction.atomic():
        row = DetectionSchedule.objects.select_for_update().filter(region_id=region_id).first()
        if row is None or row.nightly_token != token:
            return "superseded"
        row.nightly_due_at, row.nightly_token = None, ""
        row.save(update_fields=["nightly_due_at", "nightly_token"])
    region = Area.objects.get(pk=region_id)
    try:
        report = run_detection(region=region, kind=DetectionRun.Kind.NIGHTLY)
    finally:
        ensure_nightly(region)
    return f"run {report.run.pk}: raised {len(report.raised)}, updated {len(report.updated)}"
