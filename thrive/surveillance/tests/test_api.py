"""The cases API as CONTRACTS.md fixes it: create, idempotent retry, conflicting retry, errors by field,
reach, linking, PATCH and consent."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from thrive.core.models import AuditEntry
from thrive.surveillance import signals
from thrive.surveillance.models import AgencyReport, Case, CaseOrganisation, DuplicateCandidate, NextOfKin
from thrive.surveillance.tests.conftest import BARNET, call, in_barnet, nhs_number, report_body

pytestmark = pytest.mark.django_db
CASES = "/api/v1/cases/"


def test_create_then_retry_with_the_same_key_gives_the_first_answer(api_key) -> None:
    key = api_key("example-police", "cases:read,cases:write")
    body = report_body()
    idem = str(uuid.uuid4())
    status, first = call("POST", CASES, key, body, idempotency_key=idem)
    assert status == 201, first
    assert first["reference"].startswith(f"RTSS-{timezone.localdate().year}-") and first["linked"] is False
    status, again = call("POST", CASES, key, body, idempotency_key=idem)
    assert status == 201 and again == first
    assert Case.objects.count() == 1 and AgencyReport.objects.count() == 1
    status, conflict = call("POST", CASES, key, {**body, "narrative": "Another body."}, idempotency_key=idem)
    assert status == 409 and "Idempotency-Key" in conflict["errors"]


def test_keys_are_per_organisation(api_key) -> None:
    idem = str(uuid.uuid4())
    police, trust = api_key("example-police"), api_key("example-trust-north-east-london")
    assert call("POST", CASES, police, report_body(), idempotency_key=idem)[0] == 201
    assert call("POST", CASES, trust, in_barnet(), idempotency_key=idem)[0] == 201


def test_references_count_up_within_the_year(api_key) -> None:
    key = api_key("example-police")
    first = call("POST", CASES, key, report_body())[1]["reference"]
    second = call(
        "POST", CASES, key, in_barnet(deceased={"given_name": "Other", "date_of_birth": "1970-01-01"})
    )[1]
    assert int(second["reference"][-5:]) == int(first[-5:]) + 1


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        ({"deceased": {"nhs_number": "1234567890"}}, "deceased.nhs_number", "modulus 11"),
        ({"date_of_death": "2099-01-01"}, "date_of_death", "future"),
        ({"date_found": "2026-01-01", "date_of_death": "2026-01-05"}, "date_of_death", "after the date"),
        ({"deceased": {"date_of_birth": "2020-01-01"}}, "deceased.date_of_birth", "aged 10 or over"),
        ({"narrative": "x" * 10_001}, "narrative", "too long"),
        ({"deceased": {"sex": "unknown"}}, "deceased.sex", "allowed codes"),
        ({"incident": {"method_group": "rope"}}, "incident.method_group", "allowed codes"),
        ({"circumstances": ["veteran", "sad"]}, "circumstances.1", "allowed codes"),
        (
            {"next_of_kin": [{"name": "A", "relationship": "parent", "phone": "12"}]},
            "next_of_kin.0.phone",
            "UK phone",
        ),
        (
            {"next_of_kin": [{"name": "A", "relationship": "cousin"}]},
            "next_of_kin.0.relationship",
            "allowed codes",
        ),
        ({"next_of_kin": [{"relationship": "parent"}]}, "next_of_kin.0.name", "required"),
        ({"favourite_colour": "blue"}, "favourite_colour", "not recognised"),
        ({"deceased": {"shoe_size": 9}}, "deceased.shoe_size", "not recognised"),
        ({"incident": {"location": {"lat": 51.5, "lng": 0.1}}}, "incident.location.lng", "not recognised"),
        ({"date_found": None}, "date_found", "required"),
        ({"deceased": {"family_name": ""}}, "deceased.family_name", "required"),
        ({"deceased": {"residence_postcode": "not a postcode"}}, "deceased.residence_postcode", "postcode"),
    ],
)
def test_bad_input_names_the_field_in_plain_words(
    api_key,
    change: dict[str, Any],
    path: str,
    words: str,
) -> None:
    key = api_key("example-police")
    status, answer = call("POST", CASES, key, report_body(**change), idempotency_key=str(uuid.uuid4()))
    assert status == 400, answer
    assert path in answer["errors"], answer
    assert words in " ".join(answer["errors"][path])
    assert not Case.objects.exists() and not NextOfKin.objects.exists()


def test_several_errors_come_back_together(api_key) -> None:
    body = report_body(date_of_death="2099-01-01", deceased={"nhs_number": "1234567890"})
    status, answer = call("POST", CASES, api_key("example-police"), body)
    assert status == 400 and {"deceased.nhs_number", "date_of_death"} <= set(answer["errors"])


def test_a_postcode_outside_the_region_is_accepted_with_a_flag(api_key) -> None:
    body = report_body(deceased={"residence_postcode": "M1 1AA"})
    status, answer = call("POST", CASES, api_key("example-police"), body)
    assert status == 201
    assert "residence_postcode_not_found" in answer["flags"] or "residence_outside_region" in answer["flags"]


def test_a_map_point_that_cannot_be_placed_is_flagged(api_key) -> None:
    body = report_body(incident={"area_code": "", "location": {"lat": 53.48, "lon": -2.24}})
    status, answer = call("POST", CASES, api_key("example-police"), body)
    assert status == 201 and any(f.startswith("incident_") for f in answer["flags"])


def test_list_and_detail_within_reach(api_key, cases) -> None:
    police = api_key("example-police", "cases:read")
    status, page = call("GET", CASES, police)
    assert status == 200 and set(page) == {"count", "next", "previous", "results"}
    references = [row["reference"] for row in page["results"]]
    assert references == [cases["in"].reference]
    status, detail = call("GET", f"{CASES}{cases['in'].reference}/", police)
    assert status == 200 and detail["deceased"]["family_name"] == "Marchbank"
    assert detail["next_of_kin"][0]["phone"] == "07700900123"
    assert call("GET", f"{CASES}{cases['out'].reference}/", police)[0] == 404
    assert call("GET", f"{CASES}RTSS-1999-00001/", police)[0] == 404
    assert AuditEntry.objects.filter(action="read", object_id=str(cases["in"].pk)).exists()


def test_notified_agencies_reach_the_case_and_see_no_other_agencys_contacts(api_key, cases) -> None:
    public_health = api_key("example-public-health-e09000030", "cases:read")
    status, detail = call("GET", f"{CASES}{cases['in'].reference}/", public_health)
    assert status == 200 and "phone" not in detail["next_of_kin"][0]
    assert call("GET", f"{CASES}{cases['out'].reference}/", public_health)[0] == 404


def test_newest_first(api_key) -> None:
    key = api_key("example-police")
    older = call("POST", CASES, key, report_body())[1]["reference"]
    Case.objects.filter(reference=older).update(created_at=timezone.now() - timedelta(days=1))
    newer = call(
        "POST", CASES, key, in_barnet(deceased={"given_name": "Zed", "date_of_birth": "1971-01-01"})
    )[1]
    results = call("GET", CASES, key)[1]["results"]
    assert [r["reference"] for r in results] == [newer["reference"], older]


def test_bereavement_service_cannot_read_cases(api_key, cases) -> None:
    key = api_key("example-bereavement-east", "referrals:read")
    assert call("GET", CASES, key)[0] == 403
    assert call("GET", f"{CASES}{cases['in'].reference}/", key)[0] == 403
    assert call("POST", CASES, key, report_body())[0] == 403


def test_missing_or_bad_key_is_401() -> None:
    assert call("GET", CASES, "thr_not-a-key")[0] == 401


def test_read_only_key_cannot_write(api_key) -> None:
    assert call("POST", CASES, api_key("example-police", "cases:read"), report_body())[0] == 403


def test_same_nhs_number_links_to_the_existing_case(api_key) -> None:
    body = report_body()
    first = call("POST", CASES, api_key("example-police"), body)[1]
    second_body = report_body(
        deceased={"nhs_number": body["deceased"]["nhs_number"], "given_name": "Quillan"}
    )
    status, second = call("POST", CASES, api_key("example-trust-north-east-london"), second_body)
    assert status == 201 and second["linked"] is True and second["reference"] == first["reference"]
    case = Case.objects.get(reference=first["reference"])
    assert case.reports.count() == 2 and case.given_name == "Quillan"
    assert case.reports.last().link == AgencyReport.Link.NHS_NUMBER  # type: ignore[union-attr]


def test_same_names_and_date_of_birth_link(api_key) -> None:
    first = call("POST", CASES, api_key("example-police"), report_body(deceased={"nhs_number": ""}))[1]
    second = call(
        "POST",
        CASES,
        api_key("example-coroner-inner-north-london"),
        report_body(deceased={"nhs_number": "", "given_name": "QUILLON", "family_name": "marchbank"}),
    )[1]
    assert second["linked"] is True and second["reference"] == first["reference"]


def test_a_near_match_goes_to_the_duplicates_queue(api_key) -> None:
    police = api_key("example-police")
    first = call("POST", CASES, police, report_body(deceased={"nhs_number": ""}))[1]
    status, second = call(
        "POST",
        CASES,
        api_key("example-public-health-e09000030"),
        report_body(deceased={"nhs_number": "", "given_name": "Qulon", "date_of_birth": "1990-02-04"}),
    )
    assert status == 201 and second["linked"] is False and second["reference"] != first["reference"]
    assert [d["reference"] for d in second["possible_duplicates"]] == [first["reference"]]
    assert DuplicateCandidate.objects.filter(state="open").count() == 1


def test_patch_adds_an_agency_report(api_key, cases) -> None:
    key = api_key("example-public-health-e09000030")
    reference = cases["in"].reference
    status, answer = call(
        "PATCH",
        f"{CASES}{reference}/",
        key,
        {"deceased": {"employment_status": "employed"}, "circumstances": ["bereavement"]},
    )
    assert status == 200 and answer["reference"] == reference
    case = Case.objects.get(reference=reference)
    assert case.reports.count() == 2 and case.employment_status == "employed"
    assert CaseOrganisation.objects.filter(
        case=case, organisation__slug="example-public-health-e09000030", relation="reported"
    ).exists()


def test_patch_validates_too(api_key, cases) -> None:
    status, answer = call(
        "PATCH",
        f"{CASES}{cases['in'].reference}/",
        api_key("example-police"),
        {"deceased": {"nhs_number": "1234567890"}},
    )
    assert status == 400 and "deceased.nhs_number" in answer["errors"]


def test_patch_out_of_reach_is_404(api_key, cases) -> None:
    assert call("PATCH", f"{CASES}{cases['out'].reference}/", api_key("example-police"), {})[0] == 404


def test_consent_is_signalled_at_creation_and_on_change(api_key) -> None:
    heard: list[tuple[str, str]] = []

    def listener(
        sender: Any, next_of_kin: NextOfKin, case: Case, by_user: Any, by_organisation: Any, **_: Any
    ) -> None:
        heard.append((next_of_kin.consent_to_referral, by_organisation.slug))

    signals.consent_recorded.connect(listener, dispatch_uid="test-listener")
    try:
        key = api_key("example-police")
        body = report_body()
        body["next_of_kin"][0]["consent_to_referral"] = "later"
        reference = call("POST", CASES, key, body)[1]["reference"]
        person = NextOfKin.objects.get(case__reference=reference)
        status, _ = call(
            "PATCH",
            f"{CASES}{reference}/",
            key,
            {"next_of_kin": [{"id": person.pk, "consent_to_referral": "yes"}]},
        )
        assert status == 200
    finally:
        signals.consent_recorded.disconnect(dispatch_uid="test-listener")
    assert heard == [("later", "example-police"), ("yes", "example-police")]
    person.refresh_from_db()
    assert person.consent_to_referral == "yes" and NextOfKin.objects.count() == 1


def test_patch_with_an_unknown_next_of_kin_id_is_refused(api_key, cases) -> None:
    status, answer = call(
        "PATCH",
        f"{CASES}{cases['in'].reference}/",
        api_key("example-police"),
        {"next_of_kin": [{"id": 999999, "consent_to_referral": "yes"}]},
    )
    assert status == 400 and "next_of_kin.0.id" in answer["errors"]


def test_the_area_agencies_are_notified(api_key) -> None:
    from thrive.core.notification_models import OutboxMessage

    reference = call("POST", CASES, api_key("example-police"), report_body())[1]["reference"]
    notified = set(
        CaseOrganisation.objects.filter(case__reference=reference, relation="notified").values_list(
            "organisation__slug", flat=True
        )
    )
    assert {
        "example-public-health-e09000030",
        "example-trust-north-east-london",
        "example-coroner-inner-north-london",
        "example-prevention-team",
    } == notified
    messages = OutboxMessage.objects.filter(kind="case.created")
    assert messages.count() == 4 and all(reference in m.body for m in messages)
    assert not any("Marchbank" in m.body or "Quillon" in m.body for m in messages)


def test_the_schema_documents_the_endpoints(client) -> None:
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/cases/", "/api/v1/cases/{reference}/"} <= set(paths)


def test_barnet_is_out_of_the_police_reporters_list_when_another_agency_reported_it(api_key, cases) -> None:
    assert cases["out"].residence_borough is not None and cases["out"].residence_borough.code == BARNET
    listed = [r["reference"] for r in call("GET", CASES, api_key("example-police"))[1]["results"]]
    assert cases["out"].reference not in listed


def test_nhs_numbers_are_stored_encrypted_and_indexed(api_key) -> None:
    number = nhs_number()
    call("POST", CASES, api_key("example-police"), report_body(deceased={"nhs_number": number}))
    raw = Case.objects.values_list("nhs_number", flat=True).get()
    assert number not in str(raw.token)  # type: ignore[attr-defined]
    assert AgencyReport.objects.get().nhs_index not in ("", number)
