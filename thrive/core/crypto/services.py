"""Erasing a subject (crypto-shredding) and rotating master keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from thrive.core import audit
from thrive.core.crypto import keys
from thrive.core.crypto_models import DataSubject

if TYPE_CHECKING:
    from thrive.accounts.models import User


def erase_subject(*, subject: DataSubject, by: User | None = None, reason: str) -> DataSubject:
    """Destroy the subject's data key: every value encrypted under it becomes unreadable for good, whatever
    master keys anyone holds. The ciphertexts stay (reading them gives "" or None); an audit entry keeps that
    the erasure happened, by whom and why. Erasing an erased subject changes nothing."""
    if not reason.strip():
        raise ValueError("An erasure needs a reason")
    subject_id = subject.pk
    with transaction.atomic():
        locked = DataSubject.objects.select_for_update().get(pk=subject_id)
        if locked.erased_at is None:
            locked.wrapped_key = b""
            locked.erased_at = timezone.now()
            locked.save(update_fields=["wrapped_key", "erased_at"])
            audit.record(
                action=audit.Action.ERASE,
                obj=locked,
                user=by,
                reason=reason,
                summary="Data key destroyed (crypto-shredding): the identifiable data are now unreadable.",
            )
        keys.forget_data_key(subject_id)
        # Again once committed: a read in another thread may have cached the key from the old row meanwhile.
        transaction.on_commit(lambda: keys.forget_data_key(subject_id))
    subject.wrapped_key, subject.erased_at = locked.wrapped_key, locked.erased_at
    return locked


@dataclass(frozen=True)
class RotationResult:
    current_key_id: str
    rewrapped: int
    in_use: dict[str, int]  # live (not erased) subjects by the id of the master key wrapping them


def master_key_usage() -> dict[str, int]:
    """How many live subjects each master key wraps: a key no longer listed here may be retired."""
    rows = (
        DataSubject.objects.filter(erased_at__isnull=True)
        .values_list("master_key_id")
        .annotate(n=Count("pk"))
        .order_by("master_key_id")
    )
    return dict(rows)


def rotate_keys(
    *,
    by: User | None = None,
    batch_size: int = 500,
    progress: Callable[[int, int], None] | None = None,
) -> RotationResult:
    """Rewrap every live data key that is not under the current master key, under it.

    Only the wrapped data keys change; the encrypted values do not (their data keys are the same), so rotation
    is quick and never touches the other apps' tables. Batches commit one by one, so a run can be interrupted
    and started again (it is idempotent); each row is rewritten only if it is still unerased and under the
    key it was read with, so a concurrent erasure is never undone. One audit entry records the run.
    """
    current = keys.current_master_key()
    pending = DataSubject.objects.filter(erased_at__isnull=True).exclude(master_key_id=current.key_id)
    total = pending.count()
    rewrapped = 0
    after = None
    while True:
        page = pending.order_by("pk")
        if after is not None:
            page = page.filter(pk__gt=after)
        batch = list(page.values_list("pk", "wrapped_key", "master_key_id")[:batch_size])
        if not batch:
            break
        with transaction.atomic():
            for subject_id, wrapped, key_id in batch:
                data_key = keys.unwrap_data_key(bytes(wrapped), subject_id=subject_id, key_id=key_id)
                rewrapped += DataSubject.objects.filter(
                    pk=subject_id, erased_at__isnull=True, master_key_id=key_id
                ).update(
                    wrapped_key=keys.wrap_data_key(data_key, subject_id=subject_id, master=current),
                    master_key_id=current.key_id,
                )
        after = batch[-1][0]
        if progress is not None:
            progress(rewrapped, total)
    in_use = master_key_usage()
    with transaction.atomic():
        audit.record(
            action=audit.Action.UPDATE,
            object_type=DataSubject._meta.label_lower,
            summary=(
                f"Master key rotation: {rewrapped} data keys rewrapped under master key {current.key_id}; "
                f"live data keys by master key: {in_use or 'none'}"
            ),
            user=by,
        )
    return RotationResult(current.key_id, rewrapped, in_use)
