"""The transactional outbox: `send` writes in the caller's transaction; workers claim, deliver and record.

At-least-once delivery. A worker claims due deliveries by stamping a lease (`claimed_until`) and a per-claim
token (`claimed_by`) in a short transaction, sends, then records the outcome only if it still holds that
claim. A worker that dies in between loses nothing: when the lease runs out another worker claims the delivery
and sends it again, and the receiver drops the repeat by its Idempotency-Key. In-app notifications are written
in the same transaction as the record of their delivery, so they arrive exactly once.

Claims use SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, so workers never wait on each other; on SQLite the
write transaction (BEGIN IMMEDIATE in our settings) serialises claimers.
"""

from __future__ import annotations

import json
import logging
import os
import random
import secrets
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, F, IntegerField, Min, Q, QuerySet, Value, When
from django.utils import timezone

from thrive.core import audit
from thrive.core.commit_batch import CommitBatch
from thrive.core.notification_models import Delivery, Notification, OutboxMessage
from thrive.core.notifications import channels
from thrive.core.notifications.kinds import get_kind, identifying_keys
from thrive.core.notifications.recipients import Recipient, Target, resolve, resolve_many

logger = logging.getLogger(__name__)

Status = Delivery.Status
Channel = Delivery.Channel
DUE_STATUSES = (Status.PENDING, Status.FAILED)
LEASE = timedelta(minutes=5)  # longer than a batch of sends can take with the channels' timeouts
BATCH = 10
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
# A message's deliveries are made, and so claimed and sent, in this order: the quick ones first, so a slow mail
# server never holds up the in-app notification or the receiving system's webhook.
CHANNEL_ORDER: dict[str, int] = {Channel.IN_APP: 0, Channel.WEBHOOK: 1, Channel.EMAIL: 2}
QUICK_CHANNELS = [str(Channel.IN_APP), str(Channel.WEBHOOK)]


def send(
    *, to: Recipient | Sequence[Recipient], kind: str, payload: dict[str, Any], idempotency_key: str
) -> OutboxMessage:
    """Queue a message in the caller's transaction; it is delivered only if that transaction commits.

    A second call with the same `idempotency_key` does nothing and returns the first message. Raises
    ValueError for an unknown kind, a payload missing what the kind's text needs, or a payload key that would
    carry a person's identifying details; TypeError for a payload that is not JSON.
    """
    message = _prepared(Outgoing(to=to, kind=kind, payload=payload, idempotency_key=idempotency_key))
    targets, message.recipient = resolve(to)
    try:
        # A savepoint: a key already used (a repeat, or a race for it) leaves the caller's transaction usable.
        with transaction.atomic():
            message.save()
            Delivery.objects.bulk_create(_deliveries(message, targets))
    except IntegrityError:
        existing = OutboxMessage.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing
    if targets:
        _queue_delivery(message)
    return message


@dataclass(frozen=True)
class Outgoing:
    """One message for `send_many`: the arguments `send` takes."""

    to: Recipient | Sequence[Recipient]
    kind: str
    payload: dict[str, Any]
    idempotency_key: str


def send_many(messages: Sequence[Outgoing]) -> list[OutboxMessage]:
    """`send` for several messages, in a few statements whatever their number (a report tells every agency
    for its area): the same checks, messages, deliveries and idempotency. Returns the messages in order."""
    prepared = [_prepared(outgoing) for outgoing in messages]
    keys = [message.idempotency_key for message in prepared]
    if len(set(keys)) != len(keys):
        raise ValueError("Each message needs an idempotency key of its own")
    existing = {m.idempotency_key: m for m in OutboxMessage.objects.filter(idempotency_key__in=keys)}
    fresh = [(o, m) for o, m in zip(messages, prepared, strict=True) if m.idempotency_key not in existing]
    resolved = resolve_many([outgoing.to for outgoing, _ in fresh])
    for (_, message), (_, label) in zip(fresh, resolved, strict=True):
        message.recipient = label
    try:
        with transaction.atomic():
            made = OutboxMessage.objects.bulk_create([message for _, message in fresh])
            Delivery.objects.bulk_create(
                [d for m, (targets, _) in zip(made, resolved, strict=True) for d in _deliveries(m, targets)]
            )
    except IntegrityError:  # another transaction took one of the keys meanwhile: settle each as `send` does
        return [
            send(to=o.to, kind=o.kind, payload=o.payload, idempotency_key=o.idempotency_key) for o in messages
        ]
    for message, (targets, _) in zip(made, resolved, strict=True):
        if targets:
            _queue_delivery(message)
    by_key = {**existing, **{message.idempotency_key: message for message in made}}
    return [by_key[key] for key in keys]


def _prepared(outgoing: Outgoing) -> OutboxMessage:
    """The message, checked and rendered, not yet saved (its `recipient` label is set once resolved)."""
    spec = get_kind(outgoing.kind)
    key = outgoing.idempotency_key
    if not key or len(key) > 200:
        raise ValueError("An idempotency key of 1 to 200 characters is required")
    payload = json.loads(json.dumps(outgoing.payload))
    if not isinstance(payload, dict):
        raise TypeError("The payload must be a JSON object")
    identifying = identifying_keys(payload)
    if identifying:
        raise ValueError(
            f"Payload keys {', '.join(identifying)} would carry identifying details; send a "
            "reference and a link instead"
        )
    title, body, link = spec.render(payload)
    return OutboxMessage(
        idempotency_key=key,
        kind=outgoing.kind,
        payload=payload,
        title=title[:200],
        body=body,
        link=link[:500],
    )


def _deliveries(message: OutboxMessage, targets: list[Target]) -> list[Delivery]:
    return [
        Delivery(
            message=message,
            channel=t.channel,
            user_id=t.user_id,
            organisation_id=t.organisation_id,
            address=t.address,
            secret=t.secret,
            next_attempt_at=message.created_at,
        )
        for t in sorted(targets, key=lambda t: CHANNEL_ORDER[t.channel])
    ]


def _queue_delivery(message: OutboxMessage) -> None:
    urgent = get_kind(message.kind).urgent
    if transaction.get_connection().in_atomic_block:
        batch = _Queued.current()
        batch.message_ids.append(message.pk)
        if urgent:
            batch.urgent_ids.append(message.pk)
    else:  # autocommit: the message is already committed
        _enqueue([message.pk], urgent=[message.pk] if urgent else [])


class _Queued(CommitBatch):
    """The messages one transaction queued, handed to the task workers together once it commits (a report
    tells five agencies and a bereavement service: two tasks, not seven)."""

    attribute = "thrive_outbox_batch"

    def __init__(self) -> None:
        super().__init__()
        self.message_ids: list[int] = []
        self.urgent_ids: list[int] = []

    def deliver(self) -> None:
        _enqueue(self.message_ids, urgent=self.urgent_ids)


def _enqueue(message_ids: list[int], *, urgent: Sequence[int] = ()) -> None:
    """Ask a task worker to deliver promptly, on the notifications queue when the backend has one (its own
    workers, never stuck behind a long task). Urgent kinds' quick channels (in-app, webhook) get a task of
    their own, ahead of the rest where the backend orders by priority; their email follows with the others,
    so a slow mail server never holds up the next urgent message. If this fails the sweep still delivers."""
    from django_tasks.base import TASK_MAX_PRIORITY

    from thrive.core.notifications.tasks import deliver_messages

    try:
        backend = deliver_messages.get_backend()
        task = deliver_messages
        if settings.NOTIFICATION_QUEUE in backend.queues:
            task = task.using(queue_name=settings.NOTIFICATION_QUEUE)
        if urgent:
            first = task.using(priority=TASK_MAX_PRIORITY) if backend.supports_priority else task
            first.enqueue(list(urgent), QUICK_CHANNELS)
        task.enqueue(list(message_ids))
    except Exception:
        logger.warning(
            "Could not enqueue delivery of outbox messages %s; the sweep will deliver them",
            message_ids,
            exc_info=True,
        )


def worker_name() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}"


def backoff(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: 30 s doubling to an hour, less up to a fifth so retries spread
    out."""
    seconds = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=seconds * random.uniform(0.8, 1.0))


def claim(
    *,
    worker: str,
    limit: int = BATCH,
    lease: timedelta = LEASE,
    message_ids: Sequence[int] | None = None,
    now: datetime | None = None,
    grace: timedelta = timedelta(0),
    only_channels: Sequence[str] | None = None,
) -> list[Delivery]:
    """Claim up to `limit` due deliveries for `lease`. Each claim counts as an attempt, so a delivery that
    keeps killing its worker ends as a dead letter rather than looping for ever. With `grace`, only those due
    for at least that long (the sweep leaves fresh ones to the task queued for them); with `only_channels`,
    only those sent through them; with `message_ids`, only those messages', the quick channels first."""
    now = now or timezone.now()
    token = f"{worker[:90]}/{secrets.token_hex(4)}"
    with transaction.atomic():
        due = Delivery.objects.filter(status__in=DUE_STATUSES, next_attempt_at__lte=now - grace).filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
        )
        order: list[Any] = ["next_attempt_at", "id"]
        if message_ids is not None:
            due = due.filter(message_id__in=list(message_ids))
            quick_first = Case(
                *(When(channel=channel, then=Value(rank)) for channel, rank in CHANNEL_ORDER.items()),
                default=Value(len(CHANNEL_ORDER)),
                output_field=IntegerField(),
            )
            order.insert(0, quick_first)
        if only_channels is not None:
            due = due.filter(channel__in=only_channels)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        rows = list(due.order_by(*order).values_list("id", "attempts")[:limit])
        exhausted = [pk for pk, attempts in rows if attempts >= settings.OUTBOX_MAX_ATTEMPTS]
        live = [pk for pk, attempts in rows if attempts < settings.OUTBOX_MAX_ATTEMPTS]
        if exhausted:
            Delivery.objects.filter(id__in=exhausted).update(
                status=Status.DEAD,
                claimed_until=None,
                last_error="The worker was lost during the last allowed attempt",
            )
        if live:
            Delivery.objects.filter(id__in=live).update(
                claimed_until=now + lease, claimed_by=token, attempts=F("attempts") + 1
            )
    if not live:
        return []
    position = {pk: index for index, pk in enumerate(live)}
    claimed = Delivery.objects.filter(id__in=live, claimed_by=token).select_related("message", "organisation")
    return sorted(claimed, key=lambda delivery: position[delivery.pk])  # in the order they were chosen


def deliver(delivery: Delivery) -> None:
    """Send one claimed delivery and record what happened."""
    try:
        if delivery.channel == Channel.IN_APP:
            _deliver_in_app(delivery)
            return
        if delivery.channel == Channel.EMAIL:
            channels.send_email(delivery, delivery.message)
        else:
            channels.send_webhook(delivery, delivery.message)
    except channels.PermanentFailure as exc:
        _record_failure(delivery, str(exc), permanent=True)
    except channels.DeliveryError as exc:
        _record_failure(delivery, str(exc))
    except Exception as exc:  # a bug or an unforeseen error: retried with backoff, then dead-lettered
        logger.exception("Delivery %s failed unexpectedly", delivery.uuid)
        _record_failure(delivery, f"{type(exc).__name__}: {exc}")
    else:
        _record(delivery, status=Status.SENT, sent_at=timezone.now(), last_error="")


def _deliver_in_app(delivery: Delivery) -> None:
    message, user_id = delivery.message, delivery.user_id
    if user_id is None:
        raise channels.PermanentFailure("in-app: the delivery names no user")
    with transaction.atomic():
        if _record(delivery, status=Status.SENT, sent_at=timezone.now(), last_error=""):
            # One notification per delivery (the unique link): a repeat of this insert changes nothing.
            Notification.objects.bulk_create(
                [
                    Notification(
                        delivery=delivery,
                        user_id=user_id,
                        kind=message.kind,
                        title=message.title,
                        body=message.body,
                        link=message.link,
                        created_at=message.created_at,
                    )
                ],
                ignore_conflicts=True,
            )


def _record(delivery: Delivery, **changes: Any) -> bool:
    """Record the outcome if this worker still holds the claim; otherwise another worker has taken over."""
    updated = Delivery.objects.filter(pk=delivery.pk, claimed_by=delivery.claimed_by).update(
        claimed_until=None, **changes
    )
    if not updated:
        logger.warning("Delivery %s: lease lost before recording; it will be delivered again", delivery.uuid)
    return bool(updated)


def _record_failure(delivery: Delivery, error: str, *, permanent: bool = False) -> None:
    dead = permanent or delivery.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    if dead:
        logger.warning(
            "Delivery %s is a dead letter after %s attempt(s): %s", delivery.uuid, delivery.attempts, error
        )
    _record(
        delivery,
        status=Status.DEAD if dead else Status.FAILED,
        last_error=error[:2000],
        next_attempt_at=timezone.now() + backoff(delivery.attempts),
    )


def deliver_due(
    *,
    message_ids: Sequence[int] | None = None,
    batch: int = BATCH,
    lease: timedelta = LEASE,
    worker: str | None = None,
    grace: timedelta = timedelta(0),
    only_channels: Sequence[str] | None = None,
) -> int:
    """Claim and deliver batches until nothing is due (for `grace` and `only_channels`, see `claim`); returns
    how many deliveries were attempted."""
    worker = worker or worker_name()
    attempted = 0
    while claimed := claim(
        worker=worker,
        limit=batch,
        lease=lease,
        message_ids=message_ids,
        grace=grace,
        only_channels=only_channels,
    ):
        for delivery in claimed:
            deliver(delivery)
        attempted += len(claimed)
        if len(claimed) < batch:
            break  # that was all that was due (or free to claim); asking again would find nothing
    return attempted


def requeue(*, deliveries: QuerySet[Delivery], reason: str) -> int:
    """Give dead (or failed) deliveries a fresh set of attempts, now. An operator's action, so it is
    audited."""
    with transaction.atomic():
        ids = list(deliveries.filter(status__in=(Status.DEAD, Status.FAILED)).values_list("id", flat=True))
        count = Delivery.objects.filter(id__in=ids).update(
            status=Status.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_until=None
        )
        audit.record(
            action=audit.Action.UPDATE,
            object_type="core.delivery",
            reason=reason,
            summary=f"requeued {count} deliveries: {ids[:50]}",
        )
    return count


def summary(*, now: datetime | None = None) -> dict[str, Any]:
    """Counts by channel and status, and how overdue the oldest due delivery is (for operators and health)."""
    now = now or timezone.now()
    counts: dict[str, dict[str, int]] = {}
    for row in Delivery.objects.values("channel", "status").annotate(n=Count("id")).order_by("channel"):
        counts.setdefault(row["channel"], {})[row["status"]] = row["n"]
    oldest = Delivery.objects.filter(status__in=DUE_STATUSES, next_attempt_at__lte=now).aggregate(
        at=Min("next_attempt_at")
    )["at"]
    return {
        "deliveries": counts,
        "messages": OutboxMessage.objects.count(),
        "oldest_due_seconds": round((now - oldest).total_seconds(), 1) if oldest else 0,
        "in_flight": Delivery.objects.filter(status__in=DUE_STATUSES, claimed_until__gt=now).count(),
    }
