"""Every role signs in through the real pages with its TOTP code, sees its own navigation, and every page passes axe."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django_otp.oath import TOTP

from thrive.accounts.demo import DEMO_ACCOUNTS, demo_password, demo_totp_secret
from thrive.accounts.testing import make_personas
from thrive.core.testing.browser import assert_accessible, browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXPECTED_NAV = {
    "reporter": ["Areas"],
    "surveillance_lead": ["Audit log", "Areas"],
    "administrator": ["Administration", "Audit log"],
    "bereavement_worker": [],
}
NOT_EXPECTED = {
    "reporter": ["Administration", "Audit log"],
    "bereavement_worker": ["Administration", "Audit log", "Areas"],
}


def totp_now(secret: str) -> str:
    return f"{TOTP(base64.b32decode(secret + '=' * (-len(secret) % 8))).token():06d}"


def sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(demo_password(email))
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Security code").fill(totp_now(demo_totp_secret(email)))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/staff/")


def test_each_role_signs_in_and_sees_its_navigation(live_server: Any) -> None:
    make_personas()
    seen_roles = set()
    with browser() as chromium:
        context = chromium.new_context(bypass_csp=True)
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        assert_accessible(page)
        for account in DEMO_ACCOUNTS:
            if account.role in seen_roles:
                continue
            seen_roles.add(account.role)
            sign_in(page, live_server.url, account.email)
            menu = page.locator('nav[aria-label="Menu"]')
            nav = menu.inner_text() if menu.count() else ""
            for label in EXPECTED_NAV.get(account.role, []):
                assert label in nav, f"{account.role} should see {label}: {nav!r}"
            for label in NOT_EXPECTED.get(account.role, []):
                assert label not in nav, f"{account.role} should not see {label}"
            assert_accessible(page)
            if account.role == "administrator":
                page.goto(f"{live_server.url}/accounts/admin/")
                assert_accessible(page)
            if account.role == "surveillance_lead":
                page.goto(f"{live_server.url}/staff/audit/")
                assert "Audit log" in page.content()
                assert_accessible(page)
            page.goto(f"{live_server.url}/accounts/logout/")
            page.get_by_role("button", name="Sign out").click()
        context.close()
    assert len(seen_roles) == 9
