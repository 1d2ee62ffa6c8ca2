"""Tablet mode: handing over signs the clinician out; the patient reaches only the questionnaire; getting back
needs the clinician's password and a fresh code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from thrive.accounts.demo import demo_password
from thrive.accounts.testing import Personas
from thrive.outcomes.codes import Mode
from thrive.outcomes.models import Assessment, Episode

pytestmark = pytest.mark.django_db

ELSEWHERE = (
    ("outcomes:worklist", ()),
    ("outcomes:dashboard", ()),
    ("staff-home", ()),
    ("surveillance:case-list", ()),
    ("referrals:inbox", ()),
    ("notifications-inbox", ()),
    ("audit-log", ()),
)


def _hand_over(client: Client, episode: Episode, **extra: Any) -> None:
    response = client.post(
        reverse("outcomes:tablet-start"), {"episode": episode.pk, "measure": "dialog", **extra}
    )
    assert response.status_code == 302 and response["Location"] == reverse("outcomes:tablet")


def _code(user: Any) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_tablet_reaches_only_the_questionnaire(
    client_for: Callable[..., Client], personas: Personas, episode: Episode
) -> None:
    client = client_for(personas.clinician)
    _hand_over(client, episode)
    page = client.get(reverse("outcomes:tablet"))
    html = page.content.decode()
    assert page.status_code == 200 and "Question 1 of 11" in html and "Sign out" not in html
    assert "nhsuk-header__navigation" not in html
    for name, args in ELSEWHERE:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), name
    assert client.get(reverse("outcomes:patient", args=[episode.patient_id]))["Location"].startswith(
        "/accounts/"
    )


def test_patient_answers_and_clinician_signs_in_again(
    client_for: Callable[..., Client], personas: Personas, episode: Episode
) -> None:
    clinician = personas.clinician
    client = client_for(clinician)
    _hand_over(client, episode)
    answers = {f"item_{n}": "3" for n in range(1, 12)} | {"help_4": "on"}
    assert client.post(reverse("outcomes:tablet"), answers)["Location"] == reverse("outcomes:tablet-done")
    assessment = Assessment.objects.get()
    assert (assessment.mode, assessment.recorded_by, assessment.answers["help"]) == (
        Mode.TABLET,
        clinician,
        [4],
    )
    assert "hand the device back" in client.get(reverse("outcomes:tablet-done")).content.decode()
    wrong = client.post(reverse("outcomes:tablet-return"), {"password": "not-it", "code": "123456"})
    assert wrong.status_code == 400
    assert client.get(reverse("outcomes:worklist")).status_code == 302
    back = client.post(
        reverse("outcomes:tablet-return"),
        {"password": demo_password(clinician.email), "code": _code(clinician)},
    )
    assert back.status_code == 302 and back["Location"] == reverse(
        "outcomes:patient", args=[episode.patient_id]
    )
    assert client.get(back["Location"]).status_code == 200


def test_repeated_wrong_returns_end_the_session(
    client_for: Callable[..., Client], personas: Personas, episode: Episode
) -> None:
    client = client_for(personas.clinician)
    _hand_over(client, episode)
    wrong_code = {"password": demo_password(personas.clinician.email), "code": "000000"}
    for _ in range(4):
        assert client.post(reverse("outcomes:tablet-return"), wrong_code).status_code == 400
    last = client.post(reverse("outcomes:tablet-return"), wrong_code)
    assert last.status_code == 302 and last["Location"].startswith(reverse("login"))
    assert client.get(reverse("outcomes:tablet"))["Location"] == reverse("login")


def test_another_teams_episode_cannot_be_handed_over(
    client_for: Callable[..., Client], personas: Personas, admit: Callable[..., Episode], other_team: Any
) -> None:
    theirs = admit(other_team, local_id="NC-9")
    client = client_for(personas.clinician)
    response = client.post(reverse("outcomes:tablet-start"), {"episode": theirs.pk, "measure": "dialog"})
    assert response.status_code == 404
    assert client.get(reverse("outcomes:worklist")).status_code == 200  # still signed in
