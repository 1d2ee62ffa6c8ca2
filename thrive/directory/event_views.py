"""Public events pages: list, calendar and map with one set of filters, the iCalendar feed, campaign pages,
the archive, and the submission form (rate-limited, with a spam trap, into the moderation queue)."""

from __future__ import annotations

import datetime
import uuid as uuid_module
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from thrive.directory import events, paging, places, ratelimit, services
from thrive.directory.caching import mark_private, public_page
from thrive.directory.forms import EventFilterForm, EventSubmissionForm
from thrive.directory.models import Campaign

EVENTS_PER_PAGE = 20
MAP_LIMIT = 300
FEED_MAX_AGE = 900
VIEWS = ("list", "calendar", "map")


def _filters(request: HttpRequest) -> tuple[EventFilterForm, dict[str, Any]]:
    form = EventFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    return form, data


def _quick_links(request: HttpRequest) -> list[tuple[str, str]]:
    today = timezone.localdate()
    this_monday, this_sunday = events.week_bounds(today, 0)
    next_monday, next_sunday = events.week_bounds(today, 1)
    return [
        ("Today", paging.link(request, start=today.isoformat(), end=today.isoformat(), page=None)),
        ("This week", paging.link(request, start=today.isoformat(), end=this_sunday.isoformat(), page=None)),
        (
            "Next week",
            paging.link(request, start=next_monday.isoformat(), end=next_sunday.isoformat(), page=None),
        ),
        ("Any date", paging.link(request, start=None, end=None, page=None)),
    ]


def _feed_urls(request: HttpRequest) -> dict[str, str]:
    query = request.GET.copy()
    for name in ("view", "page", "month"):
        query.pop(name, None)
    path = reverse("directory:events-feed") + (f"?{query.urlencode()}" if query else "")
    absolute = request.build_absolute_uri(path)
    return {"download": path, "subscribe": "webcal://" + absolute.split("://", 1)[1]}


def _month(request: HttpRequest, data: dict[str, Any]) -> tuple[int, int]:
    raw = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in raw.split("-", 1))
        datetime.date(year, month, 1)
        return year, month
    except ValueError:
        start = data.get("start") or timezone.localdate()
        return start.year, start.month


@require_safe
@public_page()
def event_list(request: HttpRequest) -> HttpResponse:
    form, data = _filters(request)
    view = request.GET.get("view", "list")
    view = view if view in VIEWS else "list"
    context: dict[str, Any] = {
        "page_title": "Mental health events in London",
        "form": form,
        "view": view,
        "view_links": {name: paging.link(request, view=name, page=None) for name in VIEWS},
        "quick_links": _quick_links(request),
        "feed": _feed_urls(request),
        "borough_name": places.boroughs()[data["borough"]].name if data.get("borough") else "",
        "campaign": Campaign.objects.filter(ends_on__gte=timezone.localdate()).order_by("starts_on").first(),
    }
    if view == "calendar":
        year, month = _month(request, data)
        first = datetime.date(year, month, 1)
        previous_month = first - datetime.timedelta(days=1)
        next_month = first + datetime.timedelta(days=32)
        context.update(
            {
                "weeks": events.month_grid(data, year, month),
                "month_label": first.strftime("%B %Y"),
                "previous_month": paging.link(request, month=f"{previous_month:%Y-%m}"),
                "next_month": paging.link(request, month=f"{next_month:%Y-%m}"),
            }
        )
    elif view == "map":
        context["map_events"] = list(events.upcoming(data).filter(latitude__isnull=False)[:MAP_LIMIT])
    else:
        page = paging.page_of(request, events.upcoming(data), EVENTS_PER_PAGE)
        context.update({"page": page, "pagination": paging.pagination(request, page)})
    return render(request, "directory/events.jinja", context)


@require_safe
@public_page()
def event_archive(request: HttpRequest) -> HttpResponse:
    form, data = _filters(request)
    page = paging.page_of(request, events.past(data), EVENTS_PER_PAGE)
    return render(
        request,
        "directory/events_archive.jinja",
        {
            "page_title": "Past events",
            "form": form,
            "page": page,
            "pagination": paging.pagination(request, page),
        },
    )


@require_safe
@public_page(max_age=FEED_MAX_AGE)
def event_feed(request: HttpRequest) -> HttpResponse:
    """The iCalendar feed for the same filters as the list: upcoming events and the last month's."""
    form = EventFilterForm(request.GET)
    if not form.is_valid():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    since = timezone.now() - datetime.timedelta(days=events.FEED_DAYS_BEFORE)
    selected = list(events.filtered(form.cleaned_data).filter(ends_at__gte=since).order_by("starts_at"))
    body = events.feed(
        selected,
        name="Thrive: mental health events in London",
        site_url=_site(request),
        event_url=lambda event: reverse("directory:event", args=[event.uuid]),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="thrive-events.ics"'
    return response


@require_safe
@public_page()
def event_detail(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    event = get_object_or_404(events.published(), uuid=uuid)
    return render(request, "directory/event.jinja", {"page_title": event.title, "event": event})


@require_safe
@public_page(max_age=FEED_MAX_AGE)
def event_ics(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    """One event as a file, for "add to my calendar"."""
    event = get_object_or_404(events.published(), uuid=uuid)
    body = events.feed(
        [event],
        name=event.title,
        site_url=_site(request),
        event_url=lambda e: reverse("directory:event", args=[e.uuid]),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.uuid}.ics"'
    return response


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@require_safe
@public_page()
def campaign(request: HttpRequest, slug: str) -> HttpResponse:
    """A campaign day's page: its hashtag and every published event on its dates."""
    found = get_object_or_404(Campaign, slug=slug)
    data = {"start": found.starts_on, "end": found.ends_on}
    selected = list(events.filtered(data).order_by("starts_at", "title"))
    query = f"?start={found.starts_on.isoformat()}&end={found.ends_on.isoformat()}"
    return render(
        request,
        "directory/campaign.jinja",
        {
            "page_title": found.name,
            "campaign": found,
            "events": selected,
            "feed": {
                "download": reverse("directory:events-feed") + query,
                "subscribe": "webcal://"
                + request.build_absolute_uri(reverse("directory:events-feed") + query).split("://", 1)[1],
            },
            "list_url": reverse("directory:events") + query,
        },
    )


@require_http_methods(["GET", "POST"])
def submit_event(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not ratelimit.allow(request, "event-submit", ratelimit.EVENT_SUBMISSIONS_PER_HOUR):
            response = render(
                request, "directory/event_refused.jinja", {"page_title": "Please try again later"}, status=429
            )
            response["Retry-After"] = str(ratelimit.WINDOW_SECONDS)
            return mark_private(response)
        form = EventSubmissionForm(request.POST)
        if form.spam_trap_filled:
            return HttpResponseRedirect(reverse("directory:event-submitted"))
        if form.is_valid():
            services.submit_event(form=form)
            return HttpResponseRedirect(reverse("directory:event-submitted"))
    else:
        form = EventSubmissionForm(initial={"attendance": "in_person", "is_free": True})
    return mark_private(
        render(
            request, "directory/event_submit.jinja", {"page_title": "Tell us about an event", "form": form}
        )
    )


@require_safe
def event_submitted(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/event_submitted.jinja", {"page_title": "Thank you"})
