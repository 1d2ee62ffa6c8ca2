"""One factory per directory model, on the small London of thrive.accounts.testing."""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.utils import timezone

from thrive.accounts.models import Organisation
from thrive.directory.models import Attendance, Campaign, Event, EventStatus, SelfCheckDailyCount, Service
from thrive.directory.taxonomy import EventType, ServiceType
from thrive.geography.models import Area, AreaLevel, Postcode


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Example Provider {n} (fictional)")
    slug = factory.Sequence(lambda n: f"example-provider-{n}")
    type = "voluntary_sector"
    is_example = True


class ServiceFactory(factory.django.DjangoModelFactory[Service]):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Example Service {n}")
    slug = factory.Sequence(lambda n: f"example-service-{n}")
    type = ServiceType.COMMUNITY_SUPPORT
    organisation = factory.SubFactory(OrganisationFactory)
    summary = "An example service for tests."
    description = "A fictional service used in the tests."
    is_example = True
    in_person = False
    online = True

    @factory.post_generation
    def boroughs(obj: Service, create: bool, extracted: Any, **_: Any) -> None:  # noqa: N805 - factory_boy's hook
        if create and extracted:
            obj.areas.set(Area.objects.filter(level=AreaLevel.BOROUGH, code__in=extracted))


class EventFactory(factory.django.DjangoModelFactory[Event]):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Example walk {n}")
    description = "A fictional event used in the tests."
    type = EventType.ACTIVITY
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda event: event.starts_at + datetime.timedelta(hours=2))
    attendance = Attendance.IN_PERSON
    venue_name = "Example Community Hall"
    address = "1 Example Street, London"
    postcode = "E1 6AN"
    latitude = 51.5205
    longitude = -0.0716
    organiser_name = "Example Walking Group"
    organiser_email = "organiser@example.org"
    status = EventStatus.PUBLISHED
    is_example = True


class CampaignFactory(factory.django.DjangoModelFactory[Campaign]):
    class Meta:
        model = Campaign

    slug = factory.Sequence(lambda n: f"example-day-{n}")
    name = "Example London Mental Health Day"
    hashtag = "#ExampleMHDay"
    description = "A fictional city-wide day."
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))
    ends_on = factory.LazyAttribute(lambda campaign: campaign.starts_on)
    is_example = True


class SelfCheckDailyCountFactory(factory.django.DjangoModelFactory[SelfCheckDailyCount]):
    class Meta:
        model = SelfCheckDailyCount

    day = factory.LazyFunction(timezone.localdate)
    measure = "phq9"
    completed = 1


class PostcodeFactory(factory.django.DjangoModelFactory[Postcode]):
    class Meta:
        model = Postcode
        django_get_or_create = ("postcode",)

    postcode = "E1 6AN"
    lat = 51.5205
    lon = -0.0716
    in_region = True
