"""`/api/v1/referrals/`: the key's own service's referrals, the minimum necessary, PATCH with clear errors."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest

from thrive.accounts.testing import Personas
from thrive.core.models import AuditEntry
from thrive.referrals.models import ContactAttempt, Referral, Status
from thrive.referrals.tests.conftest import EAST, NORTH, call, kin, referral_of, report_with

pytestmark = pytest.mark.django_db
LIST = "/api/v1/referrals/"


def detail(referral: Referral) -> str:
    return f"{LIST}{referral.pk}/"


def test_the_list_shows_the_minimum_necessary_and_nothing_of_the_death(
    personas: Personas, api_key: Callable[..., str]
) -> None:
    case = report_with(kin(interpreter_needed=True, language="Sylheti"), deceased={"family_name": "Zedmore"})
    referral = referral_of(case)
    status, body = call("GET", LIST, api_key(EAST))
    assert status == 200 and body["count"] == 1 and body["next"] is None and body["previous"] is None
    item = body["results"][0]
    assert item["id"] == referral.pk and item["status"] == "new" and item["overdue"] is False
    assert item["bereaved_person"] == {
        "name": "Rowan Kinsey",
        "relationship": "parent",
        "phone": "07700900123",
        "email": "sam@example.org",
        "address": "",
        "postcode": "",
        "language": "Sylheti",
        "interpreter_needed": True,
        "safety_concerns": "Lives alone; very distressed.",
    }
    assert item["deceased"] == {"first_name": "Alex", "date_of_death": "2026-11-19"}
    assert item["where_they_live"]["borough"]["code"] == "E09000030"
    text = json.dumps(body).lower()
    for never in ("poisoning", "paracetamol", "synthetic record made by a test", "zedmore", "rtss-", "1990"):
        assert never not in text, never
    assert AuditEntry.objects.filter(action="search", object_type="referrals.referral").count() == 1


def test_another_service_cannot_see_it(personas: Personas, api_key: Callable[..., str]) -> None:
    referral = referral_of(report_with(kin()))
    north = api_key(NORTH)
    assert call("GET", LIST, north)[1]["count"] == 0
    assert call("GET", detail(referral), north)[0] == 404
    assert call("PATCH", detail(referral), north, {"status": "accepted"})[0] == 404
    assert call("GET", f"{LIST}999999/", north)[0] == 404
    assert Referral.objects.get().status == Status.NEW


def test_keys_need_the_scope(personas: Personas, api_key: Callable[..., str]) -> None:
    referral = referral_of(report_with(kin()))
    reader = api_key(EAST, "referrals:read")
    assert call("GET", detail(referral), reader)[0] == 200
    status, body = call("PATCH", detail(referral), reader, {"status": "accepted"})
    assert status == 403 and "referrals:write" in body["errors"]["body"][0]
    assert call("GET", LIST, "not-a-key")[0] == 401


def test_patch_records_status_and_contact_attempts(personas: Personas, api_key: Callable[..., str]) -> None:
    referral = referral_of(report_with(kin()))
    key = api_key(EAST)
    status, body = call("PATCH", detail(referral), key, {"status": "accepted"})
    assert status == 200 and body["status"] == "accepted" and "bereaved_person" not in body
    attempt = {"channel": "phone", "outcome": "reached", "note": "Spoke with Rowan"}
    idem = str(uuid.uuid4())
    status, body = call("PATCH", detail(referral), key, {"contact_attempt": attempt}, idempotency_key=idem)
    assert status == 200 and body["status"] == "contacted" and body["first_contact_at"]
    assert call("PATCH", detail(referral), key, {"contact_attempt": attempt}, idempotency_key=idem)[1] == body
    assert ContactAttempt.objects.count() == 1
    status, body = call("GET", detail(referral), key)
    assert body["contact_attempts"][0]["note"] == "Spoke with Rowan"
    assert [h["kind"] for h in body["history"]] == ["created", "status", "attempt"]
    assert call("PATCH", detail(referral), key, {"status": "supporting"})[1]["status"] == "supporting"


@pytest.mark.parametrize(("change", "path", "words"), [
    ({"status": "closed"}, "status", "cannot become closed"),
    ({"status": "contacted"}, "status", "Record a contact attempt"),
    ({"status": "lost"}, "status", "'lost' is not a referral status"),
    ({"contact_attempt": {"channel": "phone", "outcome": "no_answer"}}, "contact_attempt", "Accept the"),
    ({"contact_attempt": {"channel": "pigeon", "outcome": "no_answer"}}, "contact_attempt.channel", "valid"),
    ({"status": "transferred", "transfer_to": "nowhere"}, "transfer_to", "no bereavement service 'nowhere'"),
    ({"status": "transferred", "transfer_to": "example-police"}, "transfer_to", "no bereavement service"),
    ({}, "body", "Give a status"),
])  # fmt: skip
def test_invalid_patches_get_clear_errors(
    personas: Personas, api_key: Callable[..., str], change: dict[str, object], path: str, words: str
) -> None:
    referral = referral_of(report_with(kin()))
    status, body = call("PATCH", detail(referral), api_key(EAST), change)
    assert status == 400, body
    assert words in " ".join(body["errors"][path]), body
    assert Referral.objects.get().status == Status.NEW


def test_a_transfer_and_a_withdrawal_through_the_api(personas: Personas, api_key: Callable[..., str]) -> None:
    referral = referral_of(report_with(kin()))
    status, body = call(
        "PATCH",
        detail(referral),
        api_key(EAST),
        {"status": "transferred", "transfer_to": NORTH, "note": "Moved to Barnet"},
    )
    assert status == 200 and body["status"] == "transferred" and body["id"] == referral.pk
    north = api_key(NORTH)
    moved = call("GET", LIST, north)[1]["results"][0]
    assert moved["bereaved_person"]["name"] == "Rowan Kinsey"
    assert call("GET", detail(referral), api_key(EAST))[1]["bereaved_person"]["name"] == ""
    status, body = call("PATCH", f"{LIST}{moved['id']}/", north, {"consent_withdrawn": True})
    assert status == 200 and body["consent_withdrawn"] is True and body["status"] == "closed"
    erased = call("GET", f"{LIST}{moved['id']}/", north)[1]
    assert erased["details_erased"] is True and erased["bereaved_person"]["phone"] == ""
