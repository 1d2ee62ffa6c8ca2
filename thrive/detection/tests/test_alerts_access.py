"""Every detection route against every persona: surveillance leads in (within scope), everyone else out."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from thrive.accounts.testing import Personas
from thrive.detection import alerts
from thrive.detection.access import ACCESS, LEADS
from thrive.detection.models import Alert, AlertAction, DetectionRun
from thrive.detection.signals import Signal
from thrive.detection.tests.grid import TOWER_HAMLETS, Grid, add_cases

pytestmark = pytest.mark.usefixtures("detection_urls")
TODAY = dt.date(2026, 6, 30)
POST_ONLY = {"alert-status", "alert-assign", "alert-note", "alert-action", "alert-action-done"}


@pytest.fixture
def alert(grid: Grid) -> Alert:
    cases = add_cases([{"day": TODAY, "lsoa": grid.lsoa(TOWER_HAMLETS)}])
    run = DetectionRun.objects.create(region=grid.region, kind="nightly", analysis_date=TODAY)
    borough = grid.boroughs[TOWER_HAMLETS]
    found = Signal(
        kind=Alert.Kind.SPACE_TIME, detector="space-time-permutation", key="", title="3 deaths",
        window_start=TODAY, window_end=TODAY, case_ids=(cases[0].pk,), borough_ids=(borough.pk,),
    )  # fmt: skip
    made = alerts.raise_or_update(
        signal=found, run=run, region=grid.region, area_ids={grid.region.pk, borough.pk, borough.ics_id or 0}
    ).alert
    AlertAction.objects.create(alert=made, type="other", description="Check")
    return made


def url(name: str, alert: Alert) -> str:
    short = name.split(":", 1)[1]
    if short in ("alert-list", "run-list", "parameters"):
        return reverse(name)
    if short == "alert-action-done":
        return reverse(name, args=[alert.reference, alert.actions.get().pk])
    return reverse(name, args=[alert.reference])


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_each_route_admits_the_roles_its_rule_names(
    name: str, alert: Alert, personas: Personas, client_for: Any
) -> None:
    assert ACCESS[name].roles == LEADS
    method = "post" if name.split(":", 1)[1] in POST_ONLY else "get"
    for persona, user in personas.all().items():
        status = getattr(client_for(user), method)(url(name, alert)).status_code
        leads = persona in ("regional_lead", "borough_lead")
        if leads:
            assert status in (200, 302, 400), (persona, name, status)
        else:
            assert status == 403, (persona, name, status)
    assert getattr(Client(), method)(url(name, alert)).status_code == 302  # to sign in
