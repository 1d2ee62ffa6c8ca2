"""The detection tasks (django-tasks): the nightly run and the debounced incremental run. Their logic is in
`schedule`, so it can be tested without a worker."""

from __future__ import annotations

from django_tasks import task

from thrive.detection import schedule


@task()
def incremental_detection(region_id: int) -> str:
    return schedule.run_due_incremental(region_id)


@task()
def nightly_detection(region_id: int, token: str) -> str:
    return schedule.run_nightly(region_id, token)
