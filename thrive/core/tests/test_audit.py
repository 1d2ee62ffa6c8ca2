"""The audit chain verifies, catches a tampered or removed row, and the database refuses updates and deletes."""

from __future__ import annotations

import threading

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


# --- appended_at_commit: the chain head is taken as the transaction ends -------------------------------


def _record(reason: str) -> AuditEntry:
    return audit.record(action=audit.Action.UPDATE, object_type="test.thing", object_id="1", reason=reason)


def _reasons() -> list[str]:
    return list(AuditEntry.objects.order_by("id").values_list("reason", flat=True))


def test_held_back_entries_are_appended_in_order_as_the_block_ends() -> None:
    before = _record("before")
    with transaction.atomic(), audit.appended_at_commit():
        first, second = _record("first"), _record("second")
        assert first.pk is None and _reasons() == ["before"]
    assert first.pk is not None and second.pk is not None and second.pk > first.pk
    assert first.previous_hash == before.entry_hash and second.previous_hash == first.entry_hash
    assert _reasons() == ["before", "first", "second"] and audit.verify().ok


def test_an_entry_made_in_a_rolled_back_savepoint_is_not_appended() -> None:
    with transaction.atomic(), audit.appended_at_commit():
        _record("kept")
        with pytest.raises(RuntimeError), transaction.atomic():
            undone = _record("undone with its change")
            raise RuntimeError
        _record("also kept")
    assert undone.pk is None and _reasons() == ["kept", "also kept"] and audit.verify().ok


def test_a_block_that_fails_appends_nothing_and_the_next_one_still_works() -> None:
    with pytest.raises(RuntimeError), transaction.atomic(), audit.appended_at_commit():
        _record("lost")
        raise RuntimeError
    with transaction.atomic(), audit.appended_at_commit():
        _record("next")
    assert _reasons() == ["next"] and audit.verify().ok


def test_nested_blocks_append_once_at_the_outermost_end() -> None:
    with transaction.atomic(), audit.appended_at_commit():
        with transaction.atomic(), audit.appended_at_commit():
            inner = _record("inner")
        assert inner.pk is None
        _record("outer")
    assert _reasons() == ["inner", "outer"] and audit.verify().ok


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
def test_a_long_transaction_does_not_hold_the_chain_head_until_it_ends() -> None:
    """A report's transaction audits early (the referral's entry) and commits later; other writers must not
    wait for it."""
    recorded, release, errors = threading.Event(), threading.Event(), []

    def long_transaction() -> None:
        try:
            with transaction.atomic(), audit.appended_at_commit():
                _record("long transaction")
                recorded.set()
                release.wait(30)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=long_transaction)
    thread.start()
    try:
        assert recorded.wait(30)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            _record("meanwhile")
    finally:
        release.set()
        thread.join(30)
    assert not errors
    assert _reasons() == ["meanwhile", "long transaction"] and audit.verify().ok
