"""The journey of issue 5, in Chromium: a surveillance lead opens a space-time cluster alert from the alert list,
sees its map (the cluster's areas, its circle and, with the right to exact locations, the incident points), its
timeline and its cases, and takes it through the workflow to closed with a rationale. The map draws under the
real Content Security Policy, the console stays clean, and every page passes axe."""

from __future__ import annotations

import re
from typing import Any

import pytest

from thrive.accounts.testing import Personas
from thrive.accounts.tests.test_browser_signin import sign_in
from thrive.core.testing.browser import assert_accessible, browser
from thrive.detection.tests.grid import TOWER_HAMLETS, Grid
from thrive.detection.tests.test_alerts import cases_in, raise_alert, signal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PATHS = "#alert-map path.leaflet-interactive"
# Not this page's own (see the geography browser test): base.jinja's inline script and the NHS.UK stylesheet's
# font URLs, refused by the real policy.
KNOWN = ("Executing inline script", "Loading the font 'https://assets.nhs.uk/")
RATIONALE = "No further deaths in 8 weeks; postvention complete."


def watch_console(page: Any) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def assert_map_drawn(page: Any, paths: int) -> None:
    """Leaflet has drawn the areas, the circle and the points as SVG paths, and no fallback message shows."""
    page.wait_for_selector(PATHS)
    assert page.locator(PATHS).count() == paths
    assert page.locator("#alert-map svg").count() == 1
    assert "could not be loaded" not in page.locator("#alert-map").inner_text()


def change_status(page: Any, label: str, reason: str = "") -> None:
    page.get_by_label(label, exact=True).check()
    if reason:
        page.get_by_label("Reason").fill(reason)
    page.get_by_role("button", name="Change the status").click()


def test_a_surveillance_lead_takes_an_alert_through_to_closed(
    live_server: Any, personas: Personas, grid: Grid
) -> None:
    # Database work before the browser starts: inside Playwright's event loop the ORM is on another thread.
    cases = cases_in(grid, TOWER_HAMLETS, 3)
    lsoas = sorted({c.residence_lsoa11.code for c in cases if c.residence_lsoa11})
    centre = grid.lsoa(TOWER_HAMLETS, 1)
    found = signal(
        cases, location_ids=tuple(lsoas), centre=(centre.centroid_lat, centre.centroid_lon), radius_km=0.8
    )
    alert = raise_alert(grid, found).alert
    references = [c.reference for c in cases]
    lead, colleague = personas.borough_lead, personas.regional_lead
    colleague_name = colleague.full_name or colleague.email
    drawn = len(lsoas) + 1 + len(cases)  # the cluster's LSOAs, its circle, the incident points
    base = live_server.url
    detail = f"{base}/detection/alerts/{alert.reference}/"

    with browser() as chromium:
        context = chromium.new_context(bypass_csp=True)
        page = context.new_page()
        problems = watch_console(page)
        sign_in(page, base, lead.email)
        page.get_by_role("link", name="Alerts").first.click()
        page.wait_for_url(f"{base}/detection/")
        assert alert.title in page.content()
        assert_accessible(page)

        page.get_by_role("link", name=alert.reference).click()
        page.wait_for_url(detail)
        assert_map_drawn(page, drawn)
        assert page.get_by_role("heading", name="Timeline").is_visible()
        assert "Raised" in page.locator(".thrive-timeline").inner_text()
        cases_table = page.get_by_role("table", name="Cases in this alert")
        for reference in references:
            assert cases_table.get_by_role("link", name=reference).is_visible()
        assert_accessible(page)

        # The map under the real Content Security Policy (axe needs it bypassed, so a second context).
        strict = chromium.new_context()
        strict.add_cookies(context.cookies())
        strict_page = strict.new_page()
        strict_problems = watch_console(strict_page)
        strict_page.goto(detail)
        assert_map_drawn(strict_page, drawn)
        assert not [p for p in strict_problems if not p.startswith(KNOWN)], strict_problems
        strict.close()

        change_status(page, "Under review")
        assert "The alert is now under review." in page.content()
        page.get_by_label("Assign to").select_option(label=colleague_name)
        page.get_by_role("button", name="Save the assignment").click()
        assert "The assignment is saved." in page.content()
        assigned = page.locator(".nhsuk-summary-list__row", has_text="Assigned to")
        assert colleague_name in assigned.inner_text()

        change_status(page, "Response group convened")
        assert "The alert is now response group convened." in page.content()
        page.get_by_text("Record an action").click()
        page.get_by_label("Kind of action").select_option(label="Postvention and bereavement support")
        page.get_by_label("What will be done").fill("Support offered to the school")
        page.get_by_label("Who leads it").fill("Public health")
        page.get_by_label("Due by").fill("2026-07-31")
        page.get_by_role("button", name="Record the action").click()
        assert "The action is recorded." in page.content()
        page.get_by_role("button", name="Mark as done").click()
        assert "The action is marked done." in page.content()
        page.get_by_label("Note", exact=True).fill("Schools told; postvention offered.")
        page.get_by_role("button", name="Add the note").click()
        assert "Schools told; postvention offered." in page.locator(".thrive-timeline").inner_text()

        change_status(page, "Monitoring")
        assert "The alert is now monitoring." in page.content()
        assert not problems, problems
        # Closing without the rationale is refused, with the error linked from the summary.
        change_status(page, "Closed")
        summary = page.locator(".nhsuk-error-summary")
        assert "Give the rationale for closing the alert." in summary.inner_text()
        assert [p for p in problems if "status of 400" not in p] == [], problems  # the refusal's own 400
        problems.clear()
        assert_accessible(page)
        change_status(page, "Closed", RATIONALE)
        page.wait_for_url(detail)
        assert re.search(r"Closed$", page.locator("h1").inner_text())
        assert page.locator(".nhsuk-inset-text", has_text=f"Rationale: {RATIONALE}").is_visible()
        timeline = page.locator(".thrive-timeline").inner_text()
        for step in ("new to under review", "under review to response group convened",
                     "response group convened to monitoring", "monitoring to closed"):  # fmt: skip
            assert step in timeline, timeline
        assert_map_drawn(page, drawn)
        assert_accessible(page)

        page.get_by_role("link", name="Back to alerts").click()
        assert alert.reference not in page.content()  # open alerts only by default
        page.get_by_label("Status").select_option(label="Closed")
        page.get_by_role("button", name="Apply filters").click()
        assert page.get_by_role("link", name=alert.reference).is_visible()
        assert not problems, problems
        context.close()
