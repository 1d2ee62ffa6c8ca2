"""The journey of issue 4, in Chromium: a police system reports a death with a parent's consent; the right
bereavement worker sees it arrive in the inbox without reloading, records a contact attempt and then contact;
a worker of another service cannot see it. Every page passes axe."""

from __future__ import annotations

import json
import re
import urllib.request
import uuid
from typing import Any

import pytest

from thrive.accounts.apikeys import create_api_key
from thrive.accounts.models import Organisation
from thrive.accounts.testing import make_personas
from thrive.accounts.tests.test_browser_signin import sign_in
from thrive.core.testing.browser import assert_accessible, browser
from thrive.referrals.tests.conftest import kin
from thrive.surveillance.tests.conftest import report_body

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def police_key() -> str:
    _, key = create_api_key(
        organisation=Organisation.objects.get(slug="example-police"),
        name="browser-test",
        scopes=["cases:write"],
    )
    return key


def police_report(base: str, key: str) -> dict[str, Any]:
    """The police's system reports a death (over HTTP only: the ORM stays outside the browser's event loop)."""
    body = report_body(next_of_kin=[kin(name="Rowan Kinsey", relationship="parent")])
    request = urllib.request.Request(
        f"{base}/api/v1/cases/", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json",
                 "Idempotency-Key": str(uuid.uuid4())},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the local live server
        return json.loads(response.read())


def test_a_referral_arrives_live_and_the_worker_makes_contact(live_server: Any) -> None:
    make_personas()
    key = police_key()  # database work before the browser starts: inside its event loop it is another thread
    base = live_server.url
    with browser() as chromium:
        context = chromium.new_context(bypass_csp=True)
        page = context.new_page()
        sign_in(page, base, "worker@bereavement-east.example.org")
        page.get_by_role("link", name="Referrals").first.click()
        page.wait_for_url(f"{base}/referrals/")
        assert "No open referrals" in page.content()
        assert_accessible(page)
        page.evaluate("window.thriveNotReloaded = true")

        assert police_report(base, key)["reference"].startswith("RTSS-")
        arrived = page.get_by_role("link", name=re.compile(r"^BR-\d+$"))
        arrived.wait_for(timeout=15_000)
        reference = arrived.inner_text()
        assert page.evaluate("window.thriveNotReloaded === true"), "the inbox reloaded instead of updating"
        assert "Rowan Kinsey" not in page.content()
        assert_accessible(page)

        page.get_by_role("link", name=reference).click()
        assert "Rowan Kinsey" in page.content() and "poisoning" not in page.content().lower()
        assert_accessible(page)
        page.get_by_role("button", name="Accept referral").click()
        page.get_by_label("Phone call").check()
        page.get_by_label("No answer").check()
        page.get_by_role("button", name="Record attempt").click()
        assert "Contact attempt recorded" in page.content(), page.locator(".nhsuk-error-summary").inner_text()
        page.get_by_label("Phone call").check()
        page.get_by_label("Spoke with them").check()
        page.get_by_role("button", name="Record attempt").click()
        assert page.locator("h1").inner_text().endswith("Contacted")
        assert_accessible(page)
        detail = page.url
        context.close()

        other = chromium.new_context(bypass_csp=True)
        page = other.new_page()
        sign_in(page, base, "worker@bereavement-north.example.org")
        assert page.goto(detail).status == 404
        page.goto(f"{base}/referrals/")
        assert reference not in page.content()
        other.close()
