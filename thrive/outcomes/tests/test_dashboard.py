"""The service manager's dashboard (scope, breakdowns, small-number suppression, constant queries) and the
MHSDS-style export (one row per item with its SNOMED CT code; drafts and other trusts left out)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from thrive.accounts.models import Team
from thrive.accounts.testing import Personas
from thrive.core.models import AuditEntry
from thrive.outcomes import access, dashboard
from thrive.outcomes.models import Assessment, Episode
from thrive.outcomes.tests.conftest import days_ago, dialog, honos

pytestmark = pytest.mark.django_db


@pytest.fixture
def paired(
    admit: Callable[..., Episode], record: Callable[..., Assessment], team: Team
) -> Callable[..., None]:
    """`paired(n, first, latest, sex=...)`: n episodes whose HoNOS goes from first to latest (all items)."""
    made = {"n": 0}

    def make(n: int, first: int, latest: int, **patient: Any) -> None:
        for _ in range(n):
            made["n"] += 1
            episode = admit(team, local_id=f"D-{made['n']}", **patient)
            record(episode, "honos", honos(first), on=days_ago(150), timepoint="start")
            record(episode, "honos", honos(latest), on=days_ago(10))

    return make


def test_breakdown_counts_and_suppression(personas: Personas, paired: Callable[..., None]) -> None:
    paired(6, 3, 1)  # 36 -> 12: reliable improvement
    paired(5, 1, 1, sex="male")  # no change
    paired(2, 1, 2, sex="male")  # 12 -> 24: reliable deterioration (only 2: suppressed)
    outcomes = access.outcomes_for_user(personas.service_manager)
    table = dashboard.build(outcomes, measure="honos", by="sex", since=None)
    rows = {row.key: row for row in table.rows}
    assert rows["female"].counts == {
        "episodes": 6,
        "paired": 6,
        "improved": 6,
        "no_change": 0,
        "deteriorated": 0,
    }
    # 2 deteriorated is small; 5 unchanged goes with it (they add up to the 7 paired), and so on in the total.
    assert rows["male"].counts == {
        "episodes": 7,
        "paired": 7,
        "improved": 0,
        "no_change": None,
        "deteriorated": None,
    }
    assert table.total.counts == {
        "episodes": 13,
        "paired": 13,
        "improved": 6,
        "no_change": None,
        "deteriorated": None,
    }
    assert rows["male"].rate("deteriorated") is None
    assert rows["female"].mean_first == 36 and rows["female"].mean_latest == 12
    assert rows["female"].rate("improved") == 100
    assert "Parabiaghi" in table.method


def test_other_managers_see_nothing_and_clinicians_no_dashboard(
    client_for: Callable[..., Any], personas: Personas, paired: Callable[..., None]
) -> None:
    paired(5, 3, 1)
    assert access.outcomes_for_user(personas.bereavement_manager).count() == 0
    assert client_for(personas.clinician).get(reverse("outcomes:dashboard")).status_code == 403
    assert client_for(personas.analyst).get(reverse("outcomes:dashboard")).status_code == 403


@pytest.mark.parametrize("by", list(dashboard.DIMENSIONS))
def test_every_breakdown_renders_in_constant_queries(
    client_for: Callable[..., Any], personas: Personas, paired: Callable[..., None], by: str
) -> None:
    client = client_for(personas.service_manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(
                reverse("outcomes:dashboard"), {"measure": "honos", "by": by, "period": "all"}
            )
            assert response.status_code == 200
        return len(queries)

    paired(1, 2, 1)
    few = count()
    paired(6, 3, 1, sex="male", ethnicity="N")
    assert count() == few
    html = client.get(reverse("outcomes:dashboard"), {"measure": "honos", "by": by}).content.decode()
    assert "data-chart=" in html and "hidden: a count from 1 to 4" in html


def test_mhsds_export(
    client_for: Callable[..., Any],
    personas: Personas,
    episode: Episode,
    record: Callable[..., Assessment],
    admit: Callable[..., Episode],
    other_team: Team,
) -> None:
    record(episode, "dialog", dialog(5), on=days_ago(20), timepoint="start")
    record(episode, "honos", honos(1, **{"6": 9}), on=days_ago(20), timepoint="start")
    record(episode, "honos", {"1": 2}, draft=True)
    theirs = admit(other_team, local_id="NC-1")
    record(theirs, "dialog", dialog(2), on=days_ago(20), timepoint="start")
    response = client_for(personas.service_manager).get(reverse("outcomes:mhsds-export"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 11 + 12
    assert {row["LocalPatientId"] for row in rows} == {"TH-0001"}
    first = rows[0]
    assert (first["CodedAssToolType"], first["CodeSystem"], first["PersScore"]) == (
        "1037651000000100",
        "SNOMED CT",
        "5",
    )
    honos6 = next(r for r in rows if r["Measure"] == "honos" and r["ItemNumber"] == "6")
    assert (honos6["CodedAssToolType"], honos6["PersScore"]) == ("979691000000108", "9")
    assert "NHSNumber" not in first
    assert AuditEntry.objects.filter(action="export", object_type="outcomes.assessment").exists()


def test_mhsds_export_carries_the_honos_problem_type(
    client_for: Callable[..., Any], personas: Personas, episode: Episode, record: Callable[..., Assessment]
) -> None:
    record(episode, "honos", honos(1, **{"8": 2, "8.type": "E"}), on=days_ago(20), timepoint="start")
    record(episode, "honos", honos(1), on=days_ago(10))
    response = client_for(personas.service_manager).get(reverse("outcomes:mhsds-export"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 24 and list(rows[0])[-1] == "ProblemType"
    typed = [
        (row["AssToolCompDate"], row["ItemNumber"], row["PersScore"]) for row in rows if row["ProblemType"]
    ]
    assert typed == [(days_ago(20).isoformat(), "8", "2")]
    assert next(row for row in rows if row["ItemNumber"] == "8" and row["ProblemType"])["ProblemType"] == "E"
