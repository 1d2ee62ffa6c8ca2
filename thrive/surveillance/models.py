"""Cases of suspected suicide, the agency reports that build them, the bereaved, and the records around them.

A case is one death. Each agency's submission is an `AgencyReport` holding exactly what that agency said
(encrypted); the case's own columns are the current picture folded from its reports (latest report wins, every
disagreement kept and shown as a conflict). Identifying values are encrypted with the deceased's data key
(`DataSubject`); everything else carries a data classification so that pseudonymised views and exports can
follow it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from thrive.core.classification import C, Classification
from thrive.core.crypto import (
    BlindIndexField,
    DataSubject,
    EncryptedCharField,
    EncryptedDateField,
    EncryptedJSONField,
    EncryptedTextField,
)
from thrive.surveillance import codes

AREA = "geography.Area"
ORG = "accounts.Organisation"


def _area(related: str) -> models.ForeignKey:
    return models.ForeignKey(AREA, null=True, blank=True, on_delete=models.PROTECT, related_name=related)


class Substance(models.Model):
    """The controlled vocabulary of substances, with synonyms. An unknown term reported is kept as a new entry
    flagged `is_new` until a lead confirms it: new terms are the emerging-substance signal."""

    name = models.CharField(max_length=100, unique=True)
    synonyms = models.JSONField(default=list, blank=True)
    is_new = models.BooleanField(default=False)
    first_reported_at = models.DateTimeField(default=timezone.now)

    data_classification: ClassVar[dict[str, Classification]] = {
        "name": C.PUBLIC,
        "synonyms": C.PUBLIC,
        "is_new": C.PUBLIC,
        "first_reported_at": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReferenceCounter(models.Model):
    """The last case number used in a year, for `RTSS-YYYY-NNNNN` (row-locked while taking the next)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    data_classification: ClassVar[dict[str, Classification]] = {"year": C.PUBLIC, "last": C.PUBLIC}

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Case(models.Model):
    """One death: the current picture across every agency's report."""

    reference = models.CharField(max_length=20, unique=True)
    status = models.CharField(max_length=24, choices=codes.Status.choices, default=codes.Status.SUSPECTED)
    conclusion = models.CharField(max_length=32, choices=codes.Conclusion.choices, blank=True)
    inquest_date = models.DateField(null=True, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(DataSubject, on_delete=models.PROTECT, related_name="+")

    given_name = EncryptedCharField(max_length=200, subject_field="subject", blank=True)
    family_name = EncryptedCharField(max_length=200, subject_field="subject", blank=True)
    date_of_birth = EncryptedDateField(subject_field="subject", null=True, blank=True)
    nhs_number = EncryptedCharField(max_length=10, subject_field="subject", blank=True)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    sex = models.CharField(max_length=12, choices=codes.Sex.choices, blank=True)
    gender_identity = EncryptedCharField(max_length=100, subject_field="subject", blank=True)
    ethnicity = models.CharField(max_length=2, choices=codes.Ethnicity.choices, blank=True)
    employment_status = models.CharField(max_length=32, choices=codes.EmploymentStatus.choices, blank=True)
    occupation = EncryptedCharField(max_length=200, subject_field="subject", blank=True)
    relationship_status = models.CharField(
        max_length=32, choices=codes.RelationshipStatus.choices, blank=True
    )
    residence_postcode = EncryptedCharField(max_length=10, subject_field="subject", blank=True)
    residence_lsoa11 = _area("+")
    residence_lsoa21 = _area("+")
    residence_msoa21 = _area("+")
    residence_borough = _area("+")
    residence_ics = _area("+")

    date_found = models.DateField(db_index=True)
    time_found = models.TimeField(null=True, blank=True)
    date_of_death = models.DateField(null=True, blank=True, db_index=True)
    time_of_death = models.TimeField(null=True, blank=True)
    incident_postcode = EncryptedCharField(max_length=10, subject_field="subject", blank=True)
    incident_point = EncryptedJSONField(subject_field="subject", null=True, blank=True)
    incident_lat = models.FloatField(null=True, blank=True)
    incident_lon = models.FloatField(null=True, blank=True)
    incident_lsoa11 = _area("+")
    incident_lsoa21 = _area("+")
    incident_msoa21 = _area("+")
    incident_borough = _area("+")
    incident_ics = _area("+")
    location_type = models.CharField(max_length=32, choices=codes.LocationType.choices, blank=True)
    method_group = models.CharField(max_length=48, choices=codes.MethodGroup.choices, blank=True)
    substances = models.ManyToManyField(Substance, blank=True, related_name="cases")
    circumstances = models.JSONField(default=list, blank=True)
    known_to_mental_health_services = models.BooleanField(null=True, blank=True)
    mental_health_trust = models.ForeignKey(
        ORG, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    narrative = EncryptedTextField(subject_field="subject", blank=True)
    flags = models.JSONField(default=list, blank=True)

    first_reported_by = models.ForeignKey(ORG, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    is_example = models.BooleanField(default=False, help_text="Synthetic demonstration case")

    data_classification: ClassVar[dict[str, Classification]] = {
        "reference": C.PSEUDONYMOUS,
        "status": C.SENSITIVE,
        "conclusion": C.SENSITIVE,
        "inquest_date": C.SENSITIVE,
        "merged_into": C.PSEUDONYMOUS,
        "subject": C.PSEUDONYMOUS,
        "given_name": C.IDENTIFIABLE,
        "family_name": C.IDENTIFIABLE,
        "date_of_birth": C.IDENTIFIABLE,
        "nhs_number": C.IDENTIFIABLE,
        "age": C.SENSITIVE,
        "sex": C.SENSITIVE,
        "gender_identity": C.IDENTIFIABLE,
        "ethnicity": C.SENSITIVE,
        "employment_status": C.SENSITIVE,
        "occupation": C.IDENTIFIABLE,
        "relationship_status": C.SENSITIVE,
        "residence_postcode": C.IDENTIFIABLE,
        "residence_lsoa11": C.PSEUDONYMOUS,
        "residence_lsoa21": C.PSEUDONYMOUS,
        "residence_msoa21": C.PSEUDONYMOUS,
        "residence_borough": C.PSEUDONYMOUS,
        "residence_ics": C.PSEUDONYMOUS,
        "date_found": C.SENSITIVE,
        "time_found": C.SENSITIVE,
        "date_of_death": C.SENSITIVE,
        "time_of_death": C.SENSITIVE,
        "incident_postcode": C.IDENTIFIABLE,
        "incident_point": C.IDENTIFIABLE,
        # Exact for public places (locations of concern need them), an area centroid for homes: see
        # `places.py`.
        "incident_lat": C.SENSITIVE,
        "incident_lon": C.SENSITIVE,
        "incident_lsoa11": C.PSEUDONYMOUS,
        "incident_lsoa21": C.PSEUDONYMOUS,
        "incident_msoa21": C.PSEUDONYMOUS,
        "incident_borough": C.PSEUDONYMOUS,
        "incident_ics": C.PSEUDONYMOUS,
        "location_type": C.SENSITIVE,
        "method_group": C.SENSITIVE,
        "circumstances": C.SENSITIVE,
        "known_to_mental_health_services": C.SENSITIVE,
        "mental_health_trust": C.SENSITIVE,
        "narrative": C.IDENTIFIABLE,
        "flags": C.PSEUDONYMOUS,
        "first_reported_by": C.PSEUDONYMOUS,
        "created_at": C.PSEUDONYMOUS,
        "updated_at": C.PSEUDONYMOUS,
        "is_example": C.PUBLIC,
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["residence_borough", "date_of_death"]),
            models.Index(fields=["incident_borough", "date_of_death"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def age_band(self) -> str:
        return codes.age_band(self.age)

    @property
    def status_label(self) -> str:
        return codes.label(codes.Status, self.status)

    @property
    def method_label(self) -> str:
        return codes.label(codes.MethodGroup, self.method_group)

    @property
    def borough(self) -> Any:
        """The borough the case belongs to for lists: residence, else incident."""
        return self.residence_borough or self.incident_borough


class AgencyReport(models.Model):
    """One agency's submission about a death: who, which organisation, when, and exactly which fields it
    gave."""

    class Via(models.TextChoices):
        WEB = "web", "Web form"
        API = "api", "API"
        CSV = "csv", "CSV import"

    class Link(models.TextChoices):
        NEW = "new", "Opened the case"
        NHS_NUMBER = "nhs_number", "Linked automatically: same NHS number"
        NAME_AND_DOB = "name_and_dob", "Linked automatically: same names and date of birth"
        ADDED = "added", "Added to the case by the agency"
        MERGED = "merged", "Moved here when a duplicate case was merged"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reports")
    original_case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(DataSubject, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(ORG, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    api_key = models.ForeignKey(
        "accounts.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=8, choices=Via.choices)
    link = models.CharField(max_length=16, choices=Link.choices, default=Link.NEW)
    reporting_reference = models.CharField(max_length=100, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    data = EncryptedJSONField(subject_field="subject")
    fields = models.JSONField(default=list)
    nhs_index = BlindIndexField(blank=True, db_index=True)
    name_dob_index = BlindIndexField(blank=True, db_index=True)

    data_classification: ClassVar[dict[str, Classification]] = {
        "case": C.PSEUDONYMOUS,
        "original_case": C.PSEUDONYMOUS,
        "subject": C.PSEUDONYMOUS,
        "organisation": C.PSEUDONYMOUS,
        "submitted_by": C.PSEUDONYMOUS,
        "api_key": C.PSEUDONYMOUS,
        "via": C.PSEUDONYMOUS,
        "link": C.PSEUDONYMOUS,
        "reporting_reference": C.PSEUDONYMOUS,
        "submitted_at": C.PSEUDONYMOUS,
        "data": C.IDENTIFIABLE,
        "fields": C.PSEUDONYMOUS,
        "nhs_index": C.PSEUDONYMOUS,
        "name_dob_index": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"{self.organisation} report on {self.case}"


class CaseOrganisation(models.Model):
    """An organisation's standing on a case: it reported it, or was notified of it. Drives reporters'
    reach."""

    class Relation(models.TextChoices):
        REPORTED = "reported", "Reported"
        NOTIFIED = "notified", "Notified"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="organisations")
    organisation = models.ForeignKey(ORG, on_delete=models.PROTECT, related_name="case_links")
    relation = models.CharField(max_length=10, choices=Relation.choices)
    created_at = models.DateTimeField(default=timezone.now)

    data_classification: ClassVar[dict[str, Classification]] = {
        "case": C.PSEUDONYMOUS,
        "organisation": C.PSEUDONYMOUS,
        "relation": C.PSEUDONYMOUS,
        "created_at": C.PSEUDONYMOUS,
    }

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "organisation", "relation"], name="case_org_unique")
        ]
        indexes = [models.Index(fields=["organisation", "case"])]

    def __str__(self) -> str:
        return f"{self.get_relation_display()}: {self.organisation_id} on case {self.case_id}"


class NextOfKin(models.Model):
    """A bereaved person, with their own data key, contact details and their consent to a bereavement
    referral."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="next_of_kin")
    original_case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    report = models.ForeignKey(
        AgencyReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.ForeignKey(DataSubject, on_delete=models.PROTECT, related_name="+")
    name = EncryptedCharField(max_length=200, subject_field="subject")
    relationship = models.CharField(max_length=16, choices=codes.Relationship.choices)
    phone = EncryptedCharField(max_length=20, subject_field="subject", blank=True)
    email = EncryptedCharField(max_length=254, subject_field="subject", blank=True)
    address = EncryptedTextField(subject_field="subject", blank=True)
    postcode = EncryptedCharField(max_length=10, subject_field="subject", blank=True)
    borough = models.ForeignKey(AREA, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    language = models.CharField(max_length=60, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    safety_concerns = EncryptedTextField(subject_field="subject", blank=True)
    support_wanted = EncryptedTextField(subject_field="subject", blank=True)
    consent_to_referral = models.CharField(
        max_length=10, choices=codes.Consent.choices, default=codes.Consent.NOT_ASKED
    )
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    consent_recorded_by_organisation = models.ForeignKey(
        ORG, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_by_organisation = models.ForeignKey(ORG, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    data_classification: ClassVar[dict[str, Classification]] = {
        "case": C.PSEUDONYMOUS,
        "original_case": C.PSEUDONYMOUS,
        "report": C.PSEUDONYMOUS,
        "subject": C.PSEUDONYMOUS,
        "name": C.IDENTIFIABLE,
        "relationship": C.SENSITIVE,
        "phone": C.IDENTIFIABLE,
        "email": C.IDENTIFIABLE,
        "address": C.IDENTIFIABLE,
        "postcode": C.IDENTIFIABLE,
        "borough": C.PSEUDONYMOUS,
        "language": C.SENSITIVE,
        "interpreter_needed": C.SENSITIVE,
        "safety_concerns": C.IDENTIFIABLE,
        "support_wanted": C.IDENTIFIABLE,
        "consent_to_referral": C.SENSITIVE,
        "consent_recorded_at": C.PSEUDONYMOUS,
        "consent_recorded_by": C.PSEUDONYMOUS,
        "consent_recorded_by_organisation": C.PSEUDONYMOUS,
        "added_by_organisation": C.PSEUDONYMOUS,
        "created_at": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "next of kin"

    def __str__(self) -> str:
        return f"Next of kin on {self.case}"


class StatusChange(models.Model):
    """A step in a case's lifecycle, with its reason (inquest dates and conclusions included)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=24, choices=codes.Status.choices)
    to_status = models.CharField(max_length=24, choices=codes.Status.choices)
    conclusion = models.CharField(max_length=32, choices=codes.Conclusion.choices, blank=True)
    inquest_date = models.DateField(null=True, blank=True)
    reason = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(ORG, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    data_classification: ClassVar[dict[str, Classification]] = {
        "case": C.PSEUDONYMOUS,
        "from_status": C.SENSITIVE,
        "to_status": C.SENSITIVE,
        "conclusion": C.SENSITIVE,
        "inquest_date": C.SENSITIVE,
        "reason": C.SENSITIVE,
        "by": C.PSEUDONYMOUS,
        "organisation": C.PSEUDONYMOUS,
        "at": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status} → {self.to_status}"


class DuplicateCandidate(models.Model):
    """A pair of cases that may be the same death, waiting for a surveillance lead to compare them."""

    class State(models.TextChoices):
        OPEN = "open", "Waiting for review"
        MERGED = "merged", "Merged"
        DISMISSED = "dismissed", "Not the same death"

    case_a = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    case_b = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    components = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    data_classification: ClassVar[dict[str, Classification]] = {
        "case_a": C.PSEUDONYMOUS,
        "case_b": C.PSEUDONYMOUS,
        "score": C.PSEUDONYMOUS,
        "components": C.PSEUDONYMOUS,
        "state": C.PSEUDONYMOUS,
        "decided_by": C.PSEUDONYMOUS,
        "decided_at": C.PSEUDONYMOUS,
        "reason": C.SENSITIVE,
        "created_at": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["-score", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["case_a", "case_b"], name="duplicate_pair_unique")]

    def __str__(self) -> str:
        return f"cases {self.case_a_id} and {self.case_b_id} ({self.score:.1f}, {self.state})"


class CaseMerge(models.Model):
    """A merge of a duplicate case into a surviving one, with what moved, so it can be undone exactly."""

    survivor = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    duplicate = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    moved_reports = models.JSONField(default=list)
    moved_next_of_kin = models.JSONField(default=list)
    added_links = models.JSONField(default=list)
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undo_reason = models.TextField(blank=True)

    data_classification: ClassVar[dict[str, Classification]] = {
        "survivor": C.PSEUDONYMOUS,
        "duplicate": C.PSEUDONYMOUS,
        "moved_reports": C.PSEUDONYMOUS,
        "moved_next_of_kin": C.PSEUDONYMOUS,
        "added_links": C.PSEUDONYMOUS,
        "reason": C.SENSITIVE,
        "by": C.PSEUDONYMOUS,
        "at": C.PSEUDONYMOUS,
        "undone_at": C.PSEUDONYMOUS,
        "undone_by": C.PSEUDONYMOUS,
        "undo_reason": C.SENSITIVE,
    }

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"case {self.duplicate_id} merged into {self.survivor_id}"


class BreakGlass(models.Model):
    """A surveillance lead's time-limited access to a case outside their scope, with the reason they gave."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(ORG, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="break_glass")
    reason = models.TextField()
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    data_classification: ClassVar[dict[str, Classification]] = {
        "user": C.PSEUDONYMOUS,
        "organisation": C.PSEUDONYMOUS,
        "case": C.PSEUDONYMOUS,
        "reason": C.SENSITIVE,
        "started_at": C.PSEUDONYMOUS,
        "expires_at": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"user {self.user_id} on case {self.case_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class ReportDraft(models.Model):
    """A report being written in the web form: saved at every step so it can be resumed. Encrypted with a data
    key of its own, shredded when the draft is submitted or discarded."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(ORG, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(DataSubject, on_delete=models.PROTECT, related_name="+")
    data = EncryptedJSONField(subject_field="subject", default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    data_classification: ClassVar[dict[str, Classification]] = {
        "user": C.PSEUDONYMOUS,
        "organisation": C.PSEUDONYMOUS,
        "case": C.PSEUDONYMOUS,
        "subject": C.PSEUDONYMOUS,
        "data": C.IDENTIFIABLE,
        "created_at": C.PSEUDONYMOUS,
        "updated_at": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"draft {self.pk} by user {self.user_id}"


class IdempotencyRecord(models.Model):
    """The first answer to an API write made with an `Idempotency-Key`, so a retry gets the same answer."""

    organisation = models.ForeignKey(ORG, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=200)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    data_classification: ClassVar[dict[str, Classification]] = {
        "organisation": C.PSEUDONYMOUS,
        "key": C.PSEUDONYMOUS,
        "method": C.PSEUDONYMOUS,
        "path": C.PSEUDONYMOUS,
        "body_hash": C.PSEUDONYMOUS,
        "status_code": C.PSEUDONYMOUS,
        "response": C.PSEUDONYMOUS,
        "created_at": C.PSEUDONYMOUS,
    }

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="idempotency_key_unique")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.organisation_id})"
