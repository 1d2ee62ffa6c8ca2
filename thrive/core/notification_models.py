"""The transactional outbox: a message per event, a delivery per channel and recipient, in-app notifications.

These rows are written in the caller's transaction by `thrive.core.notifications.send`, so "notify" commits or
rolls back with the change that caused it. Workers claim due deliveries with a lease and record the outcome;
see `thrive.core.notifications.outbox` and docs/adr/0004-outbox.md.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from thrive.core.classification import C, Classification

__all__ = ["Delivery", "Notification", "OutboxMessage"]


class OutboxMessage(models.Model):
    """One event to tell someone about, rendered once when it was sent (title, body and link hold no
    identifiable content: a reference and a link only)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    idempotency_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=64, db_index=True)
    payload = models.JSONField(default=dict)
    title = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=500, blank=True)
    recipient = models.CharField(max_length=300, help_text="Who it was addressed to, for operators")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    data_classification: ClassVar[dict[str, Classification]] = {
        "uuid": C.PSEUDONYMOUS,
        "idempotency_key": C.PSEUDONYMOUS,
        "kind": C.PSEUDONYMOUS,
        "payload": C.SENSITIVE,
        "title": C.SENSITIVE,
        "body": C.SENSITIVE,
        "link": C.SENSITIVE,
        "recipient": C.PSEUDONYMOUS,
        "created_at": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.uuid}"


class Delivery(models.Model):
    """One message to one recipient over one channel: pending → sent, or failed (retried with backoff) → dead.

    A worker claims a delivery by setting `claimed_until` (a lease) and `claimed_by`; if it dies before
    recording the outcome, the lease runs out and another worker delivers it again. Its `uuid` is the
    Idempotency-Key receivers use to see each message once.
    """

    class Channel(models.TextChoices):
        IN_APP = "in_app", "In-app"
        EMAIL = "email", "Email"
        WEBHOOK = "webhook", "Webhook"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed, will retry"
        DEAD = "dead", "Dead letter"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For webhooks: whose current URL and secret to use",
    )
    address = models.CharField(max_length=500, blank=True, help_text="Email address or webhook URL")
    secret = models.CharField(max_length=128, blank=True, help_text="Signing secret of an ad hoc webhook")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    data_classification: ClassVar[dict[str, Classification]] = {
        "uuid": C.PSEUDONYMOUS,
        "message": C.PSEUDONYMOUS,
        "channel": C.PSEUDONYMOUS,
        "user": C.PSEUDONYMOUS,
        "organisation": C.PUBLIC,
        "address": C.IDENTIFIABLE,
        "secret": C.SENSITIVE,
        "status": C.PSEUDONYMOUS,
        "attempts": C.PSEUDONYMOUS,
        "next_attempt_at": C.PSEUDONYMOUS,
        "claimed_until": C.PSEUDONYMOUS,
        "claimed_by": C.PSEUDONYMOUS,
        "last_error": C.SENSITIVE,
        "sent_at": C.PSEUDONYMOUS,
        "created_at": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "deliveries"
        indexes = [
            # The sweep's question, "what is due?", kept small: settled deliveries drop out of the index.
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due_idx",
                condition=Q(status__in=["pending", "failed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.uuid} ({self.status})"


class Notification(models.Model):
    """An in-app message in a staff user's inbox. One per in-app delivery (the unique link makes a re-delivery
    after a crash a no-op); it outlives the outbox rows, which may be pruned."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    delivery = models.OneToOneField(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="notification"
    )
    kind = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    data_classification: ClassVar[dict[str, Classification]] = {
        "user": C.PSEUDONYMOUS,
        "delivery": C.PSEUDONYMOUS,
        "kind": C.PSEUDONYMOUS,
        "title": C.SENSITIVE,
        "body": C.SENSITIVE,
        "link": C.SENSITIVE,
        "created_at": C.PSEUDONYMOUS,
        "read_at": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_inbox_idx"),
            models.Index(fields=["user"], name="notification_unread_idx", condition=Q(read_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.title
