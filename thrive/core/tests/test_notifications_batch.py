"""`send_many`: several messages in a few statements, with exactly what `send` would have made."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from thrive.core import notifications
from thrive.core.models import Delivery, OutboxMessage
from thrive.core.notifications import Outgoing
from thrive.core.tests.test_notifications import PAYLOAD, make_org, make_user

pytestmark = pytest.mark.django_db


def agencies(count: int, start: int = 0) -> list[Outgoing]:
    messages = []
    for index in range(start, start + count):
        org = make_org(f"example-agency-{index}", duty_email=f"duty{index}@example.org")
        make_user(f"lead{index}@example.org", org, role="surveillance_lead")
        make_user(f"clerk{index}@example.org", org, role="reporter")
        messages.append(
            Outgoing(
                to=notifications.to_organisation(org, roles=["surveillance_lead"]),
                kind="case.created",
                payload=PAYLOAD,
                idempotency_key=f"case.created:R-0001:{org.pk}",
            )
        )
    return messages


def shape(message: OutboxMessage) -> tuple[Any, ...]:
    deliveries = sorted(
        (d.channel, d.user_id, d.organisation_id, d.address) for d in message.deliveries.all()
    )
    return (message.kind, message.title, message.body, message.link, message.recipient, deliveries)


def test_send_many_makes_what_send_makes() -> None:
    outgoing = agencies(3)
    with transaction.atomic():
        many = notifications.send_many(outgoing)
        made = [shape(message) for message in many]
        transaction.set_rollback(True)
    singly = [notifications.send(**vars(o)) for o in outgoing]
    assert made == [shape(message) for message in singly]
    assert [m.idempotency_key for m in many] == [o.idempotency_key for o in outgoing]
    assert {d.channel for d in Delivery.objects.all()} == {"in_app", "email"}


def test_the_statements_do_not_grow_with_the_messages() -> None:
    counts = []
    for size, start in ((2, 0), (5, 2)):
        outgoing = agencies(size, start)
        with CaptureQueriesContext(connection) as queries:
            notifications.send_many(outgoing)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_a_repeat_returns_the_first_messages_and_adds_only_the_new(
    django_capture_on_commit_callbacks: Any,
) -> None:
    outgoing = agencies(3)
    with django_capture_on_commit_callbacks(execute=True):
        first = notifications.send_many(outgoing[:2])
        again = notifications.send_many(outgoing)
    assert [m.pk for m in again[:2]] == [m.pk for m in first]
    assert OutboxMessage.objects.count() == 3
    # The transaction's messages share one task (case.created is not urgent), each message once.
    [task] = DBTaskResult.objects.all()
    assert task.args_kwargs["args"] == [[m.pk for m in again]]


def test_one_key_twice_in_a_batch_is_refused() -> None:
    [message] = agencies(1)
    with pytest.raises(ValueError, match="idempotency key of its own"):
        notifications.send_many([message, message])


def test_a_key_taken_meanwhile_is_settled_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another transaction commits one of the keys between the look-up and the insert."""
    outgoing = agencies(2)
    real = OutboxMessage.objects.bulk_create

    def raced(objs: list[OutboxMessage], **kwargs: Any) -> list[OutboxMessage]:
        monkeypatch.setattr(OutboxMessage.objects, "bulk_create", real)
        notifications.send(**vars(outgoing[1]))  # the other transaction's message
        return real(objs, **kwargs)

    monkeypatch.setattr(OutboxMessage.objects, "bulk_create", raced)
    sent = notifications.send_many(outgoing)
    assert OutboxMessage.objects.count() == 2
    assert sent[1] == OutboxMessage.objects.get(idempotency_key=outgoing[1].idempotency_key)
    assert Delivery.objects.filter(message=sent[0]).exists()


def test_an_integrity_error_of_another_kind_is_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    outgoing = agencies(1)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise IntegrityError("a broken constraint")

    monkeypatch.setattr(Delivery.objects, "bulk_create", broken)
    with pytest.raises(IntegrityError):
        notifications.send_many(outgoing)
