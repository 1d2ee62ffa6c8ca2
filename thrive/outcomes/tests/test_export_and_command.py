"""The MHSDS-style export across its chunks (every row once, amendments flagged, unanswered items left out) and
the `thrive outcomes` command's refusals and audit."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from thrive.accounts.testing import Personas
from thrive.core.models import AuditEntry
from thrive.core.notification_models import OutboxMessage
from thrive.outcomes import mhsds, services, worklist
from thrive.outcomes.codes import ServiceLine
from thrive.outcomes.models import Assessment, Episode, ReviewInterval
from thrive.outcomes.tests.conftest import days_ago, dialog, honos

pytestmark = pytest.mark.django_db


def export(client: Any, **params: str) -> tuple[list[str], list[dict[str, str]]]:
    response = client.get(reverse("outcomes:mhsds-export"), params)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    header = text.splitlines()[0].split(",")
    return header, list(csv.DictReader(io.StringIO(text)))


def test_export_with_nothing_to_export_is_the_header_alone(
    personas: Personas, client_for: Callable[..., Any]
) -> None:
    header, rows = export(client_for(personas.service_manager))
    assert header == list(mhsds.COLUMNS) and rows == []


def test_export_is_streamed_in_chunks_without_losing_or_repeating_rows(
    personas: Personas,
    client_for: Callable[..., Any],
    episode: Episode,
    record: Callable[..., Assessment],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(mhsds, "CHUNK", 2)
    made = [
        record(episode, "dialog", dialog(5), on=days_ago(40), timepoint="start"),
        record(episode, "dialog", dialog(4), on=days_ago(30)),
        record(episode, "dialog", dialog(3), on=days_ago(20)),
        record(episode, "dialog", dialog(2), on=days_ago(10)),
    ]
    services.amend_assessment(
        by=personas.clinician,
        assessment=made[2],
        answers=dialog(1),
        assessed_on=days_ago(20),
        timepoint="review",
        reason="Ratings entered against the wrong patient",
    )
    chunks = list(mhsds.stream(Assessment.objects.filter(episode=episode)))
    assert len(chunks) == 3, "two full chunks, then the (empty) remainder"
    assert sum(chunk.count("LocalPatientId") for chunk in chunks) == 1

    _, rows = export(client_for(personas.service_manager))
    assert len(rows) == 4 * 11
    by_assessment: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_assessment.setdefault(row["AssessmentId"], []).append(row)
    assert list(by_assessment) == [str(a.public_id) for a in made], "oldest first, each once"
    assert {key: {r["Amended"] for r in group} for key, group in by_assessment.items()} == {
        str(made[0].public_id): {"N"},
        str(made[1].public_id): {"N"},
        str(made[2].public_id): {"Y"},
        str(made[3].public_id): {"N"},
    }
    assert {r["PersScore"] for r in by_assessment[str(made[2].public_id)]} == {"1"}


def test_export_leaves_out_items_without_an_answer_and_honours_the_dates(
    personas: Personas, client_for: Callable[..., Any], episode: Episode, record: Callable[..., Assessment]
) -> None:
    """HoNOSCA's items 14 and 15 are optional: a completed HoNOSCA without them exports 13 rows."""
    record(episode, "honosca", {str(n): 1 for n in range(1, 14)}, on=days_ago(20), timepoint="start")
    record(episode, "dialog", dialog(4), on=days_ago(100), timepoint="start")
    client = client_for(personas.service_manager)
    _, rows = export(client, **{"from": days_ago(30).isoformat()})
    assert [r["ItemNumber"] for r in rows] == [str(n) for n in range(1, 14)]
    assert {r["Measure"] for r in rows} == {"honosca"}
    _, everything = export(client)
    assert len(everything) == 13 + 11
    _, older = export(client, to=days_ago(50).isoformat())
    assert {r["Measure"] for r in older} == {"dialog"}


def test_reminders_take_the_day_to_check_as(
    admit: Callable[..., Episode], team: Any, record: Callable[..., Assessment]
) -> None:
    episode = admit(team, local_id="R-1", start=days_ago(400))
    record(episode, "dialog", dialog(), on=days_ago(390), timepoint="start")
    record(episode, "honos", honos(), on=days_ago(390), timepoint="start")
    out = io.StringIO()
    call_command("outcomes", "reminders", "--today", days_ago(389).isoformat(), stdout=out)
    assert out.getvalue().strip() == "0 reminder(s) queued"
    assert not OutboxMessage.objects.filter(kind="outcomes.review_due").exists()
    call_command("outcomes", "reminders", "--today", days_ago(0).isoformat(), stdout=out)
    assert out.getvalue().splitlines()[-1] == "2 reminder(s) queued"
    assert OutboxMessage.objects.filter(kind="outcomes.review_due").count() == 2


def test_reminders_refuse_a_day_that_is_not_a_date(personas: Personas) -> None:
    with pytest.raises(CommandError, match="--today must be a date as YYYY-MM-DD") as raised:
        call_command("outcomes", "reminders", "--today", "31/01/2025", stdout=io.StringIO())
    assert raised.value.returncode == 2
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("days", ["6", "731", "-30"])
def test_review_interval_out_of_range_is_refused_and_nothing_changes(personas: Personas, days: str) -> None:
    before = worklist.review_days()[ServiceLine.COMMUNITY]
    with pytest.raises(CommandError, match="A review interval is from 7 to 730 days.") as raised:
        call_command("outcomes", "review-interval", ServiceLine.COMMUNITY, days, stdout=io.StringIO())
    assert raised.value.returncode == 2
    assert not ReviewInterval.objects.exists()
    assert worklist.review_days()[ServiceLine.COMMUNITY] == before
    assert not AuditEntry.objects.filter(object_type="outcomes.reviewinterval").exists()


def test_review_interval_change_is_audited(personas: Personas) -> None:
    out = io.StringIO()
    call_command("outcomes", "review-interval", ServiceLine.COMMUNITY, "7", stdout=out)
    call_command("outcomes", "review-interval", ServiceLine.COMMUNITY, "730", stdout=out)
    assert ReviewInterval.objects.get(service_line=ServiceLine.COMMUNITY).days == 730
    assert worklist.review_days()[ServiceLine.COMMUNITY] == 730
    entries = AuditEntry.objects.filter(
        object_type="outcomes.reviewinterval", object_id=ServiceLine.COMMUNITY
    )
    assert [e.summary for e in entries.order_by("pk")] == [
        "review interval set to 7 days",
        "review interval set to 730 days",
    ]
    assert out.getvalue().splitlines()[-1].endswith(": reviews every 730 days")


def test_review_interval_needs_a_known_service_line(personas: Personas) -> None:
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("outcomes", "review-interval", "astrology", "30", stdout=io.StringIO())
    assert not ReviewInterval.objects.exists()


def test_refreshing_summaries_with_nothing_recorded_is_audited(personas: Personas) -> None:
    out = io.StringIO()
    call_command("outcomes", "refresh-summaries", "--measure", "phq9", stdout=out)
    assert out.getvalue().strip() == "0 episode summaries recomputed"
    entry = AuditEntry.objects.get(object_type="outcomes.episodeoutcome")
    assert entry.object_id == "phq9" and entry.summary.startswith("0 episode summaries")
