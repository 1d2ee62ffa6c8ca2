"""Service managers' outcome dashboard and the MHSDS-style export of their services' assessments."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from thrive.accounts.decorators import staff_required
from thrive.accounts.models import User
from thrive.accounts.permissions import Permission as P
from thrive.core import audit
from thrive.outcomes import access, dashboard, mhsds
from thrive.outcomes.codes import Status
from thrive.outcomes.models import Assessment

MANAGE = staff_required(P.OUTCOMES_DASHBOARD)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _choice(request: HttpRequest, name: str, allowed: Mapping[str, object], default: str) -> str:
    value = request.GET.get(name, default)
    return value if value in allowed else default


@MANAGE
@require_GET
def dashboard_page(request: HttpRequest) -> HttpResponse:
    measure = _choice(request, "measure", dashboard.MEASURES, "dialog")
    by = _choice(request, "by", dashboard.DIMENSIONS, "team")
    period = _choice(request, "period", dashboard.PERIODS, "12")
    table = dashboard.build(
        access.outcomes_for_user(_user(request)),
        measure=measure,
        by=by,
        since=dashboard.since_for(period, timezone.localdate()),
    )
    chart = {
        "labels": [row.label for row in table.rows],
        "datasets": [
            {"label": "Reliable improvement (%)", "data": [row.rate("improved") for row in table.rows]},
            {"label": "No reliable change (%)", "data": [row.rate("no_change") for row in table.rows]},
            {"label": "Reliable deterioration (%)", "data": [row.rate("deteriorated") for row in table.rows]},
        ],
    }
    return render(
        request,
        "outcomes/dashboard.jinja",
        {
            "page_title": "Outcomes dashboard",
            "table": table,
            "chart": chart,
            "measure": measure,
            "by": by,
            "period": period,
            "measures": dashboard.MEASURES,
            "dimensions": dashboard.DIMENSIONS,
            "periods": dashboard.PERIODS,
            "score_name": dashboard.SCORE_NAMES[measure],
        },
    )


def _date(text: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text or "")
    except ValueError:
        return None


@MANAGE
@require_GET
def mhsds_export(request: HttpRequest) -> StreamingHttpResponse:
    """Completed assessments of the manager's services, one row per item (pseudonymous), as CSV."""
    user = _user(request)
    today = timezone.localdate()
    start = _date(request.GET.get("from")) or today.replace(year=today.year - 1)
    end = _date(request.GET.get("to")) or today
    in_scope = access.outcomes_for_user(user).values("episode_id")
    assessments = Assessment.objects.filter(
        episode_id__in=in_scope, status=Status.COMPLETED, assessed_on__gte=start, assessed_on__lte=end
    )
    audit.record(
        action=audit.Action.EXPORT,
        object_type="outcomes.assessment",
        user=user,
        summary=f"MHSDS-style CSV of assessments from {start} to {end}",
    )
    response = StreamingHttpResponse(mhsds.stream(assessments), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="outcomes-mhsds-{start}-to-{end}.csv"'
    return response
