"""Fixtures for the detection app's tests (runs, alerts, means, locations): the grid geography, quick
parameters and signed-in leads. None is autouse, so the engines' tests are unaffected."""

from __future__ import annotations

from typing import Any

import pytest

from thrive.accounts.testing import Personas
from thrive.detection.models import RegionParameters
from thrive.detection.tests.grid import Grid, build

# Quick but faithful: 99 replications (p down to 0.01, a recurrence interval up to 100 days) on 3 years.
QUICK = {"replications": 99, "scan_study_days": 1095, "poisson_study_days": 1095}


@pytest.fixture
def grid(personas: Personas) -> Grid:
    return build()


@pytest.fixture
def quick(grid: Grid) -> dict[str, Any]:
    RegionParameters.objects.create(region=grid.region, overrides=QUICK)
    return QUICK


@pytest.fixture
def detection_urls(settings: Any) -> None:
    """Detection's pages, mounted as the project will mount them (if it does not already)."""
    settings.ROOT_URLCONF = "thrive.detection.tests.urls"
