"""Where a bereaved person lives (CONTRACTS.md) and which service that sends their referral to."""

from __future__ import annotations

import pytest

from thrive.accounts.models import Organisation
from thrive.accounts.permissions import OrganisationType
from thrive.accounts.testing import Personas
from thrive.core.models import OutboxMessage
from thrive.geography.models import Area, AreaLevel, Postcode
from thrive.referrals import routing, services
from thrive.referrals.models import Basis, Referral, Routing
from thrive.referrals.tests.conftest import EAST, HACKNEY, NORTH, TOWER_HAMLETS, kin, referral_of, report_with
from thrive.surveillance.models import Case, NextOfKin

pytestmark = pytest.mark.django_db
CAMDEN = "E09000007"


def borough(code: str) -> Area:
    return Area.objects.get(level=AreaLevel.BOROUGH, code=code)


def where(person: NextOfKin, case: Case | None = None) -> tuple[str | None, str]:
    found = routing.where_they_live(person, case or Case())
    return (found.borough.code if found.borough else None), found.basis


def test_the_postcode_wins_when_the_table_knows_it(personas: Personas) -> None:
    Postcode.objects.create(postcode="E1 6AN", lat=51.52, lon=-0.07, borough=borough(TOWER_HAMLETS))
    Postcode.objects.create(postcode="M1 1AE", lat=53.48, lon=-2.24, in_region=False)
    hackney = borough(HACKNEY)
    assert where(NextOfKin(postcode="e16an", borough=hackney)) == (TOWER_HAMLETS, Basis.POSTCODE)
    # Known but outside the region: that is where they live, not a guess from elsewhere.
    assert where(NextOfKin(postcode="M1 1AE", borough=hackney)) == (None, Basis.POSTCODE)
    assert where(NextOfKin(postcode="E2 9ZZ", borough=hackney)) == (HACKNEY, Basis.BOROUGH)


def test_then_the_borough_then_the_deceased_residence_then_the_incident(personas: Personas) -> None:
    camden, barnet = borough(CAMDEN), borough("E09000003")
    case = Case(residence_borough=camden, incident_borough=barnet)
    assert where(NextOfKin(borough=borough(HACKNEY)), case) == (HACKNEY, Basis.BOROUGH)
    assert where(NextOfKin(), case) == (CAMDEN, Basis.DECEASED_RESIDENCE)
    assert where(NextOfKin(), Case(incident_borough=barnet)) == ("E09000003", Basis.INCIDENT)
    assert where(NextOfKin(), Case()) == (None, Basis.UNKNOWN)


def test_a_service_covering_the_borough_or_its_ics_then_a_region_wide_one(personas: Personas) -> None:
    assert routing.choose_service(borough(TOWER_HAMLETS)) == routing.Route(
        Organisation.objects.get(slug=EAST), Routing.COVERAGE
    )
    assert routing.choose_service(borough(CAMDEN)).routing == Routing.UNROUTED
    ics_wide = Organisation.objects.create(
        name="Example NCL Bereavement (fictional)",
        slug="example-ncl",
        type=OrganisationType.BEREAVEMENT_SERVICE,
    )
    ics_wide.coverage.add(borough(CAMDEN).ics_id or 0)
    assert routing.choose_service(borough(CAMDEN)) == routing.Route(ics_wide, Routing.COVERAGE)
    region_wide = Organisation.objects.create(
        name="Example London Bereavement (fictional)",
        slug="example-london",
        type=OrganisationType.BEREAVEMENT_SERVICE,
        covers_region=True,
    )
    assert routing.choose_service(None) == routing.Route(region_wide, Routing.REGION_WIDE)
    assert routing.choose_service(borough(CAMDEN)).service == ics_wide


def test_nobody_covering_alerts_the_leads_at_once_and_a_lead_assigns_a_service(personas: Personas) -> None:
    case = report_with(kin(borough=CAMDEN))
    referral = referral_of(case)
    assert (
        referral.service is None and referral.routing == Routing.UNROUTED and referral.basis == Basis.BOROUGH
    )
    message = OutboxMessage.objects.get(kind="referral.unrouted")
    told = set(message.deliveries.filter(channel="in_app").values_list("user__email", flat=True))
    assert told == {personas.regional_lead.email}  # Tower Hamlets' lead does not cover Camden
    north = Organisation.objects.get(slug=NORTH)
    services.assign(
        referral=referral,
        service=north,
        by=personas.regional_lead,
        organisation=personas.regional_lead.active_memberships()[0].organisation,
    )
    referral.refresh_from_db()
    assert referral.service == north and referral.routing == Routing.ASSIGNED and referral.first_contact_due
    assert OutboxMessage.objects.filter(kind="referral.new", payload__referral_id=referral.pk).exists()


def test_the_referral_records_what_was_used(personas: Personas) -> None:
    case = report_with(kin(borough=None), deceased={"residence_area": HACKNEY})
    referral = Referral.objects.get(next_of_kin__case=case)
    assert (
        referral.borough and referral.borough.code,
        referral.basis,
        referral.service and referral.service.slug,
    ) == (
        HACKNEY,
        Basis.DECEASED_RESIDENCE,
        EAST,
    )
