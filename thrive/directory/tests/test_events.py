"""Events: public submission (validation, spam trap, flood), moderation, filters, calendar, map, archive,
campaign page and the iCalendar feed."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from thrive.core.models import AuditEntry
from thrive.directory import ratelimit
from thrive.directory.models import Attendance, Event, EventStatus
from thrive.directory.tests.factories import CampaignFactory, EventFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("thrive.directory.tests.urls")]
SUBMIT = "/events/submit/"


def submission(**changes: Any) -> dict[str, Any]:
    day = timezone.localdate() + datetime.timedelta(days=10)
    data = {
        "title": "Example community walk",
        "type": "activity",
        "description": "A gentle walk by the canal.",
        "day": day.isoformat(),
        "start_time": "10:00",
        "end_time": "12:00",
        "end_day": "",
        "attendance": "in_person",
        "venue_name": "Example Park Gate",
        "address": "1 Example Road",
        "postcode": "e1 6an",
        "online_url": "",
        "booking_url": "",
        "is_free": "on",
        "price": "",
        "accessibility": "",
        "organiser_name": "Example Walkers",
        "organiser_email": "walkers@example.org",
        "organiser_phone": "020 7946 0123",
        "website": "",
    }
    data.update(changes)
    return data


def test_a_valid_submission_waits_for_moderation(client: Client, postcodes: dict, london: dict) -> None:
    response = client.post(SUBMIT, submission())
    assert response.status_code == 302 and response["Location"] == "/events/submit/thank-you/"
    event = Event.objects.get()
    assert event.status == EventStatus.PENDING
    assert event.borough == london["E09000030"] and event.postcode == "E1 6AN" and event.latitude is not None
    assert AuditEntry.objects.filter(object_type="directory.event", action="create").count() == 1
    assert "Example community walk" not in client.get("/events/").content.decode()
    assert client.get(f"/events/{event.uuid}/").status_code == 404
    assert "private" in client.get(SUBMIT)["Cache-Control"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end_time": "09:00"}, "end_time", "The end must be after the start."),
        (
            {"day": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()},
            "day",
            "The event must start in the future.",
        ),
        (
            {"day": (timezone.localdate() + datetime.timedelta(days=1000)).isoformat()},
            "day",
            "The event must be within the next 2 years.",
        ),
        ({"description": "x" * 3001}, "description", "The description must be 3,000 characters or fewer"),
        ({"title": "x" * 121}, "title", "The event name must be 120 characters or fewer."),
        (
            {"description": "Fun <script>alert(1)</script>"},
            "description",
            "Remove the HTML or code: write plain text only.",
        ),
        (
            {"title": '<img src=x onerror="alert(1)">'},
            "title",
            "Remove the HTML or code: write plain text only.",
        ),
        ({"attendance": "online"}, "online_url", "Enter the link people use to join online."),
        ({"postcode": "CM1 1AA"}, "postcode", "This calendar is for events in London or online"),
        ({"postcode": "ZZ9 9ZZ"}, "postcode", "We cannot find the postcode ZZ9 9ZZ."),
        (
            {"organiser_email": ""},
            "organiser_email",
            "Enter your email address so a moderator can contact you.",
        ),
    ],
)
def test_bad_submissions_get_clear_messages(
    client: Client, postcodes: dict, changes: dict, field: str, message: str
) -> None:
    response = client.post(SUBMIT, submission(**changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and message in html, message
    assert f'href="#id_{field}"' in html
    assert "<script>alert" not in html and 'onerror="alert' not in html
    assert Event.objects.count() == 0


def test_an_oversized_request_is_refused(client: Client, postcodes: dict, settings: Any) -> None:
    settings.THRIVE_MAX_BODY_BYTES = 10_000
    response = client.post(SUBMIT, submission(description="x" * 20_000))
    assert response.status_code == 413
    assert Event.objects.count() == 0


def test_the_spam_trap_stores_nothing(client: Client, postcodes: dict) -> None:
    response = client.post(SUBMIT, submission(website="http://spam.example"))
    assert response.status_code == 302
    assert Event.objects.count() == 0


def test_a_flood_from_one_address_is_politely_refused(client: Client, postcodes: dict) -> None:
    for n in range(ratelimit.EVENT_SUBMISSIONS_PER_HOUR):
        assert client.post(SUBMIT, submission(title=f"Example event {n}")).status_code == 302
    refused = client.post(SUBMIT, submission(title="One too many"))
    assert refused.status_code == 429
    assert "Please try again in an hour" in refused.content.decode()
    assert refused["Retry-After"] == "3600"
    assert not Event.objects.filter(title="One too many").exists()
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.post(SUBMIT, submission(title="From elsewhere")).status_code == 302
    assert not Event.objects.filter(status=EventStatus.PUBLISHED).exists()


def test_moderators_publish_or_reject_with_a_reason(
    client: Client, postcodes: dict, personas: Any, client_for: Any
) -> None:
    client.post(SUBMIT, submission())
    client.post(SUBMIT, submission(title="Example not suitable"))
    good, bad = (
        Event.objects.get(title="Example community walk"),
        Event.objects.get(title="Example not suitable"),
    )
    moderator = client_for(personas.directory_editor)
    queue = moderator.get("/directory/manage/moderation/").content.decode()
    assert "Example community walk" in queue and "Example not suitable" in queue
    page = moderator.get(f"/directory/manage/moderation/{good.uuid}/").content.decode()
    assert "walkers@example.org" in page  # the private contact is for moderators
    no_reason = moderator.post(
        f"/directory/manage/moderation/{bad.uuid}/", {"decision": "reject", "reason": ""}
    )
    assert "Give a reason for rejecting the event." in no_reason.content.decode()
    moderator.post(
        f"/directory/manage/moderation/{bad.uuid}/", {"decision": "reject", "reason": "Not in London"}
    )
    moderator.post(f"/directory/manage/moderation/{good.uuid}/", {"decision": "publish"})
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == EventStatus.PUBLISHED and good.moderated_by == personas.directory_editor
    assert bad.status == EventStatus.REJECTED and bad.rejection_reason == "Not in London"
    public = client.get(f"/events/{good.uuid}/").content.decode()
    assert "Example community walk" in public and "walkers@example.org" not in public and "0123" not in public
    assert client.get(f"/events/{bad.uuid}/").status_code == 404
    assert AuditEntry.objects.filter(object_id=str(bad.pk), reason="Not in London").exists()


def test_only_moderators_reach_the_queue(
    client: Client, postcodes: dict, personas: Any, client_for: Any
) -> None:
    assert client.get("/directory/manage/moderation/").status_code == 302
    assert client_for(personas.police_reporter).get("/directory/manage/moderation/").status_code == 403
    event = EventFactory.create(status=EventStatus.PENDING)
    assert client_for(personas.analyst).get(f"/directory/manage/moderation/{event.uuid}/").status_code == 403


@pytest.fixture
def programme(london: dict) -> dict[str, Event]:
    today = timezone.localdate()
    next_monday = today + datetime.timedelta(days=7 - today.weekday())

    def at(day: datetime.date, hour: int) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())

    return {
        "walk": EventFactory.create(
            title="Example TH walk",
            borough=london["E09000030"],
            starts_at=at(next_monday + datetime.timedelta(days=2), 10),
        ),
        "talk": EventFactory.create(
            title="Example Barnet talk",
            type="talk",
            borough=london["E09000003"],
            starts_at=at(next_monday + datetime.timedelta(days=3), 18),
        ),
        "webinar": EventFactory.create(
            title="Example webinar",
            type="talk",
            attendance=Attendance.ONLINE,
            borough=None,
            latitude=None,
            longitude=None,
            online_url="https://example.org/join",
            starts_at=at(today + datetime.timedelta(days=20), 12),
        ),
        "past": EventFactory.create(
            title="Example past walk",
            borough=london["E09000030"],
            starts_at=timezone.now() - datetime.timedelta(days=5),
        ),
        "pending": EventFactory.create(
            title="Example pending", status=EventStatus.PENDING, borough=london["E09000030"]
        ),
    }


def titles(client: Client, url: str, **params: Any) -> list[str]:
    html = client.get(url, params).content.decode()
    return [
        t
        for t in (
            "Example TH walk",
            "Example Barnet talk",
            "Example webinar",
            "Example past walk",
            "Example pending",
        )
        if t in html
    ]


def test_list_filters(client: Client, programme: dict) -> None:
    assert titles(client, "/events/") == ["Example TH walk", "Example Barnet talk", "Example webinar"]
    assert titles(client, "/events/", borough="E09000030") == ["Example TH walk"]
    assert titles(client, "/events/", type="talk") == ["Example Barnet talk", "Example webinar"]
    assert titles(client, "/events/", attendance="online") == ["Example webinar"]
    assert titles(client, "/events/", attendance="in_person") == ["Example TH walk", "Example Barnet talk"]
    today = timezone.localdate()
    next_monday = today + datetime.timedelta(days=7 - today.weekday())
    next_week = {
        "start": next_monday.isoformat(),
        "end": (next_monday + datetime.timedelta(days=6)).isoformat(),
    }
    assert titles(client, "/events/", **next_week) == ["Example TH walk", "Example Barnet talk"]
    html = client.get("/events/").content.decode()
    assert f"start={next_week['start']}&amp;end={next_week['end']}" in html  # the "Next week" link
    bad = client.get("/events/", {"start": "2026-13-01", "borough": "nowhere"}).content.decode()
    assert "Enter a real &#39;from&#39; date, like 10/10/2026." in bad
    assert "Choose a London borough from the list." in bad


def test_calendar_map_and_archive(client: Client, programme: dict) -> None:
    walk = programme["walk"]
    month = timezone.localtime(walk.starts_at).strftime("%Y-%m")
    calendar = client.get("/events/", {"view": "calendar", "month": month}).content.decode()
    assert "Example TH walk" in calendar and '<table class="directory-calendar">' in calendar
    assert titles(client, "/events/", view="map") == ["Example TH walk", "Example Barnet talk"]
    assert titles(client, "/events/past/") == ["Example past walk"]


def test_campaign_page_gathers_the_days_events(client: Client, programme: dict) -> None:
    day = timezone.localtime(programme["walk"].starts_at).date()
    campaign = CampaignFactory.create(starts_on=day, ends_on=day)
    html = client.get(f"/events/campaigns/{campaign.slug}/").content.decode()
    assert "#ExampleMHDay" in html and "Example TH walk" in html and "Example Barnet talk" not in html


def test_ical_feed_takes_the_same_filters(client: Client, programme: dict) -> None:
    response = client.get("/events/feed.ics", {"borough": "E09000030"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Example: Example past walk", "Example: Example TH walk"]
    walk = events[1]
    assert str(walk["UID"]) == f"{programme['walk'].uuid}@thrive"
    assert walk.decoded("DTSTART") == programme["walk"].starts_at
    assert str(walk["URL"]).endswith(f"/events/{programme['walk'].uuid}/")
    everything = Calendar.from_ical(client.get("/events/feed.ics").content).walk("VEVENT")
    assert len(everything) == 4  # not the pending one
    assert client.get("/events/feed.ics", {"borough": "nowhere"}).status_code == 400
    single = Calendar.from_ical(client.get(f"/events/{programme['walk'].uuid}.ics").content)
    assert len(single.walk("VEVENT")) == 1
    page = client.get("/events/", {"borough": "E09000030"}).content.decode()
    assert "webcal://testserver/events/feed.ics?borough=E09000030" in page
