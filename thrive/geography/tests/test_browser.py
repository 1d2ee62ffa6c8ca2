"""The area pages in a real browser under the real Content Security Policy: maps draw, pages pass axe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from thrive.accounts.testing import make_personas, sign_in
from thrive.core.testing.browser import assert_accessible, browser
from thrive.geography.loader import load_geography

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_area_maps_draw_and_pages_are_accessible(live_server: Any, fixture_dir: Path) -> None:
    load_geography(directory=fixture_dir)
    client = sign_in(Client(), make_personas().analyst)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}
    with browser() as chromium:
        strict = chromium.new_context()
        strict.add_cookies([cookie])
        page = strict.new_page()
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(f"{live_server.url}/areas/")
        page.wait_for_selector("#area-map path.leaflet-interactive")
        assert (
            page.locator("#area-map path.leaflet-interactive").count() == 4
        )  # the region and its 3 boroughs
        page.goto(f"{live_server.url}/areas/borough/E09000030/?map=lsoa11")
        page.wait_for_selector("#area-map path.leaflet-interactive")
        assert page.locator("#area-map path.leaflet-interactive").count() == 3
        page.locator("#area-map path.leaflet-interactive").nth(2).click(force=True)
        page.wait_for_url(f"{live_server.url}/areas/lsoa11/**")
        # Not these pages' own: base.jinja's inline script and the NHS.UK stylesheet's font URLs (reported).
        known = ("Executing inline script", "Loading the font 'https://assets.nhs.uk/")
        assert not [p for p in problems if not p.startswith(known)], problems
        strict.close()

        checking = chromium.new_context(bypass_csp=True)
        checking.add_cookies([cookie])
        page = checking.new_page()
        for path in ("/areas/", "/areas/borough/E09000030/?map=lsoa11", "/areas/lsoa11/E01900002/"):
            page.goto(f"{live_server.url}{path}")
            page.wait_for_selector("#area-map path.leaflet-interactive")
            assert_accessible(page)
        checking.close()
