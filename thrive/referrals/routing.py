"""Routing a referral: where the bereaved person lives, and the bereavement service for that place.

Where they live (CONTRACTS.md): their postcode when the postcode table knows it; otherwise the borough given
with them; otherwise the deceased's residence; otherwise where the death happened. A known postcode outside
the region is an answer too (no borough): it is not overridden by a guess from the deceased's address.

Which service: one whose coverage holds that borough (or the borough's integrated care system); otherwise one
covering the whole region; otherwise none, and the surveillance leads are alerted so that someone finds one.
Among equals the service registered first wins, so routing is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from thrive.accounts.models import Membership, Organisation, User
from thrive.accounts.permissions import OrganisationType
from thrive.geography.models import Area, AreaLevel
from thrive.geography.place import lookup_postcode
from thrive.referrals.models import Basis, Routing
from thrive.surveillance.models import Case, NextOfKin


@dataclass(frozen=True)
class Residence:
    borough: Area | None
    basis: str


@dataclass(frozen=True)
class Route:
    service: Organisation | None
    routing: str


def where_they_live(person: NextOfKin, case: Case) -> Residence:
    if person.postcode:
        place = lookup_postcode(person.postcode).place
        if place is not None:
            return Residence(place.borough, Basis.POSTCODE)
    if person.borough_id:
        return Residence(person.borough, Basis.BOROUGH)
    if case.residence_borough_id:
        return Residence(case.residence_borough, Basis.DECEASED_RESIDENCE)
    if case.incident_borough_id:
        return Residence(case.incident_borough, Basis.INCIDENT)
    return Residence(None, Basis.UNKNOWN)


def bereavement_services() -> Q:
    return Q(type=OrganisationType.BEREAVEMENT_SERVICE)


def choose_service(borough: Area | None) -> Route:
    services = Organisation.objects.filter(bereavement_services()).order_by("pk")
    if borough is not None:
        for area_id in (borough.pk, borough.ics_id):
            if area_id is None:
                continue
            covering = services.filter(coverage=area_id).first()
            if covering is not None:
                return Route(covering, Routing.COVERAGE)
    region_wide = services.filter(Q(covers_region=True) | Q(coverage__level=AreaLevel.REGION)).first()
    if region_wide is not None:
        return Route(region_wide, Routing.REGION_WIDE)
    return Route(None, Routing.UNROUTED)


def surveillance_leads(borough: Area | None) -> list[User]:
    """The surveillance leads to tell about a referral in `borough`: the region's prevention team, and any
    lead whose scope (or, without one, whose organisation's coverage) holds the borough or its ICS."""
    leads = Membership.objects.filter(role="surveillance_lead", is_active=True, user__is_active=True)
    wanted = Q(organisation__type=OrganisationType.REGIONAL_PREVENTION_TEAM) | Q(
        organisation__covers_region=True
    )
    if borough is not None:
        areas = [pk for pk in (borough.pk, borough.ics_id) if pk]
        region = Area.objects.filter(level=AreaLevel.REGION).values_list("pk", flat=True)
        areas.extend(region)
        wanted |= Q(scope_areas__in=areas) | Q(scope_areas__isnull=True, organisation__coverage__in=areas)
    user_ids = leads.filter(wanted).values_list("user_id", flat=True).distinct()
    return list(User.objects.filter(pk__in=user_ids).order_by("pk"))
