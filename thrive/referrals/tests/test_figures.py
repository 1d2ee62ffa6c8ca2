"""Figures by service and month: time to first contact, compliance and uptake, small numbers suppressed."""

from __future__ import annotations

import datetime
import string

import pytest
from django.utils import timezone

from thrive.accounts.models import Organisation
from thrive.accounts.testing import Personas
from thrive.referrals import figures
from thrive.referrals.models import Referral
from thrive.referrals.tests.conftest import EAST, NORTH, kin, report_with

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 25)


def shape(
    referral: Referral, received: datetime.date, contact_after_days: int | None, supported: bool
) -> None:
    moment = datetime.datetime.combine(received, datetime.time(10), tzinfo=timezone.get_current_timezone())
    contact = moment + datetime.timedelta(days=contact_after_days) if contact_after_days is not None else None
    Referral.objects.filter(pk=referral.pk).update(
        received_at=moment,
        first_contact_due=received + datetime.timedelta(days=2),
        first_contact_at=contact,
        support_started_at=contact if supported else None,
    )


def test_small_months_are_hidden_with_what_would_give_them_away(personas: Personas) -> None:
    people = [kin(name=f"Person {letter}") for letter in string.ascii_uppercase[:25]]
    report_with(*people)
    referrals = list(Referral.objects.order_by("pk"))
    for r in referrals[:10]:  # September: 10, all contacted within the target, half supported
        shape(r, datetime.date(2026, 9, 7), 1, supported=r.pk % 2 == 0)
    for r in referrals[10:13]:  # October: 3 (too few to show)
        shape(r, datetime.date(2026, 10, 5), 1, supported=True)
    for index, r in enumerate(referrals[13:]):  # November: 12; 7 within, 5 late, all supported
        shape(r, datetime.date(2026, 11, 2), 1 if index < 7 else 4, supported=True)
    east, north = Organisation.objects.get(slug=EAST), Organisation.objects.get(slug=NORTH)
    result = figures.compute(services=[east, north], today=TODAY)
    by_month = {cell.month: cell for cell in result[0].months}
    october, september, november = (by_month[datetime.date(2026, m, 1)] for m in (10, 9, 11))
    assert october.referrals is None and october.contacted is None and october.median_days is None
    assert (
        september.referrals is None and september.compliance is None
    )  # hidden so October cannot be worked out
    assert november.referrals == 12 and november.contact == {
        "within": 7,
        "late": 5,
        "missed": 0,
        "pending": 0,
    }
    assert november.compliance == 58.3 and november.uptake == 100.0 and november.support["not_supported"] == 0
    assert november.median_days == 1.0 and november.p90_days == 4.0
    total = result[0].total
    assert total.referrals == 25 and total.contacted == 25 and total.uptake == 80.0
    assert total.compliance == 80.0 and total.median_days == 1.0
    assert result[1].total.referrals == 0 and all(cell.referrals == 0 for cell in result[1].months)
    assert len(result[0].months) == 12 and result[0].months[-1].month == datetime.date(2026, 11, 1)


def test_pending_referrals_are_not_judged_and_missed_ones_count_against(personas: Personas) -> None:
    report_with(*[kin(name=f"Person {letter}") for letter in string.ascii_uppercase[:10]])
    referrals = list(Referral.objects.order_by("pk"))
    for r in referrals[:5]:
        shape(r, datetime.date(2026, 11, 2), None, supported=False)  # due 4 November: missed
    for r in referrals[5:]:
        shape(r, TODAY, None, supported=False)  # due in two days: pending
    cell = figures.compute(services=[Organisation.objects.get(slug=EAST)], today=TODAY)[0].total
    assert cell.contact == {"within": 0, "late": 0, "missed": 5, "pending": 5}
    assert cell.compliance == 0.0 and cell.contacted == 0 and cell.median_days is None
