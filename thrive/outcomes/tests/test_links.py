"""The patient's one-time link: sent by email through the outbox or shown with a QR code; the questionnaire
and a thank-you only; single use, 7 days, signed, rate-limited; refusals save nothing."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from thrive.accounts.models import Team
from thrive.accounts.testing import Personas
from thrive.core.notification_models import OutboxMessage
from thrive.outcomes import links
from thrive.outcomes.codes import Mode
from thrive.outcomes.models import Assessment, Episode, PatientLink
from thrive.outcomes.tests.conftest import dialog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_limits() -> None:
    cache.clear()


def _answers(rating: int = 5, **extra: Any) -> dict[str, Any]:
    return {**{f"item_{n}": str(rating) for n in range(1, 12)}, **extra}


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_clinician_shows_a_link_with_qr_and_patient_completes_it(
    client_for: Callable[..., Any], personas: Personas, episode: Episode
) -> None:
    page = client_for(personas.clinician).post(
        reverse("outcomes:link-new", args=[episode.pk]),
        {"measure": "dialog", "timepoint": "review", "email": ""},
    )
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and page["Cache-Control"] == "no-store"
    url = re.search(r'id="link-url">([^<]+)<', html).group(1)  # type: ignore[union-attr]
    patient = Client()
    form = patient.get(_path(url))
    body = form.content.decode()
    assert form.status_code == 200 and "How satisfied are you with your mental health?" in body
    assert "Sign out" not in body and "outcomes/patients" not in body and 'href="/"' not in body
    done = patient.post(_path(url), _answers(6, help_3="on"))
    assert done.status_code == 302 and done["Location"] == reverse("outcomes:link-done")
    assessment = Assessment.objects.get()
    assert (assessment.mode, assessment.recorded_by, assessment.answers["help"]) == (
        Mode.PATIENT_LINK,
        None,
        [3],
    )
    assert assessment.scores == {"sqol": 6.0, "treatment_satisfaction": 6.0, "help_requested": [3]}
    again = patient.get(_path(url))
    assert again.status_code == 410 and "already been used" in again.content.decode()


def test_email_goes_through_the_outbox_with_the_link_only(
    client_for: Callable[..., Any], personas: Personas, episode: Episode
) -> None:
    client_for(personas.clinician).post(
        reverse("outcomes:link-new", args=[episode.pk]),
        {"measure": "dialog", "timepoint": "review", "email": "pat@example.org"},
    )
    message = OutboxMessage.objects.get(kind="assessment.link")
    assert "/outcomes/q/" in message.link and "expires" in message.body
    assert message.deliveries.get().address == "pat@example.org"
    assert PatientLink.objects.get().emailed


def test_expired_altered_and_other_patients_links_are_refused(
    personas: Personas, episode: Episode, admit: Callable[..., Episode], team: Team
) -> None:
    issued = links.issue_link(by=personas.clinician, episode=episode, measure="dialog", timepoint="review")
    token = issued.url.rstrip("/").rsplit("/", 1)[1]
    client = Client()
    altered = client.get(reverse("outcomes:link", args=[token[:-2] + ("AA" if token[-2:] != "AA" else "BB")]))
    assert altered.status_code == 404 and "not valid" in altered.content.decode()
    other = admit(team, local_id="OTHER")
    forged = links.make_token(PatientLink(pk=issued.link.pk, patient=other.patient), "whatever")
    assert client.get(reverse("outcomes:link", args=[forged])).status_code == 404
    with pytest.raises(links.LinkRefused) as refused:
        links.open_link(
            links.make_token(PatientLink(pk=issued.link.pk, patient=other.patient), _secret(issued))
        )
    assert refused.value.problem == links.LinkProblem.WRONG_PATIENT
    PatientLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    expired = client.post(reverse("outcomes:link", args=[token]), _answers())
    assert expired.status_code == 410 and "expired" in expired.content.decode()
    assert not Assessment.objects.exists()


def _secret(issued: links.IssuedLink) -> str:
    from django.core import signing

    token = issued.url.rstrip("/").rsplit("/", 1)[1]
    return str(signing.loads(token, salt=links.SALT)["s"])


def test_out_of_range_and_missing_answers_are_shown_and_nothing_is_saved(
    personas: Personas, episode: Episode
) -> None:
    issued = links.issue_link(by=personas.clinician, episode=episode, measure="dialog", timepoint="review")
    answers = _answers(4, item_2="8")
    del answers["item_11"]
    response = Client().post(_path(issued.url), answers)
    html = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in html
    assert (
        "the answers are 1 to 7" in html
        and "Item 11 (Consultations with mental health professionals) is missing" in html
    )
    assert not Assessment.objects.exists() and PatientLink.objects.get().used_at is None


def test_only_patient_rated_questionnaires_can_be_sent(personas: Personas, episode: Episode) -> None:
    from thrive.outcomes.services import Refused

    with pytest.raises(Refused):
        links.issue_link(by=personas.clinician, episode=episode, measure="honos", timepoint="review")


def test_link_pages_are_rate_limited(personas: Personas, episode: Episode) -> None:
    client = Client()
    statuses = [client.get(reverse("outcomes:link", args=["nonsense"])).status_code for _ in range(12)]
    assert statuses[0] == 404 and statuses[-1] == 429


def test_a_start_recorded_meanwhile_does_not_lose_the_patients_answers(
    personas: Personas, episode: Episode, record: Callable[..., Assessment]
) -> None:
    issued = links.issue_link(by=personas.clinician, episode=episode, measure="dialog", timepoint="start")
    record(episode, "dialog", dialog(3), timepoint="start")
    links.complete_link(token=issued.url.rstrip("/").rsplit("/", 1)[1], answers=dialog(5))
    assert Assessment.objects.filter(mode=Mode.PATIENT_LINK, timepoint="session").exists()
