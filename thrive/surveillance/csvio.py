"""CSV import of reports (the police reporting template's fields) and CSV export of cases.

Import checks the header first (a wrong or missing column refuses the whole file, naming the columns), then
each row on its own through the API's serializer: valid rows are committed one transaction each, invalid rows
are listed with their reasons, and no row is ever half saved. A row whose reporting reference this
organisation has already imported is skipped, so uploading a file twice is harmless.

Export follows the data classification: pseudonymised columns for everyone allowed to export; identifying
columns only for a role allowed identifiable exports, and only for rows they see identifiably.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rest_framework import serializers

from thrive.accounts.models import Organisation, User
from thrive.core.api import flatten_errors
from thrive.surveillance import services
from thrive.surveillance.models import AgencyReport, Case
from thrive.surveillance.serializers import CaseReportSerializer

MAX_ROWS = 2000
LIST_SEPARATOR = ";"
# column → (body path); lists are separated by semicolons; `incident_lat`/`incident_lon` make the map point.
COLUMNS: dict[str, str] = {
    "reporting_reference": "reporting_reference",
    "date_found": "date_found",
    "time_found": "time_found",
    "date_of_death": "date_of_death",
    "time_of_death": "time_of_death",
    "given_name": "deceased.given_name",
    "family_name": "deceased.family_name",
    "date_of_birth": "deceased.date_of_birth",
    "age": "deceased.age",
    "nhs_number": "deceased.nhs_number",
    "sex": "deceased.sex",
    "gender_identity": "deceased.gender_identity",
    "ethnicity": "deceased.ethnicity",
    "residence_postcode": "deceased.residence_postcode",
    "residence_area": "deceased.residence_area",
    "employment_status": "deceased.employment_status",
    "occupation": "deceased.occupation",
    "relationship_status": "deceased.relationship_status",
    "incident_lat": "incident.location.lat",
    "incident_lon": "incident.location.lon",
    "incident_postcode": "incident.postcode",
    "incident_area_code": "incident.area_code",
    "location_type": "incident.location_type",
    "method_group": "incident.method_group",
    "substances": "incident.substances",
    "circumstances": "circumstances",
    "known_to_mental_health_services": "known_to_mental_health_services",
    "mental_health_trust": "mental_health_trust",
    "narrative": "narrative",
    "nok_name": "next_of_kin.0.name",
    "nok_relationship": "next_of_kin.0.relationship",
    "nok_phone": "next_of_kin.0.phone",
    "nok_email": "next_of_kin.0.email",
    "nok_postcode": "next_of_kin.0.postcode",
    "nok_borough": "next_of_kin.0.borough",
    "nok_language": "next_of_kin.0.language",
    "nok_interpreter_needed": "next_of_kin.0.interpreter_needed",
    "nok_consent_to_referral": "next_of_kin.0.consent_to_referral",
}
REQUIRED_COLUMNS = ("date_found", "family_name", "sex", "location_type", "method_group")
PATH_TO_COLUMN = {path: column for column, path in COLUMNS.items()}
PATH_TO_COLUMN["incident.location"] = "incident_lat"
LISTS = {"incident.substances", "circumstances"}
BOOLEANS = {"known_to_mental_health_services", "next_of_kin.0.interpreter_needed"}


class WrongColumns(ValueError):
    """The file's header is not the template's."""


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    linked: list[str] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row number, column, message)


def template() -> str:
    out = io.StringIO()
    csv.writer(out).writerow(COLUMNS)
    return out.getvalue()


def _set(body: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node: Any = body
    for index, part in enumerate(parts[:-1]):
        following = parts[index + 1]
        if part.isdigit():
            while len(node) <= int(part):
                node.append({})
            node = node[int(part)]
        else:
            node = node.setdefault(part, [] if following.isdigit() else {})
    node[parts[-1]] = value


def row_body(row: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for column, path in COLUMNS.items():
        raw = (row.get(column) or "").strip()
        if not raw:
            continue
        value: Any = raw
        if path in LISTS:
            value = [part.strip() for part in raw.split(LIST_SEPARATOR) if part.strip()]
        elif path in BOOLEANS:
            value = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}.get(
                raw.lower(), raw
            )
        _set(body, path, value)
    body.setdefault("deceased", {})
    body.setdefault("incident", {})
    return body


def read_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    unknown = [h for h in header if h not in COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if unknown or missing:
        problems = []
        if unknown:
            problems.append(f"unknown columns: {', '.join(unknown)}")
        if missing:
            problems.append(f"missing required columns: {', '.join(missing)}")
        raise WrongColumns(
            f"The file does not match the template ({'; '.join(problems)}). Download the template "
            "and keep its header row."
        )
    reader.fieldnames = header
    rows = [
        (number, row)
        for number, row in enumerate(reader, start=2)
        if any((v or "").strip() for v in row.values() if isinstance(v, str))
    ]
    if len(rows) > MAX_ROWS:
        raise WrongColumns(f"The file has more than {MAX_ROWS} rows: split it into smaller files.")
    return rows


def import_reports(*, text: str, organisation: Organisation, user: User | None) -> ImportResult:
    """Import each valid row as an agency report (one transaction per row); list the rest with reasons."""
    result = ImportResult()
    seen = set(
        AgencyReport.objects.filter(organisation=organisation)
        .exclude(reporting_reference="")
        .values_list("reporting_reference", flat=True)
    )
    for number, row in read_rows(text):
        reference = (row.get("reporting_reference") or "").strip()
        if reference and reference in seen:
            result.skipped.append((number, f"reporting reference {reference} was already imported"))
            continue
        serializer = CaseReportSerializer(data=row_body(row))
        try:
            serializer.is_valid(raise_exception=True)
        except serializers.ValidationError as exc:
            for path, messages in flatten_errors(exc.detail).items():
                column = PATH_TO_COLUMN.get(path) or PATH_TO_COLUMN.get(path.rsplit(".", 1)[0], path)
                result.errors.extend((number, column, m) for m in messages)
            continue
        submission = services.submit_report(
            body=serializer.validated_data, organisation=organisation, via=AgencyReport.Via.CSV, user=user
        )
        (result.linked if submission.linked else result.created).append(submission.case.reference)
        if reference:
            seen.add(reference)
    return result


PSEUDONYMISED_COLUMNS = (
    "reference",
    "status",
    "conclusion",
    "date_found",
    "date_of_death",
    "age_band",
    "sex",
    "ethnicity",
    "employment_status",
    "relationship_status",
    "residence_lsoa11",
    "residence_borough",
    "incident_lsoa11",
    "incident_borough",
    "location_type",
    "method_group",
    "substances",
    "circumstances",
    "known_to_mental_health_services",
)
IDENTIFIABLE_COLUMNS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "age",
    "nhs_number",
    "residence_postcode",
    "incident_postcode",
    "incident_lat",
    "incident_lon",
    "narrative",
)


def _code(area: Any) -> str:
    return area.code if area is not None else ""


def export_rows(cases: Iterable[Case], *, identifiable: bool) -> Iterator[list[Any]]:
    """The header, then one row per case; identifying columns filled only where the row may show them."""
    yield list(PSEUDONYMISED_COLUMNS + (IDENTIFIABLE_COLUMNS if identifiable else ()))
    for case in cases:
        row: list[Any] = [
            case.reference,
            case.status,
            case.conclusion,
            case.date_found,
            case.date_of_death or "",
            case.age_band,
            case.sex,
            case.ethnicity,
            case.employment_status,
            case.relationship_status,
            _code(case.residence_lsoa11),
            _code(case.residence_borough),
            _code(case.incident_lsoa11),
            _code(case.incident_borough),
            case.location_type,
            case.method_group,
            LIST_SEPARATOR.join(s.name for s in case.substances.all()),
            LIST_SEPARATOR.join(case.circumstances),
            ""
            if case.known_to_mental_health_services is None
            else ("yes" if case.known_to_mental_health_services else "no"),
        ]
        if identifiable:
            if getattr(case, "identifiable", False):
                point = case.incident_point or {}
                row += [
                    case.given_name,
                    case.family_name,
                    case.date_of_birth or "",
                    case.age or "",
                    case.nhs_number,
                    case.residence_postcode,
                    case.incident_postcode,
                    point.get("lat", ""),
                    point.get("lon", ""),
                    case.narrative,
                ]
            else:
                row += [""] * len(IDENTIFIABLE_COLUMNS)
        yield row
