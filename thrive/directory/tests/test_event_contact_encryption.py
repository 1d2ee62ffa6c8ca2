"""The organiser's private contact: encrypted at rest, audited when shown, carried over by the migration."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from thrive.core.audit import AuditEntry
from thrive.directory.models import Event
from thrive.directory.tests.factories import EventFactory


def raw_contact(pk: int) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT organiser_email, organiser_phone FROM directory_event WHERE id = %s", [pk])
        email, phone = cursor.fetchone()
    return email, phone


@pytest.mark.django_db
def test_contact_is_stored_sealed_and_read_back() -> None:
    event = EventFactory.create(organiser_email="walkers@example.org", organiser_phone="020 7946 0123")
    email, phone = raw_contact(event.pk)
    assert "walkers" not in email and "7946" not in phone
    fresh = Event.objects.get(pk=event.pk)
    assert (fresh.organiser_email, fresh.organiser_phone) == ("walkers@example.org", "020 7946 0123")
    assert fresh.subject_id is not None
    assert Event.objects.exclude(subject=fresh.subject).filter(pk=fresh.pk).count() == 0


@pytest.mark.django_db
def test_moderating_an_event_audits_the_contact_read(personas: Any, client_for: Any) -> None:
    event = EventFactory.create(status="pending")
    moderator = personas.directory_editor
    response = client_for(moderator).get(f"/directory/manage/moderation/{event.uuid}/")
    assert response.status_code == 200
    assert event.organiser_email in response.content.decode()
    assert AuditEntry.objects.filter(action="read", object_id=str(event.pk), user=moderator).exists()


@pytest.mark.django_db(transaction=True)
def test_migration_encrypts_the_contact_of_existing_events() -> None:
    before = [("directory", "0001_initial")]
    after = [("directory", "0002_event_organiser_contact_encrypted")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_event = executor.loader.project_state(before).apps.get_model("directory", "Event")
    start = timezone.now() + dt.timedelta(days=3)
    made = old_event.objects.create(
        title="Walk", description="A walk", type="activity", starts_at=start, ends_at=start + dt.timedelta(hours=1),
        organiser_name="Walkers", organiser_email="walkers@example.org", organiser_phone="020 7946 0123",
    )  # fmt: skip
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    assert "walkers" not in raw_contact(made.pk)[0]
    event = Event.objects.get(pk=made.pk)
    assert (event.organiser_email, event.organiser_phone) == ("walkers@example.org", "020 7946 0123")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
