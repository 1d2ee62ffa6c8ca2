"""The demo on the real London geography: the surveillance demo's planted cluster (Hackney), emerging substance
and location of concern (Croydon) each raise one alert, and running the generator again changes nothing.

The demo's data depend on the day it is made (seasonal rates, dates relative to today), so the test makes it as
`thrive demo-data` (seed 2026) did on a fixed day."""

from __future__ import annotations

import datetime as dt
import random
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from thrive.accounts.testing import make_personas
from thrive.detection import demo
from thrive.detection.models import Alert, DetectionRun
from thrive.detection.tests.grid import CROYDON, HACKNEY
from thrive.surveillance import demo as surveillance_demo
from thrive.surveillance.demo import EMERGING

LONDON = Path(settings.REFERENCE_DATA_DIR)
DAY = dt.date(2026, 11, 23)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.usefixtures("detection_urls")
@pytest.mark.skipif(not (LONDON / "SOURCES.md").exists(), reason="the London reference data is not here")
def test_the_demo_raises_one_alert_for_each_planted_signal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: DAY)
    call_command("load-geography", str(LONDON), stdout=StringIO())
    make_personas()
    surveillance_demo.generate(rng=random.Random("2026:surveillance"), recent_days=2, stdout=StringIO())
    summary = demo.generate(rng=random.Random(1))
    assert isinstance(summary, dict) and summary["runs"] == 1

    def areas(alert: Alert) -> set[str]:
        return set(alert.areas.values_list("code", flat=True))

    clusters = [a for a in Alert.objects.filter(kind=Alert.Kind.SPACE_TIME) if HACKNEY in areas(a)]
    substances = list(Alert.objects.filter(kind=Alert.Kind.MEANS, signal_key=f"substance:{EMERGING}"))
    concerns = [a for a in Alert.objects.filter(kind=Alert.Kind.LOCATION) if CROYDON in areas(a)]
    assert (len(clusters), len(substances), len(concerns)) == (1, 1, 1)
    assert clusters[0].case_links.count() >= 7 and substances[0].case_links.count() == 10
    [concern] = concerns
    assert concern.status == Alert.Status.RESPONSE_GROUP and concern.actions.count() == 1
    assert concern.assigned_to is not None

    before = Alert.objects.count()
    assert demo.generate(rng=random.Random(1)) == "detection already run"
    assert Alert.objects.count() == before and DetectionRun.objects.count() == 1
