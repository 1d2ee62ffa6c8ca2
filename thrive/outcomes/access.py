"""Who may use the outcomes pages and API, and the permission-checked getters every view uses.

- A clinician works with the patients of their team: those with an episode in it. A clinician whose membership
  names no team works with every team of their trust. Anything else is "not found" (404), exactly like a
  record that does not exist. Reading a patient's record is audited.
- A service manager sees the dashboards of their own trust's services, or, in an integrated care system, of
  the patients living in its areas; never a patient's record. Small numbers are suppressed.
- The patient's one-time link pages are public: the signed link is the only key, and it opens one
  questionnaire once. Tablet mode pages serve the clinician's handed-over device, whose session was signed
  out when it was handed over: only the questionnaire and the return page (which signs the clinician in again)
  can be reached on it.
- An API key reaches the patients, episodes and assessments of its own trust.
"""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet
from django.http import Http404

from thrive.accounts.api_auth import ApiClient
from thrive.accounts.models import Team, User
from thrive.accounts.permissions import OrganisationType
from thrive.accounts.permissions import Permission as P
from thrive.core.access_rules import PUBLIC, Rule
from thrive.geography.models import AreaLevel
from thrive.outcomes.models import Assessment, DialogPlusSession, Episode, EpisodeOutcome, Patient

CLINICIANS = frozenset({"clinician"})
MANAGERS = frozenset({"service_manager"})
CLINICAL = Rule(roles=CLINICIANS, note="their team's patients only (else 404)")
TABLET = Rule(roles=CLINICIANS, note="the clinician's handed-over device, signed out: the questionnaire only")
READ, WRITE = "outcomes:read", "outcomes:write"

ACCESS = {
    "outcomes:worklist": Rule(roles=CLINICIANS, note="due and overdue assessments of their teams"),
    "outcomes:patient-new": Rule(roles=CLINICIANS, note="registers a patient of their trust"),
    "outcomes:patient": Rule(roles=CLINICIANS, note="their team's patients only (else 404); audited"),
    "outcomes:episode-new": CLINICAL,
    "outcomes:episode-end": CLINICAL,
    "outcomes:capture": CLINICAL,
    "outcomes:assessment": CLINICAL,
    "outcomes:assessment-edit": CLINICAL,
    "outcomes:assessment-amend": CLINICAL,
    "outcomes:assessment-fhir": Rule(roles=CLINICIANS, note="their team's patients only; audited export"),
    "outcomes:link-new": CLINICAL,
    "outcomes:session-new": CLINICAL,
    "outcomes:session": CLINICAL,
    "outcomes:session-review": CLINICAL,
    "outcomes:session-domains": CLINICAL,
    "outcomes:session-domain": CLINICAL,
    "outcomes:session-finish": CLINICAL,
    "outcomes:tablet-start": CLINICAL,
    "outcomes:tablet": TABLET,
    "outcomes:tablet-done": TABLET,
    "outcomes:tablet-return": Rule(
        roles=CLINICIANS, note="the clinician signs in again to leave tablet mode"
    ),
    "outcomes:link": PUBLIC,
    "outcomes:link-done": PUBLIC,
    "outcomes:dashboard": Rule(roles=MANAGERS, note="their services' outcomes; small numbers suppressed"),
    "outcomes:mhsds-export": Rule(roles=MANAGERS, note="their services' assessments, pseudonymous; audited"),
    "api-outcomes-patient-list": Rule(api_scopes=frozenset({READ, WRITE}), note="the key's trust's patients"),
    "api-outcomes-episode-list": Rule(api_scopes=frozenset({READ, WRITE}), note="the key's trust's episodes"),
    "api-outcomes-episode-detail": Rule(
        api_scopes=frozenset({READ, WRITE}), note="GET read, PATCH write; else 404"
    ),
    "api-outcomes-assessment-list": Rule(
        api_scopes=frozenset({READ, WRITE}), note="the key's trust's records"
    ),
    "api-outcomes-assessment-detail": Rule(
        api_scopes=frozenset({READ}), note="the key's trust's only (else 404)"
    ),
    "api-outcomes-assessment-fhir": Rule(
        api_scopes=frozenset({READ}), note="QuestionnaireResponse; else 404"
    ),
    "api-outcomes-fhir-import": Rule(api_scopes=frozenset({WRITE}), note="into the key's trust's episodes"),
    "api-outcomes-questionnaire": Rule(
        api_scopes=frozenset({READ}), note="the measures' FHIR Questionnaires"
    ),
}


def clinician_team_ids(user: User) -> list[int]:
    """The teams whose patients this clinician works with."""
    named: set[int] = set()
    whole: set[int] = set()
    for membership in user.memberships_granting(P.OUTCOMES_CAPTURE):
        if membership.organisation.type != OrganisationType.NHS_TRUST:
            continue
        if membership.team_id:
            named.add(membership.team_id)
        else:
            whole.add(membership.organisation_id)
    if whole:
        named |= set(Team.objects.filter(organisation_id__in=whole).values_list("pk", flat=True))
    return sorted(named)


def clinician_teams(user: User) -> QuerySet[Team]:
    return Team.objects.filter(pk__in=clinician_team_ids(user)).select_related("organisation")


def episodes_for_user(user: User) -> QuerySet[Episode]:
    return Episode.objects.filter(team_id__in=clinician_team_ids(user))


def patients_for_user(user: User) -> QuerySet[Patient]:
    return Patient.objects.filter(pk__in=episodes_for_user(user).values("patient_id"))


def get_patient_for_user(user: User, pk: int) -> Patient:
    patient = (
        patients_for_user(user).select_related("organisation", "borough", "lsoa11").filter(pk=pk).first()
    )
    if patient is None:
        raise Http404("No such patient")
    return patient


def get_episode_for_user(user: User, pk: int) -> Episode:
    episode = episodes_for_user(user).select_related("patient", "team__organisation").filter(pk=pk).first()
    if episode is None:
        raise Http404("No such episode")
    return episode


def get_assessment_for_user(user: User, public_id: uuid.UUID | str) -> Assessment:
    assessment = (
        Assessment.objects.filter(episode__team_id__in=clinician_team_ids(user), public_id=public_id)
        .select_related("episode__team__organisation", "patient")
        .first()
    )
    if assessment is None:
        raise Http404("No such assessment")
    return assessment


def get_session_for_user(user: User, pk: int) -> DialogPlusSession:
    session = (
        DialogPlusSession.objects.filter(episode__team_id__in=clinician_team_ids(user), pk=pk)
        .select_related("episode__team__organisation", "patient", "assessment")
        .first()
    )
    if session is None:
        raise Http404("No such session")
    return session


def dashboard_q(user: User) -> Q | None:
    """The episode summaries a service manager may see, or None for someone who manages no NHS service."""
    found: Q | None = None
    for membership in user.memberships_granting(P.OUTCOMES_DASHBOARD):
        organisation = membership.organisation
        if organisation.type == OrganisationType.NHS_TRUST:
            part = Q(organisation_id=organisation.pk)
        elif organisation.type == OrganisationType.INTEGRATED_CARE_SYSTEM:
            part = Q(pk__in=[])
            for area in list(membership.scope_areas.all()) or list(organisation.coverage.all()):
                if area.level == AreaLevel.REGION:
                    part = Q()
                    break
                if area.level == AreaLevel.ICS:
                    part |= Q(ics_id=area.pk)
                elif area.level == AreaLevel.BOROUGH:
                    part |= Q(borough_id=area.pk)
        else:
            continue
        found = part if found is None else found | part
    return found


def outcomes_for_user(user: User) -> QuerySet[EpisodeOutcome]:
    q = dashboard_q(user)
    return EpisodeOutcome.objects.none() if q is None else EpisodeOutcome.objects.filter(q)


def patients_for_client(client: ApiClient) -> QuerySet[Patient]:
    return Patient.objects.filter(organisation=client.organisation)


def episodes_for_client(client: ApiClient) -> QuerySet[Episode]:
    return Episode.objects.filter(team__organisation=client.organisation)


def assessments_for_client(client: ApiClient) -> QuerySet[Assessment]:
    return Assessment.objects.filter(episode__team__organisation=client.organisation)
