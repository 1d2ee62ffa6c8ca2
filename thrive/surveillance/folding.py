"""Turning a case's agency reports into its current picture, and reading provenance and conflicts back out.

The case's columns are derived, never edited directly: `refresh_case` folds every report (latest wins per
field), resolves places to areas, normalises substances and derives the age. Provenance keeps every report's
value so the case page can show who said what, when, and where agencies disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from thrive.accounts.models import Organisation
from thrive.surveillance import places, report_data, substances
from thrive.surveillance.models import AgencyReport, Case, Substance
from thrive.surveillance.validation import age_on


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _time(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


def current_values(case: Case, reports: list[AgencyReport] | None = None) -> dict[str, Any]:
    reports = reports if reports is not None else list(_reports(case))
    return report_data.fold([report.data for report in reports])


def apply_current(
    case: Case,
    current: dict[str, Any],
    *,
    home: places.Where,
    scene: places.Where,
    trust: Organisation | None,
) -> list[str]:
    """Set the case's columns from the folded values and resolved places (not saved); returns the flags, less
    the substance flag, which needs the vocabulary (see `refresh_case`)."""
    case.given_name = current.get("deceased.given_name", "")
    case.family_name = current.get("deceased.family_name", "")
    case.date_of_birth = _date(current.get("deceased.date_of_birth"))
    case.nhs_number = current.get("deceased.nhs_number", "")
    case.sex = current.get("deceased.sex", "")
    case.gender_identity = current.get("deceased.gender_identity", "")
    case.ethnicity = current.get("deceased.ethnicity", "")
    case.employment_status = current.get("deceased.employment_status", "")
    case.occupation = current.get("deceased.occupation", "")
    case.relationship_status = current.get("deceased.relationship_status", "")
    case.residence_postcode = current.get("deceased.residence_postcode", "")
    for level in places.LEVELS:
        setattr(case, f"residence_{level}", home.areas.get(level))
        setattr(case, f"incident_{level}", scene.areas.get(level))
    case.date_found = _date(current.get("date_found")) or case.date_found
    case.time_found = _time(current.get("time_found"))
    case.date_of_death = _date(current.get("date_of_death"))
    case.time_of_death = _time(current.get("time_of_death"))
    died = case.date_of_death or case.date_found
    case.age = (
        age_on(case.date_of_birth, died) if case.date_of_birth and died else current.get("deceased.age")
    )
    case.incident_postcode = current.get("incident.postcode", "")
    case.incident_point = current.get("incident.location")
    case.location_type = current.get("incident.location_type", "")
    case.incident_lat, case.incident_lon = places.clear_point(scene, case.location_type)
    case.method_group = current.get("incident.method_group", "")
    case.circumstances = sorted(current.get("circumstances", []))
    case.known_to_mental_health_services = current.get("known_to_mental_health_services")
    case.mental_health_trust = trust
    case.narrative = current.get("narrative", "")
    flags = []
    if home.flag:
        flags.append(f"residence_{home.flag}")
    if scene.flag:
        flags.append(f"incident_{scene.flag}")
    return flags


def fold_reports(case: Case, reports: list[AgencyReport]) -> tuple[list[str], list[Substance]]:
    """Set the case's columns from these reports without saving (a new case is folded before its first
    save, so it is saved once); returns the flags raised and the case's substances, to set once saved."""
    current = current_values(case, reports)
    trust_slug = current.get("mental_health_trust")
    trust = Organisation.objects.filter(slug=trust_slug).first() if trust_slug else None
    flags = apply_current(
        case, current, home=places.residence(current), scene=places.incident(current), trust=trust
    )
    rows = substances.substances_for(substances.normalise(current.get("incident.substances", [])))
    if any(row.is_new for row in rows):
        flags.append("new_substance")
    case.flags = flags
    case.updated_at = timezone.now()
    return flags, rows


def refresh_case(case: Case, reports: list[AgencyReport] | None = None) -> list[str]:
    """Recompute the case's columns from its reports and save them; returns the flags raised."""
    flags, rows = fold_reports(case, reports if reports is not None else list(_reports(case)))
    case.save()
    case.substances.set(rows)
    return flags


def _reports(case: Case) -> QuerySet[AgencyReport]:
    return case.reports.order_by("submitted_at", "id")


FLAG_TEXT = {
    "residence_outside_region": "The home postcode is outside the region.",
    "residence_postcode_not_found": "The home postcode was not found in the postcode table.",
    "incident_outside_region": "The incident location is outside the region.",
    "incident_postcode_not_found": "The incident postcode was not found in the postcode table.",
    "incident_not_located": "The map point could not be placed in an area (boundaries not loaded).",
    "new_substance": "A substance not in the vocabulary was reported (flagged as new).",
}


EXACT_AGE = frozenset({"deceased.age"})  # pseudonymised views show the age band instead


@dataclass
class Said:
    """One agency's value for one field."""

    organisation: str
    at: Any
    text: str
    report_id: int


@dataclass
class FieldRow:
    spec: report_data.FieldSpec
    current: str
    said: list[Said] = field(default_factory=list)

    @property
    def conflict(self) -> bool:
        return len({s.text for s in self.said}) > 1


def provenance(
    reports: list[AgencyReport], *, identifiable: bool, names: dict[str, str]
) -> dict[str, list[FieldRow]]:
    """Field rows by section, each with every agency's value: the case page's provenance and conflicts."""
    current = report_data.fold([r.data for r in reports])
    sections: dict[str, list[FieldRow]] = {key: [] for key in report_data.SECTIONS}
    for spec in report_data.FIELDS:
        if not identifiable and (spec.classification == report_data.C.IDENTIFIABLE or spec.key in EXACT_AGE):
            continue
        said = [
            Said(
                organisation=r.organisation.name,
                at=r.submitted_at,
                report_id=r.pk,
                text=report_data.display(spec, r.data.get(spec.key), names),
            )
            for r in reports
            if not report_data.is_empty(r.data.get(spec.key))
        ]
        row = FieldRow(spec=spec, current=report_data.display(spec, current.get(spec.key), names), said=said)
        sections[report_data.section_of(spec)].append(row)
    return sections
