"""Public Find-support pages (no login): the home page, the search, a page per service and borough outlines.

Every page works without JavaScript (the map and "use my location" are enhancements) and carries the crisis
lines in the footer; the home page and the search show them prominently too.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from thrive.directory import paging, places, search
from thrive.directory.caching import public_page
from thrive.directory.forms import SearchForm
from thrive.directory.models import Campaign, Event, EventStatus, Service, ServiceStatus
from thrive.directory.taxonomy import SERVICE_TYPE_DESCRIPTIONS, ServiceType
from thrive.geography.models import Area, AreaLevel

RESULTS_PER_PAGE = 20
BOUNDARY_MAX_AGE = 24 * 3600


@require_safe
@public_page()
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    upcoming = list(
        Event.objects.filter(status=EventStatus.PUBLISHED, ends_at__gte=timezone.now())
        .select_related("borough")
        .order_by("starts_at")[:3]
    )
    campaign = Campaign.objects.filter(ends_on__gte=today).order_by("starts_on").first()
    return render(
        request,
        "directory/home.jinja",
        {
            "page_title": "Find mental health support in London",
            "form": SearchForm(),
            "types": [
                (value, label, SERVICE_TYPE_DESCRIPTIONS[value]) for value, label in ServiceType.choices
            ],
            "upcoming": upcoming,
            "campaign": campaign,
        },
    )


@require_safe
@public_page()
def find_support(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    form.is_valid()
    data: dict[str, Any] = getattr(form, "cleaned_data", {})
    if data.get("lat") is not None and data.get("lon") is not None:
        return _from_position(request, data)
    place = places.Place()
    if (data.get("postcode") or "").strip():
        place = places.from_postcode(data["postcode"])
    elif data.get("borough"):
        place = places.from_borough_code(data["borough"])
    elif request.GET.get("outside") == "1":
        place = places.outside_position()
    if place.error and not place.outside_region:
        form.add_error(place.field, place.error)
    searched = any(request.GET.get(name) for name in ("postcode", "borough", "type", "q", "outside"))
    results = search.search(
        borough=place.borough,
        national_only=place.outside_region,
        type=data.get("type", ""),
        q=data.get("q", ""),
    )
    page = paging.page_of(request, results, RESULTS_PER_PAGE) if searched and not form.errors else None
    return render(
        request,
        "directory/find_support.jinja",
        {
            "page_title": "Find support" + (f" near {place.label}" if place.label else ""),
            "form": form,
            "place": place,
            "searched": searched,
            "page": page,
            "pagination": paging.pagination(request, page) if page else None,
            "type_label": ServiceType(data["type"]).label if data.get("type") else "",
        },
    )


def _from_position(request: HttpRequest, data: dict[str, Any]) -> HttpResponse:
    """'Use my location': turn the position into a borough and redirect, so the position is not kept in the
    address bar, the history or a shared cache."""
    place = places.from_position(data["lat"], data["lon"])
    if place.borough is None:
        return HttpResponseRedirect(
            paging.link(request, lat=None, lon=None, postcode=None, borough=None, outside="1")
        )
    return HttpResponseRedirect(
        paging.link(request, lat=None, lon=None, postcode=None, borough=place.borough.code)
    )


@require_safe
@public_page()
def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    service = get_object_or_404(
        Service.objects.select_related("organisation").filter(~Q(status=ServiceStatus.DEFUNCT)), slug=slug
    )
    areas = list(service.areas.order_by("name").values_list("name", flat=True))
    return render(
        request,
        "directory/service.jinja",
        {
            "page_title": service.name,
            "service": service,
            "areas": areas,
            "type_description": SERVICE_TYPE_DESCRIPTIONS[service.type],
        },
    )


@require_safe
@public_page(max_age=BOUNDARY_MAX_AGE)
def borough_boundary(request: HttpRequest, code: str) -> HttpResponse:
    """A borough's outline as GeoJSON for the maps (fetched separately so the search page stays small)."""
    boundary = (
        Area.objects.filter(level=AreaLevel.BOROUGH, code=code.upper())
        .values_list("boundary", flat=True)
        .first()
    )
    if boundary is None:
        raise Http404("No such borough")
    return JsonResponse({"type": "Feature", "properties": {"code": code.upper()}, "geometry": boundary})
