"""Signal receivers: a saved case asks for an incremental detection run once its transaction commits.

Connected from `DetectionConfig.ready()` (`from thrive.detection import receivers  # noqa: F401`). Bulk writes
(the demo's history) send no signal; the nightly run covers them.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from thrive.surveillance.models import Case


@receiver(post_save, sender=Case, dispatch_uid="thrive.detection.case_saved")
def case_saved(sender: type[Case], instance: Case, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # fixtures
        return
    from thrive.detection.schedule import request_incremental

    transaction.on_commit(partial(request_incremental, [instance.pk]), robust=True)
