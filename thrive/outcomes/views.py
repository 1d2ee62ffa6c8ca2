"""Clinicians' pages: the worklist, registering patients, a patient's record with its charts and change,
capturing, continuing and amending assessments, FHIR export and sending a patient a one-time link.

Views stay thin: objects come through the getters of `access.py` (404 outside the clinician's teams) and every
change through the services, whose refusals are shown on the form.
"""

from __future__ import annotations

import calendar
import datetime
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from thrive.accounts.decorators import staff_required
from thrive.accounts.models import User
from thrive.accounts.permissions import Permission as P
from thrive.accounts.twofactor import qr_svg
from thrive.core import audit
from thrive.core.crypto import nhs_number_index
from thrive.outcomes import access, config, dialog_plus, fhir, links, services, trajectory, worklist
from thrive.outcomes.codes import Status
from thrive.outcomes.forms import (
    AmendForm,
    EndEpisodeForm,
    EpisodeForm,
    LinkForm,
    PatientForm,
    QuestionnaireForm,
    initial_answers,
    show_refusal,
)
from thrive.outcomes.measures import Item, Measure, UnknownMeasureError
from thrive.outcomes.measures import get as get_measure
from thrive.outcomes.models import DialogPlusSession, Episode
from thrive.surveillance.validation import clean_nhs_number

CAPTURE = staff_required(P.OUTCOMES_CAPTURE)
PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _patient_url(episode: Episode) -> str:
    return reverse("outcomes:patient", args=[episode.patient_id]) + f"#episode-{episode.pk}"


def _search(user: User, query: str) -> list[Any]:
    """Patients of the user's teams by local identifier or NHS number (exact, through the blind index)."""
    digits = clean_nhs_number(query)
    match = Q(local_id__iexact=query)
    if digits.isdigit() and len(digits) == 10:
        match |= Q(nhs_number_index=nhs_number_index(digits))
    return list(access.patients_for_user(user).filter(match)[:20])


@CAPTURE
@require_GET
def worklist_page(request: HttpRequest) -> HttpResponse:
    user, today = _user(request), timezone.localdate()
    team_ids = access.clinician_team_ids(user)
    recent = today - datetime.timedelta(days=config.END_SHOWN_DAYS)
    episodes = Episode.objects.filter(team_id__in=team_ids).filter(Q(end__isnull=True) | Q(end__gte=recent))
    due = worklist.due_for(episodes.select_related("patient", "team"), today)
    query = request.GET.get("q", "").strip()
    found = _search(user, query) if query else None
    if query:
        audit.record(
            action=audit.Action.SEARCH,
            object_type="outcomes.patient",
            user=user,
            summary=f"patient search ({len(found or [])} found)",
        )
    open_episodes = (
        Episode.objects.filter(team_id__in=team_ids, end__isnull=True)
        .select_related("patient", "team")
        .order_by("patient__local_id", "pk")
    )
    page = Paginator(open_episodes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "outcomes/worklist.jinja",
        {
            "page_title": "Patients and outcome measures",
            "overdue": [d for d in due if d.overdue],
            "due": [d for d in due if not d.overdue],
            "query": query,
            "found": found,
            "page": page,
            "teams": access.clinician_teams(user),
        },
    )


@CAPTURE
@require_http_methods(["GET", "POST"])
def patient_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    teams = access.clinician_teams(user)
    form = PatientForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        team = data["team"]
        try:
            episode = services.admit(
                by=user,
                organisation=team.organisation,
                team=team,
                start=data["start"],
                local_id=data["local_id"],
                nhs_number=data["nhs_number"],
                birth_year=data["birth_year"],
                birth_month=data["birth_month"],
                sex=data["sex"],
                ethnicity=data["ethnicity"],
                postcode=data["postcode"],
                borough_code=data["borough"],
            )
        except services.Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, f"Patient {episode.patient.local_id} registered.")
            return HttpResponseRedirect(_patient_url(episode))
    return render(request, "outcomes/patient_new.jinja", {"page_title": "Register a patient", "form": form})


@CAPTURE
@require_GET
def patient_page(request: HttpRequest, pk: int) -> HttpResponse:
    user, today = _user(request), timezone.localdate()
    patient = access.get_patient_for_user(user, pk)
    audit.record(
        action=audit.Action.READ,
        obj=patient,
        user=user,
        organisation=patient.organisation,
        summary=f"outcomes record of {patient.local_id}",
    )
    episodes = list(
        access.episodes_for_user(user)
        .filter(patient=patient)
        .select_related("team", "patient")
        .order_by("-start")
    )
    due = worklist.due_for(episodes, today)
    views = []
    for episode in episodes:
        views.append(
            {
                "episode": episode,
                "due": [d for d in due if d.episode.pk == episode.pk],
                "histories": trajectory.histories(episode),
                "drafts": list(episode.assessments.filter(status=Status.DRAFT).order_by("-updated_at")),
                "sessions": list(
                    DialogPlusSession.objects.filter(episode=episode).select_related("assessment")
                ),
                "links": links.pending_links(episode),
                "measures": config.measures_for(episode.team.service_line),
            }
        )
    return render(
        request,
        "outcomes/patient.jinja",
        {
            "page_title": f"Patient {patient.local_id}",
            "patient": patient,
            "episodes": views,
            "age": patient.age_on(today),
            "born": f"{calendar.month_name[patient.birth_month]} {patient.birth_year}",
            "titles": config.SHORT_TITLES,
        },
    )


@CAPTURE
@require_http_methods(["GET", "POST"])
def episode_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    patient = access.get_patient_for_user(user, pk)
    teams = access.clinician_teams(user).filter(organisation=patient.organisation)
    form = EpisodeForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            episode = services.open_episode(
                by=user, patient=patient, team=form.cleaned_data["team"], start=form.cleaned_data["start"]
            )
        except services.Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, f"Episode with {episode.team.name} opened.")
            return HttpResponseRedirect(_patient_url(episode))
    return render(
        request,
        "outcomes/form_page.jinja",
        {
            "page_title": "Open an episode",
            "form": form,
            "patient": patient,
            "submit_text": "Open the episode",
            "caption": f"Patient {patient.local_id}",
        },
    )


@CAPTURE
@require_http_methods(["GET", "POST"])
def episode_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    episode = access.get_episode_for_user(user, pk)
    form = EndEpisodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_episode(
                by=user, episode=episode, end=form.cleaned_data["end"], reason=form.cleaned_data["end_reason"]
            )
        except services.Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, "Episode ended. Its end assessments are now due.")
            return HttpResponseRedirect(_patient_url(episode))
    return render(
        request,
        "outcomes/form_page.jinja",
        {
            "page_title": "End the episode",
            "form": form,
            "patient": episode.patient,
            "submit_text": "End the episode",
            "caption": f"Patient {episode.patient.local_id}, {episode.team.name}",
        },
    )


def _detail_text(item: Item, answers: dict[str, Any]) -> str:
    """ "Problem type: B – Anxiety" for an item with a recorded detail, else ""."""
    if item.detail is None or not (code := answers.get(item.detail.link_id)):
        return ""
    option = item.detail.option(str(code))
    return f"{item.detail.title}: {code}" + (f" – {option.label}" if option else "")


def _measure_or_404(key: str) -> Measure:
    try:
        return get_measure(key)
    except UnknownMeasureError:
        raise Http404("No such measure") from None


def _questionnaire_page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, "outcomes/capture.jinja", context, status=status)


@CAPTURE
@require_http_methods(["GET", "POST"])
def capture(request: HttpRequest, pk: int, measure: str) -> HttpResponse:
    """A clinician records a measure (or transcribes a paper form); in a DIALOG+ session, its ratings."""
    user, today = _user(request), timezone.localdate()
    episode = access.get_episode_for_user(user, pk)
    definition = _measure_or_404(measure)
    session_id = request.GET.get("session", "")
    session = access.get_session_for_user(user, int(session_id)) if session_id.isdigit() else None
    if session is not None and (session.episode_id != episode.pk or measure != "dialog"):
        raise Http404("That session rates DIALOG for its own episode")
    form = QuestionnaireForm(
        request.POST or None,
        measure=definition,
        details=True,
        initial={"timepoint": worklist.suggested_timepoint(episode, measure, today)},
    )
    if request.method == "POST" and form.is_valid():
        draft = request.POST.get("action") == "draft" and session is None
        data = form.cleaned_data
        try:
            if session is not None:
                dialog_plus.rate(
                    by=user,
                    session=session,
                    mode=data["mode"],
                    timepoint=data["timepoint"],
                    assessed_on=data["assessed_on"],
                    answers=form.answers(),
                )
            else:
                assessment = services.record_assessment(
                    by=user,
                    episode=episode,
                    measure=measure,
                    timepoint=data["timepoint"],
                    mode=data["mode"],
                    assessed_on=data["assessed_on"],
                    answers=form.answers(),
                    draft=draft,
                )
        except services.Refused as refused:
            show_refusal(form, refused)
        else:
            if session is not None:
                return HttpResponseRedirect(reverse("outcomes:session", args=[session.pk]))
            messages.success(
                request,
                "Draft saved: it is not counted until it is submitted."
                if draft
                else f"{config.short_title(definition.key)} recorded.",
            )
            return HttpResponseRedirect(reverse("outcomes:assessment", args=[assessment.public_id]))
    return _questionnaire_page(
        request,
        {
            "page_title": definition.title,
            "form": form,
            "episode": episode,
            "measure": definition,
            "session": session,
            "drafts_allowed": session is None,
        },
        status=400 if form.errors else 200,
    )


@CAPTURE
@require_GET
def assessment_page(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    assessment = access.get_assessment_for_user(user, public_id)
    audit.record(
        action=audit.Action.READ, obj=assessment, user=user, organisation=assessment.episode.team.organisation
    )
    measure = get_measure(assessment.measure)
    helped = set(assessment.answers.get("help", []))
    answers = [
        (
            item,
            assessment.answers.get(str(item.number)),
            item.number in helped,
            _detail_text(item, assessment.answers),
        )
        for item in measure.items
    ]
    return render(
        request,
        "outcomes/assessment.jinja",
        {
            "page_title": f"{config.short_title(measure.key)} assessment",
            "assessment": assessment,
            "measure": measure,
            "answers": answers,
            "amendments": list(assessment.amendments.select_related("amended_by")),
            "episode": assessment.episode,
        },
    )


@CAPTURE
@require_http_methods(["GET", "POST"])
def assessment_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    """Continue a draft: save it again, or submit it."""
    user = _user(request)
    assessment = access.get_assessment_for_user(user, public_id)
    if assessment.status != Status.DRAFT:
        return HttpResponseRedirect(reverse("outcomes:assessment-amend", args=[assessment.public_id]))
    definition = get_measure(assessment.measure)
    initial = {
        **initial_answers(assessment.answers),
        "assessed_on": assessment.assessed_on,
        "timepoint": assessment.timepoint,
        "mode": assessment.mode,
    }
    form = QuestionnaireForm(request.POST or None, measure=definition, details=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        draft = request.POST.get("action") == "draft"
        data = form.cleaned_data
        try:
            services.record_assessment(
                by=user,
                episode=assessment.episode,
                measure=assessment.measure,
                timepoint=data["timepoint"],
                mode=data["mode"],
                assessed_on=data["assessed_on"],
                answers=form.answers(),
                draft=draft,
                assessment=assessment,
            )
        except services.Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, "Draft saved." if draft else "Assessment submitted.")
            return HttpResponseRedirect(reverse("outcomes:assessment", args=[assessment.public_id]))
    return _questionnaire_page(
        request,
        {
            "page_title": f"Continue the draft {definition.title}",
            "form": form,
            "episode": assessment.episode,
            "measure": definition,
            "drafts_allowed": True,
        },
        status=400 if form.errors else 200,
    )


@CAPTURE
@require_http_methods(["GET", "POST"])
def assessment_amend(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    assessment = access.get_assessment_for_user(user, public_id)
    if assessment.status == Status.DRAFT:
        return HttpResponseRedirect(reverse("outcomes:assessment-edit", args=[assessment.public_id]))
    definition = get_measure(assessment.measure)
    initial = {
        **initial_answers(assessment.answers),
        "assessed_on": assessment.assessed_on,
        "timepoint": assessment.timepoint,
        "mode": assessment.mode,
    }
    form = AmendForm(request.POST or None, measure=definition, details=True, initial=initial)
    form.fields["mode"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.amend_assessment(
                by=user,
                assessment=assessment,
                answers=form.answers(),
                assessed_on=data["assessed_on"],
                timepoint=data["timepoint"],
                reason=data["reason"],
            )
        except services.Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, "Assessment amended. The original is kept with your reason.")
            return HttpResponseRedirect(reverse("outcomes:assessment", args=[assessment.public_id]))
    return _questionnaire_page(
        request,
        {
            "page_title": f"Amend the {config.short_title(definition.key)} assessment",
            "form": form,
            "episode": assessment.episode,
            "measure": definition,
            "amending": True,
        },
        status=400 if form.errors else 200,
    )


@CAPTURE
@require_GET
def assessment_fhir(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    assessment = access.get_assessment_for_user(user, public_id)
    audit.record(
        action=audit.Action.EXPORT,
        obj=assessment,
        user=user,
        organisation=assessment.episode.team.organisation,
        summary="FHIR QuestionnaireResponse",
    )
    response = JsonResponse(fhir.to_questionnaire_response(assessment), json_dumps_params={"indent": 2})
    response["Content-Type"] = "application/fhir+json"
    response["Content-Disposition"] = (
        f'attachment; filename="questionnaire-response-{assessment.public_id}.json"'
    )
    return response


@CAPTURE
@require_http_methods(["GET", "POST"])
def link_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the patient a one-time link: emailed, or shown here with a QR code to scan."""
    user, today = _user(request), timezone.localdate()
    episode = access.get_episode_for_user(user, pk)
    rated = tuple(key for key in ("dialog", "phq9", "gad7") if key in config.PATIENT_RATED)
    measure = request.GET.get("measure", "dialog")
    form = LinkForm(
        request.POST or None,
        measures=rated,
        initial={
            "measure": measure if measure in rated else "dialog",
            "timepoint": worklist.suggested_timepoint(episode, measure, today),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issued = links.issue_link(
                by=user,
                episode=episode,
                measure=data["measure"],
                timepoint=data["timepoint"],
                email=data["email"],
            )
        except services.Refused as refused:
            show_refusal(form, refused)
        else:
            response = render(
                request,
                "outcomes/link_created.jinja",
                {
                    "page_title": "Link ready",
                    "episode": episode,
                    "link_url": issued.url,
                    "qr": qr_svg(issued.url),
                    "link": issued.link,
                    "measure": get_measure(issued.link.measure),
                    "emailed": bool(data["email"]),
                },
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "outcomes/form_page.jinja",
        {
            "page_title": "Send the patient a link",
            "form": form,
            "patient": episode.patient,
            "caption": f"Patient {episode.patient.local_id}, {episode.team.name}",
            "submit_text": "Create the link",
            "intro": "The patient answers on their own phone or computer, with no sign-in. "
            "The link works once and "
            "expires after 7 days.",
        },
    )
