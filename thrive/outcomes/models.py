"""Patients, episodes and their outcome assessments; DIALOG+ sessions; one-time patient links; the per-episode
summaries the dashboards read.

A patient is pseudonymous: a local identifier, year and month of birth, sex, ethnicity and the areas their
postcode placed them in (the postcode itself is not kept). An NHS number, when given, is encrypted under the
patient's own data key and found again through a blind index. Answers and scores are special-category health
data that identify nobody alone (sensitive); the free text of DIALOG+ sessions and amendment reasons is
encrypted like any narrative.
"""

from __future__ import annotations

import datetime
import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from thrive.accounts.models import Organisation, Team
from thrive.core.classification import C, Classification
from thrive.core.crypto import BlindIndexField, DataSubject, EncryptedCharField, EncryptedTextField
from thrive.geography.models import Area
from thrive.outcomes.codes import (
    ActionReview,
    ActionWho,
    EndReason,
    EthnicGroup,
    Ethnicity,
    Mode,
    ServiceLine,
    Sex,
    Source,
    Status,
    Timepoint,
)

USER = settings.AUTH_USER_MODEL


class PlaceSource(models.TextChoices):
    POSTCODE = "postcode", "From the postcode"
    BOROUGH = "borough", "Borough given"
    NOT_KNOWN = "not_known", "Not known"


class Patient(models.Model):
    """A trust's patient, known by the trust's pseudonymous local identifier."""

    subject = models.ForeignKey(DataSubject, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="outcome_patients")
    local_id = models.CharField(max_length=20)
    nhs_number = EncryptedCharField(max_length=10, blank=True, subject_field="subject")
    nhs_number_index = BlindIndexField()
    birth_year = models.PositiveSmallIntegerField()
    birth_month = models.PositiveSmallIntegerField()
    sex = models.CharField(max_length=10, choices=Sex.choices)
    ethnicity = models.CharField(max_length=2, choices=Ethnicity.choices)
    lsoa11 = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    borough = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    imd_decile = models.PositiveSmallIntegerField(null=True, blank=True)
    place_source = models.CharField(max_length=10, choices=PlaceSource.choices, default=PlaceSource.NOT_KNOWN)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    data_classification: ClassVar[dict[str, Classification]] = {
        "subject": C.PSEUDONYMOUS,
        "organisation": C.PUBLIC,
        "local_id": C.PSEUDONYMOUS,
        "nhs_number": C.IDENTIFIABLE,
        "nhs_number_index": C.PSEUDONYMOUS,
        "birth_year": C.PSEUDONYMOUS,
        "birth_month": C.PSEUDONYMOUS,
        "sex": C.PSEUDONYMOUS,
        "ethnicity": C.SENSITIVE,
        "lsoa11": C.PSEUDONYMOUS,
        "borough": C.PSEUDONYMOUS,
        "imd_decile": C.PSEUDONYMOUS,
        "place_source": C.PSEUDONYMOUS,
        "created_at": C.PSEUDONYMOUS,
        "created_by": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["local_id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "local_id"], name="outcomes_patient_local_id"),
            models.UniqueConstraint(
                fields=["organisation", "nhs_number_index"],
                condition=~models.Q(nhs_number_index=""),
                name="outcomes_patient_nhs_number",
            ),
            models.CheckConstraint(
                condition=models.Q(birth_month__gte=1, birth_month__lte=12),
                name="outcomes_patient_birth_month",
            ),
        ]

    def __str__(self) -> str:
        return self.local_id

    def age_on(self, day: datetime.date) -> int:
        """Whole years on `day`, counting the birthday as the first of the birth month."""
        return day.year - self.birth_year - (1 if day.month < self.birth_month else 0)


class Episode(models.Model):
    """A referral to a team: from its start to its end (and why it ended)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="episodes")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="outcome_episodes")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=24, choices=EndReason.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    data_classification: ClassVar[dict[str, Classification]] = {
        "patient": C.PSEUDONYMOUS,
        "team": C.PUBLIC,
        "start": C.PSEUDONYMOUS,
        "end": C.PSEUDONYMOUS,
        "end_reason": C.SENSITIVE,
        "created_at": C.PSEUDONYMOUS,
        "created_by": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["-start", "-pk"]
        indexes = [models.Index(fields=["team", "end"], name="outcomes_episode_team_end")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="outcomes_episode_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.patient} with {self.team.name} from {self.start}"

    @property
    def is_open(self) -> bool:
        return self.end is None


class Assessment(models.Model):
    """One completion of a measure. A draft is not counted anywhere; a completed one changes only by
    amendment."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="assessments")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="assessments")
    measure = models.CharField(max_length=16)
    timepoint = models.CharField(max_length=8, choices=Timepoint.choices)
    mode = models.CharField(max_length=12, choices=Mode.choices)
    source = models.CharField(max_length=4, choices=Source.choices, default=Source.WEB)
    status = models.CharField(max_length=9, choices=Status.choices)
    assessed_on = models.DateField()
    answers = models.JSONField(default=dict)
    scores = models.JSONField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True, help_text="The headline score; empty when not valid")
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    data_classification: ClassVar[dict[str, Classification]] = {
        "public_id": C.PSEUDONYMOUS,
        "episode": C.PSEUDONYMOUS,
        "patient": C.PSEUDONYMOUS,
        "measure": C.SENSITIVE,
        "timepoint": C.PSEUDONYMOUS,
        "mode": C.PSEUDONYMOUS,
        "source": C.PSEUDONYMOUS,
        "status": C.PSEUDONYMOUS,
        "assessed_on": C.PSEUDONYMOUS,
        "answers": C.SENSITIVE,
        "scores": C.SENSITIVE,
        "score": C.SENSITIVE,
        "recorded_by": C.PSEUDONYMOUS,
        "organisation": C.PUBLIC,
        "created_at": C.PSEUDONYMOUS,
        "completed_at": C.PSEUDONYMOUS,
        "updated_at": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["assessed_on", "created_at", "pk"]
        indexes = [
            models.Index(fields=["patient", "measure", "assessed_on"], name="outcomes_assessment_patient"),
            models.Index(fields=["episode", "measure", "status"], name="outcomes_assessment_episode"),
            models.Index(fields=["organisation", "-created_at"], name="outcomes_assessment_org"),
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.timepoint} on {self.assessed_on} ({self.status})"

    @property
    def is_completed(self) -> bool:
        return self.status == Status.COMPLETED


class Amendment(models.Model):
    """What a completed assessment said before it was amended, and why it was changed."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="amendments")
    subject = models.ForeignKey(DataSubject, on_delete=models.PROTECT, related_name="+")
    previous_answers = models.JSONField()
    previous_scores = models.JSONField(null=True)
    previous_assessed_on = models.DateField()
    previous_timepoint = models.CharField(max_length=8, choices=Timepoint.choices)
    reason = EncryptedTextField(subject_field="subject")
    amended_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    amended_at = models.DateTimeField(default=timezone.now)

    data_classification: ClassVar[dict[str, Classification]] = {
        "assessment": C.PSEUDONYMOUS,
        "subject": C.PSEUDONYMOUS,
        "previous_answers": C.SENSITIVE,
        "previous_scores": C.SENSITIVE,
        "previous_assessed_on": C.PSEUDONYMOUS,
        "previous_timepoint": C.PSEUDONYMOUS,
        "reason": C.IDENTIFIABLE,
        "amended_by": C.PSEUDONYMOUS,
        "amended_at": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["amended_at", "pk"]

    def __str__(self) -> str:
        return f"amendment of assessment {self.assessment_id} at {self.amended_at:%Y-%m-%d %H:%M}"


class EpisodeOutcome(models.Model):
    """One episode's paired score on one measure, kept up to date by the services, with the groupings the
    dashboards break it down by copied in: a dashboard is then one indexed GROUP BY over one table."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="outcomes")
    measure = models.CharField(max_length=16)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    service_line = models.CharField(max_length=40, choices=ServiceLine.choices, blank=True)
    borough = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ics = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    imd_decile = models.PositiveSmallIntegerField(null=True, blank=True)
    ethnic_group = models.CharField(max_length=10, choices=EthnicGroup.choices)
    sex = models.CharField(max_length=10, choices=Sex.choices)
    age_band = models.CharField(max_length=8)
    episode_open = models.BooleanField(default=True)
    assessments = models.PositiveIntegerField(default=0)
    first_on = models.DateField(null=True, blank=True)
    latest_on = models.DateField(null=True, blank=True)
    first_score = models.FloatField(null=True, blank=True)
    latest_score = models.FloatField(null=True, blank=True)
    paired = models.BooleanField(default=False)
    change = models.CharField(max_length=24, blank=True)
    method = models.CharField(max_length=40, blank=True)
    items_improved = models.PositiveSmallIntegerField(null=True, blank=True)
    items_deteriorated = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    data_classification: ClassVar[dict[str, Classification]] = {
        "episode": C.PSEUDONYMOUS,
        "measure": C.SENSITIVE,
        "organisation": C.PUBLIC,
        "team": C.PUBLIC,
        "service_line": C.PUBLIC,
        "borough": C.PSEUDONYMOUS,
        "ics": C.PSEUDONYMOUS,
        "imd_decile": C.PSEUDONYMOUS,
        "ethnic_group": C.SENSITIVE,
        "sex": C.PSEUDONYMOUS,
        "age_band": C.PSEUDONYMOUS,
        "episode_open": C.PSEUDONYMOUS,
        "assessments": C.SENSITIVE,
        "first_on": C.PSEUDONYMOUS,
        "latest_on": C.PSEUDONYMOUS,
        "first_score": C.SENSITIVE,
        "latest_score": C.SENSITIVE,
        "paired": C.SENSITIVE,
        "change": C.SENSITIVE,
        "method": C.PUBLIC,
        "items_improved": C.SENSITIVE,
        "items_deteriorated": C.SENSITIVE,
        "updated_at": C.PSEUDONYMOUS,
    }

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["episode", "measure"], name="outcomes_episode_measure")
        ]
        indexes = [
            models.Index(fields=["measure", "organisation", "latest_on"], name="outcomes_summary_org"),
            models.Index(fields=["measure", "ics", "latest_on"], name="outcomes_summary_ics"),
        ]

    def __str__(self) -> str:
        return f"{self.measure} over episode {self.episode_id}: {self.change or 'no pair'}"


class PatientLink(models.Model):
    """A one-time link for a patient to answer one questionnaire on their own device.

    Only a hash of the link's secret is kept; the link itself is shown once (and put in the email, if
    sent)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="links")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="links")
    measure = models.CharField(max_length=16)
    timepoint = models.CharField(max_length=8, choices=Timepoint.choices)
    secret_hash = models.CharField(max_length=64)
    emailed = models.BooleanField(default=False)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    assessment = models.OneToOneField(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="link"
    )

    data_classification: ClassVar[dict[str, Classification]] = {
        "patient": C.PSEUDONYMOUS,
        "episode": C.PSEUDONYMOUS,
        "measure": C.SENSITIVE,
        "timepoint": C.PSEUDONYMOUS,
        "secret_hash": C.SENSITIVE,
        "emailed": C.PSEUDONYMOUS,
        "created_by": C.PSEUDONYMOUS,
        "created_at": C.PSEUDONYMOUS,
        "expires_at": C.PSEUDONYMOUS,
        "used_at": C.PSEUDONYMOUS,
        "assessment": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.measure} link {self.pk} for {self.patient}"


class DialogPlusSession(models.Model):
    """A DIALOG+ session: the DIALOG rating, the review of the last session's actions, up to three domains
    discussed in four steps, and the actions agreed."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="dialog_sessions")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="dialog_sessions")
    clinician = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assessment = models.OneToOneField(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="dialog_session"
    )
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    data_classification: ClassVar[dict[str, Classification]] = {
        "episode": C.PSEUDONYMOUS,
        "patient": C.PSEUDONYMOUS,
        "clinician": C.PSEUDONYMOUS,
        "assessment": C.PSEUDONYMOUS,
        "started_at": C.PSEUDONYMOUS,
        "completed_at": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"DIALOG+ session {self.pk} with {self.patient}"


class DialogPlusDomain(models.Model):
    """One domain chosen in a session, with the notes of the four-step approach (the fourth step's actions
    are `DialogPlusAction`s)."""

    session = models.ForeignKey(DialogPlusSession, on_delete=models.CASCADE, related_name="domains")
    subject = models.ForeignKey(DataSubject, on_delete=models.PROTECT, related_name="+")
    item = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField()
    understanding = EncryptedTextField(blank=True, subject_field="subject")
    looking_forward = EncryptedTextField(blank=True, subject_field="subject")
    exploring_options = EncryptedTextField(blank=True, subject_field="subject")

    data_classification: ClassVar[dict[str, Classification]] = {
        "session": C.PSEUDONYMOUS,
        "subject": C.PSEUDONYMOUS,
        "item": C.SENSITIVE,
        "position": C.PSEUDONYMOUS,
        "understanding": C.IDENTIFIABLE,
        "looking_forward": C.IDENTIFIABLE,
        "exploring_options": C.IDENTIFIABLE,
    }

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "item"], name="outcomes_dialog_domain_once")
        ]

    def __str__(self) -> str:
        return f"domain {self.item} of session {self.session_id}"


class DialogPlusAction(models.Model):
    """An action agreed in a session: who does what by when, reviewed at the start of the next session."""

    domain = models.ForeignKey(DialogPlusDomain, on_delete=models.CASCADE, related_name="actions")
    subject = models.ForeignKey(DataSubject, on_delete=models.PROTECT, related_name="+")
    who = models.CharField(max_length=10, choices=ActionWho.choices)
    who_detail = EncryptedCharField(max_length=100, blank=True, subject_field="subject")
    what = EncryptedTextField(subject_field="subject")
    due_on = models.DateField()
    review = models.CharField(max_length=8, choices=ActionReview.choices, default=ActionReview.PENDING)
    reviewed_in = models.ForeignKey(
        DialogPlusSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviewed_actions"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    data_classification: ClassVar[dict[str, Classification]] = {
        "domain": C.PSEUDONYMOUS,
        "subject": C.PSEUDONYMOUS,
        "who": C.PSEUDONYMOUS,
        "who_detail": C.IDENTIFIABLE,
        "what": C.IDENTIFIABLE,
        "due_on": C.PSEUDONYMOUS,
        "review": C.SENSITIVE,
        "reviewed_in": C.PSEUDONYMOUS,
        "reviewed_at": C.PSEUDONYMOUS,
        "created_at": C.PSEUDONYMOUS,
    }

    class Meta:
        ordering = ["domain__session__started_at", "domain__position", "pk"]

    def __str__(self) -> str:
        return f"action {self.pk} ({self.review})"


class ReviewInterval(models.Model):
    """A deployment's own review interval for a service line (otherwise `config.DEFAULT_REVIEW_DAYS`)."""

    service_line = models.CharField(max_length=40, choices=ServiceLine.choices, unique=True)
    days = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField(default=timezone.now)

    data_classification: ClassVar[dict[str, Classification]] = {
        "service_line": C.PUBLIC,
        "days": C.PUBLIC,
        "updated_at": C.PUBLIC,
    }

    def __str__(self) -> str:
        return f"{self.service_line}: every {self.days} days"
