"""Detection runs, the alerts they raise, and the response workflow around each alert.

A run records what it read (a compact snapshot of the case data with its digest) and the parameters it used,
so any alert can be reproduced from its run. An alert is one signal followed over time: found again by a later
run it is updated, not duplicated. Its timeline (`AlertEntry`) holds detections, status changes, assignment,
notes and actions; nothing identifying is stored on an alert (cases are linked, and shown only within the
viewer's reach).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from thrive.core.classification import C, Classification

AREA = "geography.Area"
USER = settings.AUTH_USER_MODEL


class RegionParameters(models.Model):
    """A region's overrides of the documented detection defaults (`parameters.DEFAULTS`)."""

    region = models.OneToOneField(AREA, on_delete=models.PROTECT, related_name="+")
    overrides = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    data_classification: ClassVar[dict[str, Classification]] = {
        "region": C.PUBLIC,
        "overrides": C.PUBLIC,
        "updated_by": C.PSEUDONYMOUS,
        "updated_at": C.PSEUDONYMOUS,
    }

    class Meta:
        verbose_name_plural = "region parameters"

    def __str__(self) -> str:
        return f"Detection parameters for area {self.region_id}"


class DetectionRun(models.Model):
    class Kind(models.TextChoices):
        NIGHTLY = "nightly", "Nightly (every detector)"
        INCREMENTAL = "incremental", "Incremental (after new or changed cases)"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"

    region = models.ForeignKey(AREA, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    analysis_date = models.DateField(help_text="The last day analysed (prospective windows end on it)")
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    parameters = models.JSONField(default=dict)
    snapshot = models.JSONField(
        default=dict, help_text="The case data read, in columns (see casedata.Snapshot)"
    )
    snapshot_digest = models.CharField(max_length=64, blank=True)
    case_count = models.PositiveIntegerField(default=0)
    timings = models.JSONField(default=dict, help_text="Seconds per detector")
    summary = models.JSONField(default=dict, help_text="Per detector: signals found and notes")
    scan_null = models.JSONField(
        default=dict,
        blank=True,
        help_text="The space-time scan's replication maxima, reused by incremental runs",
    )
    triggered_by = models.JSONField(default=list, blank=True, help_text="Case ids that asked for this run")
    error = models.TextField(blank=True)

    data_classification: ClassVar[dict[str, Classification]] = {
        "region": C.PUBLIC,
        "kind": C.PUBLIC,
        "status": C.PUBLIC,
        "analysis_date": C.PUBLIC,
        "started_at": C.PUBLIC,
        "finished_at": C.PUBLIC,
        "parameters": C.PUBLIC,
        # Case ids with their LSOA, date, method and substances: pseudonymous, special-category facts.
        "snapshot": C.SENSITIVE,
        "snapshot_digest": C.PSEUDONYMOUS,
        "case_count": C.PUBLIC,
        "timings": C.PUBLIC,
        "summary": C.PSEUDONYMOUS,
        "scan_null": C.PUBLIC,
        "triggered_by": C.PSEUDONYMOUS,
        "error": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["region", "kind", "status", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} run {self.pk} for {self.analysis_date}"

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class Alert(models.Model):
    class Kind(models.TextChoices):
        SPACE_TIME = "space_time_cluster", "Space-time cluster"
        SPATIAL = "spatial_cluster", "Area with a high rate"
        COUNT = "unusual_count", "Unusual weekly count"
        MEANS = "emerging_means", "Emerging means"
        LOCATION = "location_of_concern", "Location of concern"

    class Status(models.TextChoices):
        NEW = "new", "New"
        UNDER_REVIEW = "under_review", "Under review"
        RESPONSE_GROUP = "response_group", "Response group convened"
        MONITORING = "monitoring", "Monitoring"
        CLOSED = "closed", "Closed"

    reference = models.CharField(max_length=20, unique=True)
    region = models.ForeignKey(AREA, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW, db_index=True)
    title = models.CharField(max_length=200)
    detector = models.CharField(max_length=60)
    signal_key = models.CharField(max_length=200, db_index=True, help_text="What identifies the signal")
    areas: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        AREA, related_name="+", help_text="Boroughs, ICSs and the region it concerns"
    )
    window_start = models.DateField()
    window_end = models.DateField()
    statistic_name = models.CharField(max_length=40, blank=True)
    statistic = models.FloatField(null=True, blank=True)
    p_value = models.FloatField(null=True, blank=True)
    recurrence_interval_days = models.FloatField(null=True, blank=True)
    observed = models.PositiveIntegerField(null=True, blank=True)
    expected = models.FloatField(null=True, blank=True)
    centre_lat = models.FloatField(null=True, blank=True)
    centre_lon = models.FloatField(null=True, blank=True)
    radius_km = models.FloatField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    parameters = models.JSONField(default=dict)
    first_run = models.ForeignKey(DetectionRun, null=True, on_delete=models.SET_NULL, related_name="+")
    run = models.ForeignKey(DetectionRun, null=True, on_delete=models.SET_NULL, related_name="+")
    snapshot_digest = models.CharField(max_length=64, blank=True)
    follows = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assigned_to = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    detection_count = models.PositiveIntegerField(default=1)
    first_detected_at = models.DateTimeField(default=timezone.now)
    last_detected_at = models.DateTimeField(default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_rationale = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    cases = models.ManyToManyField("surveillance.Case", through="AlertCase", related_name="+")

    data_classification: ClassVar[dict[str, Classification]] = {
        "reference": C.PSEUDONYMOUS,
        "region": C.PUBLIC,
        "kind": C.SENSITIVE,
        "status": C.SENSITIVE,
        "title": C.SENSITIVE,
        "detector": C.PUBLIC,
        "signal_key": C.SENSITIVE,
        "window_start": C.SENSITIVE,
        "window_end": C.SENSITIVE,
        "statistic_name": C.PUBLIC,
        "statistic": C.SENSITIVE,
        "p_value": C.SENSITIVE,
        "recurrence_interval_days": C.SENSITIVE,
        "observed": C.SENSITIVE,
        "expected": C.SENSITIVE,
        # An LSOA centroid for clusters; for a location of concern, the middle of public-place incidents.
        "centre_lat": C.SENSITIVE,
        "centre_lon": C.SENSITIVE,
        "radius_km": C.SENSITIVE,
        "details": C.SENSITIVE,
        "parameters": C.PUBLIC,
        "first_run": C.PSEUDONYMOUS,
        "run": C.PSEUDONYMOUS,
        "snapshot_digest": C.PSEUDONYMOUS,
        "follows": C.PSEUDONYMOUS,
        "assigned_to": C.PSEUDONYMOUS,
        "detection_count": C.SENSITIVE,
        "first_detected_at": C.SENSITIVE,
        "last_detected_at": C.SENSITIVE,
        "closed_at": C.SENSITIVE,
        "closure_rationale": C.SENSITIVE,
        "created_at": C.PSEUDONYMOUS,
        "updated_at": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["-last_detected_at", "-id"]
        indexes = [models.Index(fields=["region", "kind", "signal_key"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED


class AlertCase(models.Model):
    """A case an alert involves; `in_latest` says whether the latest detection still included it."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="case_links")
    case = models.ForeignKey("surveillance.Case", on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    added_by_run = models.ForeignKey(DetectionRun, null=True, on_delete=models.SET_NULL, related_name="+")
    in_latest = models.BooleanField(default=True)

    data_classification: ClassVar[dict[str, Classification]] = {
        "alert": C.PSEUDONYMOUS,
        "case": C.PSEUDONYMOUS,
        "added_at": C.PSEUDONYMOUS,
        "added_by_run": C.PSEUDONYMOUS,
        "in_latest": C.PSEUDONYMOUS,
    }

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "case"], name="alert_case_unique")]

    def __str__(self) -> str:
        return f"Case {self.case_id} in alert {self.alert_id}"


class AlertEntry(models.Model):
    """One event on an alert's timeline."""

    class Kind(models.TextChoices):
        RAISED = "raised", "Raised"
        DETECTED_AGAIN = "detected_again", "Found again"
        STATUS = "status", "Status changed"
        ASSIGNED = "assigned", "Assigned"
        NOTE = "note", "Note"
        ACTION = "action", "Action recorded"
        ACTION_DONE = "action_done", "Action completed"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True)
    from_status = models.CharField(max_length=16, choices=Alert.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Alert.Status.choices, blank=True)
    run = models.ForeignKey(DetectionRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    data_classification: ClassVar[dict[str, Classification]] = {
        "alert": C.PSEUDONYMOUS,
        "kind": C.PSEUDONYMOUS,
        "at": C.PSEUDONYMOUS,
        "by": C.PSEUDONYMOUS,
        "organisation": C.PSEUDONYMOUS,
        # Response notes; the form asks for no names or other identifying details.
        "text": C.SENSITIVE,
        "from_status": C.SENSITIVE,
        "to_status": C.SENSITIVE,
        "run": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "alert entries"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on alert {self.alert_id}"


class AlertAction(models.Model):
    """A response action (PHE 2019: postvention, media liaison, means restriction...) with its owner and due
    date."""

    class Type(models.TextChoices):
        POSTVENTION = "postvention", "Postvention and bereavement support"
        MEDIA = "media_liaison", "Media liaison"
        MEANS_RESTRICTION = "means_restriction", "Means restriction at a location"
        COMMUNICATION = "communication", "Communication to services or communities"
        DATA_REVIEW = "data_review", "Further data review"
        OTHER = "other", "Other"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="actions")
    type = models.CharField(max_length=20, choices=Type.choices)
    description = models.TextField()
    owner = models.CharField(max_length=200, blank=True, help_text="Who leads it (an organisation or a role)")
    due = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    data_classification: ClassVar[dict[str, Classification]] = {
        "alert": C.PSEUDONYMOUS,
        "type": C.SENSITIVE,
        "description": C.SENSITIVE,
        "owner": C.PSEUDONYMOUS,
        "due": C.PSEUDONYMOUS,
        "created_by": C.PSEUDONYMOUS,
        "created_at": C.PSEUDONYMOUS,
        "done_at": C.PSEUDONYMOUS,
        "done_by": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_type_display()} on alert {self.alert_id}"


class DetectionSchedule(models.Model):
    """Per region: the debounced incremental run waiting to happen and the next nightly run. Row-locked while
    a run is queued or taken, so concurrent case saves and workers agree on what is queued; while one is queued,
    a save only pushes its due time back (`thrive.detection.schedule`)."""

    region = models.OneToOneField(AREA, on_delete=models.PROTECT, related_name="+")
    first_requested_at = models.DateTimeField(null=True, blank=True)
    last_requested_at = models.DateTimeField(null=True, blank=True)
    incremental_due_at = models.DateTimeField(null=True, blank=True)
    nightly_due_at = models.DateTimeField(null=True, blank=True)
    nightly_token = models.CharField(max_length=32, blank=True)

    data_classification: ClassVar[dict[str, Classification]] = {
        "region": C.PUBLIC,
        "first_requested_at": C.PUBLIC,
        "last_requested_at": C.PUBLIC,
        "incremental_due_at": C.PUBLIC,
        "nightly_due_at": C.PUBLIC,
        "nightly_token": C.PUBLIC,
    }

    def __str__(self) -> str:
        return f"Detection schedule for area {self.region_id}"


class PendingCase(models.Model):
    """A saved case waiting for its region's incremental run. A row each: during a burst of reports every save
    adds a row, where a list on the schedule row was rewritten whole, under its lock, by every save."""

    region = models.ForeignKey(AREA, on_delete=models.PROTECT, related_name="+")
    case_id = (
        models.PositiveBigIntegerField()
    )  # not a key: the run records the ids, whatever became of a case
    requested_at = models.DateTimeField(default=timezone.now)

    data_classification: ClassVar[dict[str, Classification]] = {
        "region": C.PUBLIC,
        "case_id": C.PSEUDONYMOUS,
        "requested_at": C.PUBLIC,
    }

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "case_id"], name="detection_pending_case_once")
        ]

    def __str__(self) -> str:
        return f"Case {self.case_id} waiting for a run in area {self.region_id}"
