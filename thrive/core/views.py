"""Staff home, the audit log search, API documentation, health and error pages."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from drf_spectacular.generators import SchemaGenerator

from thrive.accounts.decorators import staff_required
from thrive.accounts.models import User
from thrive.accounts.navigation import navigation_for
from thrive.accounts.permissions import Permission as P
from thrive.core import audit
from thrive.core.models import AuditEntry


@staff_required()
def staff_home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]  # staff_required ensures a signed-in user
    return render(
        request,
        "core/staff_home.jinja",
        {
            "page_title": "Home",
            "memberships": user.active_memberships(),
            "links": [item for item in navigation_for(request) if item["text"] != "Home"],
        },
    )


@staff_required(P.AUDIT_VIEW)
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = AuditEntry.objects.all()
    filters = {
        "action": request.GET.get("action", ""),
        "user": request.GET.get("user", "").strip(),
        "object_type": request.GET.get("object_type", "").strip(),
        "object_id": request.GET.get("object_id", "").strip(),
    }
    if filters["action"] in AuditEntry.Action.values:
        entries = entries.filter(action=filters["action"])
    if filters["user"]:
        entries = entries.filter(user_email__icontains=filters["user"])
    if filters["object_type"]:
        entries = entries.filter(object_type__icontains=filters["object_type"])
    if filters["object_id"]:
        entries = entries.filter(object_id=filters["object_id"])
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    audit.record(
        action=audit.Action.SEARCH,
        object_type="core.auditentry",
        user=request.user,  # type: ignore[arg-type]
        reason="audit log searched",
        summary=str({k: v for k, v in filters.items() if v}),
    )
    return render(
        request,
        "core/audit_log.jinja",
        {"page_title": "Audit log", "page": page, "filters": filters, "actions": AuditEntry.Action.choices},
    )


def api_docs(request: HttpRequest) -> HttpResponse:
    """The API reference, rendered on the server from the OpenAPI schema (no third-party script)."""
    schema: dict[str, Any] = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for route, methods in sorted(schema.get("paths", {}).items()):
        for method, spec in methods.items():
            operations.append(
                {
                    "method": method.upper(),
                    "path": route,
                    "summary": spec.get("summary", ""),
                    "description": spec.get("description", ""),
                    "tags": spec.get("tags", []),
                }
            )
    return render(
        request,
        "core/api_docs.jinja",
        {"page_title": "API reference", "schema": schema, "operations": operations},
    )


def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.jinja", {"page_title": "You do not have access"}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.jinja", {"page_title": "Page not found"}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/500.jinja", {"page_title": "Sorry, there is a problem"}, status=500)
