"""One shape for what an agency says about a death, whichever way it arrives (API, web form, CSV import).

A validated report body (the API's nested shape) is flattened to `{"deceased.family_name": "Smith", ...}` with
JSON-safe values and no empty ones: that flat dict is what an `AgencyReport` stores, what provenance compares
field by field, and what folding turns into the case's current picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any

from django.db import models

from thrive.core.classification import C, Classification
from thrive.surveillance import codes


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    classification: Classification
    choices: type[models.TextChoices] | None = None
    kind: str = "text"  # text, date, time, int, bool, list, point, choices-list, org, area


F = FieldSpec
FIELDS: tuple[FieldSpec, ...] = (
    F("deceased.given_name", "Given name", C.IDENTIFIABLE),
    F("deceased.family_name", "Family name", C.IDENTIFIABLE),
    F("deceased.date_of_birth", "Date of birth", C.IDENTIFIABLE, kind="date"),
    F("deceased.age", "Age", C.SENSITIVE, kind="int"),
    F("deceased.nhs_number", "NHS number", C.IDENTIFIABLE),
    F("deceased.sex", "Sex", C.SENSITIVE, codes.Sex),
    F("deceased.gender_identity", "Gender identity", C.IDENTIFIABLE),
    F("deceased.ethnicity", "Ethnicity", C.SENSITIVE, codes.Ethnicity),
    F("deceased.residence_postcode", "Home postcode", C.IDENTIFIABLE),
    F("deceased.residence_area", "Home area (ONS code)", C.PSEUDONYMOUS, kind="area"),
    F("deceased.employment_status", "Employment status", C.SENSITIVE, codes.EmploymentStatus),
    F("deceased.occupation", "Occupation", C.IDENTIFIABLE),
    F("deceased.relationship_status", "Relationship status", C.SENSITIVE, codes.RelationshipStatus),
    F("date_found", "Date found", C.SENSITIVE, kind="date"),
    F("time_found", "Time found", C.SENSITIVE, kind="time"),
    F("date_of_death", "Date of death", C.SENSITIVE, kind="date"),
    F("time_of_death", "Time of death", C.SENSITIVE, kind="time"),
    F("incident.location", "Incident map point", C.IDENTIFIABLE, kind="point"),
    F("incident.postcode", "Incident postcode", C.IDENTIFIABLE),
    F("incident.area_code", "Incident area (ONS code)", C.PSEUDONYMOUS, kind="area"),
    F("incident.location_type", "Location type", C.SENSITIVE, codes.LocationType),
    F("incident.method_group", "Method", C.SENSITIVE, codes.MethodGroup),
    F("incident.substances", "Substances", C.SENSITIVE, kind="list"),
    F(
        "circumstances",
        "Circumstances and risk factors",
        C.SENSITIVE,
        codes.Circumstance,
        kind="choices-list",
    ),
    F("known_to_mental_health_services", "Known to mental health services", C.SENSITIVE, kind="bool"),
    F("mental_health_trust", "Mental health trust", C.SENSITIVE, kind="org"),
    F("narrative", "Narrative", C.IDENTIFIABLE),
)
FIELD_BY_KEY = {spec.key: spec for spec in FIELDS}
SECTIONS = {
    "person": "The person who died",
    "when_where": "When and where",
    "method": "Method and circumstances",
}


def section_of(spec: FieldSpec) -> str:
    if spec.key.startswith("deceased."):
        return "person"
    if spec.key.startswith(("date_", "time_")) or spec.key in (
        "incident.location",
        "incident.postcode",
        "incident.area_code",
        "incident.location_type",
    ):
        return "when_where"
    return "method"


def _json_safe(value: Any) -> Any:
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def flatten(body: dict[str, Any]) -> dict[str, Any]:
    """The flat, JSON-safe form of a validated body, keeping only the case fields that were given."""
    flat: dict[str, Any] = {}
    for spec in FIELDS:
        head, _, tail = spec.key.partition(".")
        value = body.get(head)
        if tail:
            value = value.get(tail) if isinstance(value, dict) else None
        if not is_empty(value):
            flat[spec.key] = _json_safe(value)
    return flat


def fold(flats: list[dict[str, Any]]) -> dict[str, Any]:
    """The current picture: for each field, the latest report that gave it."""
    current: dict[str, Any] = {}
    for flat in flats:
        for key, value in flat.items():
            if key in FIELD_BY_KEY and not is_empty(value):
                current[key] = value
    return current


def display(spec: FieldSpec, value: Any, names: dict[str, str] | None = None) -> str:
    """A value as a person reads it (labels, not codes). `names` maps codes (areas, organisations) to
    names."""
    if is_empty(value):
        return ""
    names = names or {}
    if spec.kind == "bool":
        return "Yes" if value else "No"
    if spec.kind == "point":
        return f"{float(value['lat']):.5f}, {float(value['lon']):.5f}"
    if spec.kind == "date":
        return date.fromisoformat(value).strftime("%-d %B %Y")
    if spec.kind in ("list", "choices-list"):
        return ", ".join(codes.label(spec.choices, v) if spec.choices else str(v) for v in value)
    if spec.kind in ("area", "org"):
        return names.get(str(value), str(value))
    if spec.choices is not None:
        return codes.label(spec.choices, value)
    return str(value)
