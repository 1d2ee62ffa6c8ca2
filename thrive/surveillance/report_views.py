"""The reporting form: start (or resume) a draft, answer each step, check your answers, submit.

A draft belongs to the person who started it; anyone else gets 404. Adding a report to an existing case uses
the same steps with every field optional, starting from `case-add-report`.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from thrive.accounts.permissions import Permission as P
from thrive.surveillance import access, codes, folding, report_data, scope, wizard
from thrive.surveillance.models import ReportDraft
from thrive.surveillance.views import _user, acting_organisation


def _draft(request: HttpRequest, draft_id: int) -> ReportDraft:
    return get_object_or_404(
        ReportDraft.objects.select_related("subject", "case", "organisation"),
        pk=draft_id,
        user=_user(request),
    )


@access.page("report-start")
def report_start(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        draft = wizard.start_draft(user=user, organisation=acting_organisation(user, P.CASE_CREATE))
        return HttpResponseRedirect(
            reverse("surveillance:report-step", args=[draft.pk, wizard.STEPS[0].slug])
        )
    drafts = ReportDraft.objects.filter(user=user).select_related("case").order_by("-updated_at")
    return render(
        request, "surveillance/report_start.jinja", {"page_title": "Report a death", "drafts": drafts}
    )


@access.page("case-add-report")
def case_add_report(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    case = scope.get_case_for_user(user, reference, identifiable=True)
    if case.status == codes.Status.MERGED:
        raise Http404
    if request.method != "POST":
        return render(
            request,
            "surveillance/add_report.jinja",
            {"page_title": f"Add your report to {case.reference}", "case": case},
        )
    draft = wizard.start_draft(user=user, organisation=acting_organisation(user, P.CASE_CREATE), case=case)
    return HttpResponseRedirect(reverse("surveillance:report-step", args=[draft.pk, wizard.STEPS[0].slug]))


@access.page("report-step")
def report_step(request: HttpRequest, draft_id: int, step: str) -> HttpResponse:
    draft = _draft(request, draft_id)
    current = wizard.STEP_BY_SLUG.get(step)
    if current is None:
        raise Http404
    index = wizard.STEPS.index(current)
    following = (
        reverse("surveillance:report-step", args=[draft.pk, wizard.STEPS[index + 1].slug])
        if index + 1 < len(wizard.STEPS)
        else reverse("surveillance:report-check", args=[draft.pk])
    )
    if request.POST.get("return") == "check" or request.GET.get("return") == "check":
        following = reverse("surveillance:report-check", args=[draft.pk])
    partial = draft.case_id is not None
    if current.slug == "next-of-kin":
        return _next_of_kin_step(request, draft, following)
    context = {"date_of_birth": draft.data.get("person", {}).get("date_of_birth")}
    form_class = current.form
    if request.method == "POST":
        form = form_class(request.POST, partial=partial, context=context)  # type: ignore[call-arg]
        if form.is_valid():
            wizard.save_step(draft=draft, slug=current.slug, cleaned=form.cleaned_data)
            if request.POST.get("action") == "save":
                messages.success(
                    request, "Your draft is saved. You can come back to it from 'Report a death'."
                )
                return HttpResponseRedirect(reverse("surveillance:report-start"))
            return HttpResponseRedirect(following)
    else:
        form = form_class(
            initial=draft.data.get(current.slug, {}),
            partial=partial,  # type: ignore[call-arg]
            context=context,
        )
    return render(
        request,
        "surveillance/report_step.jinja",
        {
            "page_title": current.title,
            "draft": draft,
            "form": form,
            "step": current,
            "steps": wizard.STEPS,
            "number": index + 1,
            "back": (
                reverse("surveillance:report-step", args=[draft.pk, wizard.STEPS[index - 1].slug])
                if index
                else reverse("surveillance:report-start")
            ),
            "map": current.slug == "death",
            "return_to": request.GET.get("return", ""),
        },
    )


def _next_of_kin_step(request: HttpRequest, draft: ReportDraft, following: str) -> HttpResponse:
    form_class = wizard.STEP_BY_SLUG["next-of-kin"].form
    form = form_class()
    if request.method == "POST":
        action = request.POST.get("action", "continue")
        if action.startswith("remove-"):
            wizard.remove_person(draft=draft, index=int(action.removeprefix("remove-") or -1))
            return HttpResponseRedirect(request.path)
        filled = any(request.POST.get(name) for name in ("name", "phone", "email", "postcode"))
        if action == "add" or filled:
            form = form_class(request.POST)
            if form.is_valid():
                wizard.add_person(draft=draft, cleaned=form.cleaned_data)
                return HttpResponseRedirect(request.path if action == "add" else following)
        else:
            wizard.save_step(draft=draft, slug="next-of-kin", cleaned={})
            return HttpResponseRedirect(following)
    index = len(wizard.STEPS)
    return render(
        request,
        "surveillance/report_next_of_kin.jinja",
        {
            "page_title": "Next of kin",
            "draft": draft,
            "form": form,
            "people": draft.data.get("next_of_kin", []),
            "steps": wizard.STEPS,
            "number": index,
            "relationship_label": lambda v: codes.label(codes.Relationship, v),
            "consent_label": lambda v: codes.label(codes.Consent, v),
            "back": reverse("surveillance:report-step", args=[draft.pk, wizard.STEPS[index - 2].slug]),
        },
    )


@access.page("report-check")
def report_check(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = _draft(request, draft_id)
    body, errors = wizard.validate(draft)
    if request.method == "POST" and body is not None:
        submission = wizard.submit(draft=draft, body=body, user=_user(request))
        if submission.linked and draft.case_id is None:
            messages.success(
                request,
                f"This death was already recorded as {submission.case.reference}: your report "
                "has been added to that case.",
            )
        else:
            messages.success(request, f"Report sent. The case reference is {submission.case.reference}.")
        if submission.possible_duplicates:
            messages.info(
                request, "It may be the same death as another case: a surveillance lead will check."
            )
        return HttpResponseRedirect(reverse("surveillance:case-detail", args=[submission.case.reference]))
    flat = report_data.flatten(body or {})
    rows = [
        (spec, report_data.display(spec, flat.get(spec.key)), wizard.step_for(spec.key))
        for spec in report_data.FIELDS
        if spec.key in flat
    ]
    problems = [
        (path, message, wizard.step_for(path)) for path, messages_ in errors.items() for message in messages_
    ]
    return render(
        request,
        "surveillance/report_check.jinja",
        {
            "page_title": "Check your answers before sending",
            "draft": draft,
            "rows": rows,
            "problems": problems,
            "people": (body or {}).get("next_of_kin", []),
            "flags": folding.FLAG_TEXT,
            "relationship_label": lambda v: codes.label(codes.Relationship, v),
            "consent_label": lambda v: codes.label(codes.Consent, v),
        },
    )


@access.page("report-discard")
@require_POST
def report_discard(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = _draft(request, draft_id)
    wizard.discard(draft=draft, by=_user(request))
    messages.success(request, "Draft deleted")
    return HttpResponseRedirect(reverse("surveillance:report-start"))
