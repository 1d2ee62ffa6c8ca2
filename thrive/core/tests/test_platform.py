"""Platform-wide guarantees: security headers, error pages, classification, production refusals, demo users."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from thrive.accounts.testing import Personas
from thrive.core.classification import unclassified_fields


def test_every_model_field_is_classified() -> None:
    assert unclassified_fields() == []


@pytest.mark.django_db
def test_security_headers_on_public_page() -> None:
    response = Client().get("/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "'nonce-" in csp and "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_crisis_lines_and_attribution_on_every_page() -> None:
    page = Client().get("/accounts/login/").content.decode()
    for number in ("116 123", "85258", "111", "999"):
        assert number in page
    assert "Open Government Licence" in page


@pytest.mark.django_db
def test_not_found_page() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404 and "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_oversized_body_is_refused_plainly() -> None:
    response = Client().post(
        "/api/v1/schema/",
        data=b"x" * 10,
        content_type="application/json",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "too large" in response.json()["errors"]["body"][0]


@pytest.mark.django_db
def test_openapi_schema_is_public_json() -> None:
    response = Client().get("/api/v1/schema/?format=json")
    assert response.status_code == 200 and "openapi" in response.json()


@pytest.mark.django_db
def test_demo_users_json_has_every_role(personas: Personas) -> None:
    out = StringIO()
    call_command("demo-users", "--json", stdout=out)
    users = json.loads(out.getvalue())
    roles = {u["role"] for u in users}
    assert {
        "reporter",
        "coroners_officer",
        "surveillance_lead",
        "analyst",
        "bereavement_worker",
        "clinician",
        "service_manager",
        "directory_editor",
        "administrator",
    } <= roles
    assert all(u["totp_secret"] and u["password"] and u["organisation_slug"] for u in users)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "THRIVE_SECRET_KEY must be set"),
        ({"THRIVE_SECRET_KEY": "short"}, "THRIVE_SECRET_KEY must be set"),
        ({"THRIVE_SECRET_KEY": "x" * 60}, "THRIVE_ALLOWED_HOSTS"),
        (
            {"THRIVE_SECRET_KEY": "x" * 60, "THRIVE_ALLOWED_HOSTS": "thrive.example.org"},
            "THRIVE_ENCRYPTION_KEYS",
        ),
        ({"THRIVE_DEBUG": "maybe"}, "THRIVE_DEBUG must be true or false"),
    ],
)
def test_production_refuses_unsafe_settings(env: dict[str, str], message: str) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("THRIVE_") and k != "DATABASE_URL"}
    clean.update({"THRIVE_TESTING": "0", "THRIVE_ENV_FILE": "/dev/null", **env})
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='thrive.settings'; django.setup()",
        ],
        env=clean,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and message in result.stderr


def test_api_schema_generates_without_warnings(tmp_path) -> None:
    """Name collisions between apps' serializers silently corrupt the schema agency systems code against."""
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    text = (tmp_path / "schema.yaml").read_text()
    for path in ("/api/v1/cases/", "/api/v1/referrals/", "/api/v1/oruk/services"):
        assert path in text


@pytest.mark.django_db
def test_error_page_renders_for_a_user_without_two_factor_state(personas: Personas) -> None:
    """API-key requests and views outside django-otp's middleware carry a plain user: the page must not crash."""
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/api/v1/nowhere/")
    request.user = personas.police_reporter
    assert not hasattr(request.user, "is_verified")
    html = render_to_string("errors/404.jinja", request=request)
    assert "Page not found" in html or "not found" in html.lower()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", {}), ('{"honos": "honos_total_8"}', {"honos": "honos_total_8"}), ("[1]", None), ("{bad", None)],
)
def test_json_object_settings_fail_fast_on_bad_values(
    raw: str, expected: dict[str, str] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from thrive.core.env import env_json_object

    monkeypatch.setenv("THRIVE_EXAMPLE_MAPPING", raw)
    if expected is None:
        with pytest.raises(ImproperlyConfigured, match="THRIVE_EXAMPLE_MAPPING must be a JSON object"):
            env_json_object("THRIVE_EXAMPLE_MAPPING")
    else:
        assert env_json_object("THRIVE_EXAMPLE_MAPPING") == expected
