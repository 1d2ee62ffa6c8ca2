"""DIALOG+ session pages when something is wrong: an ended episode, a step out of order, bad notes or actions,
someone else's patient. Each answer says what to do in plain words and changes nothing."""

from __future__ import annotations

import datetime
import html
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from thrive.accounts.models import Team
from thrive.accounts.testing import Personas
from thrive.outcomes import dialog_plus, services
from thrive.outcomes.codes import ActionReview
from thrive.outcomes.models import DialogPlusAction, DialogPlusDomain, DialogPlusSession, Episode
from thrive.outcomes.tests.conftest import days_ago, dialog

pytestmark = pytest.mark.django_db


def page(response: Any) -> str:
    return html.unescape(response.content.decode())


def rated_session(by: Any, episode: Episode, *, ratings: dict[str, Any] | None = None) -> DialogPlusSession:
    session = dialog_plus.start_session(by=by, episode=episode)
    dialog_plus.rate(
        by=by,
        session=session,
        mode="clinician",
        timepoint="session",
        assessed_on=timezone.localdate(),
        answers=ratings or dialog(3),
    )
    return session


@pytest.fixture
def clinician(personas: Personas, client_for: Callable[..., Client]) -> Client:
    return client_for(personas.clinician)


def test_no_session_is_started_on_an_ended_episode(
    personas: Personas, clinician: Client, episode: Episode
) -> None:
    services.end_episode(
        by=personas.clinician, episode=episode, end=days_ago(1), reason="treatment_completed"
    )
    response = clinician.post(reverse("outcomes:session-new", args=[episode.pk]))
    patient_page = reverse("outcomes:patient", args=[episode.patient_id])
    assert response.status_code == 302 and response["Location"] == patient_page
    assert not DialogPlusSession.objects.exists()
    assert "This episode has ended: start a new episode for further sessions." in page(
        clinician.get(patient_page)
    )


def test_sessions_are_for_the_patients_own_team_only(
    personas: Personas,
    client_for: Callable[..., Client],
    admit: Callable[..., Episode],
    other_team: Team,
    episode: Episode,
) -> None:
    theirs = admit(other_team, local_id="NC-1")
    clinician = client_for(personas.clinician)
    assert clinician.post(reverse("outcomes:session-new", args=[theirs.pk])).status_code == 404
    assert clinician.get(reverse("outcomes:session-new", args=[episode.pk])).status_code == 405
    session = dialog_plus.start_session(by=personas.clinician, episode=episode)
    for persona in ("service_manager", "analyst", "administrator"):
        other = client_for(getattr(personas, persona))
        assert other.get(reverse("outcomes:session", args=[session.pk])).status_code == 403, persona
        assert other.post(reverse("outcomes:session-finish", args=[session.pk])).status_code == 403, persona
    assert clinician.get(reverse("outcomes:session", args=[session.pk + 1000])).status_code == 404
    assert not DialogPlusSession.objects.filter(episode=theirs).exists()


def test_domains_cannot_be_chosen_before_the_ratings(
    personas: Personas, clinician: Client, episode: Episode
) -> None:
    session = dialog_plus.start_session(by=personas.clinician, episode=episode)
    url = reverse("outcomes:session-domains", args=[session.pk])
    response = clinician.post(url, {"items": ["1"]})
    assert response.status_code == 400
    assert "Record the ratings before choosing what to talk about." in page(response)
    response = clinician.post(url, {})
    assert response.status_code == 400 and "Choose at least one domain to talk about." in page(response)
    assert not DialogPlusDomain.objects.exists()


def test_a_domain_not_chosen_has_no_page(personas: Personas, clinician: Client, episode: Episode) -> None:
    session = rated_session(personas.clinician, episode)
    dialog_plus.choose_domains(by=personas.clinician, session=session, items=[2])
    assert clinician.get(reverse("outcomes:session-domain", args=[session.pk, 2])).status_code == 200
    assert clinician.get(reverse("outcomes:session-domain", args=[session.pk, 7])).status_code == 404
    assert clinician.delete(reverse("outcomes:session-domain", args=[session.pk, 2])).status_code == 405


def test_overlong_notes_are_refused_and_the_old_notes_kept(
    personas: Personas, clinician: Client, episode: Episode
) -> None:
    session = rated_session(personas.clinician, episode)
    [domain] = dialog_plus.choose_domains(by=personas.clinician, session=session, items=[4])
    dialog_plus.record_steps(by=personas.clinician, domain=domain, notes={"understanding": "Sleeps badly"})
    url = reverse("outcomes:session-domain", args=[session.pk, 4])
    response = clinician.post(
        url,
        {
            "form": "steps",
            "understanding": "x" * (dialog_plus.NOTE_MAX + 1),
            "looking_forward": "",
            "exploring_options": "",
        },
    )
    assert response.status_code == 400
    assert f"1. Understanding: keep the notes under {dialog_plus.NOTE_MAX} characters." in page(response)
    domain.refresh_from_db()
    assert domain.understanding == "Sleeps badly"

    saved = clinician.post(
        url, {"form": "steps", "understanding": "Wakes at 4", "looking_forward": "", "exploring_options": ""}
    )
    assert saved.status_code == 302 and saved["Location"] == url
    domain.refresh_from_db()
    assert domain.understanding == "Wakes at 4"
    assert "Notes saved." in page(clinician.get(url))


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"who": "patient", "due_on_days": -1}, "The date it will be done by cannot be in the past."),
        ({"who": "other", "who_detail": "  "}, "Say who else will do it."),
        ({"what": ""}, "Enter what will be done"),
        ({"due_on": "not a date"}, "Enter a real date, like 31/12/2026"),
    ],
)
def test_bad_actions_are_explained_and_not_agreed(
    personas: Personas, clinician: Client, episode: Episode, posted: dict[str, Any], message: str
) -> None:
    session = rated_session(personas.clinician, episode)
    dialog_plus.choose_domains(by=personas.clinician, session=session, items=[5])
    due = timezone.localdate() + datetime.timedelta(days=posted.pop("due_on_days", 7))
    data = {"form": "action", "what": "Join a walking group", "who": "patient", "who_detail": ""}
    data["due_on"] = due.isoformat()
    data.update(posted)
    response = clinician.post(reverse("outcomes:session-domain", args=[session.pk, 5]), data)
    assert response.status_code == 400
    assert message in page(response)
    assert not DialogPlusAction.objects.exists()


def test_an_agreed_action_is_reviewed_next_time_and_a_bad_review_is_refused(
    personas: Personas, clinician: Client, episode: Episode
) -> None:
    first = rated_session(personas.clinician, episode)
    [domain] = dialog_plus.choose_domains(by=personas.clinician, session=first, items=[1])
    url = reverse("outcomes:session-domain", args=[first.pk, 1])
    agreed = clinician.post(
        url,
        {
            "form": "action",
            "what": "Ask the GP about sleep",
            "who": "other",
            "who_detail": "Carer",
            "due_on": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
        },
    )
    assert agreed.status_code == 302 and agreed["Location"] == url + "#actions"
    action = DialogPlusAction.objects.get(domain=domain)
    assert (action.who, action.who_detail) == ("other", "Carer")
    dialog_plus.finish(by=personas.clinician, session=first)
    DialogPlusSession.objects.filter(pk=first.pk).update(
        started_at=timezone.now() - datetime.timedelta(days=30)
    )

    second = dialog_plus.start_session(by=personas.clinician, episode=episode)
    review = reverse("outcomes:session-review", args=[second.pk])
    response = clinician.post(review, {f"action_{action.pk}": "forgotten"})
    assert (
        response.status_code == 400
        and "Say whether the action was done, partly done or not done." in page(response)
    )
    action.refresh_from_db()
    assert action.review == ActionReview.PENDING and action.reviewed_in is None

    response = clinician.post(review, {f"action_{action.pk}": ActionReview.DONE})
    assert response.status_code == 302
    assert response["Location"] == reverse("outcomes:session", args=[second.pk]) + "#review"
    action.refresh_from_db()
    assert (action.review, action.reviewed_in) == (ActionReview.DONE, second)


def test_a_session_without_ratings_cannot_be_finished(
    personas: Personas, clinician: Client, episode: Episode
) -> None:
    session = dialog_plus.start_session(by=personas.clinician, episode=episode)
    response = clinician.post(reverse("outcomes:session-finish", args=[session.pk]))
    session_page = reverse("outcomes:session", args=[session.pk])
    assert response.status_code == 302 and response["Location"] == session_page
    session.refresh_from_db()
    assert session.completed_at is None
    assert "Record the ratings before finishing the session." in page(clinician.get(session_page))
