"""The case pages: the list (filters, constant queries, pseudonymised rows), one case (provenance, conflicts,
timeline), search through the blind indexes, lifecycle, consent and breaking the glass."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from thrive.accounts.testing import Personas
from thrive.core.models import AuditEntry
from thrive.surveillance import signals
from thrive.surveillance.models import BreakGlass, Case, NextOfKin, StatusChange
from thrive.surveillance.tests.conftest import in_barnet, report, report_body

pytestmark = pytest.mark.django_db


def _many(count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        report(
            "example-police",
            report_body(
                deceased={
                    "given_name": f"Person{i}",
                    "nhs_number": "",
                    "date_of_birth": f"19{50 + i % 40}-01-0{1 + i % 9}",
                }
            ),
        )


def test_list_queries_stay_constant_as_cases_grow(
    personas: Personas, client_for, django_assert_max_num_queries
) -> None:
    client = client_for(personas.borough_lead)
    _many(2)
    client.get(reverse("surveillance:case-list"))  # warm caches that are not per-request
    with django_assert_max_num_queries(30) as few:
        assert client.get(reverse("surveillance:case-list")).status_code == 200
    _many(20, start=2)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        page = client.get(reverse("surveillance:case-list")).content.decode()
    assert "Person21" in page and "22 cases" in page
    assert len(many.captured_queries) == len(few.captured_queries)


def test_analysts_see_pseudonymised_rows_only(personas: Personas, client_for, cases) -> None:
    client = client_for(personas.analyst)
    page = client.get(reverse("surveillance:case-list")).content.decode()
    assert cases["in"].reference in page and "25-44" in page
    assert "Quillon" not in page and cases["out"].reference not in page
    detail = client.get(reverse("surveillance:case-detail", args=[cases["in"].reference])).content.decode()
    assert "pseudonymised view" in detail
    for secret in ("Quillon", "Marchbank", "1990", "07700900123", "Synthetic record", "Morwenna Marchbank"):
        assert secret not in detail, secret
    assert client.get(reverse("surveillance:case-search")).status_code == 403


def test_filters_and_sorting(personas: Personas, client_for, cases) -> None:
    client = client_for(personas.regional_lead)
    url = reverse("surveillance:case-list")
    both = client.get(url).content.decode()
    assert cases["in"].reference in both and cases["out"].reference in both
    barnet = client.get(url, {"borough": "E09000003"}).content.decode()
    assert cases["out"].reference in barnet and cases["in"].reference not in barnet
    by_agency = client.get(url, {"agency": "example-police"}).content.decode()
    assert cases["in"].reference in by_agency and cases["out"].reference not in by_agency
    assert cases["in"].reference not in client.get(url, {"method_group": "drowning"}).content.decode()
    assert cases["in"].reference not in client.get(url, {"status": "withdrawn"}).content.decode()
    sorted_page = client.get(url, {"sort": "reference"}).content.decode()
    assert sorted_page.index(cases["in"].reference) < sorted_page.index(cases["out"].reference)
    assert client.get(url, {"date_from": "not a date", "page": "99"}).status_code == 200


def test_case_view_shows_provenance_and_conflicts(personas: Personas, client_for, cases) -> None:
    case = cases["in"]
    report("example-public-health-e09000030", {"deceased": {"date_of_birth": "1989-04-02"}}, case=case)
    page = client_for(personas.borough_lead).get(reverse("surveillance:case-detail", args=[case.reference]))
    text = page.content.decode()
    assert "Agencies disagree" in text
    assert "2 April 1990" in text and "2 April 1989" in text
    assert "Example Metropolitan Police" in text and "Example Tower Hamlets Public Health Team" in text
    assert "Morwenna Marchbank" in text and "Timeline" in text
    assert AuditEntry.objects.filter(action="read", object_id=str(case.pk)).exists()


def test_search_by_nhs_number_and_by_names_is_audited(personas: Personas, client_for, cases) -> None:
    client = client_for(personas.borough_lead)
    url = reverse("surveillance:case-search")
    number = cases["in"].nhs_number
    assert cases["in"].reference in client.get(url, {"nhs_number": number}).content.decode()
    found = client.get(
        url, {"given_name": "quillon", "family_name": "MARCHBANK", "date_of_birth": "1990-04-02"}
    )
    assert cases["in"].reference in found.content.decode()
    assert (
        cases["out"].reference not in found.content.decode()
    )  # same person details, out of the lead's scope
    assert "problem" in client.get(url, {"given_name": "quillon"}).content.decode()
    assert AuditEntry.objects.filter(action="search", reason="case search").count() == 2


def test_coroners_officer_records_the_inquest(personas: Personas, client_for, cases) -> None:
    case = cases["in"]
    client = client_for(personas.coroners_officer)
    url = reverse("surveillance:case-status", args=[case.reference])
    response = client.post(
        url, {"status": "coroner_investigation", "inquest_date": "2027-03-01", "reason": "Inquest opened"}
    )
    assert response.status_code == 302
    refused = client.post(url, {"status": "concluded", "reason": "Inquest closed"})
    assert refused.status_code == 200 and "conclusion" in refused.content.decode()
    client.post(url, {"status": "concluded", "conclusion": "suicide", "reason": "Inquest closed"})
    case.refresh_from_db()
    assert (
        case.status == "concluded" and case.conclusion == "suicide" and str(case.inquest_date) == "2027-03-01"
    )
    assert StatusChange.objects.filter(case=case).count() == 2
    assert AuditEntry.objects.filter(
        action="update", object_id=str(case.pk), reason="Inquest closed"
    ).exists()
    assert "withdrawn" not in client.get(url).content.decode()  # only leads withdraw


def test_consent_changed_on_the_case_page_is_signalled(personas: Personas, client_for, cases) -> None:
    case = cases["in"]
    person = case.next_of_kin.get()
    heard: list[str] = []

    def listener(sender: Any, next_of_kin: NextOfKin, **_: Any) -> None:
        heard.append(next_of_kin.consent_to_referral)

    signals.consent_recorded.connect(listener, dispatch_uid="page-test")
    try:
        response = client_for(personas.police_reporter).post(
            reverse("surveillance:nok-consent", args=[case.reference, person.pk]),
            {"consent_to_referral": "yes"},
        )
    finally:
        signals.consent_recorded.disconnect(dispatch_uid="page-test")
    assert response.status_code == 302 and heard == ["yes"]


def test_break_the_glass(personas: Personas, client_for, cases) -> None:
    outside = cases["out"]
    lead = client_for(personas.borough_lead)
    detail = reverse("surveillance:case-detail", args=[outside.reference])
    assert lead.get(detail).status_code == 404
    url = reverse("surveillance:break-glass")
    assert "at least" in lead.post(url, {"reference": outside.reference, "reason": "short"}).content.decode()
    response = lead.post(
        url, {"reference": outside.reference, "reason": "Family contacted us about this death."}
    )
    assert response.status_code == 302
    assert "Opened by breaking the glass" in lead.get(detail).content.decode()
    assert AuditEntry.objects.filter(action="break_glass", object_id=str(outside.pk)).exists()
    listing = client_for(personas.regional_lead).get(url).content.decode()
    assert "Family contacted us about this death." in listing
    BreakGlass.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client_for(personas.borough_lead).get(detail).status_code == 404


def test_a_reporter_adds_a_report_to_a_notified_case(personas: Personas, client_for, cases) -> None:
    outside = report("example-coroner-north-london", in_barnet(deceased={"given_name": "Notified"})).case
    client = client_for(personas.police_reporter)
    assert client.get(reverse("surveillance:case-add-report", args=[outside.reference])).status_code == 404
    start = client.post(reverse("surveillance:case-add-report", args=[cases["in"].reference]))
    assert start.status_code == 302 and "/person/" in start["Location"]


def test_merged_cases_leave_the_default_list(personas: Personas, client_for, cases) -> None:
    Case.objects.filter(pk=cases["out"].pk).update(status="merged", merged_into=cases["in"])
    page = client_for(personas.regional_lead).get(reverse("surveillance:case-list")).content.decode()
    assert cases["out"].reference not in page
