"""The real London reference data (../shared/data/london): one slow test that loads it all and checks it."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from thrive.geography import lookup
from thrive.geography.loader import load_geography
from thrive.geography.models import Area, AreaPopulation, LsoaLink
from thrive.geography.place import resolve_place

LONDON = Path(settings.REFERENCE_DATA_DIR)
SPOTS = {  # from SOURCES.md's spot checks
    "Parliament": ((51.4995, -0.1248), "Westminster"),
    "Bank": ((51.5133, -0.0890), "City of London"),
    "Canary Wharf": ((51.5054, -0.0235), "Tower Hamlets"),
    "East Croydon": ((51.3755, -0.0925), "Croydon"),
    "Romford": ((51.5751, 0.1830), "Havering"),
    "Uxbridge": ((51.5463, -0.4786), "Hillingdon"),
    "Westminster Bridge, mid-river": ((51.5008, -0.1219), "Westminster"),
}


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.skipif(not (LONDON / "SOURCES.md").exists(), reason="the London reference data is not here")
def test_london_loads_whole_and_agrees_with_its_sources() -> None:
    out = StringIO()
    call_command("load-geography", str(LONDON), stdout=out)
    call_command("geography", "summary", "--json", stdout=(summary := StringIO()))
    assert json.loads(summary.getvalue()) == {
        "counts": {"region": 1, "ics": 5, "borough": 33, "msoa21": 1002, "lsoa11": 4835, "lsoa21": 4994},
        "population": 9_002_488,
    }
    assert Area.objects.get(level="region").population == 9_002_488
    assert (
        sum(AreaPopulation.objects.filter(area__level="lsoa11").values_list("count", flat=True)) == 9_002_488
    )
    assert {a.name: a.ods_code for a in Area.objects.filter(level="ics")} == {
        "North Central London": "QMJ", "North East London": "QMF", "North West London": "QRV",
        "South East London": "QKK", "South West London": "QWE",
    }  # fmt: skip
    assert Area.objects.filter(level="lsoa11", imd_decile__isnull=True).count() == 0
    assert LsoaLink.objects.filter(lsoa21__isnull=True).count() == 0
    assert set(LsoaLink.objects.values_list("lsoa21__code", flat=True)) >= set(
        Area.objects.filter(level="lsoa21").values_list("code", flat=True)
    )
    for name, ((lat, lon), borough) in SPOTS.items():
        found = lookup.locate(lat, lon)
        assert found is not None and found.borough is not None and found.borough.name == borough, name
        assert found.lsoa11 is not None and found.lsoa21 is not None and found.msoa21 is not None, name
    assert lookup.locate(50.5, -1.0) is None  # the English Channel
    assert lookup.locate(51.45, 0.22) is None  # Dartford, Kent: just outside
    assert resolve_place(area_code="E09000030").ics.name == "North East London"  # type: ignore[union-attr]

    before = Area.objects.order_by("pk").values_list("pk", "code", "boundary")[:50]
    assert not load_geography(directory=LONDON).changed
    assert list(Area.objects.order_by("pk").values_list("pk", "code", "boundary")[:50]) == list(before)
