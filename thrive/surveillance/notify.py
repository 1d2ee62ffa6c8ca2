"""Telling the agencies with a role for a case's area, through the outbox, and recording that they were told.

The organisations: the borough's public health team (a local authority covering the borough), the NHS trust
covering it, the coroner's office for the area and the regional prevention team. "Covering" means its coverage
holds the borough, its ICS or the region, or it covers the whole region. Both the residence and the incident
borough count. Being notified is recorded as a `CaseOrganisation`, which is what lets the agency's reporters
and API keys see the case. Messages carry the reference and a link, never identifying details.
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from thrive.accounts.models import Organisation
from thrive.accounts.permissions import OrganisationType as T
from thrive.core import notifications
from thrive.core.notifications.kinds import Kind, register_kind
from thrive.geography.models import Area, AreaLevel
from thrive.surveillance.models import Case, CaseOrganisation

NOTIFIED_TYPES = (T.LOCAL_AUTHORITY, T.NHS_TRUST, T.CORONERS_OFFICE, T.REGIONAL_PREVENTION_TEAM)
NOTIFIED_ROLES = ["reporter", "coroners_officer", "surveillance_lead"]

CASE_UPDATED = register_kind(
    Kind(
        "case.updated",
        title="Case updated",
        body="Case {reference}, which your organisation is following, has a new agency report or a change "
        "of status. Sign in to Thrive to see it.",
    )
)


def organisations_for(case: Case) -> list[Organisation]:
    """The organisations with a role for the case's area (residence and incident boroughs)."""
    return organisations_for_boroughs(
        [b for b in (case.residence_borough, case.incident_borough) if b is not None]
    )


def organisations_for_boroughs(boroughs: list[Area]) -> list[Organisation]:
    if not boroughs:
        return list(Organisation.objects.filter(type=T.REGIONAL_PREVENTION_TEAM))
    region = Area.objects.filter(level=AreaLevel.REGION).values_list("pk", flat=True)
    area_ids = {b.pk for b in boroughs} | {b.ics_id for b in boroughs if b.ics_id} | set(region)
    covering = Q(covers_region=True) | Q(coverage__in=area_ids)
    local = Organisation.objects.filter(covering, type__in=NOTIFIED_TYPES[:3])
    regional = Organisation.objects.filter(type=T.REGIONAL_PREVENTION_TEAM)
    return list((local | regional).distinct().order_by("pk"))


def notify_agencies(case: Case, *, by_organisation: Organisation, created: bool) -> list[Organisation]:
    """Tell the area's agencies not yet following the case that it exists (and record that they were told),
    and, for a change to an existing case, everyone else following it; returns who was told.

    Called inside the service's transaction: the outbox rows commit with the change (delivered after commit).
    """
    link = reverse("surveillance:case-detail", args=[case.reference])
    following = set(case.organisations.values_list("organisation_id", flat=True))
    newly = [o for o in organisations_for(case) if o.pk != by_organisation.pk and o.pk not in following]
    CaseOrganisation.objects.bulk_create(
        [
            CaseOrganisation(case=case, organisation=o, relation=CaseOrganisation.Relation.NOTIFIED)
            for o in newly
        ],
        ignore_conflicts=True,
    )
    messages = [(o, "case.created", f"case.created:{case.reference}:{o.pk}") for o in newly]
    if not created:
        stamp = case.updated_at.isoformat()
        others = Organisation.objects.filter(pk__in=following - {by_organisation.pk}).order_by("pk")
        messages += [(o, "case.updated", f"case.updated:{case.reference}:{o.pk}:{stamp}") for o in others]
    notifications.send_many(
        [
            notifications.Outgoing(
                to=notifications.to_organisation(organisation, roles=NOTIFIED_ROLES),
                kind=kind,
                payload={"reference": case.reference, "link": link},
                idempotency_key=key,
            )
            for organisation, kind, key in messages
        ]
    )
    return [organisation for organisation, _, _ in messages]
