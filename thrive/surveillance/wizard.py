"""The multi-step report: its steps, the draft that remembers answers between them, and turning a finished
draft into the API's body so it goes through the same validation and service as every other report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any

from django import forms
from django.db import transaction
from django.utils import timezone
from rest_framework import serializers

from thrive.accounts.models import Organisation, User
from thrive.core import audit
from thrive.core.api import flatten_errors
from thrive.core.crypto import erase_subject
from thrive.surveillance import forms as report_forms
from thrive.surveillance import services
from thrive.surveillance.models import AgencyReport, Case, ReportDraft
from thrive.surveillance.serializers import CaseReportSerializer


@dataclass(frozen=True)
class Step:
    slug: str
    form: type[forms.Form]

    @property
    def title(self) -> str:
        return str(getattr(self.form, "title", self.slug))


STEPS = (
    Step("person", report_forms.PersonForm),
    Step("death", report_forms.DeathForm),
    Step("method", report_forms.MethodForm),
    Step("next-of-kin", report_forms.NextOfKinForm),
)
STEP_BY_SLUG = {step.slug: step for step in STEPS}
# Which step to send someone back to for an error at a body path.
PATH_STEPS = (
    ("deceased.", "person"),
    ("date_", "death"),
    ("time_", "death"),
    ("incident.method_group", "method"),
    ("incident.substances", "method"),
    ("incident.", "death"),
    ("next_of_kin", "next-of-kin"),
)


def json_safe(cleaned: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date | time) else v for k, v in cleaned.items()}


def start_draft(*, user: User, organisation: Organisation, case: Case | None = None) -> ReportDraft:
    return ReportDraft.objects.create(
        user=user, organisation=organisation, case=case, subject=services.new_subject(), data={}
    )


def save_step(*, draft: ReportDraft, slug: str, cleaned: dict[str, Any]) -> None:
    data = dict(draft.data)
    data[slug] = json_safe(cleaned)
    data["done"] = sorted(set(data.get("done", [])) | {slug})
    draft.data = data
    draft.updated_at = timezone.now()
    draft.save(update_fields=["data", "updated_at"])


def add_person(*, draft: ReportDraft, cleaned: dict[str, Any]) -> None:
    data = dict(draft.data)
    data["next_of_kin"] = [*data.get("next_of_kin", []), json_safe(cleaned)]
    draft.data = data
    draft.updated_at = timezone.now()
    draft.save(update_fields=["data", "updated_at"])


def remove_person(*, draft: ReportDraft, index: int) -> None:
    data = dict(draft.data)
    people = list(data.get("next_of_kin", []))
    if 0 <= index < len(people):
        people.pop(index)
    data["next_of_kin"] = people
    draft.data = data
    draft.save(update_fields=["data"])


def _drop_empty(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "", [], {})}


def body_from(data: dict[str, Any]) -> dict[str, Any]:
    """The API-shaped body for a draft's answers."""
    person = data.get("person", {})
    death = data.get("death", {})
    method = data.get("method", {})
    incident: dict[str, Any] = {"location_type": death.get("location_type", "")}
    how = death.get("location_by") or (
        "point" if death.get("lat") is not None else "postcode" if death.get("incident_postcode") else "area"
    )
    if how == "point" and death.get("lat") is not None and death.get("lon") is not None:
        incident["location"] = {"lat": death["lat"], "lon": death["lon"]}
    elif how == "postcode":
        incident["postcode"] = death.get("incident_postcode", "")
    elif how == "area":
        incident["area_code"] = death.get("incident_area", "")
    incident["method_group"] = method.get("method_group", "")
    incident["substances"] = [s.strip() for s in method.get("substances", "").split(",") if s.strip()]
    known = {"yes": True, "no": False}.get(method.get("known_to_mental_health_services", ""))
    body = {
        "date_found": death.get("date_found"),
        "time_found": death.get("time_found"),
        "date_of_death": death.get("date_of_death"),
        "time_of_death": death.get("time_of_death"),
        "deceased": _drop_empty(
            {
                k: person.get(k)
                for k in (
                    "given_name",
                    "family_name",
                    "date_of_birth",
                    "age",
                    "nhs_number",
                    "sex",
                    "gender_identity",
                    "ethnicity",
                    "residence_postcode",
                    "residence_area",
                    "employment_status",
                    "occupation",
                    "relationship_status",
                )
            }
        ),
        "incident": _drop_empty(incident),
        "circumstances": method.get("circumstances", []),
        "known_to_mental_health_services": known,
        "mental_health_trust": method.get("mental_health_trust", ""),
        "narrative": method.get("narrative", ""),
        "next_of_kin": [
            _drop_empty({**p, "interpreter_needed": bool(p.get("interpreter_needed"))})
            for p in data.get("next_of_kin", [])
        ],
    }
    return _drop_empty(body)


def step_for(path: str) -> str:
    for prefix, slug in PATH_STEPS:
        if path.startswith(prefix):
            return slug
    return "method"


def validate(draft: ReportDraft) -> tuple[dict[str, Any] | None, dict[str, list[str]]]:
    """(validated body, {}) or (None, {dotted path: messages})."""
    serializer = CaseReportSerializer(data=body_from(draft.data), partial=draft.case_id is not None)
    try:
        serializer.is_valid(raise_exception=True)
    except serializers.ValidationError as exc:
        return None, flatten_errors(exc.detail)
    return serializer.validated_data, {}


def submit(*, draft: ReportDraft, body: dict[str, Any], user: User) -> services.Submission:
    """Send the finished report, then delete the draft and shred its data key, all in one transaction."""
    with transaction.atomic():
        submission = services.submit_report(
            body=body, organisation=draft.organisation, via=AgencyReport.Via.WEB, user=user, case=draft.case
        )
        discard(draft=draft, by=user, submitted=True)
    return submission


def discard(*, draft: ReportDraft, by: User, submitted: bool = False) -> None:
    with transaction.atomic():
        subject, draft_id = draft.subject, draft.pk
        draft.delete()
        erase_subject(subject=subject, by=by, reason="report submitted" if submitted else "draft discarded")
        if not submitted:
            audit.record(
                action=audit.Action.DELETE,
                object_type="surveillance.reportdraft",
                object_id=str(draft_id),
                user=by,
                reason="draft report discarded",
            )
