"""The audit chain verifies, catches a tampered or removed row, and the database refuses updates and deletes."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from thrive.core import audit, audit_triggers
from thrive.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _entries(n: int) -> list[AuditEntry]:
    return [
        audit.record(action=audit.Action.READ, object_type="test.thing", object_id=str(i), reason=f"r{i}")
        for i in range(n)
    ]


def test_intact_chain_verifies() -> None:
    _entries(5)
    result = audit.verify()
    assert result.ok and result.checked == 5
    call_command("audit", "verify")


def test_entries_link_to_their_predecessor() -> None:
    first, second = _entries(2)
    assert second.previous_hash == first.entry_hash
    assert first.previous_hash == audit.GENESIS


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE core_auditentry SET reason = 'changed' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ],
)
def test_database_refuses_changes(statement: str) -> None:
    entry = _entries(1)[0]
    with transaction.atomic():
        audit_triggers.install(connection)
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [entry.pk])
        audit_triggers.remove(connection)
    assert AuditEntry.objects.get(pk=entry.pk).reason == "r0"


def test_verify_names_the_first_tampered_row() -> None:
    entries = _entries(4)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET reason = reason || 'x' WHERE id = %s", [entries[1].pk])
    result = audit.verify()
    assert not result.ok and result.first_bad_id == entries[1].pk
    with pytest.raises(CommandError, match=f"entry {entries[1].pk}") as raised:
        call_command("audit", "verify")
    assert raised.value.returncode == 1


def test_removed_row_breaks_the_chain() -> None:
    entries = _entries(3)
    AuditEntry.objects.filter(pk=entries[1].pk).delete()
    result = audit.verify()
    assert not result.ok and result.first_bad_id == entries[2].pk


def test_removed_newest_row_is_noticed() -> None:
    entries = _entries(3)
    AuditEntry.objects.filter(pk=entries[2].pk).delete()
    assert not audit.verify().ok
