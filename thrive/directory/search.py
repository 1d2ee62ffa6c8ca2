"""Find-support search: which services reach a borough, of a type, matching some words.

One query for the page of results and one for the count, whatever the filters (the tests hold it to that),
so the public search stays fast under load. Local services come first, then London-wide ones, then national
lines.
"""

from __future__ import annotations

import re

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from thrive.directory.models import Service, ServiceStatus
from thrive.directory.places import Borough

MAX_WORDS = 6
WORD_FIELDS = ("name", "summary", "description", "conditions", "organisation__name")


class Reach:
    LOCAL, REGION, NATIONAL = 0, 1, 2


def keywords(q: str) -> list[str]:
    return [word for word in re.findall(r"\w[\w'-]*", q or "")[:MAX_WORDS] if len(word) > 1]


def public_services() -> QuerySet[Service]:
    return Service.objects.filter(status=ServiceStatus.ACTIVE).select_related("organisation")


def search(
    *, borough: Borough | None = None, national_only: bool = False, type: str = "", q: str = ""
) -> QuerySet[Service]:
    """Active services reaching `borough` (all, when None), nearest reach first, then by name."""
    services = public_services()
    if national_only:
        services = services.filter(national=True).annotate(reach=Value(Reach.NATIONAL))
    elif borough is not None:
        through = Service.areas.through
        covers = Exists(
            through.objects.filter(service_id=OuterRef("pk"), area_id__in=borough.covering_area_ids)
        )
        services = services.alias(local=covers).filter(
            Q(local=True) | Q(whole_region=True) | Q(national=True)
        )
        services = services.annotate(
            reach=Case(
                When(local=True, then=Value(Reach.LOCAL)),
                When(whole_region=True, then=Value(Reach.REGION)),
                default=Value(Reach.NATIONAL),
                output_field=IntegerField(),
            )
        )
    else:
        services = services.annotate(
            reach=Case(
                When(national=True, then=Value(Reach.NATIONAL)),
                When(whole_region=True, then=Value(Reach.REGION)),
                default=Value(Reach.LOCAL),
                output_field=IntegerField(),
            )
        )
    if type:
        services = services.filter(type=type)
    for word in keywords(q):
        match = Q()
        for field in WORD_FIELDS:
            match |= Q(**{f"{field}__icontains": word})
        services = services.filter(match)
    return services.order_by("reach", "name")
