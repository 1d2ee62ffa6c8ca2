"""When runs happen: the debounced incremental run after case saves, and the nightly run's token."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from thrive.detection import schedule
from thrive.detection.models import DetectionRun, DetectionSchedule, PendingCase
from thrive.detection.tasks import incremental_detection, nightly_detection
from thrive.detection.tests.grid import HACKNEY, Grid, add_cases
from thrive.surveillance.models import Case

pytestmark = pytest.mark.usefixtures("detection_urls")


def queued(task_name: str) -> int:
    return DBTaskResult.objects.filter(task_path__endswith=task_name).count()


def pending() -> list[int]:
    return sorted(PendingCase.objects.values_list("case_id", flat=True))


@pytest.fixture
def case(grid: Grid, quick: dict[str, Any]) -> Case:
    [made] = add_cases([{"day": timezone.localdate(), "lsoa": grid.lsoa(HACKNEY)}])
    return made


def test_a_saved_case_asks_for_an_incremental_run_once_committed(
    case: Case, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db.models.signals import post_save

    connected = {entry[0][0] for entry in post_save.receivers}
    assert "thrive.detection.case_saved" in connected, "DetectionConfig.ready() must connect the receiver"
    with django_capture_on_commit_callbacks(execute=True):
        case.save()
        case.save()  # a report saves its case several times: one queued run
    row = DetectionSchedule.objects.get()
    assert pending() == [case.pk] and row.incremental_due_at is not None
    assert queued("incremental_detection") == 1


def test_the_cases_of_one_transaction_ask_once(
    grid: Grid, quick: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        first, second = add_cases([{"day": timezone.localdate(), "lsoa": grid.lsoa(HACKNEY)}] * 2)
        first.save()
        second.save()
    assert len(callbacks) == 1
    assert pending() == sorted([first.pk, second.pk])
    with django_capture_on_commit_callbacks(execute=True) as later:
        first.save()  # a later transaction asks again
    assert len(later) == 1


def test_a_rolled_back_savepoint_does_not_swallow_later_saves(
    case: Case, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        try:
            with transaction.atomic():
                case.save()  # its run request is dropped with the savepoint
                raise RuntimeError("the savepoint rolls back")
        except RuntimeError:
            pass
        case.save()
    assert len(callbacks) == 1
    assert pending() == [case.pk]


def test_a_burst_of_changes_pushes_the_run_back_but_not_past_the_longest_wait(grid: Grid, case: Case) -> None:
    start = timezone.now()
    schedule.request_incremental([case.pk])
    first = DetectionSchedule.objects.get().incremental_due_at
    schedule.request_incremental([case.pk])
    row = DetectionSchedule.objects.get()
    assert row.incremental_due_at is not None and first is not None and row.incremental_due_at >= first
    assert row.incremental_due_at <= start + dt.timedelta(seconds=60 + 5)
    assert queued("incremental_detection") == 1
    DetectionSchedule.objects.update(first_requested_at=start - dt.timedelta(hours=1))
    schedule.request_incremental([case.pk])
    row = DetectionSchedule.objects.get()
    assert row.incremental_due_at is not None and row.incremental_due_at <= start  # the longest wait is over


def test_the_incremental_task_waits_for_the_burst_then_runs(grid: Grid, case: Case) -> None:
    schedule.request_incremental([case.pk])
    assert incremental_detection.call(grid.region.pk) == "waiting for changes to settle"
    assert queued("incremental_detection") == 2
    DetectionSchedule.objects.update(incremental_due_at=timezone.now() - dt.timedelta(seconds=1))
    result = incremental_detection.call(grid.region.pk)
    assert result.startswith("run ")
    run = DetectionRun.objects.get()
    assert run.kind == DetectionRun.Kind.INCREMENTAL and run.triggered_by == [case.pk]
    assert pending() == []
    assert incremental_detection.call(grid.region.pk) == "nothing pending"
    assert (
        DetectionSchedule.objects.get().nightly_due_at is not None
    )  # the run makes sure a nightly is queued


def test_without_a_deferring_backend_the_incremental_run_is_immediate(
    grid: Grid, case: Case, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    schedule.request_incremental([case.pk])
    assert DetectionRun.objects.filter(kind=DetectionRun.Kind.INCREMENTAL).count() == 1
    assert schedule.ensure_nightly(grid.region) is None  # cron runs `thrive detect --all` instead


def test_the_nightly_run_is_queued_once_and_only_its_token_runs(grid: Grid, quick: dict[str, Any]) -> None:
    due = schedule.ensure_nightly(grid.region)
    assert due is not None and timezone.localtime(due).hour == 2 and due > timezone.now()
    assert schedule.ensure_nightly(grid.region) == due and queued("nightly_detection") == 1
    token = DetectionSchedule.objects.get().nightly_token
    assert nightly_detection.call(grid.region.pk, "stale-token") == "superseded"
    assert nightly_detection.call(grid.region.pk, token).startswith("run ")
    assert DetectionRun.objects.get().kind == DetectionRun.Kind.NIGHTLY
    row = DetectionSchedule.objects.get()
    assert row.nightly_token and row.nightly_token != token and queued("nightly_detection") == 2


def test_next_nightly_is_the_next_occurrence_of_the_hour() -> None:
    now = timezone.make_aware(dt.datetime(2026, 6, 30, 1, 30))
    assert schedule.next_nightly(2, now) == timezone.make_aware(dt.datetime(2026, 6, 30, 2, 0))
    later = timezone.make_aware(dt.datetime(2026, 6, 30, 2, 0))
    assert schedule.next_nightly(2, later) == timezone.make_aware(dt.datetime(2026, 7, 1, 2, 0))


def test_the_schedule_command(grid: Grid, quick: dict[str, Any]) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("detect", "--schedule", stdout=out)
    assert "nightly run queued for" in out.getvalue()


def test_a_case_outside_every_region_asks_for_nothing(personas: Any) -> None:
    schedule.request_incremental([123456])
    assert not DetectionSchedule.objects.exists()


def test_a_burst_adds_rows_and_never_waits_on_the_schedule_row(grid: Grid, case: Case) -> None:
    """While a run is queued, a save adds its pending row and moves the due time in one conditional update:
    no lock on the region's row, and no list that grows with the burst."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    schedule.request_incremental([case.pk])
    others = add_cases([{"day": timezone.localdate(), "lsoa": grid.lsoa(HACKNEY)}] * 3)
    counts = []
    for other in others:
        with CaptureQueriesContext(connection) as queries:
            schedule.request_incremental([other.pk])
        assert not [q for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
        counts.append(len(queries.captured_queries))
    assert len(set(counts)) == 1, "the cost of a save must not grow with the burst"
    assert pending() == sorted([case.pk, *(other.pk for other in others)])
    assert queued("incremental_detection") == 1


def test_a_save_after_the_worker_took_the_run_queues_the_next(grid: Grid, case: Case) -> None:
    schedule.request_incremental([case.pk])
    DetectionSchedule.objects.update(incremental_due_at=timezone.now() - dt.timedelta(seconds=1))
    assert incremental_detection.call(grid.region.pk).startswith("run ")
    [later] = add_cases([{"day": timezone.localdate(), "lsoa": grid.lsoa(HACKNEY)}])
    schedule.request_incremental([later.pk])
    row = DetectionSchedule.objects.get()
    assert (
        pending() == [later.pk] and row.first_requested_at is not None and row.incremental_due_at is not None
    )
    assert queued("incremental_detection") == 2


def test_a_lost_task_is_queued_again_by_the_next_save(grid: Grid, case: Case) -> None:
    schedule.request_incremental([case.pk])
    DetectionSchedule.objects.update(
        incremental_due_at=timezone.now() - schedule.STALE - dt.timedelta(minutes=1)
    )
    schedule.request_incremental([case.pk])
    assert queued("incremental_detection") == 2


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_waiting_cases_to_rows_and_back(grid: Grid) -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("detection", "0001_initial")], [("detection", "0002_pending_cases")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("detection", "DetectionSchedule")
    old.objects.create(region_id=grid.region.pk, pending_case_ids=[7, 3], last_requested_at=timezone.now())
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    assert pending() == [3, 7]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(before)
    restored = executor.loader.project_state(before).apps.get_model("detection", "DetectionSchedule")
    assert restored.objects.get().pending_case_ids == [3, 7]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
