"""Case pages: the list, search, one case (with provenance, conflicts and timeline), its lifecycle, consent
and breaking the glass. Views stay thin: access rules are in `access`, reach in `scope`, changes in
services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from thrive.accounts.models import Organisation, User
from thrive.accounts.permissions import Permission as P
from thrive.core import audit
from thrive.geography.models import Area
from thrive.surveillance import access, codes, folding, lifecycle, scope, selectors, services, timeline
from thrive.surveillance.forms import BreakGlassForm, CaseFilterForm, ConsentForm, SearchForm, StatusForm
from thrive.surveillance.mapdata import borough_boundaries
from thrive.surveillance.models import BreakGlass, Case, CaseMerge, NextOfKin

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def acting_organisation(user: User, *permissions: P) -> Organisation:
    """The organisation the user acts for with these permissions (their first membership granting one)."""
    for permission in permissions:
        memberships = user.memberships_granting(permission)
        if memberships:
            return memberships[0].organisation
    raise Http404


@access.page("case-list")
def case_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = CaseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    cases = selectors.filter_cases(scope.visible_cases(user), filters)
    if not scope.user_reach(user).any_identifiable:
        cases = selectors.without_identities(cases)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.list_rows(list(page.object_list))
    audit.record(
        action=audit.Action.SEARCH,
        object_type="surveillance.case",
        user=user,
        reason="case list",
        summary=str({k: str(v) for k, v in filters.items() if v}),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "surveillance/case_list.jinja",
        {
            "page_title": "Cases",
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "can_report": user.can(P.CASE_CREATE),
            "can_search": any(user.can(p) for p in access.VIEW_IDENTIFIABLE),
            "can_review": user.can(P.CASE_MERGE),
            "can_export": user.can(P.CASE_EXPORT_PSEUDONYMISED),
        },
    )


@access.page("case-search")
def case_search(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = SearchForm(request.GET or None)
    results = None
    if form.is_valid():
        data = form.cleaned_data
        results = list(selectors.search(user, **{k: v for k, v in data.items() if v}))
        selectors.list_rows(results)
        audit.record(
            action=audit.Action.SEARCH,
            object_type="surveillance.case",
            user=user,
            reason="case search",
            summary=f"by {', '.join(k for k, v in data.items() if v)}; {len(results)} found",
        )
    return render(
        request,
        "surveillance/case_search.jinja",
        {"page_title": "Find a case", "form": form if request.GET else SearchForm(), "results": results},
    )


def _names(case: Case, reports: list[Any]) -> dict[str, str]:
    codes_seen = {
        str(r.data.get(k))
        for r in reports
        for k in ("deceased.residence_area", "incident.area_code")
        if r.data.get(k)
    }
    slugs = {str(r.data["mental_health_trust"]) for r in reports if r.data.get("mental_health_trust")}
    names = dict(Area.objects.filter(code__in=codes_seen).values_list("code", "name"))
    names.update(Organisation.objects.filter(slug__in=slugs).values_list("slug", "name"))
    return names


@access.page("case-detail")
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    case = scope.get_case_for_user(user, reference)
    identifiable = bool(case.identifiable)  # type: ignore[attr-defined]
    reports = list(case.reports.select_related("organisation", "subject").order_by("submitted_at", "id"))
    audit.record(
        action=audit.Action.READ,
        obj=case,
        user=user,
        reason="case opened" + ("" if identifiable else " (pseudonymised view)"),
    )
    glass = BreakGlass.objects.filter(user=user, case=case, expires_at__gt=timezone.now()).first()
    context: dict[str, Any] = {
        "page_title": case.reference,
        "case": case,
        "identifiable": identifiable,
        "glass": glass,
        "sections": folding.provenance(reports, identifiable=identifiable, names=_names(case, reports)),
        "section_titles": folding.report_data.SECTIONS,
        "reports": reports,
        "timeline": timeline.entries(case, user, identifiable=identifiable),
        "flags": [folding.FLAG_TEXT.get(f, f) for f in case.flags],
        "substances": list(case.substances.all()),
        "merged_into": Case.objects.filter(pk=case.merged_into_id).first() if case.merged_into_id else None,
    }
    if identifiable:
        context.update(
            {
                "next_of_kin": list(case.next_of_kin.select_related("subject", "borough")),
                "can_consent": user.can(P.CASE_RECORD_CONSENT),
                "can_add_report": user.can(P.CASE_CREATE) and case.status != codes.Status.MERGED,
                "can_change_status": any(
                    user.can(p) for p in access.PAGES["surveillance:case-status"].permissions
                ),
                "merges": CaseMerge.objects.filter(survivor=case, undone_at__isnull=True)
                if user.can(P.CASE_MERGE)
                else [],
            }
        )
    return render(request, "surveillance/case_detail.jinja", context)


def allowed_statuses(user: User, case: Case) -> list[str]:
    """Coroner's officers move a case through the inquest; leads may also withdraw, close and reinstate."""
    allowed = set(codes.TRANSITIONS[case.status])
    if not user.can(P.CASE_VIEW_IDENTIFIABLE_SCOPE):
        allowed &= {codes.Status.CORONER, codes.Status.CONCLUDED}
    return [s for s in codes.Status.values if s in allowed]


@access.page("case-status")
def case_status(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    case = scope.get_case_for_user(user, reference, identifiable=True)
    allowed = allowed_statuses(user, case)
    form = StatusForm(request.POST or None, allowed=allowed)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = acting_organisation(user, P.CASE_RECORD_INQUEST, P.CASE_VIEW_IDENTIFIABLE_SCOPE)
        try:
            lifecycle.change_status(
                case=case,
                to=data["status"],
                reason=data["reason"],
                by=user,
                organisation=organisation,
                conclusion=data["conclusion"],
                inquest_date=data["inquest_date"],
            )
        except lifecycle.TransitionRefused as refused:
            form.add_error("status", str(refused))
        else:
            messages.success(request, f"Status of {case.reference} changed")
            return HttpResponseRedirect(reverse("surveillance:case-detail", args=[case.reference]))
    return render(
        request,
        "surveillance/case_status.jinja",
        {"page_title": f"Change the status of {case.reference}", "case": case, "form": form},
    )


@access.page("nok-consent")
def nok_consent(request: HttpRequest, reference: str, person_id: int) -> HttpResponse:
    user = _user(request)
    case = scope.get_case_for_user(user, reference, identifiable=True)
    person = get_object_or_404(NextOfKin.objects.select_related("subject"), pk=person_id, case=case)
    form = ConsentForm(request.POST or None, initial={"consent_to_referral": person.consent_to_referral})
    if request.method == "POST" and form.is_valid():
        services.record_consent(
            next_of_kin=person,
            consent=form.cleaned_data["consent_to_referral"],
            by_user=user,
            by_organisation=acting_organisation(user, P.CASE_RECORD_CONSENT),
        )
        messages.success(request, "Consent recorded")
        return HttpResponseRedirect(reverse("surveillance:case-detail", args=[case.reference]))
    return render(
        request,
        "surveillance/nok_consent.jinja",
        {"page_title": "Record consent to a referral", "case": case, "person": person, "form": form},
    )


@access.page("break-glass")
def break_glass(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = BreakGlassForm(request.POST or None, initial={"reference": request.GET.get("reference", "")})
    if request.method == "POST" and form.is_valid():
        case = Case.objects.filter(reference=form.cleaned_data["reference"]).first()
        if case is None:
            form.add_error("reference", "No case has this reference.")
        elif scope.in_user_scope(user, case):
            return HttpResponseRedirect(reverse("surveillance:case-detail", args=[case.reference]))
        else:
            lifecycle.break_glass(
                case=case,
                user=user,
                reason=form.cleaned_data["reason"],
                organisation=acting_organisation(user, P.CASE_BREAK_GLASS),
            )
            messages.warning(
                request,
                f"You have access to {case.reference} for {lifecycle.BREAK_GLASS_HOURS} hours. "
                "Other surveillance leads can see that you opened it and why.",
            )
            return HttpResponseRedirect(reverse("surveillance:case-detail", args=[case.reference]))
    recent = BreakGlass.objects.select_related("user", "organisation", "case").order_by("-started_at")[:50]
    return render(
        request,
        "surveillance/break_glass.jinja",
        {"page_title": "Break the glass", "form": form, "recent": recent, "now": timezone.now()},
    )


@access.page("boroughs-geojson")
def boroughs_geojson(request: HttpRequest) -> HttpResponse:
    """Simplified borough boundaries for the report form's map (public ONS data; cached by the browser)."""
    response = HttpResponse(borough_boundaries(), content_type="application/geo+json")
    response["Cache-Control"] = "private, max-age=86400"
    return response
