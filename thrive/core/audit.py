"""The append-only, hash-chained audit log: who did what to which object, when, from where and why.

Each entry's hash covers its own fields and the previous entry's hash, so altering or removing a row breaks the
chain from there on; `thrive audit verify` finds the first bad entry. The database itself refuses updates and
deletes (triggers installed by the migration, on SQLite and PostgreSQL).

Appending locks the chain's head row until the transaction commits, so concurrent writers chain in the order
they commit, and every writer that audits waits for the one holding the head. A long transaction that audits
early would hold everyone up: `appended_at_commit()` holds its entries back and appends them all as the block
ends, just before the commit, so the head is locked for the commit alone.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from thrive.core.middleware import current_request, current_request_id
from thrive.core.models import AuditChainHead, AuditEntry

if TYPE_CHECKING:
    from thrive.accounts.models import Organisation, User

Action = AuditEntry.Action
GENESIS = "0" * 64
HASHED_FIELDS = (
    "created_at",
    "user_id",
    "user_email",
    "organisation_id",
    "organisation_name",
    "role",
    "action",
    "object_type",
    "object_id",
    "reason",
    "summary",
    "request_id",
    "address",
)


def entry_hash(values: dict[str, Any], previous_hash: str) -> str:
    canonical = {name: _canonical(values.get(name)) for name in HASHED_FIELDS}
    payload = json.dumps(canonical, sort_keys=True, separators=(",", ":")) + previous_hash
    return hashlib.sha256(payload.encode()).hexdigest()


def _canonical(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def _client_address() -> str:
    request = current_request.get()
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def record(
    *,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    user: User | None = None,
    organisation: Organisation | None = None,
    role: str = "",
    reason: str = "",
    summary: str = "",
) -> AuditEntry:
    """Append one entry, inside the caller's transaction so it commits (or not) with the change it records.

    Within `appended_at_commit()` the entry is appended (given its id and hashes) as that block ends; the
    returned object is the one that is saved then."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    entry = AuditEntry(
        created_at=timezone.now(),
        user_id=user.pk if user is not None else None,
        user_email=user.email if user is not None else "",
        organisation_id=organisation.pk if organisation is not None else None,
        organisation_name=organisation.name if organisation is not None else "",
        role=role,
        action=str(action),
        object_type=object_type,
        object_id=str(object_id),
        reason=reason[:2000],
        summary=summary[:2000],
        request_id=current_request_id.get(),
        address=_client_address(),
    )
    connection = transaction.get_connection()
    pending: list[tuple[AuditEntry, _Recorded]] | None = getattr(connection, PENDING, None)
    if pending is not None and connection.in_atomic_block:
        # Registered as an on-commit callback only to learn whether the savepoint it was made in is rolled
        # back (Django then drops it): an entry for a change that was undone must not be appended.
        marker = _Recorded()
        transaction.on_commit(marker)
        pending.append((entry, marker))
        return entry
    with transaction.atomic():
        _append([entry])
    return entry


class _Recorded:
    """A no-op on-commit callback standing for one held-back entry."""

    def __call__(self) -> None:
        return None


PENDING = "thrive_audit_pending"


@contextmanager
def appended_at_commit() -> Iterator[None]:
    """Inside a transaction, hold back the entries recorded in this block and append them as it ends.

    Use it as the last context of the transaction's block (`with transaction.atomic(), appended_at_commit():`)
    so the chain head is taken right before the commit. Entries recorded in a savepoint that was rolled back
    are dropped; if the block raises, nothing is appended (the transaction rolls back anyway). Nested, only
    the outermost block appends.
    """
    connection = transaction.get_connection()
    if getattr(connection, PENDING, None) is not None:
        yield
        return
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("appended_at_commit() needs a transaction")
    pending: list[tuple[AuditEntry, _Recorded]] = []
    setattr(connection, PENDING, pending)
    try:
        yield
    finally:
        setattr(connection, PENDING, None)
    live = _live_callbacks(connection)
    entries = [entry for entry, marker in pending if id(marker) in live]
    if entries:
        with transaction.atomic():
            _append(entries)


def _live_callbacks(connection: BaseDatabaseWrapper) -> set[int]:
    """The on-commit callbacks still due: Django removes those of a rolled-back savepoint."""
    return {id(callback[1]) for callback in connection.run_on_commit}


def _append(entries: list[AuditEntry]) -> None:
    """Chain and save the entries, in order, holding the head until the transaction commits."""
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1, defaults={"last_hash": GENESIS})
    previous = head.last_hash
    for entry in entries:
        values = {name: getattr(entry, name) for name in HASHED_FIELDS}
        entry.previous_hash = previous
        entry.entry_hash = previous = entry_hash(values, previous)
        entry.save(force_insert=True)
    AuditChainHead.objects.filter(pk=1).update(last_hash=previous, last_entry_id=entries[-1].pk)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str = ""


def verify() -> VerifyResult:
    """Walk the chain in order; stop at the first entry whose hash or link does not hold."""
    previous = GENESIS
    checked = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        values = {name: getattr(entry, name) for name in HASHED_FIELDS}
        if entry.previous_hash != previous:
            return VerifyResult(False, checked, entry.pk, "its link to the previous entry is broken")
        if entry_hash(values, previous) != entry.entry_hash:
            return VerifyResult(False, checked, entry.pk, "its contents do not match its hash")
        previous = entry.entry_hash
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and checked and head.last_hash != previous:
        return VerifyResult(False, checked, head.last_entry_id, "the newest entries are missing")
    return VerifyResult(True, checked)
