"""The possible-duplicates queue for surveillance leads: compare two cases side by side, then merge or
dismiss; undo a merge. Both cases must be within the lead's identifiable reach (else 404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from thrive.accounts.permissions import Permission as P
from thrive.core import audit
from thrive.surveillance import access, codes, folding, merging, report_data, scope, selectors
from thrive.surveillance.forms import DecisionForm, UndoMergeForm
from thrive.surveillance.models import Case, CaseMerge, DuplicateCandidate
from thrive.surveillance.views import _user, acting_organisation


@access.page("duplicate-list")
def duplicate_list(request: HttpRequest) -> HttpResponse:
    pairs = selectors.open_duplicates(_user(request))
    page = Paginator(pairs, 25).get_page(request.GET.get("page"))
    return render(
        request, "surveillance/duplicate_list.jinja", {"page_title": "Possible duplicates", "page": page}
    )


def _reachable(request: HttpRequest, case: Case) -> Case:
    return scope.get_case_for_user(_user(request), case.reference, identifiable=True)


@access.page("duplicate-compare")
def duplicate_compare(request: HttpRequest, pair_id: int) -> HttpResponse:
    user = _user(request)
    pair = get_object_or_404(DuplicateCandidate.objects.select_related("case_a", "case_b"), pk=pair_id)
    left, right = _reachable(request, pair.case_a), _reachable(request, pair.case_b)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and pair.state == DuplicateCandidate.State.OPEN and form.is_valid():
        decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
        organisation = acting_organisation(user, P.CASE_MERGE)
        try:
            if decision == "dismiss":
                merging.dismiss(candidate=pair, by=user, organisation=organisation, reason=reason)
                messages.success(request, "Marked as not the same death")
                return HttpResponseRedirect(reverse("surveillance:duplicate-list"))
            survivor, duplicate = (left, right) if decision == "keep_a" else (right, left)
            merging.merge_cases(
                survivor=survivor, duplicate=duplicate, by=user, organisation=organisation, reason=reason
            )
        except merging.MergeRefused as refused:
            form.add_error("decision", str(refused))
        else:
            messages.success(
                request,
                f"{duplicate.reference} merged into {survivor.reference}. You can undo this "
                "from the case page.",
            )
            return HttpResponseRedirect(reverse("surveillance:case-detail", args=[survivor.reference]))
    for case in (left, right):
        audit.record(action=audit.Action.READ, obj=case, user=user, reason="compared as a possible duplicate")
    columns: list[dict[str, Any]] = []
    for case in (left, right):
        reports = list(case.reports.select_related("organisation", "subject"))
        columns.append(
            {"case": case, "current": report_data.fold([r.data for r in reports]), "reports": reports}
        )
    rows = []
    for spec in report_data.FIELDS:
        values = [report_data.display(spec, col["current"].get(spec.key)) for col in columns]
        if any(values):
            rows.append({"label": spec.label, "cells": values, "differ": len(set(values)) > 1})
    return render(
        request,
        "surveillance/duplicate_compare.jinja",
        {
            "page_title": "Compare possible duplicates",
            "pair": pair,
            "columns": columns,
            "rows": rows,
            "form": form,
            "flags": folding.FLAG_TEXT,
            "status_label": lambda s: codes.label(codes.Status, s),
        },
    )


@access.page("merge-undo")
def merge_undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    user = _user(request)
    merge = get_object_or_404(CaseMerge.objects.select_related("survivor", "duplicate"), pk=merge_id)
    survivor = _reachable(request, merge.survivor)
    if merge.undone_at is not None:
        raise Http404
    form = UndoMergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        merging.undo_merge(
            merge=merge,
            by=user,
            organisation=acting_organisation(user, P.CASE_MERGE),
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, f"Merge undone: {merge.duplicate.reference} is a separate case again")
        return HttpResponseRedirect(reverse("surveillance:case-detail", args=[survivor.reference]))
    return render(
        request, "surveillance/merge_undo.jinja", {"page_title": "Undo a merge", "merge": merge, "form": form}
    )
