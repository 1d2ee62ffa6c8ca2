"""Alerts: raised or updated from signals, the response workflow a surveillance lead takes them through, who
sees them and who is told."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from thrive.accounts.testing import Personas
from thrive.core.models import AuditEntry
from thrive.core.notification_models import Delivery, OutboxMessage
from thrive.detection import alerts
from thrive.detection.mapdata import map_data
from thrive.detection.models import Alert, AlertAction, AlertEntry, DetectionRun
from thrive.detection.signals import Signal
from thrive.detection.tests.grid import BARNET, TOWER_HAMLETS, Grid, add_cases
from thrive.geography.models import Area
from thrive.surveillance.models import Case

TODAY = dt.date(2026, 6, 30)
pytestmark = pytest.mark.usefixtures("detection_urls")


def new_run(grid: Grid) -> DetectionRun:
    return DetectionRun.objects.create(
        region=grid.region, kind="nightly", analysis_date=TODAY, parameters={"series_episode_days": 28}
    )


def cases_in(grid: Grid, borough: str, count: int = 2, **spec: Any) -> list[Case]:
    return add_cases([{"day": TODAY, "lsoa": grid.lsoa(borough, i), **spec} for i in range(count)])


def signal(cases: list[Case], **changes: Any) -> Signal:
    boroughs = tuple(sorted({c.residence_borough_id for c in cases if c.residence_borough_id}))
    base = Signal(
        kind=Alert.Kind.SPACE_TIME,
        detector="space-time-permutation",
        key="",
        title=f"{len(cases)} deaths in 20 days",
        window_start=TODAY - dt.timedelta(days=20),
        window_end=TODAY,
        case_ids=tuple(c.pk for c in cases),
        borough_ids=boroughs,
        statistic_name="log-likelihood ratio",
        statistic=12.5,
        p_value=0.001,
        recurrence_interval_days=1000.0,
        observed=len(cases),
        expected=0.5,
        centre=(51.5, -0.1),
        radius_km=1.0,
        location_ids=("E01990001",),
    )
    return dataclasses.replace(base, **changes)


def raise_alert(grid: Grid, found: Signal, run: DetectionRun | None = None) -> alerts.Outcome:
    areas = {grid.region.pk}
    for borough_id in found.borough_ids:
        borough = Area.objects.get(pk=borough_id)
        areas |= {borough.pk, borough.ics_id or borough.pk}
    return alerts.raise_or_update(signal=found, run=run or new_run(grid), region=grid.region, area_ids=areas)


@pytest.fixture
def th_alert(grid: Grid) -> Alert:
    return raise_alert(grid, signal(cases_in(grid, TOWER_HAMLETS))).alert


@pytest.fixture
def barnet_alert(grid: Grid) -> Alert:
    return raise_alert(grid, signal(cases_in(grid, BARNET), location_ids=("E01990099",))).alert


def test_a_surveillance_lead_takes_an_alert_through_to_closed(
    th_alert: Alert, personas: Personas, client_for: Any
) -> None:
    lead: Client = client_for(personas.regional_lead)
    url = f"/detection/alerts/{th_alert.reference}/"
    assert lead.get("/detection/").status_code == 200
    assert th_alert.reference.encode() in lead.get("/detection/").content
    page = lead.get(url)
    assert page.status_code == 200 and th_alert.title.encode() in page.content
    for status in ("under_review", "response_group", "monitoring"):
        response = lead.post(f"{url}status/", {"status": status})
        assert response.status_code == 302, response.content
    assert lead.post(f"{url}notes/", {"text": "Schools told; postvention offered."}).status_code == 302
    action = {"type": "postvention", "description": "Support offered to the school", "owner": "Public health"}
    assert lead.post(f"{url}actions/", {**action, "due": "2026-07-31"}).status_code == 302
    done = AlertAction.objects.get(alert=th_alert)
    assert lead.post(f"{url}actions/{done.pk}/done/").status_code == 302
    refused = lead.post(f"{url}status/", {"status": "closed"})
    assert refused.status_code == 400 and b"rationale" in refused.content
    closed = lead.post(f"{url}status/", {"status": "closed", "reason": "No further deaths in 8 weeks."})
    assert closed.status_code == 302
    alert = Alert.objects.get(pk=th_alert.pk)
    assert alert.status == Alert.Status.CLOSED and alert.closure_rationale == "No further deaths in 8 weeks."
    assert alert.closed_at is not None
    kinds = list(alert.entries.values_list("kind", flat=True))
    assert kinds == ["raised", "status", "status", "status", "note", "action", "action_done", "status"]
    steps = list(alert.entries.filter(kind="status").values_list("from_status", "to_status"))
    assert steps == [
        ("new", "under_review"),
        ("under_review", "response_group"),
        ("response_group", "monitoring"),
        ("monitoring", "closed"),
    ]
    assert AuditEntry.objects.filter(object_id=str(alert.pk), object_type="detection.alert").count() >= 8
    assert b"No further deaths in 8 weeks." in lead.get(url).content
    assert lead.get("/detection/?status=closed").content.count(alert.reference.encode()) >= 1
    assert alert.reference.encode() not in lead.get("/detection/").content  # open alerts only by default


def test_the_workflow_refuses_steps_it_does_not_allow(th_alert: Alert, personas: Personas) -> None:
    lead = personas.regional_lead
    with pytest.raises(alerts.WorkflowError, match="cannot move"):
        alerts.change_status(alert=th_alert, to_status="monitoring", user=lead)
    with pytest.raises(alerts.WorkflowError, match="rationale"):
        alerts.change_status(alert=th_alert, to_status="closed", user=lead, reason="  ")
    closed = alerts.change_status(
        alert=th_alert, to_status="closed", user=lead, reason="False alarm: duplicates"
    )
    with pytest.raises(alerts.WorkflowError, match="reopening"):
        alerts.change_status(alert=closed, to_status="under_review", user=lead)
    reopened = alerts.change_status(alert=closed, to_status="under_review", user=lead, reason="A new death")
    assert reopened.status == Alert.Status.UNDER_REVIEW and reopened.closed_at is None
    with pytest.raises(alerts.WorkflowError):
        alerts.add_note(alert=reopened, text=" ", user=lead)
    with pytest.raises(alerts.WorkflowError):
        alerts.add_action(alert=reopened, type="nonsense", description="x", owner="", due=None, user=lead)
    with pytest.raises(alerts.WorkflowError):
        alerts.add_action(alert=reopened, type="other", description=" ", owner="", due=None, user=lead)
    action = alerts.add_action(
        alert=reopened, type="other", description="Check", owner="", due=None, user=lead
    )
    alerts.complete_action(action=action, user=lead)
    with pytest.raises(alerts.WorkflowError, match="already done"):
        alerts.complete_action(action=action, user=lead)


def test_bad_workflow_posts_show_the_page_with_the_error(
    th_alert: Alert, personas: Personas, client_for: Any
) -> None:
    lead: Client = client_for(personas.regional_lead)
    url = f"/detection/alerts/{th_alert.reference}/"
    assert lead.post(f"{url}status/", {"status": "monitoring"}).status_code == 400
    assert lead.post(f"{url}notes/", {"text": ""}).status_code == 400
    assert lead.post(f"{url}actions/", {"type": "postvention"}).status_code == 400
    assert lead.post(f"{url}assign/", {"assignee": personas.analyst.pk}).status_code == 400
    assert lead.get(f"{url}status/").status_code == 405
    assert lead.post(f"{url}actions/999999/done/").status_code == 404


def test_assigning_tells_the_assignee(th_alert: Alert, personas: Personas, client_for: Any) -> None:
    regional: Client = client_for(personas.regional_lead)
    url = f"/detection/alerts/{th_alert.reference}/"
    assert regional.post(f"{url}assign/", {"assignee": personas.borough_lead.pk}).status_code == 302
    alert = Alert.objects.get(pk=th_alert.pk)
    assert alert.assigned_to == personas.borough_lead
    message = OutboxMessage.objects.get(kind="alert.assigned")
    assert Delivery.objects.filter(message=message, user=personas.borough_lead, channel="in_app").exists()
    assert regional.post(f"{url}assign/", {"assignee": ""}).status_code == 302
    assert Alert.objects.get(pk=th_alert.pk).assigned_to is None
    assert list(alert.entries.filter(kind=AlertEntry.Kind.ASSIGNED).values_list("text", flat=True))[-1] == (
        "Assigned to nobody"
    )


def test_leads_see_the_alerts_of_their_area_only(
    th_alert: Alert, barnet_alert: Alert, personas: Personas, client_for: Any
) -> None:
    borough: Client = client_for(personas.borough_lead)  # Tower Hamlets
    listing = borough.get("/detection/").content
    assert th_alert.reference.encode() in listing and barnet_alert.reference.encode() not in listing
    assert borough.get(f"/detection/alerts/{th_alert.reference}/").status_code == 200
    for path in ("", "map.json"):
        assert borough.get(f"/detection/alerts/{barnet_alert.reference}/{path}").status_code == 404
    assert (
        borough.post(f"/detection/alerts/{barnet_alert.reference}/notes/", {"text": "x"}).status_code == 404
    )
    regional: Client = client_for(personas.regional_lead)
    listing = regional.get("/detection/").content
    assert th_alert.reference.encode() in listing and barnet_alert.reference.encode() in listing
    for persona in ("analyst", "police_reporter", "administrator", "bereavement_worker"):
        assert client_for(getattr(personas, persona)).get("/detection/").status_code == 403, persona
    assert Client().get("/detection/").status_code == 302


def test_an_alert_lists_only_the_cases_the_lead_reaches(
    grid: Grid, personas: Personas, client_for: Any
) -> None:
    inside, outside = cases_in(grid, TOWER_HAMLETS, 1), cases_in(grid, BARNET, 1)
    alert = raise_alert(grid, signal(inside + outside)).alert
    page = client_for(personas.borough_lead).get(f"/detection/alerts/{alert.reference}/").content
    assert inside[0].reference.encode() in page and outside[0].reference.encode() not in page
    assert b"1 further case is outside your scope" in page
    regional = client_for(personas.regional_lead).get(f"/detection/alerts/{alert.reference}/").content
    assert outside[0].reference.encode() in regional
    assert (
        AuditEntry.objects.filter(action="read", object_id=str(alert.pk), reason="alert opened").count() == 2
    )


def test_the_leads_for_the_area_are_told(th_alert: Alert, barnet_alert: Alert, personas: Personas) -> None:
    def told(alert: Alert) -> set[int]:
        message = OutboxMessage.objects.get(idempotency_key=f"alert.raised:{alert.pk}")
        assert message.payload == {
            "reference": alert.reference,
            "link": f"/detection/alerts/{alert.reference}/",
        }
        return set(
            Delivery.objects.filter(message=message, channel="in_app").values_list("user_id", flat=True)
        )

    assert told(th_alert) == {personas.regional_lead.pk, personas.borough_lead.pk}
    assert told(barnet_alert) == {personas.regional_lead.pk}


def test_a_closed_alert_found_again_stays_closed_unless_new_cases_come(
    grid: Grid, personas: Personas
) -> None:
    cases = cases_in(grid, TOWER_HAMLETS, 3)
    first = raise_alert(grid, signal(cases[:2])).alert
    alerts.change_status(alert=first, to_status="closed", user=personas.regional_lead, reason="Reviewed")
    again = raise_alert(grid, signal(cases[:2]))
    assert not again.created and again.alert.pk == first.pk
    stays = Alert.objects.get(pk=first.pk)
    assert stays.status == Alert.Status.CLOSED and stays.detection_count == 2
    assert Alert.objects.count() == 1
    grown = raise_alert(grid, signal(cases))
    assert grown.created and grown.alert.follows == stays
    assert Alert.objects.count() == 2
    assert "follows" in grown.alert.entries.get(kind="raised").text


def test_the_same_signal_is_recognised_for_each_kind(grid: Grid) -> None:
    cases = cases_in(grid, TOWER_HAMLETS, 4)
    first = raise_alert(grid, signal(cases[:2])).alert
    linked = {c.pk for c in cases[:2]}
    later = TODAY + dt.timedelta(days=200)
    # space-time: shared LSOA and overlapping windows; not once the windows part
    assert alerts.same_signal(first, signal(cases[2:]), linked, 28)
    assert not alerts.same_signal(first, signal(cases[2:], window_start=later, window_end=later), linked, 28)
    assert not alerts.same_signal(first, signal(cases[2:], location_ids=("X",)), linked, 28)
    # spatial: shared LSOA or cases, whatever the window
    spatial = signal(cases[2:], kind=Alert.Kind.SPATIAL, window_start=later, window_end=later)
    assert alerts.same_signal(first, spatial, linked, 28)
    # location of concern: shared cases, or centres within the two radii
    near = signal(cases[2:], kind=Alert.Kind.LOCATION, centre=(51.5005, -0.1), radius_km=0.1)
    far = signal(cases[2:], kind=Alert.Kind.LOCATION, centre=(51.6, -0.1), radius_km=0.1)
    assert alerts.same_signal(first, near, linked, 28) and not alerts.same_signal(first, far, linked, 28)
    assert alerts.same_signal(first, dataclasses.replace(far, case_ids=(cases[0].pk,)), linked, 28)
    # keyed signals (a series, a term): the same episode when close in time or sharing cases
    keyed = signal(cases[2:], kind=Alert.Kind.COUNT, key="series:borough:E09000030")
    soon = TODAY + dt.timedelta(days=20)
    assert alerts.same_signal(
        first, dataclasses.replace(keyed, window_start=soon, window_end=soon), linked, 28
    )
    assert not alerts.same_signal(
        first, dataclasses.replace(keyed, window_start=later, window_end=later), set(), 28
    )


def test_a_keyed_signal_matches_its_alert_by_key(grid: Grid) -> None:
    cases = cases_in(grid, TOWER_HAMLETS, 2)
    key = "substance:newdrug"
    first = raise_alert(
        grid, signal(cases[:1], kind=Alert.Kind.MEANS, key=key, details={"rule": "new"})
    ).alert
    other = raise_alert(grid, signal(cases[1:], kind=Alert.Kind.MEANS, key="substance:other")).alert
    assert other.pk != first.pk
    again = raise_alert(
        grid, signal(cases[1:], kind=Alert.Kind.MEANS, key=key, details={"rule": "increasing"})
    )
    assert again.alert.pk == first.pk and again.new_case_ids == (cases[1].pk,)
    assert Alert.objects.get(pk=first.pk).details["rules"] == ["increasing", "new"]


def test_the_alert_list_costs_the_same_queries_however_many_alerts(
    grid: Grid, personas: Personas, client_for: Any
) -> None:
    lead: Client = client_for(personas.regional_lead)
    raise_alert(grid, signal(cases_in(grid, TOWER_HAMLETS)))
    lead.get("/detection/")
    with CaptureQueriesContext(connection) as few:
        assert lead.get("/detection/").status_code == 200
    for borough in (TOWER_HAMLETS, BARNET, TOWER_HAMLETS, BARNET):
        raise_alert(grid, signal(cases_in(grid, borough), location_ids=(borough,), window_start=TODAY))
    with CaptureQueriesContext(connection) as many:
        assert lead.get("/detection/").status_code == 200
    assert len(many) == len(few)


def test_exact_points_only_for_users_allowed_them(grid: Grid, personas: Personas, client_for: Any) -> None:
    cases = add_cases(
        [{"day": TODAY, "lsoa": grid.lsoa(TOWER_HAMLETS), "place": "bridge", "point": (51.5, -0.03)}] * 2
    )
    found = signal(cases, kind=Alert.Kind.LOCATION, centre=(51.5, -0.03), radius_km=0.1, location_ids=())
    alert = raise_alert(grid, found).alert
    data = client_for(personas.regional_lead).get(f"/detection/alerts/{alert.reference}/map.json").json()
    assert data["exact"] and len(data["points"]) == 2 and data["circle"]["radius_km"] == 0.1
    assert data["areas"]["features"][0]["properties"]["code"] == grid.lsoa(TOWER_HAMLETS).code

    class AreasOnly:
        """A role that manages alerts without the right to exact locations."""

        def can(self, permission: Any) -> bool:
            return False

    hidden = map_data(alert, AreasOnly(), cases)  # type: ignore[arg-type]
    assert hidden["points"] == [] and hidden["circle"] is None and hidden["areas"]["features"]
    cluster = raise_alert(grid, signal(cases_in(grid, BARNET), location_ids=(grid.lsoa(BARNET).code,))).alert
    shown = map_data(cluster, AreasOnly(), [])  # type: ignore[arg-type]
    assert shown["circle"] is not None and shown["points"] == []  # a cluster's circle is public geography


def test_the_runs_page(grid: Grid, personas: Personas, client_for: Any) -> None:
    new_run(grid)
    page = client_for(personas.regional_lead).get("/detection/runs/")
    assert page.status_code == 200 and b"Nightly" in page.content
