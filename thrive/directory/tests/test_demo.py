"""The demonstration directory: what the acceptance journey needs, labelled as examples, and idempotent."""

from __future__ import annotations

import datetime
import random
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from thrive.accounts import demo as accounts_demo
from thrive.directory import demo
from thrive.directory.models import Campaign, Event, EventStatus, Service
from thrive.directory.taxonomy import ServiceType

pytestmark = [pytest.mark.django_db, pytest.mark.urls("thrive.directory.tests.urls")]
REAL = {"samaritans", "shout", "nhs-111-option-2", "emergency-999"}


@pytest.fixture
def generated(london: dict) -> dict[str, Any]:
    accounts_demo.generate(rng=random.Random(1))
    return demo.generate(rng=random.Random("2026:directory"))


def test_running_twice_duplicates_nothing(generated: dict) -> None:
    counts = (Service.objects.count(), Event.objects.count(), Campaign.objects.count())
    again = demo.generate(rng=random.Random("2026:directory"))
    assert again == generated
    assert (Service.objects.count(), Event.objects.count(), Campaign.objects.count()) == counts


def test_everything_but_the_crisis_lines_is_a_labelled_example(generated: dict) -> None:
    for service in Service.objects.select_related("organisation"):
        if service.slug in REAL:
            assert not service.is_example and service.national
        else:
            assert service.is_example and service.name.startswith("Example"), service.name
    assert all(event.is_example and event.title.startswith("Example") for event in Event.objects.all())
    numbers = {s.slug: (s.phone, s.text_number) for s in Service.objects.filter(slug__in=REAL)}
    assert numbers == {
        "samaritans": ("116 123", ""),
        "shout": ("", "Text SHOUT to 85258"),
        "nhs-111-option-2": ("111", ""),
        "emergency-999": ("999", ""),
    }
    fictional = Service.objects.exclude(slug__in=REAL).exclude(phone="").values_list("phone", flat=True)
    assert all(phone.startswith("020 7946 0") for phone in fictional)


def test_every_borough_has_self_referral_talking_therapies(generated: dict, london: dict) -> None:
    boroughs = [area for code, area in london.items() if code.startswith("E09")]
    for borough in boroughs:
        service = Service.objects.get(type=ServiceType.TALKING_THERAPIES, areas=borough)
        assert service.self_referral and service.self_referral_url


def test_the_kinds_of_service_the_demo_needs(generated: dict) -> None:
    types = set(Service.objects.values_list("type", flat=True))
    assert {
        ServiceType.PERINATAL_COMMUNITY,
        ServiceType.MOTHER_AND_BABY_UNIT,
        ServiceType.TALKING_THERAPIES,
        ServiceType.EMPLOYMENT_SUPPORT,
        ServiceType.BEREAVEMENT_SUPPORT,
        ServiceType.CRISIS_LINE,
        ServiceType.COMMUNITY_SUPPORT,
        ServiceType.DIGITAL,
    } <= types


def test_a_mental_health_day_and_events_next_week_in_tower_hamlets(generated: dict) -> None:
    campaign = Campaign.objects.get(slug="example-london-mental-health-day")
    today = timezone.localdate()
    next_monday = today + datetime.timedelta(days=7 - today.weekday())
    assert next_monday <= campaign.starts_on <= next_monday + datetime.timedelta(days=6)
    next_week = Event.objects.filter(
        status=EventStatus.PUBLISHED,
        borough__code="E09000030",
        starts_at__date__gte=next_monday,
        starts_at__date__lte=next_monday + datetime.timedelta(days=6),
    )
    assert next_week.count() >= 5
    assert Event.objects.filter(status=EventStatus.PENDING).count() == 2
    assert Event.objects.filter(ends_at__lt=timezone.now()).exists()


def test_the_acceptance_search(client: Client, generated: dict) -> None:
    html = client.get("/find-support/?borough=E09000030").content.decode()
    assert "talking therapies" in html.lower() and "116 123" in html
    assert "Perinatal Mental Health Team" in html
