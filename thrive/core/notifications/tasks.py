"""The django-tasks tasks that deliver messages promptly after the transaction that queued them commits."""

from __future__ import annotations

from django_tasks import task

from thrive.core.notifications.outbox import deliver_due


@task()
def deliver_messages(message_ids: list[int], channels: list[str] | None = None) -> int:
    """Deliver whatever of these messages is due (through `channels` only, when given). Safe to run twice or
    alongside the sweep: claims decide."""
    return deliver_due(message_ids=message_ids, only_channels=channels)


@task()
def deliver_message(message_id: int, channels: list[str] | None = None) -> int:
    """One message: the form of the tasks queued before a transaction's messages shared theirs, kept so
    those still in the queue at an upgrade run."""
    return deliver_due(message_ids=[message_id], only_channels=channels)
