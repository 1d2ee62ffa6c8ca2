"""The outcomes journeys in Chromium at phone size (320 px), with axe on every page:

1. a clinician sends a patient a link; the patient completes it on their phone, by keyboard; the clinician
   sees the new scores and the change classification, with its method named;
2. the clinician hands the tablet over for DIALOG; the patient answers; only the clinician's password and a
   fresh code get back to the record;
3. the service manager's dashboard.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django_otp.oath import TOTP

from thrive.accounts.demo import demo_password, demo_totp_secret
from thrive.accounts.models import User
from thrive.accounts.testing import make_personas, sign_in
from thrive.core.testing.browser import assert_accessible, browser
from thrive.outcomes import services
from thrive.outcomes.models import Assessment
from thrive.outcomes.tests.conftest import days_ago, dialog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 320, "height": 640}
CLINICIAN = "clinician@trust.example.org"


def _signed_in_context(chromium: Any, base: str, user: User) -> Any:
    """A phone-sized context holding the session of a clinician who signed in with two factors."""
    client = sign_in(Client(), user)
    context = chromium.new_context(bypass_csp=True, viewport=PHONE)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )
    return context


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide at 320px"


def _answer_by_keyboard(page: Any, rating: int) -> None:
    """Tab into each question's radios and move with the arrow keys, as a keyboard user would."""
    first = page.locator("input[type=radio]").first
    first.focus()
    for question in range(11):
        for _ in range(rating - 1):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")  # to the "more help" checkbox
        if question == 2:
            page.keyboard.press("Space")
        page.keyboard.press("Tab")  # to the next question


def test_patient_link_and_tablet_journeys(live_server: Any) -> None:
    personas = make_personas()
    clinician = personas.clinician
    team = clinician.memberships.get(role="clinician").team
    assert team is not None
    episode = services.admit(
        by=clinician,
        organisation=team.organisation,
        team=team,
        start=days_ago(200),
        local_id="TH-LINK",
        birth_year=1980,
        birth_month=5,
        sex="female",
        ethnicity="H",
    )
    services.record_assessment(
        by=clinician,
        episode=episode,
        measure="dialog",
        timepoint="start",
        mode="paper",
        assessed_on=days_ago(190),
        answers=dialog(3),
    )
    base = live_server.url
    patient_url = f"{base}/outcomes/patients/{episode.patient_id}/"
    with browser() as chromium:
        staff = _signed_in_context(chromium, base, clinician).new_page()
        staff.goto(f"{base}/outcomes/episodes/{episode.pk}/link/")
        assert_accessible(staff)
        staff.get_by_role("button", name="Create the link").click()
        link = staff.locator("#link-url").inner_text().strip()
        assert staff.locator(".thrive-qr svg").count() == 1
        assert_accessible(staff)

        phone = chromium.new_context(bypass_csp=True, viewport=PHONE).new_page()
        phone.goto(link.replace(settings.SITE_URL.rstrip("/"), base))
        assert "How satisfied are you with your mental health?" in phone.content()
        assert phone.locator("nav").count() == 0
        _fits(phone)
        assert_accessible(phone)
        phone.get_by_role("button", name="Send my answers").click()  # nothing answered: errors, nothing saved
        assert (
            "There is a problem" in phone.content()
            and not Assessment.objects.filter(mode="patient_link").exists()
        )
        assert_accessible(phone)
        _answer_by_keyboard(phone, 6)
        phone.get_by_role("button", name="Send my answers").focus()
        phone.keyboard.press("Enter")
        phone.wait_for_url(f"{base}/outcomes/q/done/")
        assert "Thank you" in phone.content()
        _fits(phone)
        assert_accessible(phone)
        answered = Assessment.objects.get(mode="patient_link")
        assert answered.scores == {"sqol": 6.0, "treatment_satisfaction": 6.0, "help_requested": [3]}
        phone.goto(link.replace(settings.SITE_URL.rstrip("/"), base))
        assert "already been used" in phone.content()

        staff.goto(patient_url)
        content = staff.content()
        assert (
            "Reliable improvement" in content
            and "Jacobson-Truax" in content
            and "NHS England PROMs" in content
        )
        assert staff.locator("canvas[data-chart]").count() == 2
        assert_accessible(staff)

        staff.get_by_role("button", name="Hand the tablet to the patient for DIALOG").click()
        staff.wait_for_url(f"{base}/outcomes/tablet/")
        _fits(staff)
        assert_accessible(staff)
        staff.goto(patient_url)
        assert "/accounts/login/" in staff.url  # the record is out of reach
        staff.goto(f"{base}/outcomes/tablet/")
        _answer_by_keyboard(staff, 5)
        staff.get_by_role("button", name="I have finished").click()
        staff.wait_for_url(f"{base}/outcomes/tablet/done/")
        assert_accessible(staff)
        staff.get_by_role("link", name="For the clinician: sign in again").click()
        assert_accessible(staff)
        staff.get_by_label("Password").fill(demo_password(CLINICIAN))
        secret = demo_totp_secret(CLINICIAN)
        staff.get_by_label("Security code").fill(
            f"{TOTP(base64.b32decode(secret + '=' * (-len(secret) % 8))).token():06d}"
        )
        staff.get_by_role("button", name="Sign in and return").click()
        staff.wait_for_url(patient_url)
        assert Assessment.objects.filter(mode="tablet").count() == 1

        manager = _signed_in_context(chromium, base, personas.service_manager).new_page()
        manager.goto(f"{base}/outcomes/dashboard/?measure=dialog&by=ethnicity")
        assert "Outcomes dashboard" in manager.content()
        assert_accessible(manager)


def test_honos_capture_with_a_problem_type(live_server: Any) -> None:
    """HoNOS at 320 px: item 8's problem type is a labelled select inside item 8's fieldset; a type for a
    rating of 0 is refused on that field (axe-checked), then a valid one is saved and shown."""
    personas = make_personas()
    clinician = personas.clinician
    team = clinician.memberships.get(role="clinician").team
    assert team is not None
    episode = services.admit(
        by=clinician,
        organisation=team.organisation,
        team=team,
        start=days_ago(30),
        local_id="TH-HONOS",
        birth_year=1975,
        birth_month=3,
        sex="male",
        ethnicity="A",
    )
    base = live_server.url
    with browser() as chromium:
        page = _signed_in_context(chromium, base, clinician).new_page()
        page.goto(f"{base}/outcomes/episodes/{episode.pk}/assess/honos/")
        _fits(page)
        assert_accessible(page)
        for number in range(1, 13):
            page.locator(f"input[name=item_{number}][value='{0 if number == 8 else 1}']").check()
        page.get_by_label("Problem type (optional)").select_option("B")
        page.get_by_role("button", name="Submit").click()
        assert "so it has no problem type" in page.content() and not Assessment.objects.exists()
        _fits(page)
        assert_accessible(page)
        page.locator("input[name=item_8][value='2']").check()
        page.get_by_role("button", name="Submit").click()
        page.wait_for_url(f"{base}/outcomes/assessments/**")
        saved = Assessment.objects.get()
        assert (saved.answers["8"], saved.answers["8.type"]) == (2, "B")
        assert "Problem type: B – Anxiety" in page.content()
        _fits(page)
        assert_accessible(page)
