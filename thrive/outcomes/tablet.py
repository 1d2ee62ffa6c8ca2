"""Tablet mode: the clinician hands their device to the patient, who sees only the questionnaire.

Handing over signs the clinician out: the session keeps only what the questionnaire needs (which episode,
which measure, who handed it over). Every other page of Thrive then asks for a sign-in, so the patient cannot
wander into the record. When the patient has finished, getting back needs the clinician's password and a
fresh security code on the return page, which signs the clinician in again and opens the record (or the
DIALOG+ session) where they left it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login

from thrive.accounts import twofactor
from thrive.accounts.decorators import mark_authenticated_now, staff_required
from thrive.accounts.forms import ReauthForm
from thrive.accounts.models import User
from thrive.accounts.permissions import Permission as P
from thrive.core import audit
from thrive.outcomes import access, config, dialog_plus, services, worklist
from thrive.outcomes.codes import Mode, Timepoint
from thrive.outcomes.forms import QuestionnaireForm, show_refusal
from thrive.outcomes.measures import get as get_measure
from thrive.outcomes.models import Episode

TABLET_KEY = "outcomes_tablet"
MAX_FAILURES = 5


def _state(request: HttpRequest) -> dict[str, Any] | None:
    state = request.session.get(TABLET_KEY)
    return state if isinstance(state, dict) else None


def _leave(request: HttpRequest) -> HttpResponseRedirect:
    """Not in tablet mode (or the clinician is already back): the worklist, or the sign-in page."""
    if request.user.is_authenticated:
        request.session.pop(TABLET_KEY, None)
        return HttpResponseRedirect(reverse("outcomes:worklist"))
    return HttpResponseRedirect(reverse("login"))


@staff_required(P.OUTCOMES_CAPTURE)
@require_POST
def tablet_start(request: HttpRequest) -> HttpResponse:
    """Hand the device over: sign out, keeping only which questionnaire the patient is to answer."""
    user: User = request.user  # type: ignore[assignment]
    episode_id, session_id = request.POST.get("episode", ""), request.POST.get("session", "")
    measure = request.POST.get("measure", "dialog")
    episode = access.get_episode_for_user(user, int(episode_id) if episode_id.isdigit() else 0)
    session = access.get_session_for_user(user, int(session_id)) if session_id.isdigit() else None
    if measure not in config.PATIENT_RATED or (session is not None and measure != "dialog"):
        measure = "dialog"
    timepoint = request.POST.get("timepoint", "")
    if timepoint not in Timepoint.values:
        timepoint = worklist.suggested_timepoint(episode, measure, timezone.localdate())
    back = (
        reverse("outcomes:session", args=[session.pk])
        if session
        else reverse("outcomes:patient", args=[episode.patient_id])
    )
    audit.record(
        action=audit.Action.UPDATE,
        obj=episode,
        user=user,
        organisation=episode.team.organisation,
        summary=f"handed the device to {episode.patient.local_id} for {measure} (tablet mode)",
    )
    logout(request)
    request.session[TABLET_KEY] = {
        "user": user.pk,
        "episode": episode.pk,
        "measure": measure,
        "timepoint": timepoint,
        "session": session.pk if session else None,
        "back": back,
        "done": False,
    }
    return HttpResponseRedirect(reverse("outcomes:tablet"))


@require_http_methods(["GET", "POST"])
def tablet(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    if state is None or request.user.is_authenticated:
        return _leave(request)
    if state["done"]:
        return HttpResponseRedirect(reverse("outcomes:tablet-done"))
    measure = get_measure(state["measure"])
    form = QuestionnaireForm(request.POST or None, measure=measure)
    if request.method == "POST" and form.is_valid():
        clinician = User.objects.filter(pk=state["user"], is_active=True).first()
        episode = (
            Episode.objects.select_related("team__organisation", "patient")
            .filter(pk=state["episode"])
            .first()
        )
        if clinician is None or episode is None:
            return _leave(request)
        common = {
            "by": clinician,
            "mode": Mode.TABLET,
            "timepoint": state["timepoint"],
            "assessed_on": timezone.localdate(),
            "answers": form.answers(),
        }
        try:
            if state["session"]:
                session = access.get_session_for_user(clinician, state["session"])
                dialog_plus.rate(session=session, **common)
            else:
                services.record_assessment(episode=episode, measure=measure.key, **common)
        except services.Refused as refused:
            show_refusal(form, refused)
        else:
            request.session[TABLET_KEY] = {**state, "done": True}
            return HttpResponseRedirect(reverse("outcomes:tablet-done"))
    return render(
        request,
        "outcomes/tablet.jinja",
        {
            "page_title": config.short_title(measure.key),
            "form": form,
            "measure": measure,
        },
        status=400 if form.errors else 200,
    )


@require_GET
def tablet_done(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    if state is None or request.user.is_authenticated:
        return _leave(request)
    if not state["done"]:
        return HttpResponseRedirect(reverse("outcomes:tablet"))
    return render(request, "outcomes/tablet_done.jinja", {"page_title": "Thank you"})


@require_http_methods(["GET", "POST"])
def tablet_return(request: HttpRequest) -> HttpResponse:
    """The clinician signs in again (password and a fresh code) to leave tablet mode."""
    state = _state(request)
    if state is None or request.user.is_authenticated:
        return _leave(request)
    clinician = User.objects.filter(pk=state["user"], is_active=True).first()
    if clinician is None:
        return _leave(request)
    form = ReauthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = authenticate(request, username=clinician.email, password=data["password"])
        device = twofactor.verify_code(clinician, data["code"]) if user is not None else None
        if user is None or user.pk != clinician.pk:
            form.add_error("password", "The password is not right")
        elif device is None:
            form.add_error(
                "code", "The security code is not right. Check your authenticator app and try again"
            )
        else:
            back = state["back"]
            login(request, clinician, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, device)
            mark_authenticated_now(request)
            request.session.pop(TABLET_KEY, None)
            audit.record(
                action=audit.Action.LOGIN,
                user=clinician,
                obj=clinician,
                reason="signed in again to leave tablet mode",
            )
            return HttpResponseRedirect(back)
        failures = int(state.get("failures", 0)) + 1
        if failures >= MAX_FAILURES:
            request.session.flush()
            return HttpResponseRedirect(reverse("login") + "?reason=codes")
        request.session[TABLET_KEY] = {**state, "failures": failures}
    return render(
        request,
        "outcomes/tablet_return.jinja",
        {
            "page_title": "Hand the device back",
            "form": form,
            "done": state["done"],
        },
        status=400 if form.errors else 200,
    )
