"""The pages: a live inbox without personal details, the referral page (audited) with its actions, withdrawal,
the worklist, figures and placing unrouted referrals; and who may see each."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from thrive.accounts.testing import Personas
from thrive.core.models import AuditEntry
from thrive.referrals.models import Referral, Status
from thrive.referrals.tests.conftest import kin, referral_of, report_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(personas: Personas) -> Referral:
    made = referral_of(report_with(kin()))
    Referral.objects.filter(pk=made.pk).update(received_at=timezone.now() - datetime.timedelta(hours=2))
    made.refresh_from_db()
    return made


def version(html: str) -> str:
    found = re.search(r"v=([0-9a-f]{16})", html)
    assert found, html
    return found.group(1)


def test_the_inbox_lists_referrals_without_personal_details(
    referral: Referral,
    personas: Personas,
    client_for: Callable[..., Client],
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(personas.bereavement_worker)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("referrals:inbox"))
    html = response.content.decode()
    assert response.status_code == 200 and referral.reference in html and "Parent" in html
    assert "Rowan Kinsey" not in html and "07700900123" not in html
    for family in ("Ashby", "Brook", "Crane"):
        report_with(kin(name=f"Jo {family}"), deceased={"family_name": family})
    with django_assert_max_num_queries(25):
        assert client.get(reverse("referrals:inbox")).status_code == 200


def test_an_inbox_poll_costs_the_same_for_more_rows_and_decrypts_nothing(
    referral: Referral, personas: Personas, client_for: Callable[..., Client]
) -> None:
    client = client_for(personas.bereavement_worker)
    rows = reverse("referrals:inbox-rows")
    client.get(rows, {"show": "open"})
    counts = []
    for family in ("", "Ashby", "Brook", "Crane"):
        if family:
            report_with(kin(name=f"Jo {family}"), deceased={"family_name": family})
        with CaptureQueriesContext(connection) as queries:
            assert client.get(rows, {"show": "open"}).status_code == 200
        counts.append(len(queries.captured_queries))
        listed = [q["sql"] for q in queries.captured_queries if 'FROM "referrals_referral"' in q["sql"]]
        assert listed and not [sql for sql in listed if '"referrals_referral"."name"' in sql]
    assert len(set(counts)) == 1, counts


def test_the_inbox_updates_itself_and_a_poll_neither_repeats_nor_keeps_the_session_alive(
    referral: Referral, personas: Personas, client_for: Callable[..., Client]
) -> None:
    client = client_for(personas.bereavement_worker)
    first = client.get(reverse("referrals:inbox")).content.decode()
    assert 'hx-trigger="every 1s"' in first
    rows = reverse("referrals:inbox-rows")
    expires = Session.objects.get().expire_date
    unchanged = client.get(rows, {"show": "open", "v": version(first)})
    assert unchanged.status_code == 204 and Session.objects.get().expire_date == expires
    newer = report_with(kin(name="Jo Newperson"), deceased={"family_name": "Newperson"})
    arrived = client.get(rows, {"show": "open", "v": version(first)})
    assert arrived.status_code == 200 and referral_of(newer).reference in arrived.content.decode()
    assert 'hx-swap-oob="innerHTML"' in arrived.content.decode()
    client.logout()
    assert client.get(rows).status_code == 286


def test_only_the_receiving_service_sees_the_referral_and_every_view_is_audited(
    referral: Referral, personas: Personas, client_for: Callable[..., Client]
) -> None:
    page = reverse("referrals:detail", args=[referral.pk])
    response = client_for(personas.bereavement_worker).get(page)
    html = response.content.decode()
    assert response.status_code == 200
    for shown in ("Rowan Kinsey", "07700900123", "Lives alone; very distressed.", "Alex", "19 November 2026"):
        assert shown in html, shown
    for never in ("poisoning", "paracetamol", "Synthetic record", "RTSS-"):
        assert never not in html, never
    assert (
        AuditEntry.objects.filter(
            action="read", object_type="referrals.referral", user_id=personas.bereavement_worker.pk
        ).count()
        == 1
    )
    assert client_for(personas.bereavement_worker_other_area).get(page).status_code == 404
    for user in (
        personas.police_reporter,
        personas.bereavement_manager,
        personas.regional_lead,
        personas.administrator,
    ):
        assert client_for(user).get(page).status_code == 403, user
    assert (
        client_for(personas.bereavement_worker_other_area)
        .get(reverse("referrals:inbox"))
        .content.decode()
        .count("BR-")
        == 0
    )
    assert Client().get(page).status_code == 302


def test_the_worker_accepts_and_records_an_attempt_and_contact_on_the_page(
    referral: Referral, personas: Personas, client_for: Callable[..., Client]
) -> None:
    client = client_for(personas.bereavement_worker)
    page = reverse("referrals:detail", args=[referral.pk])
    assert client.post(page, {"action": "accept"}).status_code == 302
    now = timezone.localtime()
    for outcome in ("no_answer", "reached"):
        response = client.post(
            page,
            {
                "action": "attempt",
                "attempt-date": now.date().isoformat(),
                "attempt-time": now.strftime("%H:%M"),
                "attempt-channel": "phone",
                "attempt-outcome": outcome,
                "attempt-note": "",
            },
        )
        assert response.status_code == 302
    assert Referral.objects.get().status == Status.CONTACTED
    bad = client.post(page, {"action": "status", "status-status": "transferred"})
    assert bad.status_code == 400 and "Choose the service to transfer" in bad.content.decode()
    assert "There is a problem" in bad.content.decode()
    refused = client.post(page, {"action": "status", "status-status": "new"})
    assert refused.status_code == 400
    assert client.post(page, {"action": "status", "status-status": "supporting"}).status_code == 302
    assert Referral.objects.get().status == Status.SUPPORTING


def test_withdrawal_from_the_page(
    referral: Referral, personas: Personas, client_for: Callable[..., Client]
) -> None:
    client = client_for(personas.bereavement_worker)
    page = reverse("referrals:withdraw", args=[referral.pk])
    assert client.get(page).status_code == 200
    assert client.post(page, {}).status_code == 200 and Referral.objects.get().is_current
    assert client.post(page, {"confirm": "on"}).status_code == 302
    html = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Consent was withdrawn" in html and "Rowan Kinsey" not in html


def test_the_worklist_shows_overdue_referrals_to_managers_and_leads_without_details(
    referral: Referral, personas: Personas, client_for: Callable[..., Client]
) -> None:
    Referral.objects.filter(pk=referral.pk).update(
        first_contact_due=timezone.localdate() - datetime.timedelta(days=1)
    )
    for user in (
        personas.bereavement_worker,
        personas.bereavement_manager,
        personas.regional_lead,
        personas.borough_lead,
    ):
        html = client_for(user).get(reverse("referrals:worklist")).content.decode()
        assert referral.reference in html and "Overdue" in html and "Rowan Kinsey" not in html, user
    assert (
        referral.reference
        not in client_for(personas.bereavement_worker_other_area)
        .get(reverse("referrals:worklist"))
        .content.decode()
    )
    assert client_for(personas.police_reporter).get(reverse("referrals:worklist")).status_code == 403


def test_figures_for_managers_and_leads(
    referral: Referral, personas: Personas, client_for: Callable[..., Client]
) -> None:
    html = client_for(personas.bereavement_manager).get(reverse("referrals:figures")).content.decode()
    assert "Example East London Bereavement Support" in html and "North London" not in html
    assert (
        "North London"
        in client_for(personas.regional_lead).get(reverse("referrals:figures")).content.decode()
    )
    assert client_for(personas.bereavement_worker).get(reverse("referrals:figures")).status_code == 403


def test_leads_place_referrals_no_service_covers(
    personas: Personas, client_for: Callable[..., Client]
) -> None:
    unrouted = referral_of(report_with(kin(borough="E09000007")))
    lead = client_for(personas.regional_lead)
    assert unrouted.reference in lead.get(reverse("referrals:unrouted")).content.decode()
    assert client_for(personas.bereavement_manager).get(reverse("referrals:unrouted")).status_code == 403
    north = personas.bereavement_worker_other_area.active_memberships()[0].organisation
    response = lead.post(reverse("referrals:assign", args=[unrouted.pk]), {"service": north.pk})
    assert response.status_code == 302 and Referral.objects.get(pk=unrouted.pk).service == north
    assert (
        client_for(personas.borough_lead)
        .post(reverse("referrals:assign", args=[unrouted.pk]), {"service": north.pk})
        .status_code
        == 404
    )
