"""Alert pages for surveillance leads: the list, one alert (map, timeline, cases, workflow), its map data, the
workflow's POST endpoints, recent runs and the region's parameters. Views stay thin: reach is in `selectors`,
changes in `alerts` (services)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from thrive.accounts.decorators import staff_required
from thrive.accounts.models import User
from thrive.accounts.permissions import Permission as P
from thrive.core import audit
from thrive.detection import alerts, selectors
from thrive.detection.forms import (
    ActionForm,
    AlertFilterForm,
    AssignForm,
    NoteForm,
    ParametersForm,
    StatusForm,
)
from thrive.detection.mapdata import map_data
from thrive.detection.models import Alert, AlertAction, DetectionRun
from thrive.detection.parameters import describe
from thrive.detection.runs import parameters_for, regions, set_region_parameters

PAGE_SIZE = 25
manage = staff_required(P.ALERT_MANAGE)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@require_GET
@manage
def alert_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = AlertFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {"status": "open"}
    found = selectors.alert_list(user, status=filters.get("status", "open"), kind=filters.get("kind", ""))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "detection/alert_list.jinja",
        {"page_title": "Alerts", "form": form, "page": page, "query": query.urlencode()},
    )


def _detail_context(request: HttpRequest, alert: Alert, **forms: Any) -> dict[str, Any]:
    user = _user(request)
    cases, hidden = selectors.alert_cases(user, alert)
    assignees = selectors.eligible_assignees(alert)
    return {
        "page_title": alert.reference,
        "alert": alert,
        "boroughs": selectors.borough_names(alert),
        "cases": cases,
        "hidden_cases": hidden,
        "entries": list(alert.entries.select_related("by", "organisation")),
        "actions": list(alert.actions.select_related("done_by")),
        "status_form": forms.get("status_form") or StatusForm(alert=alert),
        "assign_form": forms.get("assign_form")
        or AssignForm(assignees=assignees, initial={"assignee": alert.assigned_to_id}),
        "note_form": forms.get("note_form") or NoteForm(),
        "action_form": forms.get("action_form") or ActionForm(),
        "form": next((f for f in forms.values() if f is not None and f.errors), None),
        "exact": user.can(P.LOCATION_POINTS_VIEW),
        "history": alert.details.get("history", []),
    }


@require_GET
@manage
def alert_detail(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    alert = selectors.get_alert_for_user(user, reference)
    audit.record(action=audit.Action.READ, obj=alert, user=user, reason="alert opened")
    return render(request, "detection/alert_detail.jinja", _detail_context(request, alert))


@require_GET
@manage
def alert_map(request: HttpRequest, reference: str) -> JsonResponse:
    user = _user(request)
    alert = selectors.get_alert_for_user(user, reference)
    cases, _ = selectors.alert_cases(user, alert)
    response = JsonResponse(map_data(alert, user, cases))
    response["Cache-Control"] = "private, no-store"
    return response


def _back(alert: Alert, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("detection:alert-detail", args=[alert.reference]) + anchor)


def _invalid(request: HttpRequest, alert: Alert, **forms: Any) -> HttpResponse:
    return render(
        request, "detection/alert_detail.jinja", _detail_context(request, alert, **forms), status=400
    )


@require_POST
@manage
def alert_status(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    alert = selectors.get_alert_for_user(user, reference)
    form = StatusForm(request.POST, alert=alert)
    if not form.is_valid():
        return _invalid(request, alert, status_form=form)
    try:
        alert = alerts.change_status(
            alert=alert, to_status=form.cleaned_data["status"], user=user, reason=form.cleaned_data["reason"]
        )
    except alerts.WorkflowError as error:
        form.add_error(None, str(error))
        return _invalid(request, alert, status_form=form)
    messages.success(request, f"The alert is now {alert.get_status_display().lower()}.")
    return _back(alert)


@require_POST
@manage
def alert_assign(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    alert = selectors.get_alert_for_user(user, reference)
    form = AssignForm(request.POST, assignees=selectors.eligible_assignees(alert))
    if not form.is_valid():
        return _invalid(request, alert, assign_form=form)
    alert = alerts.assign(alert=alert, assignee=form.cleaned_data["assignee"], user=user)
    messages.success(request, "The assignment is saved.")
    return _back(alert)


@require_POST
@manage
def alert_note(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    alert = selectors.get_alert_for_user(user, reference)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _invalid(request, alert, note_form=form)
    alerts.add_note(alert=alert, text=form.cleaned_data["text"], user=user)
    messages.success(request, "The note is added.")
    return _back(alert, "#timeline")


@require_POST
@manage
def alert_action(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    alert = selectors.get_alert_for_user(user, reference)
    form = ActionForm(request.POST)
    if not form.is_valid():
        return _invalid(request, alert, action_form=form)
    alerts.add_action(alert=alert, user=user, **form.cleaned_data)
    messages.success(request, "The action is recorded.")
    return _back(alert, "#actions")


@require_POST
@manage
def alert_action_done(request: HttpRequest, reference: str, action_id: int) -> HttpResponse:
    user = _user(request)
    alert = selectors.get_alert_for_user(user, reference)
    action = get_object_or_404(AlertAction, pk=action_id, alert=alert)
    try:
        alerts.complete_action(action=action, user=user)
    except alerts.WorkflowError as error:
        messages.info(request, str(error))
    else:
        messages.success(request, "The action is marked done.")
    return _back(alert, "#actions")


@require_GET
@manage
def run_list(request: HttpRequest) -> HttpResponse:
    runs = DetectionRun.objects.select_related("region").defer("snapshot", "scan_null")
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "detection/run_list.jinja", {"page_title": "Detection runs", "page": page})


@manage
def parameters(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    editable_region = selectors.region_of(user)
    region = editable_region or next(iter(regions()), None)
    if region is None:
        raise Http404("No region is loaded")
    current = parameters_for(region)
    form = ParametersForm(request.POST or None, current=current) if editable_region else None
    if request.method == "POST":
        if form is None:
            raise Http404("Only a region-wide surveillance lead can change the parameters")
        if form.is_valid():
            set_region_parameters(region=region, overrides=form.overrides(), user=user)
            messages.success(request, "The detection parameters are saved. The next run uses them.")
            return HttpResponseRedirect(reverse("detection:parameters"))
    return render(
        request,
        "detection/parameters.jinja",
        {"page_title": "Detection parameters", "region": region, "rows": describe(current), "form": form},
    )
