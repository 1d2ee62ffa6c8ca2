"""Detection runs on the Case table: what a nightly and an incremental run find, record and reproduce."""

from __future__ import annotations

import datetime as dt
import json
import random
from io import StringIO
from typing import Any

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from thrive.core.models import AuditEntry
from thrive.core.notification_models import OutboxMessage
from thrive.detection import casedata, runs, series
from thrive.detection.models import Alert, AlertCase, AlertEntry, DetectionRun
from thrive.detection.tests.grid import HACKNEY, Grid, add_cases, background
from thrive.surveillance.models import Case

TODAY = dt.date(2026, 6, 30)
pytestmark = pytest.mark.usefixtures("detection_urls")


def cluster(grid: Grid, *, count: int = 8, last: dt.date = TODAY, span: int = 20) -> list[dict[str, Any]]:
    """`count` deaths in `span` days in three neighbouring Hackney LSOAs, the last on `last`."""
    lsoas = [grid.lsoa(HACKNEY, i) for i in (5, 6, 9)]
    return [
        {"day": last - dt.timedelta(days=span * i // count), "lsoa": lsoas[i % 3], "method": "poisoning"}
        for i in range(count)
    ]


@pytest.fixture
def planted(grid: Grid, quick: dict[str, Any]) -> list[Case]:
    """Three years of background deaths across the grid, and a cluster in Hackney ending today."""
    rng = random.Random(7)
    add_cases(background(grid, rng=rng, count=400, start=TODAY - dt.timedelta(days=1095), end=TODAY))
    return add_cases(cluster(grid))


def space_time_alerts() -> list[Alert]:
    return list(Alert.objects.filter(kind=Alert.Kind.SPACE_TIME))


def test_nightly_run_raises_an_alert_for_the_planted_cluster_and_records_what_it_read(
    grid: Grid, planted: list[Case]
) -> None:
    report = runs.run_detection(region=grid.region, analysis_date=TODAY)
    run = report.run
    assert run.status == DetectionRun.Status.SUCCEEDED and run.kind == DetectionRun.Kind.NIGHTLY
    assert set(run.summary) == {
        "space-time-permutation",
        "poisson-spatial",
        "time-series",
        "new-means",
        "locations-of-concern",
    }
    assert run.case_count == 408 and run.snapshot_digest == casedata.digest(run.snapshot)
    assert len(run.scan_null["maxima"]) == 99 and run.parameters["replications"] == 99
    [alert] = space_time_alerts()
    planted_ids = {c.pk for c in planted}
    assert planted_ids <= set(alert.case_links.values_list("case_id", flat=True))
    assert alert.reference in report.raised and alert.run == run and alert.first_run == run
    assert alert.window_end == TODAY and alert.observed is not None and alert.observed >= 8
    assert alert.p_value == pytest.approx(0.01) and alert.recurrence_interval_days == pytest.approx(100)
    assert alert.statistic_name == "log-likelihood ratio" and alert.statistic and alert.statistic > 10
    assert alert.snapshot_digest == run.snapshot_digest
    assert alert.parameters["detector"]["prospective"] is True
    assert alert.parameters["run"]["scan_max_radius_km"] == 3.0
    assert grid.boroughs[HACKNEY].pk in set(alert.areas.values_list("pk", flat=True))
    assert grid.region.pk in set(alert.areas.values_list("pk", flat=True))
    message = OutboxMessage.objects.get(idempotency_key=f"alert.raised:{alert.pk}")
    assert message.kind == "alert.raised" and message.payload["reference"] == alert.reference
    assert AuditEntry.objects.filter(
        object_type="detection.alert", object_id=str(alert.pk), action="create"
    ).exists()
    assert AuditEntry.objects.filter(object_type="detection.detectionrun", object_id=str(run.pk)).exists()


def test_a_signal_found_again_updates_its_alert(grid: Grid, planted: list[Case]) -> None:
    runs.run_detection(region=grid.region, analysis_date=TODAY)
    [alert] = space_time_alerts()
    second = runs.run_detection(region=grid.region, analysis_date=TODAY)
    assert alert.reference in second.updated and alert.reference not in second.raised
    [again] = space_time_alerts()
    assert again.pk == alert.pk and again.detection_count == 2 and again.run == second.run
    assert not again.entries.filter(kind=AlertEntry.Kind.DETECTED_AGAIN).exists()  # nothing new: no noise

    [new_case] = add_cases(cluster(grid, count=1))
    third = runs.run_detection(region=grid.region, analysis_date=TODAY)
    [alert] = space_time_alerts()
    assert alert.detection_count == 3 and AlertCase.objects.filter(alert=alert, case=new_case).exists()
    entry = alert.entries.get(kind=AlertEntry.Kind.DETECTED_AGAIN)
    assert entry.run == third.run and "1 new case" in entry.text
    assert OutboxMessage.objects.filter(idempotency_key=f"alert.updated:{alert.pk}:{third.run.pk}").exists()
    assert len(alert.details["history"]) == 3


def test_the_incremental_run_borrows_the_nightly_replications_and_skips_the_poisson_scan(
    grid: Grid, planted: list[Case]
) -> None:
    nightly = runs.run_detection(region=grid.region, analysis_date=TODAY).run
    [new_case] = add_cases(cluster(grid, count=1))
    report = runs.run_detection(
        region=grid.region,
        kind=DetectionRun.Kind.INCREMENTAL,
        analysis_date=TODAY,
        triggered_by=[new_case.pk],
    )
    run = report.run
    assert "poisson-spatial" not in run.summary and run.triggered_by == [new_case.pk]
    assert run.scan_null == {}
    assert f"nightly run {nightly.pk}" in run.summary["space-time-permutation"]["notes"][0]
    [alert] = space_time_alerts()
    assert alert.run == run and alert.details["null_from_run"] == nightly.pk
    assert alert.p_value == pytest.approx(0.01)


def test_without_a_nightly_run_to_borrow_from_the_incremental_run_replicates(
    grid: Grid, planted: list[Case]
) -> None:
    run = runs.run_detection(region=grid.region, kind=DetectionRun.Kind.INCREMENTAL, analysis_date=TODAY).run
    assert len(run.scan_null["maxima"]) == 99
    assert not run.summary["space-time-permutation"]["notes"]


def test_an_alert_is_reproduced_from_its_runs_snapshot(grid: Grid, planted: list[Case]) -> None:
    runs.run_detection(region=grid.region, analysis_date=TODAY)
    [alert] = space_time_alerts()
    Case.objects.filter(pk__in=[c.pk for c in planted]).update(status="withdrawn")  # the data change later
    signals = runs.reproduce(alert)
    assert any(s.statistic == alert.statistic and s.observed == alert.observed for s in signals)
    out = StringIO()
    call_command("detect", "--reproduce", alert.reference, "--json", stdout=out)
    assert json.loads(out.getvalue())["reproduced"] is True

    run = alert.run
    assert run is not None
    run.snapshot = {**run.snapshot, "days": [0] * len(run.snapshot["days"])}
    run.save(update_fields=["snapshot"])
    with pytest.raises(ValueError, match="digest"):
        runs.reproduce(Alert.objects.get(pk=alert.pk))
    with pytest.raises(CommandError, match="digest"):
        call_command("detect", "--reproduce", alert.reference)


def test_every_kind_of_alert_reproduces(grid: Grid, quick: dict[str, Any]) -> None:
    """Means, counts and locations too (the detector is chosen from the alert)."""
    recent = TODAY - dt.timedelta(days=20)
    lsoa = grid.lsoa(HACKNEY)
    add_cases(
        [{"day": recent, "lsoa": lsoa, "substances": ["newdrug"], "method": "poisoning"} for _ in range(2)]
        + [{"day": recent, "lsoa": lsoa, "place": "bridge", "point": (51.45, -0.15)} for _ in range(2)]
    )
    runs.run_detection(region=grid.region, analysis_date=TODAY)
    kinds = set()
    for alert in Alert.objects.all():
        signals = runs.reproduce(alert)
        assert any(s.kind == alert.kind and s.statistic == alert.statistic for s in signals), alert.kind
        kinds.add(alert.kind)
    assert {Alert.Kind.MEANS, Alert.Kind.LOCATION} <= kinds


def test_a_failing_detector_is_recorded_and_the_others_still_run(
    grid: Grid, planted: list[Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> None:
        raise RuntimeError("no luck")

    monkeypatch.setattr(series, "time_series", broken)
    run = runs.run_detection(region=grid.region, analysis_date=TODAY).run
    assert run.status == DetectionRun.Status.FAILED and "time-series: no luck" in run.error
    assert run.summary["time-series"]["notes"] == ["failed: no luck"]
    assert space_time_alerts()  # the scan still ran and raised its alert
    with pytest.raises(CommandError, match="failed"):
        call_command("detect", "--all", "--date", TODAY.isoformat(), stdout=StringIO())


def test_the_detect_command(grid: Grid, planted: list[Case]) -> None:
    out = StringIO()
    call_command("detect", "--all", "--date", TODAY.isoformat(), "--json", stdout=out)
    [line] = out.getvalue().splitlines()
    report = json.loads(line)
    assert report["kind"] == "nightly" and report["analysis_date"] == TODAY.isoformat() and report["raised"]
    out = StringIO()
    call_command("detect", "--incremental", "--date", TODAY.isoformat(), stdout=out)
    assert "Incremental" in out.getvalue() and "space-time-permutation: 1 signal(s)" in out.getvalue()
    with pytest.raises(CommandError, match="not a date"):
        call_command("detect", "--all", "--date", "30/06/2026")
    with pytest.raises(CommandError, match="No alert"):
        call_command("detect", "--reproduce", "ALERT-99999")


def test_the_snapshot_round_trips(grid: Grid, quick: dict[str, Any]) -> None:
    add_cases(
        [
            {
                "day": TODAY,
                "lsoa": grid.lsoa(HACKNEY),
                "substances": ["alcohol", "newdrug"],
                "place": "bridge",
            },
            {"day": TODAY - dt.timedelta(days=3), "lsoa": grid.lsoa(HACKNEY, 1), "method": "drowning"},
        ]
    )
    data = casedata.load(grid.region, analysis_date=TODAY, history_days=30)
    snapshot, digest = data.snapshot()
    back = casedata.from_snapshot(json.loads(json.dumps(snapshot)))
    assert back.snapshot()[1] == digest
    assert back.substances == data.substances and back.method == data.method and back.new_terms == {"newdrug"}
    assert np.array_equal(back.incident_lsoa, data.incident_lsoa) and np.allclose(back.lat, data.lat)
    with pytest.raises(ValueError, match="pruned"):
        casedata.from_snapshot({})


def test_withdrawn_and_merged_cases_and_cases_outside_the_history_are_not_read(grid: Grid) -> None:
    lsoa = grid.lsoa(HACKNEY)
    add_cases(
        [
            {"day": TODAY, "lsoa": lsoa},
            {"day": TODAY, "lsoa": lsoa, "status": "withdrawn"},
            {"day": TODAY, "lsoa": lsoa, "status": "merged"},
            {"day": TODAY - dt.timedelta(days=30), "lsoa": lsoa},
            {"day": TODAY + dt.timedelta(days=1), "lsoa": lsoa},
        ]
    )
    assert casedata.load(grid.region, analysis_date=TODAY, history_days=30).size == 1


def test_old_snapshots_no_alert_cites_are_pruned(grid: Grid, planted: list[Case]) -> None:
    cited = runs.run_detection(region=grid.region, analysis_date=TODAY).run
    uncited = DetectionRun.objects.create(
        region=grid.region, kind="incremental", analysis_date=TODAY, snapshot={"version": 1}
    )
    DetectionRun.objects.filter(pk__in=[cited.pk, uncited.pk]).update(
        started_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    assert runs.prune_snapshots(grid.region) == 1
    assert DetectionRun.objects.get(pk=uncited.pk).snapshot == {}
    assert DetectionRun.objects.get(pk=cited.pk).snapshot != {}


def test_no_lsoas_means_the_scans_say_so(personas: Any, detection_urls: None) -> None:
    from thrive.geography.models import Area

    region = Area.objects.get(code="E12000007")
    run = runs.run_detection(region=region, analysis_date=TODAY).run
    assert run.status == DetectionRun.Status.SUCCEEDED
    assert "skipped" in run.summary["space-time-permutation"]["notes"][0]
    assert "skipped" in run.summary["poisson-spatial"]["notes"][0]
    assert "skipped" in run.summary["time-series"]["notes"][0]  # no history either
