"""Referral test helpers: the app's routes mounted, reports with consent through the surveillance service, API
keys and calls, and the outbox run as a worker would run it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from thrive.accounts.apikeys import create_api_key
from thrive.accounts.models import Organisation
from thrive.accounts.testing import Personas
from thrive.referrals.models import Referral
from thrive.surveillance.models import Case
from thrive.surveillance.tests.conftest import report, report_body

TOWER_HAMLETS, BARNET, HACKNEY = "E09000030", "E09000003", "E09000012"
EAST, NORTH = "example-bereavement-east", "example-bereavement-north"


@pytest.fixture(autouse=True)
def referral_routes(settings: Any) -> Iterator[None]:
    """Mount the app's routes (and those it links to) when the project has not (yet) included them; keep email
    in memory."""
    try:
        for name in ("referrals:inbox", "api-referral-list", "surveillance:case-list", "notifications-inbox"):
            reverse(name)
    except NoReverseMatch:
        settings.ROOT_URLCONF = "thrive.referrals.tests.urls"
    settings.EMAIL_URL = "locmem://"
    yield


def kin(**overrides: Any) -> dict[str, Any]:
    """A bereaved person who agrees to a referral and lives in Tower Hamlets (None leaves a field out)."""
    person = {
        "name": "Rowan Kinsey",
        "relationship": "parent",
        "phone": "07700900123",
        "email": "sam@example.org",
        "borough": TOWER_HAMLETS,
        "language": "English",
        "safety_concerns": "Lives alone; very distressed.",
        "consent_to_referral": "yes",
        **overrides,
    }
    return {key: value for key, value in person.items() if value is not None}


def report_with(*people: dict[str, Any], slug: str = "example-police", **overrides: Any) -> Case:
    """A police report of the death of Alex, in Tower Hamlets, with these bereaved people (default: one who
    consents)."""
    overrides["deceased"] = {"given_name": "Alex", **overrides.get("deceased", {})}
    body = report_body(next_of_kin=list(people) or [kin()], **overrides)
    return report(slug, body).case


def referral_of(case: Case) -> Referral:
    return Referral.objects.get(next_of_kin__case=case, is_current=True)


@pytest.fixture
def api_key(personas: Personas) -> Callable[..., str]:
    """`api_key(EAST)` → a raw key with referrals:read and referrals:write (or the scopes given)."""

    def make(slug: str, scopes: str = "referrals:read,referrals:write") -> str:
        organisation = Organisation.objects.get(slug=slug)
        _, raw = create_api_key(
            organisation=organisation, name=f"test-{uuid.uuid4().hex[:6]}", scopes=scopes.split(",")
        )
        return raw

    return make


def call(method: str, path: str, key: str, body: Any = None, **headers: str) -> tuple[int, Any]:
    extra: dict[str, Any] = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    extra["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    data = json.dumps(body) if body is not None else ""
    response = Client().generic(method, path, data=data, content_type="application/json", **extra)
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.content
