"""`thrive demo-data` for detection: one nightly run over the demo cases, so that the planted space-time
cluster (Hackney), emerging substance ("zelpromine") and location of concern (a car park in Croydon) each
raise one alert, and the location of concern shows a response under way (under review, assigned, an action
recorded).

Idempotent: once a nightly run exists, nothing is done (a second run would only update the same alerts, but would
add a run). An incremental run that a worker made first (after the demo's recent reports) does not count.
"""

from __future__ import annotations

import random
from typing import Any

from django.db.models import Q

from thrive.accounts.models import User
from thrive.detection import alerts, runs
from thrive.detection.models import Alert, AlertAction, DetectionRun
from thrive.geography.models import AreaLevel

CONCERN_BOROUGH = "E09000008"  # Croydon, where surveillance's demo plants the location of concern
REGIONAL_LEAD = "lead@prevention.example.org"


def generate(*, rng: random.Random, **_: Any) -> dict[str, Any] | str:
    if DetectionRun.objects.filter(kind=DetectionRun.Kind.NIGHTLY).exists():
        return "detection already run"
    regions = runs.regions()
    if not regions:
        return "no region loaded"
    reports = [runs.run_detection(region=region, kind=DetectionRun.Kind.NIGHTLY) for region in regions]
    _response_under_way()
    return {
        "runs": len(reports),
        "alerts": sorted(ref for report in reports for ref in report.raised),
        "seconds": round(sum(report.run.seconds or 0 for report in reports), 1),
    }


def _response_under_way() -> None:
    """The Croydon location of concern, taken to a response group by the regional lead, with an action."""
    lead = User.objects.filter(email=REGIONAL_LEAD).first()
    alert = (
        Alert.objects.filter(kind=Alert.Kind.LOCATION)
        .filter(Q(areas__level=AreaLevel.BOROUGH, areas__code=CONCERN_BOROUGH))
        .order_by("pk")
        .first()
    )
    if lead is None or alert is None:
        return
    alert = alerts.change_status(alert=alert, to_status=Alert.Status.UNDER_REVIEW, user=lead)
    alert = alerts.assign(alert=alert, assignee=lead, user=lead)
    alert = alerts.change_status(
        alert=alert, to_status=Alert.Status.RESPONSE_GROUP, user=lead,
        reason="Repeated falls at the same car park: the multi-agency response group met (demonstration).",
    )  # fmt: skip
    alerts.add_action(
        alert=alert, type=AlertAction.Type.MEANS_RESTRICTION, user=lead, due=None,
        description="Ask the car park's owner about barriers on the top deck and signs with crisis numbers.",
        owner="Borough public health team (example)",
    )  # fmt: skip
