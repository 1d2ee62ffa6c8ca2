"""The coded values of the outcomes records, with the plain-English labels forms show.

Codes are what the API, CSV files and the database hold; labels are only for people. Sex and ethnicity are
CONTRACTS.md's codes, shared with the case record (one vocabulary across Thrive).
"""

from __future__ import annotations

from django.db import models

from thrive.surveillance.codes import Ethnicity, Sex

__all__ = [
    "ActionReview",
    "ActionWho",
    "EndReason",
    "Ethnicity",
    "EthnicGroup",
    "Mode",
    "ServiceLine",
    "Sex",
    "Source",
    "Status",
    "Timepoint",
    "ethnic_group",
]


class ServiceLine(models.TextChoices):
    """What a team does; it decides the measures a team uses and how often a review falls due."""

    EARLY_INTERVENTION = "early_intervention_psychosis", "Early intervention in psychosis"
    COMMUNITY = "community_mental_health", "Community mental health"
    PERINATAL = "perinatal", "Perinatal mental health"
    OLDER_ADULTS = "older_adults", "Older adults"
    CHILDREN = "children_young_people", "Children and young people"
    EMPLOYMENT = "employment_support", "Employment support (IPS)"
    CRISIS = "crisis_home_treatment", "Crisis and home treatment"


class Timepoint(models.TextChoices):
    START = "start", "Start of the episode"
    REVIEW = "review", "Review"
    END = "end", "End of the episode"
    SESSION = "session", "Session between reviews"


class Mode(models.TextChoices):
    """How the answers were given: what a reader of the scores needs to know about them."""

    CLINICIAN = "clinician", "Entered by the clinician"
    PAPER = "paper", "Transcribed from a paper form"
    TABLET = "tablet", "On the clinician's tablet"
    PATIENT_LINK = "patient_link", "On the patient's own device (one-time link)"


class Source(models.TextChoices):
    """Which door the record came in by."""

    WEB = "web", "Thrive"
    API = "api", "A trust system, through the API"
    FHIR = "fhir", "A FHIR QuestionnaireResponse"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft (not counted)"
    COMPLETED = "completed", "Completed"


class EndReason(models.TextChoices):
    COMPLETED = "treatment_completed", "Treatment completed"
    TRANSFERRED = "transferred", "Transferred to another service"
    DISENGAGED = "did_not_engage", "Did not engage"
    MOVED = "moved_away", "Moved out of the area"
    DECLINED = "patient_declined", "Patient chose to end"
    DIED = "died", "Died"
    OTHER = "other", "Other"


class ActionWho(models.TextChoices):
    PATIENT = "patient", "The patient"
    CLINICIAN = "clinician", "The clinician"
    TOGETHER = "together", "The patient and the clinician"
    OTHER = "other", "Someone else"


class ActionReview(models.TextChoices):
    PENDING = "pending", "Not yet reviewed"
    DONE = "done", "Done"
    PARTLY = "partly", "Partly done"
    NOT_DONE = "not_done", "Not done"


class EthnicGroup(models.TextChoices):
    """The five broad ONS groups, the level at which equity figures stay large enough to publish."""

    WHITE = "white", "White"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black or Black British"
    OTHER = "other", "Other ethnic group"
    NOT_KNOWN = "not_known", "Not stated or not known"


_GROUP_OF = {
    **dict.fromkeys("ABC", EthnicGroup.WHITE),
    **dict.fromkeys("DEFG", EthnicGroup.MIXED),
    **dict.fromkeys("HJKLR", EthnicGroup.ASIAN),
    **dict.fromkeys("MNP", EthnicGroup.BLACK),
    "S": EthnicGroup.OTHER,
}


def ethnic_group(code: str) -> EthnicGroup:
    return _GROUP_OF.get(code, EthnicGroup.NOT_KNOWN)
