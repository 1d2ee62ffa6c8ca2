"""Sign-in: password then TOTP, enrolment forced at first sign-in, lockout, wrong codes, re-authentication."""

from __future__ import annotations

import base64
import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from thrive.accounts.demo import demo_password, demo_totp_secret
from thrive.accounts.models import User
from thrive.accounts.testing import Personas
from thrive.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def code_for_secret(secret: str) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{TOTP(key).token():06d}"


def code_for(user: User) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{TOTP(device.bin_key).token():06d}"


def test_demo_account_signs_in_with_password_and_code(personas: Personas) -> None:
    user = personas.police_reporter
    client = Client()
    response = client.post(reverse("login"), {"username": user.email, "password": demo_password(user.email)})
    assert response.status_code == 302 and reverse("two-factor") in response["Location"]
    assert client.get(reverse("staff-home")).status_code == 302  # not verified yet
    response = client.post(reverse("two-factor"), {"code": code_for_secret(demo_totp_secret(user.email))})
    assert response.status_code == 302
    page = client.get(reverse("staff-home"))
    assert page.status_code == 200
    assert "Reporter" in page.content.decode()
    assert AuditEntry.objects.filter(action="login", user_email=user.email).exists()


def test_wrong_password_is_a_plain_message_and_audited(personas: Personas) -> None:
    response = Client().post(reverse("login"), {"username": personas.analyst.email, "password": "wrong"})
    assert response.status_code == 200
    assert "email address or password is not right" in response.content.decode()
    assert AuditEntry.objects.filter(action="failed_login", object_id=personas.analyst.email).exists()


def test_five_failures_lock_the_account(personas: Personas) -> None:
    user = personas.analyst
    client = Client()
    for _ in range(5):
        client.post(reverse("login"), {"username": user.email, "password": "wrong"})
    response = client.post(reverse("login"), {"username": user.email, "password": demo_password(user.email)})
    assert response.status_code == 429
    assert "locked" in response.content.decode()


def test_wrong_code_is_refused_then_session_ends(personas: Personas) -> None:
    user = personas.analyst
    client = Client()
    client.post(reverse("login"), {"username": user.email, "password": demo_password(user.email)})
    response = client.post(reverse("two-factor"), {"code": "000000"})
    assert "security code is not right" in response.content.decode()
    for _ in range(4):
        response = client.post(reverse("two-factor"), {"code": "000000"})
    assert response.status_code == 302 and "reason=codes" in response["Location"]
    assert client.get(reverse("staff-home")).status_code == 302


def test_first_sign_in_forces_enrolment_and_gives_recovery_codes(personas: Personas) -> None:
    user = User.objects.create_user("new@example.org", "A-long-password-123", full_name="New Person")
    client = Client()
    response = client.post(reverse("login"), {"username": user.email, "password": "A-long-password-123"})
    assert reverse("two-factor-setup") in response["Location"]
    page = client.get(reverse("two-factor-setup")).content.decode()
    secret = re.search(r'thrive-code">([A-Z2-7]+)<', page)
    assert secret and "<svg" in page
    response = client.post(reverse("two-factor-setup"), {"code": code_for_secret(secret.group(1))})
    codes = re.findall(r"<li>([0-9a-f]{10})</li>", response.content.decode())
    assert len(codes) == 10
    client.post(reverse("logout-confirm"))
    client.post(reverse("login"), {"username": user.email, "password": "A-long-password-123"})
    assert client.post(reverse("two-factor"), {"code": codes[0]}).status_code == 302
    assert client.get(reverse("staff-home")).status_code == 200


def test_sensitive_action_asks_to_reauthenticate(personas: Personas, client_for) -> None:
    client = client_for(personas.administrator)
    session = client.session
    session["thrive_reauth_at"] = 0
    session.save()
    response = client.get(reverse("admin-user-new"))
    assert response.status_code == 302 and reverse("reauthenticate") in response["Location"]
    user = personas.administrator
    response = client.post(
        reverse("reauthenticate") + "?next=/accounts/admin/users/new/",
        {"password": demo_password(user.email), "code": code_for(user)},
    )
    assert response.status_code == 302
    assert client.get(reverse("admin-user-new")).status_code == 200


def test_session_idles_out_after_thirty_minutes(settings) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST


def test_password_reset_sends_a_link(personas: Personas, mailoutbox) -> None:
    response = Client().post(reverse("password_reset"), {"email": personas.analyst.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and "/accounts/reset/" in mailoutbox[0].body
