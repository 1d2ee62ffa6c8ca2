"""DIALOG+ session pages: one page walks through the session (ratings, last time's actions, the comparison and
the choice of domains, each domain's four steps, finishing); each part posts to its own route and returns."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thrive.accounts.decorators import staff_required
from thrive.accounts.models import User
from thrive.accounts.permissions import Permission as P
from thrive.outcomes import access, dialog_plus, services, worklist
from thrive.outcomes.forms import ActionForm, DomainsForm, ReviewForm, StepsForm, show_refusal
from thrive.outcomes.measures import get as get_measure
from thrive.outcomes.models import DialogPlusDomain, DialogPlusSession

CAPTURE = staff_required(P.OUTCOMES_CAPTURE)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _to(session: DialogPlusSession, anchor: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(
        reverse("outcomes:session", args=[session.pk]) + (f"#{anchor}" if anchor else "")
    )


def _context(session: DialogPlusSession, **forms: Any) -> dict[str, Any]:
    rows = dialog_plus.compare(session)
    actions = dialog_plus.actions_to_review(session)
    domains = list(session.domains.prefetch_related("actions"))
    titles = {item.number: item.title for item in get_measure("dialog").items}
    return {
        "page_title": "DIALOG+ session",
        "session": session,
        "episode": session.episode,
        "rows": rows,
        "previous": dialog_plus.previous_rating(session),
        "actions_to_review": actions,
        "review_form": forms.get("review_form") or ReviewForm(actions=actions),
        "domains_form": forms.get("domains_form")
        or DomainsForm(
            rows=rows,
            initial={"items": [d.item for d in domains] or [r.number for r in rows if r.suggested][:3]},
        ),
        "domains": [(domain, titles[domain.item]) for domain in domains],
        "max_domains": dialog_plus.MAX_DOMAINS,
        "timepoint": worklist.suggested_timepoint(session.episode, "dialog", timezone.localdate()),
        "form": next(iter(forms.values()), None),
    }


@CAPTURE
@require_POST
def session_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    episode = access.get_episode_for_user(user, pk)
    try:
        session = dialog_plus.start_session(by=user, episode=episode)
    except services.Refused as refused:
        for message in sum(refused.errors.values(), []):
            messages.error(request, message)
        return HttpResponseRedirect(reverse("outcomes:patient", args=[episode.patient_id]))
    return _to(session)


@CAPTURE
@require_GET
def session_page(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_session_for_user(_user(request), pk)
    return render(request, "outcomes/session.jinja", _context(session))


@CAPTURE
@require_POST
def session_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    session = access.get_session_for_user(user, pk)
    form = ReviewForm(request.POST, actions=dialog_plus.actions_to_review(session))
    if form.is_valid():
        try:
            dialog_plus.review_actions(by=user, session=session, reviews=form.reviews())
        except services.Refused as refused:
            show_refusal(form, refused)
        else:
            return _to(session, "review")
    return render(request, "outcomes/session.jinja", _context(session, review_form=form), status=400)


@CAPTURE
@require_POST
def session_domains(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    session = access.get_session_for_user(user, pk)
    form = DomainsForm(request.POST, rows=dialog_plus.compare(session))
    if form.is_valid():
        try:
            dialog_plus.choose_domains(by=user, session=session, items=form.cleaned_data["items"])
        except services.Refused as refused:
            show_refusal(form, refused)
        else:
            return _to(session, "domains")
    return render(request, "outcomes/session.jinja", _context(session, domains_form=form), status=400)


@CAPTURE
@require_http_methods(["GET", "POST"])
def session_domain(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    """One chosen domain: the notes of the first three steps, and the actions agreed (the fourth)."""
    user = _user(request)
    session = access.get_session_for_user(user, pk)
    domain = DialogPlusDomain.objects.filter(session=session, item=item).first()
    if domain is None:
        raise Http404("That domain was not chosen in this session")
    steps = StepsForm(initial={name: getattr(domain, name) for name, _, _ in dialog_plus.STEPS})
    action = ActionForm()
    if request.method == "POST":
        which = request.POST.get("form")
        if which == "steps":
            steps = StepsForm(request.POST)
            if steps.is_valid():
                try:
                    dialog_plus.record_steps(by=user, domain=domain, notes=steps.cleaned_data)
                except services.Refused as refused:
                    show_refusal(steps, refused)
                else:
                    messages.success(request, "Notes saved.")
                    return HttpResponseRedirect(request.path)
        else:
            action = ActionForm(request.POST)
            if action.is_valid():
                data = action.cleaned_data
                try:
                    dialog_plus.add_action(
                        by=user,
                        domain=domain,
                        who=data["who"],
                        what=data["what"],
                        due_on=data["due_on"],
                        who_detail=data["who_detail"],
                    )
                except services.Refused as refused:
                    show_refusal(action, refused)
                else:
                    messages.success(request, "Action agreed.")
                    return HttpResponseRedirect(request.path + "#actions")
    rows = {row.number: row for row in dialog_plus.compare(session)}
    return render(
        request,
        "outcomes/session_domain.jinja",
        {
            "page_title": f"DIALOG+: {get_measure('dialog').item(item).title}",
            "session": session,
            "domain": domain,
            "row": rows[item],
            "steps_form": steps,
            "action_form": action,
            "actions": list(domain.actions.all()),
            "form": steps if steps.errors else action,
        },
        status=400 if steps.errors or action.errors else 200,
    )


@CAPTURE
@require_POST
def session_finish(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    session = access.get_session_for_user(user, pk)
    try:
        dialog_plus.finish(by=user, session=session)
    except services.Refused as refused:
        for message in sum(refused.errors.values(), []):
            messages.error(request, message)
        return _to(session)
    messages.success(request, "Session finished. Its actions will be reviewed at the start of the next one.")
    return HttpResponseRedirect(reverse("outcomes:patient", args=[session.patient_id]))
