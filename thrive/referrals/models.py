"""Bereavement referrals: one per bereaved person who consents, routed to the service for where they live.

A referral holds its own copy of the minimum the service needs (name, relationship, contact details, language
and interpreter need, safety concerns, the date of death and the deceased's first name), encrypted under a
data key of its own (`subject`). Withdrawing consent, or passing the referral to another service, destroys
that key: the service's copy is gone for good while the police's record of the next of kin, held for another
purpose, is untouched. Everything else here (status, dates, routing) is kept for the figures and the audit
trail.

At most one referral per bereaved person is current: the database refuses a second current referral for the
same next of kin, and for the same name on the same case (two agencies reporting the same person), so a retry,
a double click or a second agency's consent finds the first one instead.
"""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from thrive.core.classification import C, Classification
from thrive.core.crypto import BlindIndexField, DataSubject, EncryptedCharField, EncryptedTextField
from thrive.surveillance.codes import Relationship

ORG = "accounts.Organisation"


class Status(models.TextChoices):
    NEW = "new", "New"
    ACCEPTED = "accepted", "Accepted"
    CONTACT_ATTEMPTED = "contact_attempted", "Contact attempted"
    CONTACTED = "contacted", "Contacted"
    SUPPORTING = "supporting", "Supporting"
    CLOSED = "closed", "Closed"
    DECLINED = "declined", "Declined support"
    UNABLE_TO_CONTACT = "unable_to_contact", "Unable to contact"
    TRANSFERRED = "transferred", "Transferred"


# Still waiting for a first contact: the first-contact target applies (unable to contact ends the clock).
AWAITING_CONTACT = frozenset({Status.NEW, Status.ACCEPTED, Status.CONTACT_ATTEMPTED})
# Nothing more happens to a referral in these states.
FINISHED = frozenset({Status.CLOSED, Status.DECLINED, Status.TRANSFERRED})


class Basis(models.TextChoices):
    """Where the bereaved person lives and how it was known (CONTRACTS.md "Where a bereaved person lives")."""

    POSTCODE = "postcode", "Their postcode"
    BOROUGH = "borough", "The borough given with them"
    DECEASED_RESIDENCE = "deceased_residence", "Where the person who died lived"
    INCIDENT = "incident", "Where the death happened"
    UNKNOWN = "unknown", "Not known"


class Routing(models.TextChoices):
    COVERAGE = "coverage", "The service covering their borough"
    REGION_WIDE = "region_wide", "A region-wide service"
    UNROUTED = "unrouted", "No service covers them: surveillance leads alerted"
    ASSIGNED = "assigned", "Assigned by a surveillance lead"
    TRANSFERRED = "transferred", "Transferred from another service"


class Referral(models.Model):
    """One bereaved person's referral to one bereavement service (or to none yet, while leads find one)."""

    next_of_kin = models.ForeignKey(
        "surveillance.NextOfKin", on_delete=models.PROTECT, related_name="referrals"
    )
    person_index = BlindIndexField(
        help_text="Keyed hash of the case and the person's name, to find duplicates"
    )
    service = models.ForeignKey(
        ORG, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    is_current = models.BooleanField(default=True, help_text="False once withdrawn or transferred")
    subject = models.ForeignKey(DataSubject, on_delete=models.PROTECT, related_name="+")

    name = EncryptedCharField(max_length=200, subject_field="subject")
    relationship = models.CharField(max_length=16, choices=Relationship.choices)
    phone = EncryptedCharField(max_length=20, subject_field="subject", blank=True)
    email = EncryptedCharField(max_length=254, subject_field="subject", blank=True)
    address = EncryptedTextField(subject_field="subject", blank=True)
    postcode = EncryptedCharField(max_length=10, subject_field="subject", blank=True)
    language = models.CharField(max_length=60, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    safety_concerns = EncryptedTextField(subject_field="subject", blank=True)
    deceased_first_name = EncryptedCharField(max_length=200, subject_field="subject", blank=True)
    date_of_death = models.DateField(null=True, blank=True)

    borough = models.ForeignKey(
        "geography.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    basis = models.CharField(max_length=20, choices=Basis.choices)
    routing = models.CharField(max_length=12, choices=Routing.choices)
    consent_recorded_by_organisation = models.ForeignKey(
        ORG, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    received_at = models.DateTimeField(default=timezone.now, help_text="When it reached its service")
    first_contact_due = models.DateField(null=True, blank=True, help_text="Last working day of the target")
    accepted_at = models.DateTimeField(null=True, blank=True)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    support_started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    transferred_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    is_example = models.BooleanField(default=False, help_text="Synthetic demonstration referral")

    data_classification: ClassVar[dict[str, Classification]] = {
        "next_of_kin": C.PSEUDONYMOUS,
        "person_index": C.PSEUDONYMOUS,
        "service": C.PSEUDONYMOUS,
        "status": C.SENSITIVE,
        "is_current": C.PSEUDONYMOUS,
        "subject": C.PSEUDONYMOUS,
        "name": C.IDENTIFIABLE,
        "relationship": C.SENSITIVE,
        "phone": C.IDENTIFIABLE,
        "email": C.IDENTIFIABLE,
        "address": C.IDENTIFIABLE,
        "postcode": C.IDENTIFIABLE,
        "language": C.SENSITIVE,
        "interpreter_needed": C.SENSITIVE,
        "safety_concerns": C.IDENTIFIABLE,
        "deceased_first_name": C.IDENTIFIABLE,
        "date_of_death": C.SENSITIVE,
        "borough": C.PSEUDONYMOUS,
        "basis": C.PSEUDONYMOUS,
        "routing": C.PSEUDONYMOUS,
        "consent_recorded_by_organisation": C.PSEUDONYMOUS,
        "received_at": C.PSEUDONYMOUS,
        "first_contact_due": C.PSEUDONYMOUS,
        "accepted_at": C.PSEUDONYMOUS,
        "first_attempt_at": C.PSEUDONYMOUS,
        "first_contact_at": C.PSEUDONYMOUS,
        "support_started_at": C.PSEUDONYMOUS,
        "closed_at": C.PSEUDONYMOUS,
        "escalated_at": C.PSEUDONYMOUS,
        "withdrawn_at": C.PSEUDONYMOUS,
        "transferred_to": C.PSEUDONYMOUS,
        "created_at": C.PSEUDONYMOUS,
        "updated_at": C.PSEUDONYMOUS,
        "is_example": C.PUBLIC,
    }

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["next_of_kin"], condition=Q(is_current=True), name="referral_current_per_next_of_kin"
            ),
            models.UniqueConstraint(
                fields=["person_index"],
                condition=Q(is_current=True) & ~Q(person_index=""),
                name="referral_current_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["service", "-received_at"], name="referral_inbox_idx"),
            models.Index(
                fields=["first_contact_due"], name="referral_due_idx", condition=Q(first_contact_at=None)
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """What messages and pages call it: no identifying detail, unique, stable."""
        return f"BR-{self.pk:06d}" if self.pk else "BR-new"

    @property
    def erased(self) -> bool:
        return self.subject.is_erased

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """The target day has passed without a first contact while the service is still trying."""
        return (
            self.first_contact_due is not None
            and self.first_contact_at is None
            and self.status in AWAITING_CONTACT
            and (today or timezone.localdate()) > self.first_contact_due
        )


class ContactAttempt(models.Model):
    """One try at reaching the bereaved person: when, how and what happened."""

    class Channel(models.TextChoices):
        PHONE = "phone", "Phone call"
        TEXT = "text", "Text message"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        VISIT = "visit", "Visit"
        OTHER = "other", "Other"

    class Outcome(models.TextChoices):
        REACHED = "reached", "Spoke with them"
        NO_ANSWER = "no_answer", "No answer"
        LEFT_MESSAGE = "left_message", "Left a message"
        WRONG_DETAILS = "wrong_details", "Contact details wrong"
        OTHER = "other", "Other"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="attempts")
    subject = models.ForeignKey(DataSubject, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    channel = models.CharField(max_length=8, choices=Channel.choices)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    note = EncryptedTextField(subject_field="subject", blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(ORG, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    data_classification: ClassVar[dict[str, Classification]] = {
        "referral": C.PSEUDONYMOUS,
        "subject": C.PSEUDONYMOUS,
        "at": C.PSEUDONYMOUS,
        "channel": C.SENSITIVE,
        "outcome": C.SENSITIVE,
        "note": C.IDENTIFIABLE,
        "by": C.PSEUDONYMOUS,
        "organisation": C.PSEUDONYMOUS,
        "recorded_at": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.at:%Y-%m-%d %H:%M}: {self.get_outcome_display()}"


class ReferralEvent(models.Model):
    """The referral's history: each change of status, transfer, escalation or withdrawal, with who and why."""

    class Kind(models.TextChoices):
        CREATED = "created", "Referral made"
        STATUS = "status", "Status changed"
        ATTEMPT = "attempt", "Contact attempt recorded"
        ASSIGNED = "assigned", "Service assigned"
        TRANSFERRED = "transferred", "Transferred"
        ESCALATED = "escalated", "First-contact target missed: escalated"
        WITHDRAWN = "withdrawn", "Consent withdrawn"
        DUPLICATE = "duplicate", "Consent recorded again"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    subject = models.ForeignKey(DataSubject, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    note = EncryptedTextField(subject_field="subject", blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(ORG, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    data_classification: ClassVar[dict[str, Classification]] = {
        "referral": C.PSEUDONYMOUS,
        "subject": C.PSEUDONYMOUS,
        "kind": C.PSEUDONYMOUS,
        "from_status": C.SENSITIVE,
        "to_status": C.SENSITIVE,
        "note": C.IDENTIFIABLE,
        "by": C.PSEUDONYMOUS,
        "organisation": C.PSEUDONYMOUS,
        "at": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


from thrive.referrals import receivers  # noqa: E402,F401  (connects the consent signal once models load)
