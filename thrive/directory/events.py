"""Published events: one filter shared by the list, calendar, map and the iCalendar feed, and the feed itself.

The feed takes exactly the list's query string, so "subscribe to these events" is the page's own filters.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as IcalEvent

from thrive.directory.models import Attendance, Event, EventStatus

FEED_DAYS_BEFORE = 30  # recent past events stay in subscribed calendars for a month


def start_of_day(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def week_bounds(today: datetime.date, weeks_ahead: int) -> tuple[datetime.date, datetime.date]:
    """Monday to Sunday of this week (0) or a later one."""
    monday = today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(weeks=weeks_ahead)
    return monday, monday + datetime.timedelta(days=6)


def published() -> QuerySet[Event]:
    return Event.objects.filter(status=EventStatus.PUBLISHED).select_related("borough")


def filtered(data: dict[str, Any], *, events: QuerySet[Event] | None = None) -> QuerySet[Event]:
    """`data` is an EventFilterForm's cleaned data: dates, borough code, type and in person / online."""
    events = published() if events is None else events
    if data.get("start"):
        events = events.filter(ends_at__gte=start_of_day(data["start"]))
    if data.get("end"):
        events = events.filter(starts_at__lt=start_of_day(data["end"] + datetime.timedelta(days=1)))
    if data.get("borough"):
        events = events.filter(borough__code=data["borough"])
    if data.get("type"):
        events = events.filter(type=data["type"])
    if data.get("attendance") == "in_person":
        events = events.filter(attendance__in=[Attendance.IN_PERSON, Attendance.BOTH])
    elif data.get("attendance") == "online":
        events = events.filter(attendance__in=[Attendance.ONLINE, Attendance.BOTH])
    return events


def upcoming(data: dict[str, Any]) -> QuerySet[Event]:
    return filtered(data).filter(ends_at__gte=timezone.now()).order_by("starts_at", "title")


def past(data: dict[str, Any]) -> QuerySet[Event]:
    return filtered(data).filter(ends_at__lt=timezone.now()).order_by("-starts_at", "title")


@dataclass(frozen=True)
class Day:
    date: datetime.date
    in_month: bool
    events: list[Event]


def month_grid(data: dict[str, Any], year: int, month: int) -> list[list[Day]]:
    """Weeks (Monday first) of the month, each day with its events; days of the neighbouring months pad it."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    events = list(
        filtered(data)
        .filter(
            ends_at__gte=start_of_day(first), starts_at__lt=start_of_day(last + datetime.timedelta(days=1))
        )
        .order_by("starts_at", "title")
    )
    by_day: dict[datetime.date, list[Event]] = {}
    for event in events:
        day = timezone.localtime(event.starts_at).date()
        end = timezone.localtime(event.ends_at).date()
        while day <= end:
            by_day.setdefault(day, []).append(event)
            day += datetime.timedelta(days=1)
    return [[Day(day, day.month == month, by_day.get(day, [])) for day in week] for week in weeks]


def feed(events: list[Event], *, name: str, site_url: str, event_url: Any) -> bytes:
    """An RFC 5545 calendar of `events`; `event_url(event)` gives each event's public page path."""
    cal = Calendar()
    cal.add("prodid", "-//Thrive//Find support events//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/London")
    cal.add("refresh-interval", datetime.timedelta(hours=6), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")
    stamp = timezone.now()
    for event in events:
        entry = IcalEvent()
        entry.add("uid", f"{event.uuid}@thrive")
        entry.add("dtstamp", stamp)
        entry.add("dtstart", event.starts_at.astimezone(datetime.UTC))
        entry.add("dtend", event.ends_at.astimezone(datetime.UTC))
        entry.add("last-modified", event.updated_at.astimezone(datetime.UTC))
        entry.add("summary", ("Example: " if event.is_example else "") + event.title)
        entry.add("description", event.description)
        entry.add("location", location_text(event))
        entry.add("url", site_url.rstrip("/") + event_url(event))
        entry.add("categories", [event.type_label])
        entry.add("status", "CONFIRMED")
        if event.has_location:
            entry.add("geo", (event.latitude, event.longitude))
        cal.add_component(entry)
    return cal.to_ical()


def location_text(event: Event) -> str:
    parts = [event.venue_name, event.address, event.postcode] if event.is_in_person else []
    place = ", ".join(part for part in parts if part)
    if event.is_online:
        return f"{place} and online" if place else "Online"
    return place
