"""Loading the reference files: what lands in the database, idempotency, and refusing bad files whole."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from thrive.core.models import AuditEntry
from thrive.geography import loader, testing
from thrive.geography.loader import load_geography
from thrive.geography.models import Area, AreaLevel, AreaPopulation, LsoaLink
from thrive.geography.sources import SourceError
from thrive.geography.summary import geography_summary

pytestmark = pytest.mark.django_db


def _rewrite_geojson(path: Path, change: Any) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


def _rewrite_csv(path: Path, change: Any) -> None:
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    change(rows)
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)


def test_tiny_fixture_loads_every_level(tiny_geography: loader.LoadResult) -> None:
    assert geography_summary() == {"counts": testing.COUNTS, "population": testing.total_population()}
    assert tiny_geography.created == testing.COUNTS
    tower_hamlets = Area.objects.get(level=AreaLevel.BOROUGH, code="E09000030")
    north_east = Area.objects.get(level=AreaLevel.ICS, code="E54000029")
    region = Area.objects.get(level=AreaLevel.REGION)
    assert (tower_hamlets.parent, tower_hamlets.borough, tower_hamlets.ics) == (
        north_east,
        tower_hamlets,
        north_east,
    )
    assert (north_east.parent, north_east.ics, north_east.ods_code) == (region, north_east, "QMF")
    assert region.population == testing.total_population()
    assert north_east.population == sum(
        a.population or 0 for a in Area.objects.filter(level=AreaLevel.BOROUGH, ics=north_east)
    )
    split = Area.objects.get(level=AreaLevel.LSOA21, code="E01900011")
    assert (
        split.parent is not None
        and split.parent.code == "E02900001"
        and split.borough == tower_hamlets
        and split.ics == north_east
    )
    assert split.population is None and split.imd_decile is None
    lsoa = Area.objects.get(level=AreaLevel.LSOA11, code="E01900002")
    assert lsoa.parent == tower_hamlets and lsoa.imd_decile == 4 and lsoa.imd_rank == 4000
    assert lsoa.imd_domains is not None and lsoa.imd_domains["income"] == {"rank": 4000, "decile": 4}
    assert lsoa.boundary is not None and lsoa.boundary["type"] == "Polygon"
    assert lsoa.centroid_lat == pytest.approx(51.5095) and lsoa.centroid_lon == pytest.approx(-0.015)


def test_population_bands_add_up_at_every_level(tiny_geography: loader.LoadResult) -> None:
    for area in Area.objects.filter(level__in=["lsoa11", "borough", "ics", "region"]):
        bands = AreaPopulation.objects.filter(area=area, year=2020)
        assert bands.count() == 10
        assert sum(b.count for b in bands) == area.population
    male, female = testing.lsoa_population(0)
    first = Area.objects.get(level=AreaLevel.LSOA11, code="E01900001")
    assert AreaPopulation.objects.get(area=first, sex="male", age_band="0-15").count == male[0]
    assert AreaPopulation.objects.get(area=first, sex="female", age_band="65+").count == female[4]


def test_lsoa_links_follow_the_2021_split(tiny_geography: loader.LoadResult) -> None:
    links = {
        (link.lsoa11.code, link.lsoa21.code): link
        for link in LsoaLink.objects.select_related("lsoa11", "lsoa21")
    }
    assert links[("E01900001", "E01900001")].share_of_lsoa11 == 1.0
    east = [links[("E01900002", code)] for code in ("E01900011", "E01900012")]
    assert [link.share_of_lsoa11 for link in east] == [pytest.approx(0.5), pytest.approx(0.5)]
    assert [link.share_of_lsoa21 for link in east] == [1.0, 1.0]
    assert len(links) == 7  # no slivers between neighbours


def test_second_load_changes_nothing(tiny_geography: loader.LoadResult, fixture_dir: Path) -> None:
    audit_entries = AuditEntry.objects.count()
    before = list(Area.objects.order_by("pk").values())
    again = load_geography(directory=fixture_dir)
    assert not again.changed
    assert list(Area.objects.order_by("pk").values()) == before
    assert AreaPopulation.objects.count() == 10 * (6 + 3 + 2 + 1)
    assert AuditEntry.objects.count() == audit_entries


def test_a_load_is_audited(tiny_geography: loader.LoadResult) -> None:
    entry = AuditEntry.objects.get(object_type="geography.area")
    assert entry.action == "create" and "areas: 22 created" in entry.summary


def test_a_changed_file_updates_in_place(tiny_geography: loader.LoadResult, fixture_dir: Path) -> None:
    def rename(document: dict[str, Any]) -> None:
        document["features"][0]["properties"]["LAD22NM"] = "Tower Hamlets (renamed)"

    _rewrite_geojson(fixture_dir / "london_boroughs_2022.geojson", rename)
    pk = Area.objects.get(level=AreaLevel.BOROUGH, code="E09000030").pk
    result = load_geography(directory=fixture_dir)
    assert result.updated["borough"] == 1 and sum(result.created.values()) == 0
    assert Area.objects.get(pk=pk).name == "Tower Hamlets (renamed)"


def test_areas_missing_from_the_files_are_kept_and_reported(db: None, fixture_dir: Path) -> None:
    region = Area.objects.create(level=AreaLevel.REGION, code="E12000007", name="London")
    Area.objects.create(level=AreaLevel.BOROUGH, code="E09000025", name="Newham", parent=region)
    result = load_geography(directory=fixture_dir)
    assert result.not_in_files["borough"] == 1
    assert "kept, though not in the files: 1 borough" in result.summary()
    assert Area.objects.filter(code="E09000025").exists()
    assert Area.objects.get(level=AreaLevel.REGION).pk == region.pk


BAD_FILES = [
    pytest.param(
        "london_lsoa_2011.geojson",
        lambda path: path.write_text(path.read_text()[:-40]),
        "london_lsoa_2011.geojson, line 1, column",
        id="malformed GeoJSON",
    ),
    pytest.param(
        "london_lsoa_2021.geojson",
        lambda path: _rewrite_geojson(
            path,
            lambda d: d["features"][2]["geometry"].update(
                coordinates=[[[0, 51.5], [0.01, 51.51], [0, 51.5]]]
            ),
        ),
        "london_lsoa_2021.geojson, feature 3 (E01900012): geometry is not valid: Too few points",
        id="too few points",
    ),
    pytest.param(
        "london_lsoa_2021.geojson",
        lambda path: _rewrite_geojson(
            path, lambda d: d["features"][4]["geometry"].update(coordinates="none")
        ),
        "london_lsoa_2021.geojson, feature 5 (E01900004): geometry is malformed",
        id="malformed geometry",
    ),
    pytest.param(
        "london_msoa_2021.geojson",
        lambda path: _rewrite_geojson(
            path,
            lambda d: d["features"][1]["geometry"].update(
                coordinates=[[[-0.06, 51.531], [0.0, 51.57], [0.0, 51.531], [-0.06, 51.57], [-0.06, 51.531]]]
            ),
        ),
        "london_msoa_2021.geojson, feature 2 (E02900002): geometry is not valid: Self-intersection",
        id="bow tie",
    ),
    pytest.param(
        "london_boroughs_2022.geojson",
        lambda path: _rewrite_geojson(
            path,
            lambda d: d["features"][0]["geometry"].update(
                coordinates=[[[530000, 180000], [531000, 180000], [531000, 181000], [530000, 180000]]]
            ),
        ),
        "london_boroughs_2022.geojson, feature 1 (E09000030): coordinates are not WGS84",
        id="British National Grid",
    ),
    pytest.param(
        "london_lsoa_2011.geojson",
        lambda path: _rewrite_geojson(
            path, lambda d: d["features"][3]["properties"].update(LSOA11CD="X0190004")
        ),
        "london_lsoa_2011.geojson, feature 4 (X0190004): LSOA11CD 'X0190004' is not an ONS LSOA code",
        id="bad code",
    ),
    pytest.param(
        "london_lsoa_2011.geojson",
        lambda path: _rewrite_geojson(path, lambda d: d["features"].pop()),
        "london_population_mid2020_lsoa11.csv, E01900006: its LSOA 2011 codes do not match london_lsoa_2011",
        id="counts disagree",
    ),
    pytest.param(
        "london_population_mid2020_lsoa11.csv",
        lambda path: _rewrite_csv(path, lambda rows: [row.pop(7) for row in rows]),
        "london_population_mid2020_lsoa11.csv, line 1: missing column Persons_0-15",
        id="missing column",
    ),
    pytest.param(
        "london_population_mid2020_lsoa11.csv",
        lambda path: _rewrite_csv(path, lambda rows: rows[3].__setitem__(6, "lots")),
        "london_population_mid2020_lsoa11.csv, line 4: Persons_All-Ages is not a whole number: 'lots'",
        id="non-numeric population",
    ),
    pytest.param(
        "london_population_mid2020_lsoa11.csv",
        lambda path: _rewrite_csv(path, lambda rows: rows[2].__setitem__(13, str(int(rows[2][13]) + 1))),
        "london_population_mid2020_lsoa11.csv, line 3 (E01900002): the Males age bands do not add up",
        id="bands do not add up",
    ),
    pytest.param(
        "london_population_mid2020_borough.csv",
        lambda path: _rewrite_csv(path, lambda rows: rows[1].__setitem__(3, str(int(rows[1][3]) + 2))),
        "london_population_mid2020_borough.csv, line 2 (E09000030): the Persons age bands do not add up",
        id="borough row inconsistent",
    ),
    pytest.param(
        "london_imd2019_lsoa11.csv",
        lambda path: _rewrite_csv(path, lambda rows: rows[1].__setitem__(5, "11")),
        "london_imd2019_lsoa11.csv, line 2: Index of Multiple Deprivation (IMD) Decile",
        id="decile out of range",
    ),
    pytest.param(
        "london_borough_ics_lookup.csv",
        lambda path: path.unlink(),
        "london_borough_ics_lookup.csv: is missing from",
        id="missing file",
    ),
]


@pytest.mark.parametrize(("file", "damage", "message"), BAD_FILES)
def test_bad_files_are_refused_whole(fixture_dir: Path, file: str, damage: Any, message: str) -> None:
    damage(fixture_dir / file)
    with pytest.raises(SourceError) as refused:
        load_geography(directory=fixture_dir)
    assert message in str(refused.value)
    assert not Area.objects.exists() and not AreaPopulation.objects.exists()


def test_a_failure_while_writing_leaves_the_database_as_it_was(
    tiny_geography: loader.LoadResult, fixture_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def rename(document: dict[str, Any]) -> None:
        document["features"][0]["properties"]["LAD22NM"] = "Changed"

    _rewrite_geojson(fixture_dir / "london_boroughs_2022.geojson", rename)

    def fail(*args: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(loader, "_save_links", fail)
    with pytest.raises(RuntimeError):
        load_geography(directory=fixture_dir)
    assert Area.objects.get(level=AreaLevel.BOROUGH, code="E09000030").name == "Tower Hamlets"


def test_progress_is_reported(db: None, fixture_dir: Path) -> None:
    messages: list[str] = []
    load_geography(directory=fixture_dir, progress=messages.append)
    assert messages[0] == "Read london_boroughs_2022.geojson: 3 features"
    assert "The files agree with each other" in messages
    assert messages[-1] == "Saved LSOA 2011-2021 links"


def test_population_and_links_drifting_from_the_files_are_put_back(
    tiny_geography: loader.LoadResult, fixture_dir: Path
) -> None:
    band = AreaPopulation.objects.filter(area__code="E01900001", sex="male", age_band="0-15")
    band.update(count=1)
    LsoaLink.objects.filter(lsoa11__code="E01900002", lsoa21__code="E01900011").update(share_of_lsoa11=0.9)
    odd = LsoaLink.objects.create(
        lsoa11=Area.objects.get(level="lsoa11", code="E01900005"),
        lsoa21=Area.objects.get(level="lsoa21", code="E01900001"),
        share_of_lsoa11=0.5,
        share_of_lsoa21=0.5,
    )
    result = load_geography(directory=fixture_dir)
    assert result.population_rows == (0, 1) and result.links == (0, 1, 1)
    assert band.get().count == testing.lsoa_population(0)[0][0]
    assert not LsoaLink.objects.filter(pk=odd.pk).exists()
