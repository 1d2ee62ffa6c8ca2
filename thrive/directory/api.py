"""The Open Referral UK (v3) API: `GET /api/v1/oruk/services` (paged, filtered) and `/services/{id}`.

Open data: no key, no sign-in, cacheable by anyone. The filters are the standard's (`search`,
`taxonomy_term_id`, `taxonomy_id`, `organization_id`, `minimum_age`, `maximum_age`, `postcode`,
`modified_after`) with its paging (`page`, `per_page`); a bad value answers 400 in Thrive's error shape,
naming the parameter.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from thrive.accounts.models import Organisation
from thrive.directory import oruk, places, search
from thrive.directory.models import Service
from thrive.directory.taxonomy import service_type_for_term, taxonomy_id

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
MAX_AGE = 300

_STRING = {"type": "string"}
_ID = {"type": "string", "format": "uuid"}


def _object(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


def _list(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


TAXONOMY_TERM = _object(
    ["id", "name", "description", "taxonomy"],
    id=_ID,
    code=_STRING,
    name=_STRING,
    term=_STRING,
    description=_STRING,
    taxonomy=_STRING,
    taxonomy_id=_ID,
    term_uri=_STRING,
)
ORGANIZATION = _object(
    ["id", "name", "description"], id=_ID, name=_STRING, description=_STRING, email=_STRING
)
SERVICE_FIELDS: dict[str, Any] = {
    "id": _ID,
    "organization_id": _ID,
    "name": _STRING,
    "description": _STRING,
    "url": _STRING,
    "email": _STRING,
    "status": {"type": "string", "enum": ["active", "inactive", "defunct", "temporarily closed"]},
    "eligibility_description": _STRING,
    "application_process": _STRING,
    "minimum_age": {"type": "number"},
    "maximum_age": {"type": "number"},
    "assured_date": {"type": "string", "format": "date"},
    "alert": _STRING,
    "last_modified": {"type": "string", "format": "date-time"},
    "organization": ORGANIZATION,
}
SERVICE_SUMMARY = _object(["id", "name", "status", "url"], **SERVICE_FIELDS)
SERVICE_FULL = _object(
    ["id", "name", "status", "url"],
    **SERVICE_FIELDS,
    contacts=_list(
        _object(
            ["id"],
            id=_ID,
            service_id=_ID,
            name=_STRING,
            email=_STRING,
            phones=_list(
                _object(["id", "number"], id=_ID, number=_STRING, type=_STRING, description=_STRING)
            ),
        )
    ),
    schedules=_list(
        _object(
            ["id"],
            id=_ID,
            service_id=_ID,
            freq=_STRING,
            interval={"type": "number"},
            byday=_STRING,
            opens_at=_STRING,
            closes_at=_STRING,
            description=_STRING,
        )
    ),
    service_areas=_list(_object(["id"], id=_ID, service_id=_ID, name=_STRING, uri=_STRING)),
    service_at_locations=_list(
        _object(
            ["id"],
            id=_ID,
            service_id=_ID,
            location_id=_ID,
            location=_object(
                ["id", "location_type"],
                id=_ID,
                location_type=_STRING,
                name=_STRING,
                latitude={"type": "number"},
                longitude={"type": "number"},
                addresses=_list(
                    _object(
                        [
                            "id",
                            "address_1",
                            "city",
                            "state_province",
                            "postal_code",
                            "country",
                            "address_type",
                        ],
                        id=_ID,
                        location_id=_ID,
                        address_1=_STRING,
                        city=_STRING,
                        state_province=_STRING,
                        postal_code=_STRING,
                        country=_STRING,
                        address_type=_STRING,
                    )
                ),
                accessibility=_list(_object(["id"], id=_ID, location_id=_ID, description=_STRING)),
            ),
        )
    ),
    languages=_list(_object(["id"], id=_ID, service_id=_ID, name=_STRING, code=_STRING)),
    attributes=_list(
        _object(
            ["id"],
            id=_ID,
            link_id=_ID,
            link_type=_STRING,
            link_entity=_STRING,
            taxonomy_term_id=_ID,
            taxonomy_term=TAXONOMY_TERM,
        )
    ),
)
PAGE = _object(
    ["total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"],
    total_items={"type": "integer"},
    total_pages={"type": "integer"},
    page_number={"type": "integer"},
    size={"type": "integer", "description": "The number of services on this page"},
    first_page={"type": "boolean"},
    last_page={"type": "boolean"},
    empty={"type": "boolean"},
    contents=_list(SERVICE_SUMMARY),
)
ERRORS = _object(["errors"], errors={"type": "object", "additionalProperties": _list(_STRING)})


def _parameter(name: str, kind: Any, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, required=False, description=description)


LIST_PARAMETERS = [
    _parameter(
        "search",
        OpenApiTypes.STR,
        "Words that must all appear in the service's name, description, conditions or organisation.",
    ),
    _parameter("page", OpenApiTypes.INT, "Page number, from 1."),
    _parameter(
        "per_page", OpenApiTypes.INT, f"Services per page, 1 to {MAX_PER_PAGE} (default {DEFAULT_PER_PAGE})."
    ),
    _parameter(
        "taxonomy_term_id",
        OpenApiTypes.STR,
        "A service type: its taxonomy term UUID or its code (docs/directory.md lists them).",
    ),
    _parameter("taxonomy_id", OpenApiTypes.STR, "The taxonomy's UUID: every service has a term from it."),
    _parameter("organization_id", OpenApiTypes.STR, "The providing organisation's id."),
    _parameter("minimum_age", OpenApiTypes.NUMBER, "Services whose minimum age is at least this."),
    _parameter("maximum_age", OpenApiTypes.NUMBER, "Services whose maximum age is at most this."),
    _parameter(
        "postcode",
        OpenApiTypes.STR,
        "Services available at this London postcode (its borough, London-wide and national services).",
    ),
    _parameter("modified_after", OpenApiTypes.DATETIME, "Services changed on or after this date or time."),
]


class OrukView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=MAX_AGE)
        return response

    def page_url(self, request: Request, service: Service) -> str:
        return request.build_absolute_uri(reverse("directory:service", args=[service.slug]))


def _bad(name: str, message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({name: [message]})


def _number(params: Any, name: str, low: int = 0, high: int = 150) -> int | None:
    raw = params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(float(raw))
    except ValueError:
        raise _bad(name, f"{name} must be a number.") from None
    if not low <= value <= high:
        raise _bad(name, f"{name} must be from {low} to {high}.")
    return value


def _modified_after(raw: str) -> datetime.datetime:
    moment = parse_datetime(raw)
    if moment is None:
        day = parse_date(raw)
        if day is None:
            raise _bad(
                "modified_after", "modified_after must be a date or date-time, like 2026-10-01T00:00:00Z."
            )
        moment = datetime.datetime.combine(day, datetime.time.min)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def filtered_services(params: Any) -> QuerySet[Service]:
    """The standard's filters over the active services, in a stable order for paging."""
    borough, national_only = None, False
    postcode = (params.get("postcode") or "").strip()
    if postcode:
        place = places.from_postcode(postcode)
        if place.error and not place.outside_region:
            raise _bad("postcode", place.error)
        borough, national_only = place.borough, place.outside_region
    services = search.search(borough=borough, national_only=national_only, q=params.get("search", ""))
    term = (params.get("taxonomy_term_id") or "").strip()
    if term:
        services = services.filter(type=service_type_for_term(term) or "-")
    taxonomy = (params.get("taxonomy_id") or "").strip()
    if taxonomy and taxonomy.lower() != str(taxonomy_id()):
        services = services.none()
    organisation = (params.get("organization_id") or "").strip()
    if organisation:
        slugs = Organisation.objects.values_list("slug", flat=True)
        match = [
            slug
            for slug in slugs
            if str(uuid.uuid5(oruk.ORUK_NAMESPACE, f"organisation:{slug}")) == organisation
        ]
        services = services.filter(organisation__slug__in=match)
    minimum, maximum = _number(params, "minimum_age"), _number(params, "maximum_age")
    if minimum is not None:
        services = services.filter(min_age__gte=minimum)
    if maximum is not None:
        services = services.filter(max_age__lte=maximum)
    if params.get("modified_after"):
        services = services.filter(updated_at__gte=_modified_after(params["modified_after"]))
    return services.order_by("name", "pk")


class ServiceListView(OrukView):
    @extend_schema(
        operation_id="oruk_services_list",
        summary="Services (Open Referral UK v3)",
        description="A page of active services with their one-to-one fields and organisation, as the Open "
        "Referral UK profile of HSDS 3.0 describes them.",
        parameters=LIST_PARAMETERS,
        responses={200: OpenApiResponse(PAGE), 400: OpenApiResponse(ERRORS)},
        tags=["Open Referral UK"],
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        page_number = _number(params, "page", 1, 1_000_000) or 1
        per_page = _number(params, "per_page", 1, MAX_PER_PAGE) or DEFAULT_PER_PAGE
        services = filtered_services(params)
        total = services.count()
        start = (page_number - 1) * per_page
        selected = list(services[start : start + per_page]) if start < total else []
        contents = [
            oruk.service_summary(service, page_url=self.page_url(request, service)) for service in selected
        ]
        return Response(
            oruk.page(contents=contents, total_items=total, page_number=page_number, per_page=per_page)
        )


class ServiceDetailView(OrukView):
    @extend_schema(
        operation_id="oruk_services_retrieve",
        summary="One service, fully nested (Open Referral UK v3)",
        responses={200: OpenApiResponse(SERVICE_FULL), 404: OpenApiResponse(ERRORS)},
        tags=["Open Referral UK"],
    )
    def get(self, request: Request, id: str) -> Response:  # noqa: A002 - the standard's name
        try:
            key = uuid.UUID(id)
        except ValueError:
            raise Http404("No such service") from None
        service = (
            Service.objects.select_related("organisation").prefetch_related("areas").filter(uuid=key).first()
        )
        if service is None:
            raise Http404("No such service")
        return Response(oruk.service_full(service, page_url=self.page_url(request, service)))
