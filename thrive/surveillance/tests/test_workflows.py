"""The reporting form (draft, resume, check your answers, send) and the duplicates queue (compare, merge,
undo, dismiss)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from thrive.accounts.testing import Personas
from thrive.core.crypto import DataSubject
from thrive.core.models import AuditEntry
from thrive.surveillance.models import AgencyReport, Case, CaseMerge, DuplicateCandidate, ReportDraft
from thrive.surveillance.tests.conftest import nhs_number, report, report_body

pytestmark = pytest.mark.django_db

PERSON = {
    "given_name": "Tamsin",
    "family_name": "Ravel",
    "date_of_birth": "1984-06-09",
    "nhs_number": nhs_number(),
    "sex": "female",
    "ethnicity": "C",
    "residence_area": "E09000030",
    "employment_status": "employed",
}
DEATH = {
    "date_found": "2026-11-10",
    "date_of_death": "2026-11-09",
    "location_by": "area",
    "incident_area": "E09000030",
    "location_type": "park_or_woodland",
}
METHOD = {
    "method_group": "poisoning",
    "substances": "Co-codamol, a new pill",
    "circumstances": ["recent_crisis"],
    "known_to_mental_health_services": "yes",
    "mental_health_trust": "example-trust-north-east-london",
    "narrative": "Found by a member of the public.",
}


def _step(client, draft: ReportDraft, slug: str, data: dict, **extra: str):
    return client.post(reverse("surveillance:report-step", args=[draft.pk, slug]), {**data, **extra})


def test_report_form_from_draft_to_case(personas: Personas, client_for) -> None:
    client = client_for(personas.police_reporter)
    assert client.post(reverse("surveillance:report-start")).status_code == 302
    draft = ReportDraft.objects.get()
    bad = _step(client, draft, "person", {**PERSON, "nhs_number": "1234567890"})
    assert (
        bad.status_code == 200
        and "modulus 11" in bad.content.decode()
        and "There is a problem" in bad.content.decode()
    )
    saved = _step(client, draft, "person", PERSON, action="save")
    assert saved.status_code == 302 and saved["Location"] == reverse("surveillance:report-start")
    assert "Tamsin" not in str(ReportDraft.objects.values_list("data", flat=True).get())  # encrypted at rest
    assert "New report" in client.get(reverse("surveillance:report-start")).content.decode()  # resume later
    assert _step(client, draft, "death", {**DEATH, "date_of_death": "2026-11-12"}).status_code == 200
    assert _step(client, draft, "death", DEATH).status_code == 302
    assert _step(client, draft, "method", METHOD).status_code == 302
    nok = {
        "name": "Ines Ravel",
        "relationship": "sibling",
        "phone": "020 7946 0000",
        "consent_to_referral": "yes",
        "borough": "E09000030",
    }
    assert _step(client, draft, "next-of-kin", nok, action="add").status_code == 302
    assert _step(client, draft, "next-of-kin", {}, action="continue")["Location"].endswith("/check/")
    check = client.get(reverse("surveillance:report-check", args=[draft.pk])).content.decode()
    assert "Check your answers" in check and "Tamsin" in check and "Ines Ravel" in check
    sent = client.post(reverse("surveillance:report-check", args=[draft.pk]))
    case = Case.objects.get()
    assert sent.status_code == 302 and sent["Location"] == reverse(
        "surveillance:case-detail", args=[case.reference]
    )
    assert case.given_name == "Tamsin" and case.incident_borough is not None
    assert case.incident_borough.code == "E09000030"
    assert {s.name for s in case.substances.all()} == {"codeine", "a new pill"}
    assert "new_substance" in case.flags and case.mental_health_trust is not None
    assert case.mental_health_trust.slug == "example-trust-north-east-london"
    assert (
        case.reports.get().via == AgencyReport.Via.WEB and case.next_of_kin.get().consent_to_referral == "yes"
    )
    assert not ReportDraft.objects.exists()
    assert DataSubject.objects.filter(erased_at__isnull=False).count() == 1  # the draft's key was shredded


def test_check_page_sends_people_back_to_the_step_with_the_problem(personas: Personas, client_for) -> None:
    client = client_for(personas.police_reporter)
    client.post(reverse("surveillance:report-start"))
    draft = ReportDraft.objects.get()
    _step(client, draft, "person", PERSON)
    page = client.get(reverse("surveillance:report-check", args=[draft.pk])).content.decode()
    assert "There is a problem" in page and "/death/?return=check" in page and "Send report" not in page
    assert client.post(reverse("surveillance:report-check", args=[draft.pk])).status_code == 200
    assert not Case.objects.exists()


def test_a_draft_is_private_to_its_author(personas: Personas, client_for) -> None:
    client_for(personas.police_reporter).post(reverse("surveillance:report-start"))
    draft = ReportDraft.objects.get()
    other = client_for(personas.transport_reporter)
    assert other.get(reverse("surveillance:report-step", args=[draft.pk, "person"])).status_code == 404
    assert other.post(reverse("surveillance:report-discard", args=[draft.pk])).status_code == 404


def test_adding_a_report_from_the_case_page(personas: Personas, client_for, cases) -> None:
    client = client_for(personas.police_reporter)
    client.post(reverse("surveillance:case-add-report", args=[cases["in"].reference]))
    draft = ReportDraft.objects.get()
    assert _step(client, draft, "person", {"occupation": "Baker"}).status_code == 302  # nothing is required
    for slug in ("death", "method"):
        _step(client, draft, slug, {})
    _step(client, draft, "next-of-kin", {}, action="continue")
    client.post(reverse("surveillance:report-check", args=[draft.pk]))
    case = Case.objects.get(pk=cases["in"].pk)
    assert case.reports.count() == 2 and case.occupation == "Baker" and case.given_name == "Quillon"


def _near_pair() -> DuplicateCandidate:
    first = report("example-police", report_body(deceased={"nhs_number": ""}))
    report(
        "example-public-health-e09000030",
        report_body(
            deceased={"nhs_number": "", "given_name": "Qullon", "date_of_birth": "1990-02-04"},
            next_of_kin=[{"name": "Second Person", "relationship": "friend", "consent_to_referral": "no"}],
        ),
    )
    pair = DuplicateCandidate.objects.get()
    assert pair.case_a == first.case
    return pair


def test_merge_compare_then_undo(personas: Personas, client_for) -> None:
    pair = _near_pair()
    lead = client_for(personas.borough_lead)
    queue = lead.get(reverse("surveillance:duplicate-list")).content.decode()
    assert pair.case_a.reference in queue
    compare = lead.get(reverse("surveillance:duplicate-compare", args=[pair.pk])).content.decode()
    assert "Qullon" in compare and "differs" in compare
    response = lead.post(
        reverse("surveillance:duplicate-compare", args=[pair.pk]),
        {"decision": "keep_a", "reason": "Same person, typo in the name"},
    )
    assert response.status_code == 302
    survivor, duplicate = Case.objects.get(pk=pair.case_a_id), Case.objects.get(pk=pair.case_b_id)
    assert duplicate.status == "merged" and duplicate.merged_into == survivor
    assert survivor.reports.count() == 2 and survivor.next_of_kin.count() == 2
    assert AuditEntry.objects.filter(action="merge", object_id=str(survivor.pk)).exists()
    assert "Nothing to review" in lead.get(reverse("surveillance:duplicate-list")).content.decode()
    merge = CaseMerge.objects.get()
    undone = lead.post(
        reverse("surveillance:merge-undo", args=[merge.pk]), {"reason": "Two different people"}
    )
    assert undone.status_code == 302
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert duplicate.status == "suspected" and duplicate.merged_into is None
    assert (
        survivor.reports.count() == 1
        and duplicate.reports.count() == 1
        and duplicate.next_of_kin.count() == 1
    )
    assert survivor.given_name == "Quillon" and duplicate.given_name == "Qullon"
    assert DuplicateCandidate.objects.get().state == "open"


def test_dismiss(personas: Personas, client_for) -> None:
    pair = _near_pair()
    lead = client_for(personas.borough_lead)
    lead.post(
        reverse("surveillance:duplicate-compare", args=[pair.pk]),
        {"decision": "dismiss", "reason": "Different dates of birth confirmed"},
    )
    pair.refresh_from_db()
    assert pair.state == "dismissed" and Case.objects.filter(status="merged").count() == 0


def test_an_analyst_cannot_merge(personas: Personas, client_for) -> None:
    pair = _near_pair()
    response = client_for(personas.analyst).post(
        reverse("surveillance:duplicate-compare", args=[pair.pk]), {"decision": "keep_a", "reason": "x"}
    )
    assert response.status_code == 403 and not Case.objects.filter(status="merged").exists()


def test_a_report_after_a_merge_follows_it(personas: Personas) -> None:
    pair = _near_pair()
    from thrive.accounts.models import Organisation
    from thrive.surveillance import merging

    merging.merge_cases(
        survivor=pair.case_b,
        duplicate=pair.case_a,
        by=personas.regional_lead,
        organisation=Organisation.objects.get(slug="example-prevention-team"),
        reason="same",
    )
    again = report("example-coroner-inner-north-london", report_body(deceased={"nhs_number": ""}))
    assert again.linked and again.case == pair.case_b
