"""Which cases a person or an agency system reaches, and how (identifiable or pseudonymised).

Every case query for a user or key starts here, so a case outside reach is simply absent: the getters raise
`Http404` for "not found" and "not yours" alike. Reach, from DESIGN.md's role table:

- a reporter: cases their organisation reported or was notified of (identifiable);
- a coroner's officer: those, and cases in their coroner area (identifiable);
- a surveillance lead: cases whose residence or incident lies in their scope, and cases they broke the glass
  for in the last 3 hours (identifiable);
- an analyst: cases in their scope, pseudonymised;
- anyone else (bereavement workers, administrators, clinicians...): none.

A membership's scope is its own scope areas, or else its organisation's coverage. An API key reaches what its
organisation reaches: the cases it reported or was notified of, and for a coroner's office its coverage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Q, QuerySet, Value, When
from django.db.models import Case as Switch
from django.http import Http404
from django.utils import timezone

from thrive.accounts.api_auth import ApiClient
from thrive.accounts.models import Membership, Organisation
from thrive.accounts.permissions import OrganisationType, Permission
from thrive.geography.models import Area, AreaLevel
from thrive.surveillance.models import BreakGlass, Case, CaseOrganisation

NOTHING = Q(pk__in=[])
EVERYTHING = ~Q(pk__in=[])
AREA_FIELDS = {
    AreaLevel.ICS: "ics",
    AreaLevel.BOROUGH: "borough",
    AreaLevel.MSOA21: "msoa21",
    AreaLevel.LSOA11: "lsoa11",
    AreaLevel.LSOA21: "lsoa21",
}


def areas_q(areas: list[Area], *, region_wide: bool = False) -> Q:
    """Cases whose residence or incident lies in any of these areas."""
    if region_wide or any(area.level == AreaLevel.REGION for area in areas):
        return EVERYTHING
    by_field: dict[str, list[int]] = {}
    for area in areas:
        name = AREA_FIELDS.get(area.level)  # type: ignore[call-overload]
        if name:
            by_field.setdefault(name, []).append(area.pk)
    q = NOTHING
    for name, ids in by_field.items():
        q |= Q(**{f"residence_{name}_id__in": ids}) | Q(**{f"incident_{name}_id__in": ids})
    return q


def organisation_cases_q(organisation_ids: list[int]) -> Q:
    if not organisation_ids:
        return NOTHING
    linked = CaseOrganisation.objects.filter(organisation_id__in=organisation_ids).values("case_id")
    return Q(pk__in=linked)


def membership_scope_q(membership: Membership) -> Q:
    areas = list(membership.scope_areas.all())
    if areas:
        return areas_q(areas)
    organisation = membership.organisation
    return areas_q(list(organisation.coverage.all()), region_wide=organisation.covers_region)


@dataclass(frozen=True)
class Reach:
    """Two filters: the cases seen with identities, and the cases seen pseudonymised (a superset of
    nothing)."""

    identifiable: Q
    pseudonymised: Q
    any_role: bool
    any_identifiable: bool

    def all(self) -> Q:
        return self.identifiable | self.pseudonymised


def user_reach(user: Any) -> Reach:
    """What a signed-in person reaches, over all their active memberships (cached on the user object)."""
    cached: Reach | None = getattr(user, "_case_reach", None)
    if cached is not None:
        return cached
    identifiable, pseudonymised, any_role, any_identifiable = NOTHING, NOTHING, False, False
    reporting_orgs: list[int] = []
    for membership in user.active_memberships() if user.is_authenticated else []:
        grants = membership.role_class.grants
        if Permission.CASE_VIEW_REPORTED in grants:
            reporting_orgs.append(membership.organisation_id)
            any_role = any_identifiable = True
        if Permission.CASE_VIEW_CORONER_AREA in grants or Permission.CASE_VIEW_IDENTIFIABLE_SCOPE in grants:
            identifiable |= membership_scope_q(membership)
            any_role = any_identifiable = True
        elif Permission.CASE_VIEW_PSEUDONYMISED in grants:
            pseudonymised |= membership_scope_q(membership)
            any_role = True
    identifiable |= organisation_cases_q(reporting_orgs)
    if user.is_authenticated and user.can(Permission.CASE_BREAK_GLASS):
        glass = BreakGlass.objects.filter(user=user, expires_at__gt=timezone.now()).values("case_id")
        identifiable |= Q(pk__in=glass)
    reach = Reach(
        identifiable=identifiable,
        pseudonymised=pseudonymised,
        any_role=any_role,
        any_identifiable=any_identifiable,
    )
    user._case_reach = reach
    return reach


def client_reach(client: ApiClient) -> Q:
    organisation: Organisation = client.organisation
    q = organisation_cases_q([organisation.pk])
    if organisation.type == OrganisationType.CORONERS_OFFICE:
        q |= areas_q(list(organisation.coverage.all()), region_wide=organisation.covers_region)
    return q


def visible_cases(user: Any) -> QuerySet[Case]:
    """Cases the user reaches, each annotated `identifiable` (True: full view; False: pseudonymised)."""
    reach = user_reach(user)
    if not reach.any_role:
        return Case.objects.none()
    return Case.objects.filter(reach.all()).annotate(
        identifiable=Switch(
            When(reach.identifiable, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )


def get_case_for_user(user: Any, reference: str, *, identifiable: bool = False) -> Case:
    """The case if the user reaches it (with identities, when `identifiable`), else 404 exactly as if
    absent."""
    case = visible_cases(user).filter(reference=reference).first()
    if case is None or (identifiable and not case.identifiable):  # type: ignore[attr-defined]
        raise Http404("No case with that reference")
    return case


def get_case_for_client(client: ApiClient, reference: str) -> Case:
    case = Case.objects.filter(client_reach(client), reference=reference).first()
    if case is None:
        raise Http404("No case with that reference")
    return case


def in_user_scope(user: Any, case: Case) -> bool:
    """Whether the case is already reachable without breaking the glass."""
    return visible_cases(user).filter(pk=case.pk).exists()
