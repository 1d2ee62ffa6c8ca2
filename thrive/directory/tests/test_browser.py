"""The public journey in a real browser: someone in Tower Hamlets finds the perinatal team and the talking
therapies self-referral, next week's local events and their calendar feed, and a self-check with a positive
item 9 shows crisis support first. Every page has no axe-core violations and fits a 320 px screen; the search
also works with JavaScript turned off."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from icalendar import Calendar

from thrive.accounts import demo as accounts_demo
from thrive.core.testing.browser import assert_accessible, browser
from thrive.directory import demo

pytestmark = [pytest.mark.browser, pytest.mark.urls("thrive.directory.tests.urls")]


@pytest.fixture
def site(transactional_db: None, london: dict, live_server: Any) -> str:
    accounts_demo.generate(rng=random.Random(1))
    demo.generate(rng=random.Random("2026:directory"))
    return str(live_server.url)


@pytest.fixture
def chromium() -> Iterator[Any]:
    with browser() as instance:
        yield instance


def check(page: Any) -> None:
    """No axe-core violations and nothing wider than the screen."""
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def test_tower_hamlets_journey(site: str, chromium: Any) -> None:
    context = chromium.new_context(viewport={"width": 320, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.goto(site + "/")
    assert page.get_by_text("116 123").first.is_visible()
    check(page)

    page.select_option("#id_borough", "E09000030")
    page.get_by_role("button", name="Find support").click()
    page.wait_for_url("**/find-support/?*borough=E09000030*")
    results = page.locator(".directory-results").inner_text()
    assert "Perinatal Mental Health Team" in results and "Tower Hamlets Talking Therapies" in results
    check(page)

    page.get_by_role("link", name="Example Tower Hamlets Talking Therapies (NHS)").click()
    assert page.get_by_role("link", name="refer yourself online").is_visible()
    check(page)

    page.goto(site + "/events/?borough=E09000030")
    page.get_by_role("link", name="Next week").click()
    page.wait_for_url("**start=*")
    assert page.locator(".directory-results li").count() >= 5
    check(page)
    feed_href = page.get_by_role("link", name="download the calendar file (.ics)").get_attribute("href")
    feed = page.request.get(site + feed_href)
    events = Calendar.from_ical(feed.body()).walk("VEVENT")
    assert len(events) >= 5 and all("E09000030" in feed_href for _ in events)
    subscribe = page.get_by_role("link", name="Subscribe in your calendar app").get_attribute("href")
    assert subscribe.startswith("webcal://") and "borough=E09000030" in subscribe

    page.goto(site + "/self-check/phq9/")
    check(page)
    for number in range(1, 10):
        page.locator(f"input[name=q{number}][value='{1 if number == 9 else 0}']").check()
    page.get_by_role("button", name="See my result").click()
    assert page.locator("h1").inner_text() == "Please get support now"
    crisis = page.locator("#crisis-support")
    assert crisis.is_visible() and "116 123" in crisis.inner_text()
    assert crisis.bounding_box()["y"] < page.get_by_text("Your answers suggest").bounding_box()["y"]
    check(page)
    context.close()


OTHER_PAGES = [
    "/events/?view=calendar",
    "/events/?view=map",
    "/events/submit/",
    "/events/campaigns/example-london-mental-health-day/",
    "/self-check/gad7/",
    "/events/past/",
    "/find-support/?postcode=nonsense",
]


def test_other_public_pages_are_accessible_at_320px(site: str, chromium: Any) -> None:
    context = chromium.new_context(viewport={"width": 320, "height": 800}, bypass_csp=True)
    page = context.new_page()
    for path in OTHER_PAGES:
        page.goto(site + path)
        check(page)
    context.close()


def test_search_works_without_javascript(site: str, chromium: Any) -> None:
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/")
    assert not page.get_by_role("button", name="Use my location").is_visible()
    page.fill("#id_postcode", "")
    page.select_option("#id_borough", "E09000030")
    page.select_option("#id_type", "talking_therapies")
    page.get_by_role("button", name="Find support").click()
    assert "Example Tower Hamlets Talking Therapies (NHS)" in page.locator(".directory-results").inner_text()
    context.close()
