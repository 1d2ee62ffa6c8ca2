"""The django-tasks task that delivers a message promptly after the transaction that queued it commits."""

from __future__ import annotations

from django_tasks import task

from thrive.core.notifications.outbox import deliver_due


@task()
def deliver_message(message_id: int, channels: list[str] | None = None) -> int:
    """Deliver whatever of this message is due (through `channels` only, when given). Safe to run twice or
    alongside the sweep: claims decide."""
    return deliver_due(message_id=message_id, only_channels=channels)
