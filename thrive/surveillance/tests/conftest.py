"""Surveillance test helpers: API keys for the demo organisations, valid report bodies, and cases in and out
of a persona's scope (Tower Hamlets in, Barnet out)."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from thrive.accounts.apikeys import allowed_scopes, create_api_key
from thrive.accounts.models import Organisation
from thrive.accounts.testing import Personas
from thrive.surveillance import services
from thrive.surveillance.models import AgencyReport, Case

TOWER_HAMLETS, BARNET = "E09000030", "E09000003"


@pytest.fixture(autouse=True)
def quick_passwords(settings: Any) -> None:
    """Hash the personas' passwords quickly: argon2's cost is for production, not for a dozen accounts per
    test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def nhs_number(rng: random.Random | None = None) -> str:
    """A random NHS number with a valid modulus-11 check digit."""
    rng = rng or random.Random()
    while True:
        digits = [rng.randint(0, 9) for _ in range(9)]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def report_body(**overrides: Any) -> dict[str, Any]:
    """A valid API body: a death in Tower Hamlets; `deceased`/`incident` overrides merge into the defaults."""
    body: dict[str, Any] = {
        "reporting_reference": f"TEST-{uuid.uuid4().hex[:8]}",
        "date_found": "2026-11-20",
        "date_of_death": "2026-11-19",
        "deceased": {
            "given_name": "Quillon",
            "family_name": "Marchbank",
            "date_of_birth": "1990-04-02",
            "nhs_number": nhs_number(),
            "sex": "male",
            "ethnicity": "A",
            "employment_status": "unemployed",
            "residence_area": TOWER_HAMLETS,
        },
        "incident": {
            "area_code": TOWER_HAMLETS,
            "location_type": "home",
            "method_group": "poisoning",
            "substances": ["paracetamol"],
        },
        "circumstances": ["previous_self_harm"],
        "narrative": "Synthetic record made by a test.",
        "next_of_kin": [
            {
                "name": "Morwenna Marchbank",
                "relationship": "parent",
                "phone": "07700900123",
                "email": "sam@example.org",
                "borough": TOWER_HAMLETS,
                "language": "English",
                "consent_to_referral": "no",
            }
        ],
    }
    for key, value in overrides.items():
        if key in ("deceased", "incident") and isinstance(value, dict):
            body[key] = {**body[key], **value}
        elif value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def in_barnet(**overrides: Any) -> dict[str, Any]:
    return report_body(
        deceased={"residence_area": BARNET, **overrides.pop("deceased", {})},
        incident={"area_code": BARNET, **overrides.pop("incident", {})},
        **overrides,
    )


@pytest.fixture
def api_key(personas: Personas) -> Callable[..., str]:
    """`api_key("example-police", "cases:read,cases:write")` → a raw key (all allowed scopes by default)."""

    def make(slug: str, scopes: str = "") -> str:
        organisation = Organisation.objects.get(slug=slug)
        wanted = scopes.split(",") if scopes else allowed_scopes(organisation)
        _, raw = create_api_key(organisation=organisation, name=f"test-{uuid.uuid4().hex[:6]}", scopes=wanted)
        return raw

    return make


def call(method: str, path: str, key: str, body: Any = None, **headers: str) -> tuple[int, Any]:
    client = Client()
    response = client.generic(
        method,
        path,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}", **headers},
    )
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.content


def report(
    slug: str = "example-police", body: dict[str, Any] | None = None, **kw: Any
) -> services.Submission:
    """A report through the service, as an agency's API call would make it (validated first)."""
    from thrive.surveillance.serializers import CaseReportSerializer

    serializer = CaseReportSerializer(data=body or report_body(), partial=kw.get("case") is not None)
    serializer.is_valid(raise_exception=True)
    return services.submit_report(
        body=serializer.validated_data,
        organisation=Organisation.objects.get(slug=slug),
        via=AgencyReport.Via.API,
        **kw,
    )


@pytest.fixture
def cases(personas: Personas) -> dict[str, Case]:
    """An in-scope case (Tower Hamlets, reported by the police) and an out-of-scope one (Barnet, reported by
    the north London coroner's office), with their areas' agencies notified."""
    inside = report("example-police", report_body()).case
    outside = report("example-coroner-north-london", in_barnet()).case
    return {"in": inside, "out": outside}
