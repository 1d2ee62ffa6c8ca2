"""Who may see and change referrals: the table the access-matrix test reads, and the getters every view uses.

- A bereavement worker sees the referrals of their own service, and nothing of any other service's: another
  service's referral is "not found" (404), exactly like one that does not exist. Every detail view is audited.
- The service's inbox and worklist show no names or contact details, only references, dates and statuses, so
  that polling them every few seconds discloses nothing; the referral page shows the minimum necessary.
- Service managers of a bereavement service and surveillance leads see the worklist (due and overdue, no
  personal details) and the figures (with small numbers suppressed); leads also place referrals that no
  service covered. Neither sees a referral's personal details.
- An API key reaches the referrals assigned to its own organisation.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from thrive.accounts.api_auth import ApiClient
from thrive.accounts.models import Membership, Organisation, User
from thrive.accounts.permissions import OrganisationType
from thrive.accounts.permissions import Permission as P
from thrive.core.access_rules import Rule
from thrive.geography.models import AreaLevel
from thrive.referrals.models import AWAITING_CONTACT, Referral

WORKERS = frozenset({"bereavement_worker"})
LEADS = frozenset({"surveillance_lead"})
OVERSIGHT = frozenset({"surveillance_lead", "service_manager"})

ACCESS = {
    "referrals:inbox": Rule(roles=WORKERS, note="their own service's referrals, without personal details"),
    "referrals:inbox-rows": Rule(roles=WORKERS, note="the inbox's live rows (HTMX polling)"),
    "referrals:detail": Rule(
        roles=WORKERS, note="their service's referrals only (else 404); audited; POST acts"
    ),
    "referrals:withdraw": Rule(roles=WORKERS, note="their service's referrals only (else 404)"),
    "referrals:worklist": Rule(
        roles=WORKERS | OVERSIGHT,
        note="due and overdue referrals: own service, or a lead's scope; no personal details",
    ),
    "referrals:figures": Rule(roles=OVERSIGHT, note="own service's figures, or every service's for leads"),
    "referrals:unrouted": Rule(roles=LEADS, note="referrals no service covered, within the lead's scope"),
    "referrals:assign": Rule(roles=LEADS, note="within the lead's scope (else 404)"),
    "api-referral-list": Rule(
        api_scopes=frozenset({"referrals:read"}), note="the key organisation's referrals"
    ),
    "api-referral-detail": Rule(
        api_scopes=frozenset({"referrals:read", "referrals:write"}), note="GET read, PATCH write; else 404"
    ),
}


def worker_service_ids(user: User) -> list[int]:
    """The bereavement services whose referrals this user works on."""
    return [
        m.organisation_id
        for m in user.memberships_granting(P.REFERRAL_WORK)
        if m.organisation.type == OrganisationType.BEREAVEMENT_SERVICE
    ]


def referrals_for_user(user: User) -> QuerySet[Referral]:
    return Referral.objects.filter(service_id__in=worker_service_ids(user))


def get_referral_for_user(user: User, pk: int) -> Referral:
    """The referral if it belongs to one of the user's services; otherwise 404, as if it did not exist."""
    referral = referrals_for_user(user).select_related("service", "subject", "borough").filter(pk=pk).first()
    if referral is None:
        raise Http404("No such referral")
    return referral


def referrals_for_client(client: ApiClient) -> QuerySet[Referral]:
    return Referral.objects.filter(service=client.organisation)


def get_referral_for_client(client: ApiClient, pk: int) -> Referral:
    referral = (
        referrals_for_client(client).select_related("service", "subject", "borough").filter(pk=pk).first()
    )
    if referral is None:
        raise Http404("No such referral")
    return referral


def lead_memberships(user: User) -> list[Membership]:
    return [m for m in user.memberships_granting(P.REFERRAL_FIGURES) if m.role == "surveillance_lead"]


def lead_area_q(user: User, field: str = "borough") -> Q | None:
    """Referrals whose borough lies in one of the user's surveillance-lead scopes; None for someone no lead.

    A scope is the membership's areas, else its organisation's coverage; the region (or a region-wide
    organisation) reaches every referral, including those whose borough is not known."""
    memberships = lead_memberships(user)
    if not memberships:
        return None
    q = Q(pk__in=[])
    for membership in memberships:
        areas = list(membership.scope_areas.all()) or list(membership.organisation.coverage.all())
        if membership.organisation.covers_region and not membership.scope_areas.all():
            return Q()
        for area in areas:
            if area.level == AreaLevel.REGION:
                return Q()
            if area.level == AreaLevel.ICS:
                q |= Q(**{f"{field}__ics_id": area.pk})
            elif area.level == AreaLevel.BOROUGH:
                q |= Q(**{f"{field}_id": area.pk})
    return q


def worklist_for(user: User) -> QuerySet[Referral]:
    """Referrals still waiting for a first contact that this user oversees or works on."""
    reach = Q(service_id__in=worker_service_ids(user)) | Q(service_id__in=managed_service_ids(user))
    lead = lead_area_q(user)
    if lead is not None:
        reach |= lead & Q(service__isnull=False)
    return Referral.objects.filter(reach, is_current=True, status__in=AWAITING_CONTACT)


def unrouted_for(user: User) -> QuerySet[Referral]:
    lead = lead_area_q(user)
    if lead is None:
        return Referral.objects.none()
    return Referral.objects.filter(lead, service__isnull=True, is_current=True)


def managed_service_ids(user: User) -> list[int]:
    """Bereavement services in which the user is a service manager."""
    return [
        m.organisation_id
        for m in user.memberships_granting(P.REFERRAL_FIGURES)
        if m.role == "service_manager" and m.organisation.type == OrganisationType.BEREAVEMENT_SERVICE
    ]


def figure_services(user: User) -> QuerySet[Organisation]:
    """Leads see every bereavement service's figures (small numbers suppressed); managers their own."""
    services = Organisation.objects.filter(type=OrganisationType.BEREAVEMENT_SERVICE).order_by("name")
    if lead_memberships(user):
        return services
    return services.filter(pk__in=managed_service_ids(user))
