"""The directory's two small taxonomies, kinds of service and kinds of event (see docs/directory.md).

Codes are stable (the ORUK API, the CSV import and saved links use them); labels and descriptions are what the
public sees, in plain English. A code may be added, never repurposed.
"""

from __future__ import annotations

import uuid

from django.db import models

# Namespace for the stable UUIDs the Open Referral UK API gives things Thrive keys by code or slug.
ORUK_NAMESPACE = uuid.UUID("6f1d7c52-1f0e-4e7b-9a8c-5b2f0c7d9e41")
TAXONOMY_NAME = "Thrive service types"
TAXONOMY_URI = "https://thrive.example.org/taxonomy/service-types"


class ServiceType(models.TextChoices):
    PERINATAL_COMMUNITY = "perinatal_community", "Perinatal mental health team"
    MOTHER_AND_BABY_UNIT = "mother_and_baby_unit", "Mother and baby unit"
    TALKING_THERAPIES = "talking_therapies", "NHS Talking Therapies"
    EMPLOYMENT_SUPPORT = "employment_support", "Employment support (IPS)"
    BEREAVEMENT_SUPPORT = "bereavement_support", "Bereavement support"
    CRISIS_LINE = "crisis_line", "Crisis line"
    CRISIS_SAFE_HAVEN = "crisis_safe_haven", "Crisis café or safe haven"
    COMMUNITY_SUPPORT = "community_support", "Community and peer support"
    DIGITAL = "digital", "Online and app support"
    CHILDREN_AND_YOUNG_PEOPLE = "children_and_young_people", "Children and young people"
    CARERS = "carers", "Support for carers"


SERVICE_TYPE_DESCRIPTIONS: dict[str, str] = {
    ServiceType.PERINATAL_COMMUNITY: "Specialist NHS mental health care during pregnancy and up to 2 years "
    "after birth, usually through a GP, midwife or health visitor.",
    ServiceType.MOTHER_AND_BABY_UNIT: "A hospital ward where a mother who is very unwell can stay with her "
    "baby and get specialist care.",
    ServiceType.TALKING_THERAPIES: "Free NHS talking therapy for anxiety and depression. You can refer "
    "yourself.",
    ServiceType.EMPLOYMENT_SUPPORT: "Help to find and keep paid work alongside mental health care "
    "(Individual Placement and Support).",
    ServiceType.BEREAVEMENT_SUPPORT: "Support after someone has died, including specialist support for "
    "people bereaved by suicide.",
    ServiceType.CRISIS_LINE: "Phone and text lines you can contact at any time if you are struggling to "
    "cope.",
    ServiceType.CRISIS_SAFE_HAVEN: "A place you can go in the evening or at weekends when you feel you are "
    "reaching crisis, without an appointment.",
    ServiceType.COMMUNITY_SUPPORT: "Local groups, peer support, activities and advice run by charities and "
    "community organisations.",
    ServiceType.DIGITAL: "Support you can use online or through an app, at a time that suits you.",
    ServiceType.CHILDREN_AND_YOUNG_PEOPLE: "Mental health support for children, young people and their "
    "families.",
    ServiceType.CARERS: "Support for people who look after someone with a mental health problem.",
}


class EventType(models.TextChoices):
    TALK = "talk", "Talk or discussion"
    WORKSHOP = "workshop", "Workshop or course"
    ACTIVITY = "activity", "Walk, sport or physical activity"
    CREATIVE = "creative", "Arts and creative"
    PEER_SUPPORT = "peer_support", "Peer support group"
    DROP_IN = "drop_in", "Drop-in or information stall"
    TRAINING = "training", "Training (for example suicide prevention)"
    FAMILY = "family", "Family and children"
    OTHER = "other", "Something else"


def taxonomy_term_id(code: str) -> uuid.UUID:
    """The stable ORUK taxonomy_term id of a service type."""
    return uuid.uuid5(ORUK_NAMESPACE, f"service-type:{code}")


def taxonomy_id() -> uuid.UUID:
    return uuid.uuid5(ORUK_NAMESPACE, "taxonomy:service-types")


def service_type_for_term(value: str) -> str | None:
    """A service type code from an ORUK taxonomy_term_id, which may be the term's UUID or the code itself."""
    if value in ServiceType.values:
        return value
    for code in ServiceType.values:
        if str(taxonomy_term_id(code)) == value.lower():
            return code
    return None
