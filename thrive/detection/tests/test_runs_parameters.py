"""Detection parameters: documented defaults with sources, per-region overrides, and the parameters page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from thrive.accounts.testing import Personas
from thrive.core.models import AuditEntry
from thrive.detection import runs
from thrive.detection.models import RegionParameters
from thrive.detection.parameters import DEFAULTS, ParameterError, describe, with_overrides
from thrive.detection.tests.grid import Grid

pytestmark = pytest.mark.usefixtures("detection_urls")


def test_every_default_has_a_label_a_source_and_bounds_it_meets() -> None:
    for item in describe(DEFAULTS):
        assert item.label and item.source, item.name
        assert item.minimum is None or item.default >= item.minimum, item.name
        assert item.maximum is None or item.default <= item.maximum, item.name
    # DESIGN.md's nightly defaults
    assert (
        DEFAULTS.scan_max_temporal_days,
        DEFAULTS.scan_max_radius_km,
        DEFAULTS.scan_max_spatial_fraction,
    ) == (
        90,
        3.0,
        0.5,
    )
    assert DEFAULTS.scan_time_aggregation_days == 1 and DEFAULTS.poisson_max_population_fraction == 0.1
    assert DEFAULTS.replications == 999
    # The emerging means and locations of concern
    assert (
        DEFAULTS.new_means_absence_days,
        DEFAULTS.new_means_window_days,
        DEFAULTS.new_means_min_cases,
    ) == (
        730,
        90,
        2,
    )
    assert (DEFAULTS.location_radius_m, DEFAULTS.location_min_incidents, DEFAULTS.location_window_days) == (
        100.0,
        2,
        365,
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nonsense": 1}, "not a detection parameter"),
        ({"replications": "many"}, "not a int"),
        ({"replications": 5}, "between 99 and 9999"),
        ({"replications": 99.5}, "not a whole number"),
        ({"scan_study_days": 100, "scan_max_temporal_days": 90}, "half the study period"),
    ],
)
def test_bad_overrides_are_refused_with_a_message(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        with_overrides(overrides)


def test_a_regions_overrides_apply_to_its_runs(grid: Grid) -> None:
    assert runs.parameters_for(grid.region) == DEFAULTS
    RegionParameters.objects.create(region=grid.region, overrides={"replications": 199, "ears_alpha": "0.01"})
    params = runs.parameters_for(grid.region)
    assert params.replications == 199 and params.ears_alpha == 0.01 and params.seed == DEFAULTS.seed


def test_the_parameters_page(grid: Grid, personas: Personas, client_for: Any) -> None:
    borough_lead: Client = client_for(personas.borough_lead)
    page = borough_lead.get("/detection/parameters/")
    assert (
        page.status_code == 200
        and b"Kulldorff" in page.content
        and b"Save the parameters" not in page.content
    )
    assert borough_lead.post("/detection/parameters/", {"replications": 99}).status_code == 404

    regional: Client = client_for(personas.regional_lead)
    page = regional.get("/detection/parameters/")
    assert b"Save the parameters" in page.content
    values = {item.name: item.value for item in describe(DEFAULTS)}
    bad = regional.post("/detection/parameters/", {**values, "replications": 5})
    assert bad.status_code == 200 and b"There is a problem" in bad.content
    saved = regional.post("/detection/parameters/", {**values, "replications": 199})
    assert saved.status_code == 302
    assert RegionParameters.objects.get(region=grid.region).overrides == {"replications": 199}
    assert AuditEntry.objects.filter(
        object_type="detection.regionparameters", reason__contains="parameters"
    ).exists()
    assert b"changed" in regional.get("/detection/parameters/").content

    assert client_for(personas.analyst).get("/detection/parameters/").status_code == 403
