"""Referral pages: the live inbox, the referral with its actions, withdrawal, the worklist, placing referrals
no service covered, and the figures. Views stay thin: access through `access.py`, changes through
`services.py`.

The inbox polls for new rows every second (HTMX). A poll answers 204 (nothing to swap) when nothing has
changed, worked out without loading the rows; it never extends an idle session, and answers 286 (HTMX: stop
polling) once the user is signed out.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thrive.accounts.decorators import staff_required
from thrive.accounts.models import Organisation, User
from thrive.accounts.permissions import Permission as P
from thrive.core import audit
from thrive.referrals import access, figures, services, workflow
from thrive.referrals.forms import AssignForm, AttemptForm, StatusForm, WithdrawForm
from thrive.referrals.models import AWAITING_CONTACT, FINISHED, Referral, Status
from thrive.referrals.workflow import TransitionError

PAGE_SIZE = 50
# A new referral shows within a second or so of being made (the target is two seconds from the report); a poll
# that finds nothing new answers 204 after three small queries.
POLL_SECONDS = 1
STATE = ("pk", "status", "first_contact_due", "escalated_at")  # what a poll compares, row by row
ROW_FIELDS = (
    "status", "received_at", "relationship", "first_contact_at", "first_contact_due", "withdrawn_at",
    "borough__name",
)  # fmt: skip
STOP_POLLING = 286
TABS = {"open": "Open", "overdue": "Overdue", "closed": "Closed"}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _service(referral: Referral) -> Organisation:
    """The service acting: a worker only reaches referrals of their own service, so it is the referral's."""
    if referral.service is None:
        raise Http404("No such referral")
    return referral.service


def _listing(user: User, show: str, today: date) -> tuple[QuerySet[Referral], dict[str, int]]:
    """The tab's rows in order, and the counts shown above them (one query)."""
    mine = access.referrals_for_user(user)
    current = mine.filter(is_current=True).exclude(status__in=FINISHED)
    overdue = Q(status__in=AWAITING_CONTACT, first_contact_at__isnull=True, first_contact_due__lt=today)
    rows: QuerySet[Referral]
    if show == "overdue":
        rows = current.filter(overdue).order_by("first_contact_due", "received_at", "pk")
    elif show == "closed":
        rows = mine.filter(Q(is_current=False) | Q(status__in=FINISHED)).order_by("-closed_at", "-pk")
    else:
        # New referrals on top, the latest first (what just arrived is what the live inbox is for); then the
        # rest by when first contact is due.
        new_first = Case(
            When(status=Status.NEW, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        arrived = Case(When(status=Status.NEW, then=F("received_at")))
        rows = current.annotate(new_first=new_first).order_by(
            "new_first", arrived.desc(nulls_last=True), "first_contact_due", "-pk"
        )
    counts = current.aggregate(
        new=Count("pk", filter=Q(status=Status.NEW)), overdue=Count("pk", filter=overdue)
    )
    return rows, counts


def _inbox(
    user: User, show: str, page_number: str | None, *, unless_version: str | None = None
) -> dict[str, Any] | None:
    """The inbox page's context; None when its version is `unless_version` (the poll's "nothing changed").

    The version covers what the rows show that can change (each row's status, due date and escalation, the
    counts, the page), and is worked out from those columns alone: a poll that finds nothing new costs three
    small queries, no rows loaded."""
    today = timezone.localdate()
    rows, counts = _listing(user, show, today)
    states = Paginator(rows.values_list(*STATE), PAGE_SIZE).get_page(page_number)
    state = repr((show, states.number, counts, list(states)))
    version = hashlib.sha256(state.encode()).hexdigest()[:16]
    if version == unless_version:
        return None
    # Only what the rows show: no encrypted contact details (nothing to decrypt on every poll), and the
    # borough's name without its boundary, a large GeoJSON document.
    rows = rows.select_related("borough").only(*ROW_FIELDS)
    page = Paginator(rows, PAGE_SIZE).get_page(states.number)
    return {
        "show": show, "tabs": TABS, "page": page, "counts": counts, "today": today, "version": version,
        "poll_seconds": POLL_SECONDS, "tz": timezone.get_current_timezone(),
    }  # fmt: skip


def _show(request: HttpRequest) -> str:
    show = request.GET.get("show", "open")
    return show if show in TABS else "open"


@staff_required(P.REFERRAL_WORK)
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    context = _inbox(_user(request), _show(request), request.GET.get("page"))
    assert context is not None
    return render(request, "referrals/inbox.jinja", {"page_title": "Referrals", **context})


@require_GET
def inbox_rows(request: HttpRequest) -> HttpResponse:
    """The inbox's rows for HTMX polling: 204 when unchanged; never keeps an idle session alive."""
    request.session.save = _leave_session_alone  # type: ignore[method-assign]
    user = request.user
    signed_in = user.is_authenticated and user.is_verified()  # type: ignore[attr-defined]
    if not signed_in or not user.can(P.REFERRAL_WORK):  # type: ignore[union-attr]
        return HttpResponse(status=STOP_POLLING)
    context = _inbox(
        _user(request), _show(request), request.GET.get("page"), unless_version=request.GET.get("v", "")
    )
    if context is None:
        response = HttpResponse(status=204)
    else:
        response = render(request, "referrals/_inbox_rows.jinja", {**context, "polled": True})
    response["Cache-Control"] = "no-store"
    return response


def _leave_session_alone(must_create: bool = False) -> None:
    return None


@staff_required(P.REFERRAL_WORK)
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    referral = access.get_referral_for_user(user, pk)
    forms: dict[str, Any] = {
        "attempt": AttemptForm(prefix="attempt"),
        "status": StatusForm(prefix="status", referral=referral),
    }
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            changed = _act(request, referral, action, forms)
        except TransitionError as problem:
            messages.error(request, str(problem))
            return redirect("referrals:detail", pk=referral.pk)
        if changed is not None:
            messages.success(request, changed)
            return redirect("referrals:detail", pk=referral.pk)
    audit.record(
        action=audit.Action.READ,
        obj=referral,
        user=user,
        organisation=referral.service,
        reason="referral opened",
    )
    status = 400 if any(form.is_bound and form.errors for form in forms.values()) else 200
    return render(request, "referrals/detail.jinja", {
        "page_title": f"Referral {referral.reference}",
        "referral": referral,
        "forms": forms,
        "form": next((f for f in forms.values() if f.is_bound and f.errors), None),
        "attempts": list(referral.attempts.select_related("by")),
        "events": list(referral.events.select_related("by", "organisation")),
        "can_attempt": referral.is_current and referral.status in workflow.ATTEMPTABLE,
        "next_statuses": workflow.next_statuses(referral.status) if referral.is_current else [],
        "overdue": referral.is_overdue(),
        "tz": timezone.get_current_timezone(),
        "viewer_organisation_id": referral.service_id,
    }, status=status)  # fmt: skip


def _act(request: HttpRequest, referral: Referral, action: str, forms: dict[str, Any]) -> str | None:
    """Apply the posted action; the message to show, or None when a form has errors to show instead."""
    user = _user(request)
    organisation = _service(referral)
    if action == "accept":
        services.update(referral=referral, by=user, organisation=organisation, status=Status.ACCEPTED)
        return "Referral accepted. Record each attempt to contact the person."
    if action == "attempt":
        attempt = forms["attempt"] = AttemptForm(request.POST, prefix="attempt")
        if not attempt.is_valid():
            return None
        services.update(referral=referral, by=user, organisation=organisation, attempt=attempt.attempt())
        return "Contact attempt recorded."
    if action == "status":
        change = forms["status"] = StatusForm(request.POST, prefix="status", referral=referral)
        if not change.is_valid():
            return None
        data = change.cleaned_data
        services.update(
            referral=referral,
            by=user,
            organisation=organisation,
            status=data["status"],
            note=data["note"],
            transfer_to=data["transfer_to"],
        )
        if data["status"] == Status.TRANSFERRED:
            return f"Referral transferred to {data['transfer_to'].name}. Your copy of the details is erased."
        return f"Status changed to {Status(data['status']).label.lower()}."
    raise TransitionError("Choose what to do.")


@staff_required(P.REFERRAL_WORK)
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    referral = access.get_referral_for_user(user, pk)
    if not referral.is_current:
        messages.error(request, "This referral was already withdrawn or transferred.")
        return redirect("referrals:detail", pk=referral.pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.withdraw_consent(referral=referral, by=user, organisation=_service(referral))
        messages.success(
            request, "Consent withdrawn. The referral is closed and the person's details are erased."
        )
        return redirect("referrals:detail", pk=referral.pk)
    return render(
        request,
        "referrals/withdraw.jinja",
        {"page_title": "Withdraw consent", "referral": referral, "form": form},
    )


@staff_required(P.REFERRAL_WORK, P.REFERRAL_FIGURES)
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = timezone.localdate()
    rows = list(
        access.worklist_for(user).select_related("service", "borough").order_by("first_contact_due", "pk")
    )
    groups = {
        "Overdue": [r for r in rows if r.first_contact_due and r.first_contact_due < today],
        "Due today": [r for r in rows if r.first_contact_due == today],
        "Due later": [r for r in rows if r.first_contact_due and r.first_contact_due > today],
    }
    return render(request, "referrals/worklist.jinja", {
        "page_title": "Referrals due and overdue", "groups": groups, "today": today,
        "linkable": set(access.worker_service_ids(user)), "tz": timezone.get_current_timezone(),
    })  # fmt: skip


@staff_required(P.REFERRAL_FIGURES)
@require_GET
def figures_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    table = figures.compute(services=list(access.figure_services(user)), today=timezone.localdate())
    return render(request, "referrals/figures.jinja", {"page_title": "Referral figures", "figures": table})


def _lead(request: HttpRequest) -> User:
    user = _user(request)
    if not access.lead_memberships(user):
        raise PermissionDenied("Only surveillance leads place referrals that no service covers.")
    return user


@staff_required(P.REFERRAL_FIGURES)
@require_GET
def unrouted(request: HttpRequest) -> HttpResponse:
    rows = list(access.unrouted_for(_lead(request)).select_related("borough").order_by("received_at", "pk"))
    return render(request, "referrals/unrouted.jinja", {
        "page_title": "Referrals without a service", "rows": rows, "form": AssignForm(),
        "tz": timezone.get_current_timezone(),
    })  # fmt: skip


@staff_required(P.REFERRAL_FIGURES)
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    user = _lead(request)
    referral = access.unrouted_for(user).filter(pk=pk).first()
    if referral is None:
        raise Http404("No such referral")
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a bereavement service.")
        return redirect("referrals:unrouted")
    lead = access.lead_memberships(user)[0].organisation
    try:
        services.assign(referral=referral, service=form.cleaned_data["service"], by=user, organisation=lead)
    except TransitionError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, f"{referral.reference} assigned to {form.cleaned_data['service'].name}.")
    return HttpResponseRedirect(reverse("referrals:unrouted"))
