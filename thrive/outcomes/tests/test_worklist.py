"""Due and overdue assessments by timepoint and service line, configurable review intervals, and the review
reminder sent once through the outbox."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from thrive.accounts.models import Team, User
from thrive.accounts.testing import Personas
from thrive.core.notification_models import OutboxMessage
from thrive.outcomes import worklist
from thrive.outcomes.codes import ServiceLine, Timepoint
from thrive.outcomes.models import Assessment, Episode
from thrive.outcomes.tests.conftest import days_ago, dialog, honos

pytestmark = pytest.mark.django_db


def _due(episode: Episode, today: datetime.date | None = None) -> set[tuple[str, str, bool]]:
    episode.refresh_from_db()
    found = worklist.due_for([episode], today or timezone.localdate())
    return {(d.measure, d.timepoint, d.overdue) for d in found}


def test_start_then_review_then_end(
    admit: Callable[..., Episode], team: Team, record: Callable[..., Assessment], personas: Personas
) -> None:
    episode = admit(team, start=days_ago(5))
    assert _due(episode) == {("dialog", "start", False), ("honos", "start", False)}
    assert _due(episode, timezone.localdate() + datetime.timedelta(days=20)) == {
        ("dialog", "start", True),
        ("honos", "start", True),
    }
    record(episode, "dialog", dialog(), on=days_ago(4), timepoint="start")
    record(episode, "honos", honos(), on=days_ago(4), timepoint="start")
    assert _due(episode) == set()
    in_six_months = timezone.localdate() + datetime.timedelta(days=182 - 4)
    assert _due(episode, in_six_months - datetime.timedelta(days=10)) == {
        ("dialog", "review", False),
        ("honos", "review", False),
    }
    assert ("dialog", "review", True) in _due(episode, in_six_months + datetime.timedelta(days=1))
    from thrive.outcomes import services

    services.end_episode(
        by=personas.clinician, episode=episode, end=days_ago(0), reason="treatment_completed"
    )
    assert _due(episode) == {("dialog", "end", False), ("honos", "end", False)}
    assert _due(episode, timezone.localdate() + datetime.timedelta(days=40)) == set()


def test_service_lines_choose_measures_and_intervals(admit: Callable[..., Episode], team: Team) -> None:
    older = Team.objects.create(
        organisation=team.organisation, name="Older adults", service_line=ServiceLine.OLDER_ADULTS
    )
    young = Team.objects.create(
        organisation=team.organisation, name="CAMHS", service_line=ServiceLine.CHILDREN
    )
    assert {m for m, _, _ in _due(admit(older, local_id="O1", start=days_ago(1)))} == {"dialog", "honos65"}
    assert {m for m, _, _ in _due(admit(young, local_id="Y1", start=days_ago(1)))} == {"honosca"}
    out = StringIO()
    call_command("outcomes", "review-interval", "children_young_people", "30", stdout=out)
    assert "every 30 days" in out.getvalue()
    assert worklist.review_days()[ServiceLine.CHILDREN] == 30


def test_reminders_are_sent_once_to_the_teams_clinicians(
    admit: Callable[..., Episode],
    team: Team,
    record: Callable[..., Assessment],
    personas: Personas,
    colleague: User,
) -> None:
    episode = admit(team, start=days_ago(400), local_id="R-1")
    record(episode, "dialog", dialog(), on=days_ago(390), timepoint="start")
    record(episode, "honos", honos(), on=days_ago(390), timepoint="start")
    out = StringIO()
    call_command("outcomes", "reminders", stdout=out)
    assert "2 reminder(s)" in out.getvalue()
    message = OutboxMessage.objects.filter(kind="outcomes.review_due").first()
    assert (
        message is not None
        and "R-1" in message.body
        and message.link.endswith(f"/patients/{episode.patient_id}/")
    )
    recipients = set(message.deliveries.filter(channel="in_app").values_list("user_id", flat=True))
    assert recipients == {personas.clinician.pk, colleague.pk}
    call_command("outcomes", "reminders", stdout=StringIO())
    assert OutboxMessage.objects.filter(kind="outcomes.review_due").count() == 2


def test_suggested_timepoint(
    admit: Callable[..., Episode], team: Team, record: Callable[..., Assessment]
) -> None:
    episode = admit(team, start=days_ago(100))
    today = timezone.localdate()
    assert worklist.suggested_timepoint(episode, "dialog", today) == Timepoint.START
    record(episode, "dialog", dialog(), on=days_ago(99), timepoint="start")
    assert worklist.suggested_timepoint(episode, "dialog", today) == Timepoint.SESSION
    assert (
        worklist.suggested_timepoint(episode, "dialog", today + datetime.timedelta(days=90))
        == Timepoint.REVIEW
    )
