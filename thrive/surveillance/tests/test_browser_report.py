"""A police reporter records a death in the browser: every step of the form, check your answers, send; then
the case page. Each page passes axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from thrive.accounts.testing import make_personas
from thrive.accounts.tests.test_browser_signin import sign_in
from thrive.core.testing.browser import assert_accessible, browser
from thrive.surveillance.models import Case, CaseOrganisation
from thrive.surveillance.tests.conftest import nhs_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REPORTER = "reporter@police.example.org"


def test_a_police_reporter_records_a_death(live_server: Any) -> None:
    make_personas()
    base = live_server.url
    with browser() as chromium:
        context = chromium.new_context(bypass_csp=True)
        page = context.new_page()
        sign_in(page, base, REPORTER)
        page.get_by_role("link", name="Report a death").first.click()
        assert_accessible(page)
        page.get_by_role("button", name="Start a new report").click()

        page.get_by_label("Given name", exact=True).fill("Tamsin")
        page.get_by_label("Family name", exact=True).fill("Ravel")
        page.get_by_label("Date of birth", exact=True).fill("1984-06-09")
        page.get_by_label("NHS number", exact=True).fill("123 456 7890")
        page.get_by_label("Female", exact=True).check()
        page.get_by_label("Home borough, if there is no postcode", exact=True).select_option("E09000030")
        page.get_by_role("button", name="Save and continue").click()
        assert "There is a problem" in page.content()  # the NHS number fails its check digit
        assert_accessible(page)
        page.get_by_label("NHS number", exact=True).fill(nhs_number())
        page.get_by_role("button", name="Save and continue").click()

        page.get_by_label("Date found", exact=True).fill("2026-11-10")
        page.get_by_label("Date of death (if known)", exact=True).fill("2026-11-09")
        page.get_by_label("By choosing the area", exact=True).check()
        page.get_by_label("Borough where the person was found", exact=True).select_option("E09000030")
        page.get_by_label("Type of place", exact=True).select_option("park_or_woodland")
        assert_accessible(page)
        page.get_by_role("button", name="Save and continue").click()

        page.get_by_label("Method", exact=True).select_option("poisoning")
        page.get_by_label("Substances involved", exact=True).fill("paracetamol")
        page.get_by_label("A crisis in the last 2 weeks", exact=True).check()
        page.get_by_role("button", name="Save and continue").click()

        page.get_by_label("Full name", exact=True).fill("Ines Ravel")
        page.get_by_label("Relationship to the person who died", exact=True).select_option("sibling")
        page.get_by_label("Phone number", exact=True).fill("07700 900456")
        page.get_by_label("They will decide later", exact=True).check()
        assert_accessible(page)
        page.get_by_role("button", name="Add this person").click()
        page.get_by_role("button", name="Continue").click()

        assert "Check your answers" in page.content() and "Ines Ravel" in page.content()
        assert_accessible(page)
        page.get_by_role("button", name="Send report").click()
        page.wait_for_url(f"{base}/surveillance/cases/**")
        case = Case.objects.get()
        assert case.reference in page.content() and "Tamsin" in page.content()
        assert_accessible(page)
        context.close()
    assert CaseOrganisation.objects.filter(
        case=case, relation="notified", organisation__slug="example-public-health-e09000030"
    ).exists()
