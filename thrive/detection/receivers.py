"""Signal receivers: saved cases ask for an incremental detection run once their transaction commits.

Connected from `DetectionConfig.ready()`. A report saves its case several times and an import saves many cases in
one transaction: the ids are gathered per transaction and handed over once, after commit, so the region's
schedule row is touched once per transaction rather than once per save. Bulk writes (the demo's history) send no
signal; the nightly run covers them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from thrive.surveillance.models import Case

BATCH_ATTRIBUTE = "thrive_detection_batch"


@dataclass
class Batch:
    case_ids: set[int] = field(default_factory=set)
    flushed: bool = False

    def flush(self) -> None:
        from thrive.detection.schedule import request_incremental

        self.flushed = True
        request_incremental(sorted(self.case_ids))


def _open_batch() -> Batch:
    """This transaction's batch, or a new one whose flush is registered to run on commit.

    A batch whose flush is no longer waiting (committed, or dropped with a rolled-back transaction or savepoint)
    is replaced, so a rollback never leaves later saves without a run."""
    connection = transaction.get_connection()
    batch: Batch | None = getattr(connection, BATCH_ATTRIBUTE, None)
    waiting = (
        batch is not None
        and not batch.flushed
        and any(entry[1] == batch.flush for entry in connection.run_on_commit)
    )
    if batch is None or not waiting:
        batch = Batch()
        setattr(connection, BATCH_ATTRIBUTE, batch)
        transaction.on_commit(batch.flush, robust=True)
    return batch


@receiver(post_save, sender=Case, dispatch_uid="thrive.detection.case_saved")
def case_saved(sender: type[Case], instance: Case, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # fixtures
        return
    if not transaction.get_connection().in_atomic_block:  # autocommit: already committed
        from thrive.detection.schedule import request_incremental

        request_incremental([instance.pk])
        return
    _open_batch().case_ids.add(instance.pk)
