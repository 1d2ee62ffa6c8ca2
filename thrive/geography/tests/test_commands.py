"""The console commands: load-geography, geography summary and load-postcodes."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from thrive.geography import testing
from thrive.geography.loader import LoadResult
from thrive.geography.models import Area, Postcode

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_load_geography_reports_progress_then_nothing_to_do(fixture_dir: Path) -> None:
    first = run("load-geography", str(fixture_dir))
    assert "Read london_lsoa_2011.geojson: 6 features" in first and "areas: 22 created" in first
    assert "Already up to date: nothing changed." in run("load-geography", str(fixture_dir))


def test_load_geography_defaults_to_the_reference_data_setting(fixture_dir: Path, settings) -> None:
    settings.REFERENCE_DATA_DIR = fixture_dir
    run("load-geography", "--verbosity", "0")
    assert Area.objects.count() == sum(testing.COUNTS.values())


def test_load_geography_names_the_bad_file(fixture_dir: Path) -> None:
    (fixture_dir / "london_msoa_2021.geojson").write_text("{not json")
    with pytest.raises(
        CommandError, match=r"Nothing was loaded\. london_msoa_2021\.geojson, line 1, column 2"
    ):
        run("load-geography", str(fixture_dir))
    assert not Area.objects.exists()


def test_summary_json(tiny_geography: LoadResult) -> None:
    summary = json.loads(run("geography", "summary", "--json"))
    assert summary == {"counts": testing.COUNTS, "population": testing.total_population()}
    assert list(summary["counts"]) == ["region", "ics", "borough", "msoa21", "lsoa11", "lsoa21"]


def test_summary_text_and_empty(db: None) -> None:
    assert json.loads(run("geography", "summary", "--json")) == {
        "counts": dict.fromkeys(testing.COUNTS, 0), "population": 0
    }  # fmt: skip
    assert "population: 0" in run("geography", "summary")


def test_load_postcodes(tiny_geography: LoadResult, tmp_path: Path) -> None:
    path = tmp_path / "onspd.csv"
    path.write_text("pcds,lat,long,doterm\nE14 9ZZ,51.5054,-0.0235,\nE14 9ZY,51.5054,-0.0235,201001\n")
    assert "postcodes: 1 created" in run("load-postcodes", str(path))
    assert Postcode.objects.get().borough.code == "E09000030"  # type: ignore[union-attr]
    assert "Already up to date" in run("load-postcodes", str(path))
    path.write_text("pcds,lat\nE14 9ZZ,51.5\n")
    with pytest.raises(CommandError, match="onspd.csv, line 1: missing column long"):
        run("load-postcodes", str(path))
