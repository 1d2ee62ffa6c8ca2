"""Page numbers for the public lists, as the NHS.UK pagination component wants them."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def page_of(request: HttpRequest, items: QuerySet[Any], per_page: int) -> Page[Any]:
    """The requested page; a missing, malformed or too-large page number gives the nearest real page."""
    paginator = Paginator(items, per_page)
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    return paginator.get_page(number)


def link(request: HttpRequest, **changes: Any) -> str:
    """The current URL with some query parameters changed (None removes one)."""
    query = request.GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


def pagination(request: HttpRequest, page: Page[Any]) -> dict[str, Any] | None:
    """Parameters for the NHS.UK pagination macro, or None for a single page."""
    if page.paginator.num_pages <= 1:
        return None
    items: list[dict[str, Any]] = []
    shown = {1, page.paginator.num_pages, page.number - 1, page.number, page.number + 1}
    previous_number = 0
    for number in sorted(n for n in shown if 1 <= n <= page.paginator.num_pages):
        if number - previous_number > 1:
            items.append({"ellipsis": True})
        items.append({"number": number, "href": link(request, page=number), "current": number == page.number})
        previous_number = number
    result: dict[str, Any] = {"items": items}
    if page.has_previous():
        result["previous"] = {"href": link(request, page=page.previous_page_number())}
    if page.has_next():
        result["next"] = {"href": link(request, page=page.next_page_number())}
    return result
