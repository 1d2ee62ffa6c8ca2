"""Read-side queries for the case pages: the filtered list, search through the blind indexes, the duplicate
queue. Each starts from the viewer's reach (`scope`), so nothing here can widen access."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from thrive.core.crypto import name_dob_index, nhs_number_index, warm_key_cache
from thrive.surveillance import codes, scope
from thrive.surveillance.forms import CaseFilterForm
from thrive.surveillance.models import AgencyReport, Case, CaseOrganisation, DuplicateCandidate

IDENTIFYING_COLUMNS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "nhs_number",
    "gender_identity",
    "occupation",
    "residence_postcode",
    "incident_postcode",
    "incident_point",
    "narrative",
)


def filter_cases(cases: QuerySet[Case], filters: dict[str, Any]) -> QuerySet[Case]:
    """The list's server-side filters and sort (unknown values are ignored, never an error)."""
    if filters.get("q"):
        cases = cases.filter(reference__icontains=filters["q"].strip())
    start: date | None = filters.get("date_from")
    end: date | None = filters.get("date_to")
    if start:
        cases = cases.filter(
            Q(date_of_death__gte=start) | Q(date_of_death__isnull=True, date_found__gte=start)
        )
    if end:
        cases = cases.filter(Q(date_of_death__lte=end) | Q(date_of_death__isnull=True, date_found__lte=end))
    if filters.get("borough"):
        code = filters["borough"]
        cases = cases.filter(Q(residence_borough__code=code) | Q(incident_borough__code=code))
    if filters.get("ics"):
        code = filters["ics"]
        cases = cases.filter(Q(residence_ics__code=code) | Q(incident_ics__code=code))
    status = filters.get("status")
    cases = cases.filter(status=status) if status else cases.filter(status__in=codes.OPEN_STATUSES)
    if filters.get("method_group"):
        cases = cases.filter(method_group=filters["method_group"])
    if filters.get("agency"):
        reported = CaseOrganisation.objects.filter(
            organisation__slug=filters["agency"], relation=CaseOrganisation.Relation.REPORTED
        ).values("case_id")
        cases = cases.filter(pk__in=reported)
    order = CaseFilterForm.SORTS.get(filters.get("sort") or "newest", CaseFilterForm.SORTS["newest"])
    return cases.select_related("residence_borough", "incident_borough").order_by(*order)


def list_rows(page_cases: list[Case]) -> list[Case]:
    """Warm the data keys of the identifiable rows in one query, so names cost no query per row."""
    warm_key_cache([c.subject_id for c in page_cases if getattr(c, "identifiable", False)])
    return page_cases


def without_identities(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.defer(*IDENTIFYING_COLUMNS)


def search(
    user: Any,
    *,
    reference: str = "",
    nhs_number: str = "",
    given_name: str = "",
    family_name: str = "",
    date_of_birth: date | None = None,
) -> QuerySet[Case]:
    """Cases the user may see identifiably matching a reference, an NHS number or names with a date of birth
    (the last two through the blind indexes of every agency report, so a match on any agency's spelling
    counts)."""
    reach = scope.user_reach(user)
    q = Q(pk__in=[])
    if reference:
        q |= Q(reference__iexact=reference.strip())
    matching = Q(pk__in=[])
    if nhs_number:
        matching |= Q(nhs_index=nhs_number_index(nhs_number))
    if given_name and family_name and date_of_birth:
        matching |= Q(name_dob_index=name_dob_index(given_name, family_name, date_of_birth.isoformat()))
    if nhs_number or date_of_birth:
        q |= Q(pk__in=AgencyReport.objects.filter(matching).values("case_id"))
    return (
        Case.objects.filter(reach.identifiable)
        .filter(q)
        .select_related("residence_borough", "incident_borough")
    )


def open_duplicates(user: Any) -> QuerySet[DuplicateCandidate]:
    """Open pairs where the lead reaches both cases identifiably, best scores first."""
    reach = scope.user_reach(user)
    reachable = Case.objects.filter(reach.identifiable).exclude(status=codes.Status.MERGED).values("pk")
    return (
        DuplicateCandidate.objects.filter(
            state=DuplicateCandidate.State.OPEN, case_a__in=reachable, case_b__in=reachable
        )
        .select_related("case_a", "case_b", "case_a__residence_borough", "case_b__residence_borough")
        .order_by("-score", "-created_at")
    )
