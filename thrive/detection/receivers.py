"""Signal receivers: saved cases ask for an incremental detection run once their transaction commits.

Connected from `DetectionConfig.ready()`. A report saves its case several times and an import saves many cases in
one transaction: the ids are gathered per transaction and handed over once, after commit, so the region's
schedule row is touched once per transaction rather than once per save. Bulk writes (the demo's history) send no
signal; the nightly run covers them.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from thrive.core.commit_batch import CommitBatch
from thrive.surveillance.models import Case


class Batch(CommitBatch):
    attribute = "thrive_detection_batch"

    def __init__(self) -> None:
        super().__init__()
        self.case_ids: set[int] = set()

    def deliver(self) -> None:
        from thrive.detection.schedule import request_incremental

        request_incremental(sorted(self.case_ids))


@receiver(post_save, sender=Case, dispatch_uid="thrive.detection.case_saved")
def case_saved(sender: type[Case], instance: Case, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # fixtures
        return
    if not transaction.get_connection().in_atomic_block:  # autocommit: already committed
        from thrive.detection.schedule import request_incremental

        request_incremental([instance.pk])
        return
    Batch.current().case_ids.add(instance.pk)
