"""The coded values of a case, exactly as CONTRACTS.md "Codes" fixes them, with the plain-English labels forms
show.

Codes are what the API, CSV files and the database hold; labels are only for people. Lists may grow, never
change meaning, so nothing here is renamed once released.
"""

from __future__ import annotations

from django.db import models


class Sex(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    NOT_KNOWN = "not_known", "Not known"


class Ethnicity(models.TextChoices):
    """NHS Data Dictionary ethnic category codes, shown with their ONS 2021 census labels."""

    A = "A", "White: English, Welsh, Scottish, Northern Irish or British"
    B = "B", "White: Irish"
    C = "C", "White: Other White (including Gypsy or Irish Traveller and Roma)"
    D = "D", "Mixed or Multiple ethnic groups: White and Black Caribbean"
    E = "E", "Mixed or Multiple ethnic groups: White and Black African"
    F = "F", "Mixed or Multiple ethnic groups: White and Asian"
    G = "G", "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups"
    H = "H", "Asian, Asian British or Asian Welsh: Indian"
    J = "J", "Asian, Asian British or Asian Welsh: Pakistani"
    K = "K", "Asian, Asian British or Asian Welsh: Bangladeshi"
    L = "L", "Asian, Asian British or Asian Welsh: Other Asian"
    M = "M", "Black, Black British, Black Welsh, Caribbean or African: Caribbean"
    N = "N", "Black, Black British, Black Welsh, Caribbean or African: African"
    P = "P", "Black, Black British, Black Welsh, Caribbean or African: Other Black"
    R = "R", "Asian, Asian British or Asian Welsh: Chinese"
    S = "S", "Other ethnic group: Any other ethnic group (including Arab)"
    Z = "Z", "Not stated"
    NOT_KNOWN = "99", "Not known"


class EmploymentStatus(models.TextChoices):
    EMPLOYED = "employed", "Employed"
    SELF_EMPLOYED = "self_employed", "Self-employed"
    UNEMPLOYED = "unemployed", "Unemployed"
    STUDENT = "student", "Student"
    RETIRED = "retired", "Retired"
    LONG_TERM_SICK = "long_term_sick_or_disabled", "Long-term sick or disabled"
    LOOKING_AFTER_HOME = "looking_after_home_or_family", "Looking after home or family"
    OTHER = "other", "Other"
    NOT_KNOWN = "not_known", "Not known"


class RelationshipStatus(models.TextChoices):
    """Not fixed by CONTRACTS.md: the police template's relationship status, kept short."""

    SINGLE = "single", "Single"
    MARRIED = "married_or_civil_partnership", "Married or in a civil partnership"
    COHABITING = "cohabiting", "Living with a partner"
    SEPARATED = "separated", "Separated"
    DIVORCED = "divorced_or_dissolved", "Divorced or civil partnership dissolved"
    WIDOWED = "widowed", "Widowed"
    NOT_KNOWN = "not_known", "Not known"


class LocationType(models.TextChoices):
    HOME = "home", "Home"
    OTHER_RESIDENCE = "other_residence", "Another residence"
    HEALTHCARE = "healthcare_setting", "Healthcare setting"
    CUSTODY = "custody", "Custody"
    RAILWAY = "railway", "Railway"
    ROAD = "road", "Road"
    BRIDGE = "bridge", "Bridge"
    HIGH_BUILDING = "high_building_or_car_park", "High building or car park"
    CLIFF = "cliff_or_natural_height", "Cliff or natural height"
    WATER = "water", "Water"
    PARK = "park_or_woodland", "Park or woodland"
    HOTEL = "hotel", "Hotel"
    WORKPLACE = "workplace", "Workplace"
    OTHER_PUBLIC = "other_public", "Other public place"
    NOT_KNOWN = "not_known", "Not known"


PUBLIC_LOCATION_TYPES = frozenset(
    {
        "railway",
        "road",
        "bridge",
        "high_building_or_car_park",
        "cliff_or_natural_height",
        "water",
        "park_or_woodland",
        "hotel",
        "other_public",
    }
)


class MethodGroup(models.TextChoices):
    HANGING = "hanging_strangulation_suffocation", "Hanging, strangulation and suffocation"
    POISONING = "poisoning", "Poisoning"
    MOVING_OBJECT = "jumping_or_lying_before_moving_object", "Jumping or lying before a moving object"
    FALL = "fall_from_height", "Fall from height"
    DROWNING = "drowning", "Drowning"
    SHARP = "sharp_object", "Sharp object"
    FIREARM = "firearm", "Firearm"
    FIRE = "fire_or_burns", "Fire or burns"
    OTHER = "other", "Other"
    NOT_KNOWN = "not_known", "Not known"


class Circumstance(models.TextChoices):
    MENTAL_HEALTH_CONDITION = "mental_health_condition", "Mental health condition"
    KNOWN_TO_MH_SERVICES = "known_to_mental_health_services", "Known to mental health services"
    PREVIOUS_SELF_HARM = "previous_self_harm", "Previous self-harm"
    KNOWN_TO_POLICE = "known_to_police", "Known to police"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
    PHYSICAL_HEALTH = "physical_health", "Physical health problems"
    RELATIONSHIP = "relationship_problems", "Relationship problems"
    BEREAVEMENT = "bereavement", "Bereavement"
    FINANCIAL = "financial_or_debt_problems", "Financial or debt problems"
    EMPLOYMENT = "employment_problems", "Employment problems"
    HOUSING = "housing_problems", "Housing problems"
    DA_VICTIM = "domestic_abuse_victim", "Victim of domestic abuse"
    DA_PERPETRATOR = "domestic_abuse_perpetrator", "Perpetrator of domestic abuse"
    CJS_CONTACT = "criminal_justice_contact", "Contact with the criminal justice system"
    RECENT_RELEASE = "recent_release_from_custody", "Recently released from custody"
    RECENT_CRISIS = "recent_crisis", "A crisis in the last 2 weeks"
    VETERAN = "veteran", "Veteran"
    STUDENT = "student", "Student"


class Relationship(models.TextChoices):
    PARENT = "parent", "Parent"
    PARTNER = "partner", "Partner"
    CHILD = "child", "Child"
    SIBLING = "sibling", "Brother or sister"
    GRANDPARENT = "grandparent", "Grandparent"
    OTHER_FAMILY = "other_family", "Other family member"
    FRIEND = "friend", "Friend"
    OTHER = "other", "Other"


class Consent(models.TextChoices):
    YES = "yes", "Yes, they agree to a referral"
    NO = "no", "No, they do not want a referral"
    NOT_ASKED = "not_asked", "Not asked yet"
    LATER = "later", "They will decide later"


class Status(models.TextChoices):
    SUSPECTED = "suspected", "Suspected suicide"
    CORONER = "coroner_investigation", "Under coroner investigation"
    CONCLUDED = "concluded", "Inquest concluded"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn (not a suspected suicide)"
    MERGED = "merged", "Merged into another case"


class Conclusion(models.TextChoices):
    SUICIDE = "suicide", "Suicide"
    NARRATIVE = "narrative", "Narrative"
    OPEN = "open", "Open"
    ACCIDENT = "accident_or_misadventure", "Accident or misadventure"
    DRUG_RELATED = "drug_related", "Drug-related"
    OTHER = "other", "Other"


# The lifecycle: which status may follow which (merging is its own action, never a plain status change).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SUSPECTED: frozenset({Status.CORONER, Status.WITHDRAWN}),
    Status.CORONER: frozenset({Status.CONCLUDED, Status.WITHDRAWN, Status.SUSPECTED}),
    Status.CONCLUDED: frozenset({Status.CLOSED, Status.CORONER}),
    Status.CLOSED: frozenset({Status.CONCLUDED}),
    Status.WITHDRAWN: frozenset({Status.SUSPECTED}),
    Status.MERGED: frozenset(),
}
OPEN_STATUSES = frozenset({Status.SUSPECTED, Status.CORONER, Status.CONCLUDED, Status.CLOSED})

AGE_BANDS = ((10, 24, "10-24"), (25, 44, "25-44"), (45, 64, "45-64"), (65, 200, "65+"))


def age_band(age: int | None) -> str:
    """The published age bands (England's national system: 10-24, 25-44, 45-64, 65+)."""
    if age is None:
        return "not known"
    for low, high, label in AGE_BANDS:
        if low <= age <= high:
            return label
    return "under 10"


def label(choices: type[models.TextChoices], value: str | None) -> str:
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return value
