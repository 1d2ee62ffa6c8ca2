"""The public directory: services with the areas they cover, events with their moderation, campaigns, and the
only thing the anonymous self-check keeps (a count per day).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any, ClassVar

from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from thrive.core.classification import C, Classification
from thrive.core.crypto import DataSubject, EncryptedCharField
from thrive.directory import hours
from thrive.directory.caching import bump_content_version
from thrive.directory.taxonomy import EventType, ServiceType

OUT_OF_DATE_AFTER_DAYS = 365


class ServiceStatus(models.TextChoices):
    """Open Referral UK's service statuses; only active services are shown to the public."""

    ACTIVE = "active", "Open"
    TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"
    INACTIVE = "inactive", "Not running"
    DEFUNCT = "defunct", "Closed for good"


class Service(models.Model):
    """A service: who provides it, who it is for, how to get it and where it is available."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=32, choices=ServiceType.choices, db_index=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="directory_services"
    )
    summary = models.CharField(max_length=300, help_text="One sentence shown in search results")
    description = models.TextField()
    # Who it is for
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    perinatal = models.BooleanField(
        default=False, help_text="Only for people who are pregnant or had a baby in the last 2 years"
    )
    conditions = models.CharField(max_length=300, blank=True, help_text="For example: anxiety and depression")
    eligibility_notes = models.TextField(blank=True)
    # How to get help
    self_referral = models.BooleanField(default=False, help_text="People can refer themselves")
    self_referral_url = models.URLField(blank=True)
    self_referral_phone = models.CharField(max_length=40, blank=True)
    via_gp = models.BooleanField(default=False, help_text="A GP can refer people")
    via_other_service = models.CharField(
        max_length=200, blank=True, help_text="Other services that can refer, for example a midwife"
    )
    how_to_access = models.TextField(blank=True)
    # Contact details
    phone = models.CharField(max_length=40, blank=True)
    text_number = models.CharField(max_length=80, blank=True, help_text='For example "Text SHOUT to 85258"')
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    # How and where it is delivered
    in_person = models.BooleanField(default=True)
    by_phone = models.BooleanField(default=False)
    online = models.BooleanField(default=False)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    opening_hours = models.JSONField(default=list, blank=True, help_text="Rules made by hours.parse()")
    opening_notes = models.CharField(max_length=300, blank=True)
    languages = models.JSONField(default=list, blank=True)
    accessibility = models.TextField(blank=True)
    # Areas covered
    national = models.BooleanField(default=False, help_text="Available to anyone in England")
    whole_region = models.BooleanField(default=False, help_text="Available to anyone in London")
    areas = models.ManyToManyField("geography.Area", blank=True, related_name="directory_services")
    # Upkeep
    status = models.CharField(max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE)
    last_verified = models.DateField(default=datetime.date.today)
    is_example = models.BooleanField(default=False, help_text="A fictional demonstration service")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    data_classification: ClassVar[dict[str, Classification]] = dict.fromkeys(
        (
            "uuid",
            "slug",
            "name",
            "type",
            "organisation",
            "summary",
            "description",
            "min_age",
            "max_age",
            "perinatal",
            "conditions",
            "eligibility_notes",
            "self_referral",
            "self_referral_url",
            "self_referral_phone",
            "via_gp",
            "via_other_service",
            "how_to_access",
            "phone",
            "text_number",
            "email",
            "website",
            "in_person",
            "by_phone",
            "online",
            "address",
            "postcode",
            "latitude",
            "longitude",
            "opening_hours",
            "opening_notes",
            "languages",
            "accessibility",
            "national",
            "whole_region",
            "status",
            "last_verified",
            "is_example",
            "created_at",
            "updated_at",
        ),
        C.PUBLIC,
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_age__isnull=True)
                | models.Q(max_age__isnull=True)
                | models.Q(min_age__lte=models.F("max_age")),
                name="service_ages_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def type_label(self) -> str:
        return ServiceType(self.type).label

    @property
    def is_out_of_date(self) -> bool:
        """Flagged on its page when nobody has checked the details for a year."""
        return (timezone.localdate() - self.last_verified).days > OUT_OF_DATE_AFTER_DAYS

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def hours_lines(self) -> list[str]:
        return [hours.describe_rule(rule) for rule in self.opening_hours]

    @property
    def ages_text(self) -> str:
        if self.min_age is not None and self.max_age is not None:
            return f"Ages {self.min_age} to {self.max_age}"
        if self.min_age is not None:
            return f"Ages {self.min_age} and over"
        if self.max_age is not None:
            return f"Ages up to {self.max_age}"
        return ""


class EventStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a moderator"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"


class Attendance(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    BOTH = "both", "In person and online"


class Event(models.Model):
    """A public event. Anyone may submit one; nothing is shown until a moderator publishes it. The organiser's
    contact details are for moderators only, never shown or published, and encrypted under the event's own data
    subject (erasing it on request leaves the public event intact)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=120)
    description = models.TextField()
    type = models.CharField(max_length=20, choices=EventType.choices)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    attendance = models.CharField(max_length=10, choices=Attendance.choices, default=Attendance.IN_PERSON)
    venue_name = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    borough = models.ForeignKey(
        "geography.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="directory_events"
    )
    online_url = models.URLField(blank=True)
    booking_url = models.URLField(blank=True)
    is_free = models.BooleanField(default=True)
    price = models.CharField(max_length=100, blank=True)
    accessibility = models.CharField(max_length=500, blank=True)
    organiser_name = models.CharField(max_length=200, help_text="Shown on the event page")
    subject = models.ForeignKey(DataSubject, on_delete=models.PROTECT, related_name="+")
    organiser_email = EncryptedCharField(max_length=254, help_text="For moderators only; never shown")
    organiser_phone = EncryptedCharField(
        max_length=40, blank=True, help_text="For moderators only; never shown"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="directory_events",
    )
    status = models.CharField(max_length=10, choices=EventStatus.choices, default=EventStatus.PENDING)
    submitted_at = models.DateTimeField(default=timezone.now)
    moderated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    is_example = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    data_classification: ClassVar[dict[str, Classification]] = {
        **dict.fromkeys(
            (
                "uuid",
                "title",
                "description",
                "type",
                "starts_at",
                "ends_at",
                "attendance",
                "venue_name",
                "address",
                "postcode",
                "latitude",
                "longitude",
                "borough",
                "online_url",
                "booking_url",
                "is_free",
                "price",
                "accessibility",
                "organiser_name",
                "organisation",
                "status",
                "is_example",
                "updated_at",
            ),
            C.PUBLIC,
        ),
        "subject": C.PSEUDONYMOUS,
        "organiser_email": C.IDENTIFIABLE,
        "organiser_phone": C.IDENTIFIABLE,
        "submitted_at": C.PSEUDONYMOUS,
        "moderated_by": C.PSEUDONYMOUS,
        "moderated_at": C.PSEUDONYMOUS,
        "rejection_reason": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["starts_at", "title"]
        indexes = [models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Every way an event is made (the public form, editors, the demo, imports) gets its own data key.
        if self.subject_id is None:
            self.subject = DataSubject.objects.create_subject()
        super().save(*args, **kwargs)

    @property
    def type_label(self) -> str:
        return EventType(self.type).label

    @property
    def is_online(self) -> bool:
        return self.attendance in (Attendance.ONLINE, Attendance.BOTH)

    @property
    def is_in_person(self) -> bool:
        return self.attendance in (Attendance.IN_PERSON, Attendance.BOTH)

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def when_text(self) -> str:
        """'Saturday 10 October 2026, 10:00 to 12:00' in London time."""
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        text = f"{start:%A} {start.day} {start:%B %Y, %H:%M} to "
        if end.date() != start.date():
            return text + f"{end:%A} {end.day} {end:%B, %H:%M}"
        return text + f"{end:%H:%M}"


class Campaign(models.Model):
    """A city-wide day (or week) such as a mental health day: its page gathers the published events on its
    dates."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    hashtag = models.CharField(max_length=60, blank=True)
    description = models.TextField()
    starts_on = models.DateField()
    ends_on = models.DateField()
    is_example = models.BooleanField(default=False)

    data_classification: ClassVar[dict[str, Classification]] = dict.fromkeys(
        (
            "slug",
            "name",
            "hashtag",
            "description",
            "starts_on",
            "ends_on",
            "is_example",
        ),
        C.PUBLIC,
    )

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="campaign_dates_order"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SelfCheckDailyCount(models.Model):
    """How many self-checks were completed on a day: the only trace the anonymous self-check leaves."""

    day = models.DateField()
    measure = models.CharField(max_length=8)
    completed = models.PositiveIntegerField(default=0)

    data_classification: ClassVar[dict[str, Classification]] = {
        "day": C.PUBLIC,
        "measure": C.PUBLIC,
        "completed": C.PUBLIC,
    }

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "measure"], name="self_check_count_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.measure}: {self.completed}"


@receiver([post_save, post_delete], sender=Service)
@receiver([post_save, post_delete], sender=Event)
@receiver([post_save, post_delete], sender=Campaign)
@receiver(m2m_changed, sender=Service.areas.through)
def _published_content_changed(**_: object) -> None:
    """Cached public pages must not outlive the content they show: bump now, and again once committed (so a
    page rendered from the old rows during the transaction is not kept)."""
    bump_content_version()
    transaction.on_commit(bump_content_version)
