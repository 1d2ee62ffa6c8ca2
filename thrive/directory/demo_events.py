"""Demonstration events: a city-wide mental health day next week with events in every borough, more events
over the coming weeks (every weekday next week in Tower Hamlets), a few past ones for the archive and two
submissions waiting for a moderator. All fictional and labelled "Example".

Events are keyed by a UUID derived from their position in the plan, so a second run updates them; dates are
relative to the day the generator runs, so the demo always has something on next week.
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING

from django.utils import timezone

from thrive.directory.models import Attendance, Campaign, Event, EventStatus
from thrive.directory.taxonomy import ORUK_NAMESPACE, EventType
from thrive.geography.models import Area

if TYPE_CHECKING:
    from thrive.directory.demo import Context

TOWER_HAMLETS = "E09000030"
CAMPAIGN_SLUG = "example-london-mental-health-day"


EVENT_IDEAS = (
    (
        EventType.ACTIVITY,
        "Example wellbeing walk in {place}",
        "A gentle 5 km walk with time to chat. All welcome.",
    ),
    (EventType.TALK, "Example talk: looking after your mental health at work", "A short talk and questions."),
    (
        EventType.CREATIVE,
        "Example art for wellbeing workshop, {place}",
        "Painting and collage; no skills needed.",
    ),
    (EventType.PEER_SUPPORT, "Example peer support circle, {place}", "Meet others who understand, over tea."),
    (EventType.DROP_IN, "Example information stall at {place} market", "Find out about local support."),
    (
        EventType.TRAINING,
        "Example suicide prevention skills session",
        "Learn how to ask, listen and help someone find support. Free, 90 minutes.",
    ),
    (
        EventType.FAMILY,
        "Example family fun day, {place}",
        "Activities for children and information for parents.",
    ),
    (
        EventType.WORKSHOP,
        "Example sleep and stress workshop",
        "Practical ways to sleep better and manage stress.",
    ),
)


def generate(ctx: Context) -> int:
    """A mental health day next week with events across London, more events over the next weeks, a few
    past ones for the archive, and two submissions waiting for a moderator."""
    next_monday = ctx.today + datetime.timedelta(days=7 - ctx.today.weekday())
    day = next_monday + datetime.timedelta(days=5)  # Saturday next week
    Campaign.objects.update_or_create(
        slug=CAMPAIGN_SLUG,
        defaults={
            "name": "Example London Mental Health Day",
            "hashtag": "#ExampleLondonMHDay",
            "starts_on": day,
            "ends_on": day,
            "is_example": True,
            "description": "A fictional city-wide day of free events for everyone's mental health: walks, "
            "talks, workshops and stalls in every borough, and online.\n\nThis campaign is made up for the "
            "demonstration.",
        },
    )
    tower_hamlets = [b for b in ctx.boroughs if b.code == TOWER_HAMLETS]
    plan: list[tuple[datetime.date, Area | None, str]] = []
    borough: Area | None
    for borough in ctx.boroughs:  # the campaign day in every borough
        plan.append((day, borough, EventStatus.PUBLISHED))
    for offset in range(0, 5):  # next week in Tower Hamlets, Monday to Friday
        plan.extend(
            (next_monday + datetime.timedelta(days=offset), b, EventStatus.PUBLISHED) for b in tower_hamlets
        )
    for _ in range(40):  # the coming weeks across London, some online
        borough = ctx.rng.choice(ctx.boroughs) if ctx.boroughs and ctx.rng.random() > 0.2 else None
        plan.append(
            (ctx.today + datetime.timedelta(days=ctx.rng.randint(1, 60)), borough, EventStatus.PUBLISHED)
        )
    for _ in range(8):  # the archive
        plan.append(
            (
                ctx.today - datetime.timedelta(days=ctx.rng.randint(3, 90)),
                ctx.rng.choice(ctx.boroughs) if ctx.boroughs else None,
                EventStatus.PUBLISHED,
            )
        )
    for _ in range(2):  # waiting for a moderator
        plan.append(
            (
                ctx.today + datetime.timedelta(days=ctx.rng.randint(10, 30)),
                ctx.rng.choice(ctx.boroughs) if ctx.boroughs else None,
                EventStatus.PENDING,
            )
        )
    for index, (date, borough, status) in enumerate(plan):
        kind, title, description = EVENT_IDEAS[index % len(EVENT_IDEAS)]
        hour = ctx.rng.choice([10, 11, 13, 14, 18])
        starts = datetime.datetime.combine(date, datetime.time(hour), tzinfo=timezone.get_current_timezone())
        lat, lon = ctx.near(borough) if borough else (None, None)
        place = borough.name if borough else "London"
        Event.objects.update_or_create(
            uuid=uuid.uuid5(ORUK_NAMESPACE, f"demo-event:{index}"),
            defaults={
                "title": title.format(place=place) + ("" if borough else " (online)"),
                "description": f"{description}\n\nA fictional example event for the demonstration.",
                "type": kind,
                "starts_at": starts,
                "ends_at": starts + datetime.timedelta(hours=ctx.rng.choice([1, 2, 3])),
                "attendance": Attendance.IN_PERSON if borough else Attendance.ONLINE,
                "venue_name": f"Example {place} Community Hall" if borough else "",
                "address": f"7 Example Street, {place}" if borough else "",
                "postcode": "",
                "latitude": lat,
                "longitude": lon,
                "borough": borough,
                "online_url": "" if borough else "https://events.example.org/join",
                "is_free": True,
                "organiser_name": f"Example {place} Wellbeing Network",
                "organiser_email": "organiser@events.example.org",
                "status": status,
                "is_example": True,
                "submitted_at": timezone.now(),
                "updated_at": timezone.now(),
            },
        )
    return len(plan)
