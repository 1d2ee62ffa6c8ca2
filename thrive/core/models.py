"""Core records: the audit log and its chain head, and the marker that demonstration data is loaded."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from thrive.core.classification import C, Classification


class AuditEntry(models.Model):
    """One audited event. Never updated or deleted (the database refuses both)."""

    class Action(models.TextChoices):
        READ = "read", "Read"
        SEARCH = "search", "Search"
        CREATE = "create", "Create"
        UPDATE = "update", "Update"
        DELETE = "delete", "Delete"
        EXPORT = "export", "Export"
        MERGE = "merge", "Merge"
        PERMISSION_CHANGE = "permission_change", "Permission change"
        LOGIN = "login", "Login"
        FAILED_LOGIN = "failed_login", "Failed login"
        LOGOUT = "logout", "Logout"
        BREAK_GLASS = "break_glass", "Break the glass"
        ACCESS_DENIED = "access_denied", "Access denied"
        ERASE = "erase", "Erase"

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    user_email = models.CharField(max_length=254, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    organisation_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=80, blank=True)
    reason = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    address = models.CharField(max_length=64, blank=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    data_classification: ClassVar[dict[str, Classification]] = {
        "created_at": C.PSEUDONYMOUS,
        "user": C.PSEUDONYMOUS,
        "user_email": C.IDENTIFIABLE,
        "organisation": C.PUBLIC,
        "organisation_name": C.PUBLIC,
        "role": C.PSEUDONYMOUS,
        "action": C.PSEUDONYMOUS,
        "object_type": C.PSEUDONYMOUS,
        "object_id": C.PSEUDONYMOUS,
        "reason": C.SENSITIVE,
        "summary": C.SENSITIVE,
        "request_id": C.PSEUDONYMOUS,
        "address": C.PSEUDONYMOUS,
        "previous_hash": C.PSEUDONYMOUS,
        "entry_hash": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"


class AuditChainHead(models.Model):
    """The newest hash, locked while an entry is appended so concurrent writers chain in order."""

    last_hash = models.CharField(max_length=64)
    last_entry_id = models.BigIntegerField(null=True)

    data_classification: ClassVar[dict[str, Classification]] = {
        "last_hash": C.PSEUDONYMOUS,
        "last_entry_id": C.PSEUDONYMOUS,
    }

    def __str__(self) -> str:
        return f"audit chain head at entry {self.last_entry_id}"


class DemoMarker(models.Model):
    """Present when synthetic demonstration data is loaded: every page then says so."""

    seed = models.IntegerField()
    loaded_at = models.DateTimeField(default=timezone.now)

    data_classification: ClassVar[dict[str, Classification]] = {"seed": C.PUBLIC, "loaded_at": C.PUBLIC}

    def __str__(self) -> str:
        return f"demonstration data (seed {self.seed})"


from thrive.core.crypto_models import DataSubject  # noqa: E402,F401
from thrive.core.notification_models import *  # noqa: E402,F401,F403
