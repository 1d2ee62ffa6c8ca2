"""Outcomes test helpers: the app's routes mounted, a clinician's team with patients, assessments recorded
through the services, a second clinician and another trust's team, and API calls with keys."""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from thrive.accounts.apikeys import create_api_key
from thrive.accounts.models import Membership, Organisation, Team, User
from thrive.accounts.testing import Personas
from thrive.outcomes import services
from thrive.outcomes.codes import Mode, ServiceLine
from thrive.outcomes.models import Assessment, Episode

TRUST = "example-trust-north-east-london"
OTHER_TRUST = "example-trust-north-central-london"
TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def outcome_routes(settings: Any) -> Iterator[None]:
    """Mount the app's routes when the project has not (yet) included them; keep email in memory."""
    try:
        for name in ("outcomes:worklist", "api-outcomes-assessment-list"):
            reverse(name)
    except NoReverseMatch:
        settings.ROOT_URLCONF = "thrive.outcomes.tests.urls"
    settings.EMAIL_URL = "locmem://"
    yield


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def dialog(rating: int = 4, **overrides: Any) -> dict[str, Any]:
    """DIALOG answers: every item `rating` unless overridden ({"3": 2, "help": [3]})."""
    return {**{str(n): rating for n in range(1, 12)}, **overrides}


def honos(rating: int = 1, **overrides: Any) -> dict[str, Any]:
    return {**{str(n): rating for n in range(1, 13)}, **overrides}


@pytest.fixture
def team(personas: Personas) -> Team:
    membership = personas.clinician.memberships.get(role="clinician")
    assert membership.team is not None
    return membership.team


@pytest.fixture
def other_team(personas: Personas) -> Team:
    """A team of another trust (North Central London): its patients are out of the clinician's reach."""
    organisation = Organisation.objects.get(slug=OTHER_TRUST)
    return Team.objects.get_or_create(
        organisation=organisation,
        name="Example Barnet Community Mental Health Team",
        defaults={"service_line": ServiceLine.COMMUNITY},
    )[0]


@pytest.fixture
def colleague(personas: Personas, team: Team) -> User:
    """A second clinician in the same team (records HoNOS while the first runs DIALOG+)."""
    user = User.objects.create_user(
        "colleague@trust.example.org", "Colleague-password-1", full_name="Cole Example"
    )
    Membership.objects.create(user=user, organisation=team.organisation, role="clinician", team=team)
    return user


@pytest.fixture
def admit(personas: Personas) -> Callable[..., Episode]:
    """`admit(team, start=..., **patient)`: a registered patient with an open episode."""

    def make(team: Team, *, start: datetime.date | None = None, **patient: Any) -> Episode:
        fields = {"birth_year": 1985, "birth_month": 6, "sex": "female", "ethnicity": "A", **patient}
        return services.admit(
            by=personas.clinician,
            organisation=team.organisation,
            team=team,
            start=start or days_ago(200),
            **fields,
        )

    return make


@pytest.fixture
def episode(admit: Callable[..., Episode], team: Team) -> Episode:
    return admit(team, local_id="TH-0001")


@pytest.fixture
def record(personas: Personas) -> Callable[..., Assessment]:
    """`record(episode, measure, answers, on=..., timepoint=...)`: a completed assessment by the clinician."""

    def make(
        episode: Episode,
        measure: str,
        answers: dict[str, Any],
        *,
        on: datetime.date | None = None,
        timepoint: str = "review",
        mode: str = Mode.CLINICIAN,
        draft: bool = False,
        by: User | None = None,
    ) -> Assessment:
        return services.record_assessment(
            by=by or personas.clinician,
            episode=episode,
            measure=measure,
            timepoint=timepoint,
            mode=mode,
            assessed_on=on or timezone.localdate(),
            answers=answers,
            draft=draft,
        )

    return make


@pytest.fixture
def api(personas: Personas) -> Callable[..., Any]:
    """`api(method, path, body=None, key=..., idempotency_key=None)` -> (status, json)."""
    _, key = create_api_key(
        organisation=Organisation.objects.get(slug=TRUST),
        name="trust EPR",
        scopes=["outcomes:read", "outcomes:write"],
    )

    def call(
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        idempotency_key: str | None = None,
    ) -> tuple[int, Any]:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token or key}"}
        if idempotency_key:
            headers["HTTP_IDEMPOTENCY_KEY"] = idempotency_key
        response = getattr(Client(), method.lower())(
            path,
            data=json.dumps(body) if body is not None else None,
            content_type="application/json",
            **headers,
        )
        content = response.content.decode()
        return response.status_code, (
            json.loads(content) if content.strip().startswith(("{", "[")) else content
        )

    call.key = key  # type: ignore[attr-defined]
    return call


def new_key() -> str:
    return uuid.uuid4().hex
