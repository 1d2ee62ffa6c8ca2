"""Directory editors: their own organisation's services and events, checks on the details, CSV export and
import (all or nothing), and who may reach the staff pages."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from thrive.accounts.testing import organisation
from thrive.core.models import AuditEntry
from thrive.directory import csvio
from thrive.directory.models import Event, EventStatus, Service
from thrive.directory.tests.factories import ServiceFactory
from thrive.directory.tests.test_events import submission

pytestmark = [pytest.mark.django_db, pytest.mark.urls("thrive.directory.tests.urls")]


@pytest.fixture
def editor(personas: Any, client_for: Any, postcodes: dict) -> Client:
    return client_for(personas.directory_editor)


def service_form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Example Peer Support Group",
        "type": "community_support",
        "organisation": str(organisation("example-wellbeing-charity").pk),
        "summary": "A weekly group.",
        "description": "Meet people who understand.",
        "status": "active",
        "self_referral": "on",
        "self_referral_phone": "020 7946 0999",
        "in_person": "on",
        "address": "5 Example Lane",
        "postcode": "E1 6AN",
        "opening_hours_text": "Mon-Fri 10:00-16:00\nSat 10:00-12:00",
        "languages_text": "English, Bengali",
        "areas": [],
        "whole_region": "on",
        "last_verified": "2026-11-01",
    }
    data.update(changes)
    return data


def test_editor_adds_and_edits_their_own_service(editor: Client, personas: Any) -> None:
    response = editor.post("/directory/manage/services/new/", service_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    service = Service.objects.get(name="Example Peer Support Group")
    assert service.slug == "example-peer-support-group"
    assert service.opening_hours == [
        {"days": ["MO", "TU", "WE", "TH", "FR"], "opens": "10:00", "closes": "16:00"},
        {"days": ["SA"], "opens": "10:00", "closes": "12:00"},
    ]
    assert service.languages == ["English", "Bengali"] and service.latitude is not None
    assert AuditEntry.objects.filter(
        object_type="directory.service", action="create", user=personas.directory_editor
    )
    page = editor.get(f"/directory/manage/services/{service.slug}/").content.decode()
    assert "Mon-Fri 10:00-16:00" in page
    editor.post(f"/directory/manage/services/{service.slug}/", service_form(name="Example Renamed Group"))
    service.refresh_from_db()
    assert service.name == "Example Renamed Group" and service.slug == "example-peer-support-group"


def test_another_organisations_service_is_not_found(editor: Client) -> None:
    other = ServiceFactory.create(name="Example Other Service")
    assert editor.get(f"/directory/manage/services/{other.slug}/").status_code == 404
    foreign = service_form(organisation=str(other.organisation.pk))
    response = editor.post("/directory/manage/services/new/", foreign)
    assert response.status_code == 200 and "Choose one of your organisations." in response.content.decode()
    assert not Service.objects.filter(name="Example Peer Support Group").exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"min_age": "30", "max_age": "18"},
            "The highest age must be the same as or more than the lowest age.",
        ),
        ({"self_referral_phone": ""}, "Give a web link or a phone number for self-referral."),
        ({"whole_region": ""}, "Choose the boroughs the service covers, or London or England."),
        ({"opening_hours_text": "Mondays sometimes"}, "We could not read"),
        ({"opening_hours_text": "Mon 17:00-09:00"}, "the closing time must be after the opening time"),
        ({"postcode": "nonsense"}, "Enter a full postcode, like E1 6AN."),
        ({"address": ""}, "Enter the address where people go."),
    ],
)
def test_service_details_must_hang_together(editor: Client, changes: dict, message: str) -> None:
    response = editor.post("/directory/manage/services/new/", service_form(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()


def test_staff_pages_turn_away_the_wrong_people(client: Client, personas: Any, client_for: Any) -> None:
    assert client.get("/directory/manage/").status_code == 302
    assert client_for(personas.police_reporter).get("/directory/manage/").status_code == 403
    assert client_for(personas.administrator).get("/directory/manage/services/new/").status_code == 403
    unverified = client_for(personas.directory_editor, verified=False)
    assert "/accounts/two-factor" in unverified.get("/directory/manage/")["Location"]


def test_dashboard_flags_out_of_date_services(editor: Client) -> None:
    ServiceFactory.create(
        name="Example Old Service",
        organisation=organisation("example-wellbeing-charity"),
        last_verified="2020-01-01",
    )
    html = editor.get("/directory/manage/").content.decode()
    assert "Example Old Service" in html and "Out of date" in html and "Events to check" in html


def test_csv_export_then_import_round_trip(editor: Client, personas: Any) -> None:
    charity = organisation("example-wellbeing-charity")
    mine = ServiceFactory.create(
        name="Example Cafe",
        organisation=charity,
        boroughs=["E09000030"],
        opening_hours=[{"days": ["MO"], "opens": "10:00", "closes": "12:00"}],
        languages=["English", "Somali"],
    )
    exported = editor.get("/directory/manage/services/export.csv")
    assert exported["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert [row["slug"] for row in rows] == [mine.slug]
    assert rows[0]["areas"] == "E09000030" and rows[0]["opening_hours"] == "Mon 10:00-12:00"
    assert rows[0]["languages"] == "English; Somali"
    rows[0]["summary"] = "A changed summary."
    rows.append({**rows[0], "slug": "", "name": "Example New Cafe", "areas": "E09000030; E09000012"})
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=csvio.COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    upload = SimpleUploadedFile("services.csv", buffer.getvalue().encode(), content_type="text/csv")
    response = editor.post("/directory/manage/services/import/", {"file": upload})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.summary == "A changed summary." and mine.languages == ["English", "Somali"]
    new = Service.objects.get(name="Example New Cafe")
    assert sorted(new.areas.values_list("code", flat=True)) == ["E09000012", "E09000030"]
    assert AuditEntry.objects.filter(action="export", user=personas.directory_editor).exists()
    assert AuditEntry.objects.filter(summary__startswith="CSV import: 1 services added, 1 updated").exists()


def test_a_bad_import_saves_nothing(editor: Client) -> None:
    other = ServiceFactory.create(name="Example Someone Else's")
    header = ",".join(csvio.COLUMNS)
    blank: list[str] = [""] * 31
    good = "," + ",".join(["Example Fine", "community_support", "", "Summary", "Description", *blank])
    bad_type = "," + ",".join(["Example Bad", "astrology", "", "Summary", "Description", *blank])
    theirs = other.slug + "," + ",".join(["Example Theirs", "community_support", "", "S", "D", *blank])
    bad_flag = "," + ",".join(
        ["Example Flag", "community_support", "", "S", "D", "", "", "maybe", *blank[:28]]
    )
    text = "\n".join([header, good, bad_type, theirs, bad_flag]) + "\n"
    upload = SimpleUploadedFile("services.csv", text.encode(), content_type="text/csv")
    response = editor.post("/directory/manage/services/import/", {"file": upload})
    html = response.content.decode()
    assert response.status_code == 400 and "nothing was imported" in html
    assert "Row 3, type" in html and "belongs to another organisation" in html and "Row 5, perinatal" in html
    assert "Row 2, areas: Choose the boroughs" in html
    assert not Service.objects.filter(name__in=["Example Fine", "Example Bad", "Example Flag"]).exists()
    missing = SimpleUploadedFile("services.csv", b"name,type\nA,b\n", content_type="text/csv")
    assert (
        "The file has no summary, description column"
        in editor.post("/directory/manage/services/import/", {"file": missing}).content.decode()
    )


def test_editor_events_are_published_and_can_be_cancelled(editor: Client) -> None:
    data = submission()
    data.pop("website")
    assert editor.post("/directory/manage/events/new/", data).status_code == 302
    event = Event.objects.get()
    assert event.status == EventStatus.PUBLISHED and event.organisation == organisation(
        "example-wellbeing-charity"
    )
    assert editor.post(f"/directory/manage/events/{event.uuid}/cancel/").status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
