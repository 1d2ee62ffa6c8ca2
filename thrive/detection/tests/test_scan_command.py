"""`thrive scan` end to end: the contract's JSON shape, and plain exit-2 errors naming the file and line."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

COORDINATES = (
    "location_id,lat,lon\nA,51.50,-0.10\nB,51.51,-0.10\nC,51.50,-0.08\nD,51.60,-0.20\nE,51.45,0.00\n"
)
CLUSTER_KEYS = {
    "rank",
    "centre",
    "location_ids",
    "radius_km",
    "start",
    "end",
    "observed",
    "expected",
    "llr",
    "p_value",
    "recurrence_interval_days",
}
POPULATION = "location_id,population\nA,1000\nB,1200\nC,900\nD,3000\nE,2500\n"


def _cases() -> str:
    rows = [f"{'ABCDE'[i % 5]},1,2024-01-{1 + (7 * i) % 28:02d}" for i in range(60)]
    rows += ["A,3,2024-01-30", "B,2,2024-01-31", "A,2,2024-01-31"]
    return "location_id,count,date\n" + "\n".join(rows) + "\n"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "cases": tmp_path / "cases.csv",
        "coordinates": tmp_path / "coords.csv",
        "population": tmp_path / "pop.csv",
    }
    paths["cases"].write_text(_cases())
    paths["coordinates"].write_text(COORDINATES)
    paths["population"].write_text(POPULATION)
    return paths


def scan(files: dict[str, Path], *extra: str, population: bool = False) -> dict[str, Any]:
    arguments = ["--cases", str(files["cases"]), "--coordinates", str(files["coordinates"])]
    arguments += ["--coordinates-type", "latlong", "--start", "2024-01-01", "--end", "2024-01-31"]
    if population:
        arguments += ["--population", str(files["population"])]
    out = StringIO()
    call_command("scan", *arguments, *extra, "--json", stdout=out)
    return json.loads(out.getvalue())


def fails(files: dict[str, Path], *extra: str, population: bool = False) -> str:
    with pytest.raises(CommandError) as raised:
        scan(files, *extra, population=population)
    assert raised.value.returncode == 2
    return str(raised.value)


def test_prospective_space_time_permutation_prints_the_contract(files: dict[str, Path]) -> None:
    document = scan(
        files,
        *("--model", "space-time-permutation", "--max-temporal-days", "7", "--max-radius-km", "3"),
        *("--prospective", "--replications", "99", "--seed", "5"),
    )
    assert set(document) == {"parameters", "locations", "cases", "clusters"}
    assert (document["locations"], document["cases"]) == (5, 67)
    clusters = document["clusters"]
    assert isinstance(clusters, list) and clusters
    top = clusters[0]
    assert set(top) == CLUSTER_KEYS
    assert top["rank"] == 1 and top["location_ids"][0] == "A" and top["end"] == "2024-01-31"
    assert set(top["centre"]) == {"lat", "lon"}
    assert top["recurrence_interval_days"] == pytest.approx(1 / top["p_value"])
    assert [c["llr"] for c in clusters] == sorted((c["llr"] for c in clusters), reverse=True)


def test_purely_spatial_poisson_and_cartesian_coordinates(files: dict[str, Path], tmp_path: Path) -> None:
    document = scan(files, "--model", "poisson", "--replications", "19", population=True)
    assert document["parameters"]["analysis"] == "purely-spatial"
    top = document["clusters"][0]
    assert (top["start"], top["end"]) == ("2024-01-01", "2024-01-31")
    assert "recurrence_interval_days" not in top
    files["coordinates"].write_text("location_id,x,y\nA,0,0\nB,1,0\nC,0,1.5\nD,10,10\nE,-8,3\n")
    arguments = ["--model", "poisson", "--max-temporal-days", "10", "--replications", "0"]
    out = StringIO()
    call_command(
        "scan",
        "--cases",
        str(files["cases"]),
        "--coordinates",
        str(files["coordinates"]),
        "--population",
        str(files["population"]),
        "--coordinates-type",
        "cartesian",
        "--start",
        "2024-01-01",
        "--end",
        "2024-01-31",
        *arguments,
        "--json",
        stdout=out,
    )
    cartesian = json.loads(out.getvalue())["clusters"][0]
    assert set(cartesian["centre"]) == {"x", "y"} and cartesian["p_value"] is None


def test_bad_files_name_the_file_the_line_and_the_problem(files: dict[str, Path]) -> None:
    stp = ("--model", "space-time-permutation", "--max-temporal-days", "7")
    files["cases"].write_text("location_id,count,date\nA,1,2024-01-05\nZ,1,2024-01-06\n")
    assert f"{files['cases']} line 3: location 'Z' is not in {files['coordinates']}" in fails(files, *stp)
    files["cases"].write_text("location_id,count,date\nA,two,2024-01-05\n")
    assert "line 2: count 'two' is not a whole number" in fails(files, *stp)
    files["cases"].write_text("location_id,count,date\nA,1,2023-12-31\n")
    assert "line 2: date 2023-12-31 is outside the study period" in fails(files, *stp)
    files["cases"].write_text("location,count,date\nA,1,2024-01-05\n")
    assert f"{files['cases']} line 1: the header must name the columns location_id,count,date" in fails(
        files, *stp
    )
    files["cases"].write_text(_cases())
    files["coordinates"].write_text("location_id,lat,lon\nA,51.5,-0.1\nA,51.6,-0.1\n")
    assert f"{files['coordinates']} line 3: location 'A' is already on line 2" in fails(files, *stp)
    files["coordinates"].write_text("location_id,lat,lon\nA,95,-0.1\n")
    assert "line 2: latitude 95.0 is not between -90 and 90" in fails(files, *stp)
    files["coordinates"].write_text(COORDINATES)
    files["population"].write_text("location_id,population\nA,10\nB,-1\n")
    assert f"{files['population']} line 3: population -1.0 is negative" in fails(
        files, "--model", "poisson", population=True
    )
    files["population"].write_text("location_id,population\nA,10\n")
    assert "no population for location(s) 'B', 'C', 'D', 'E'" in fails(
        files, "--model", "poisson", population=True
    )
    files["cases"].unlink()
    assert f"{files['cases']}: no such file" in fails(files, *stp)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--model", "space-time-permutation"), "--max-temporal-days is needed"),
        (
            ("--model", "kulldorff", "--max-temporal-days", "7"),
            "--model must be space-time-permutation or poisson",
        ),
        (("--model", "space-time-permutation", "--max-temporal-days", "16"), "above 50% of the study period"),
        (("--model", "poisson", "--prospective"), "--prospective needs --max-temporal-days"),
        (("--model", "poisson"), "--population POP.csv is needed"),
        (
            (
                "--model",
                "space-time-permutation",
                "--max-temporal-days",
                "7",
                "--max-spatial-fraction",
                "0.6",
            ),
            "at most 0.5",
        ),
        (
            ("--model", "space-time-permutation", "--max-temporal-days", "x"),
            "--max-temporal-days 'x' is not a whole number",
        ),
        (
            ("--model", "space-time-permutation", "--max-temporal-days", "7", "--replications", "-1"),
            "at least 0",
        ),
        (
            ("--model", "space-time-permutation", "--max-temporal-days", "7", "--max-radius-km", "0"),
            "above 0 km",
        ),
    ],
)
def test_bad_arguments_exit_2_with_a_plain_message(
    files: dict[str, Path], arguments: tuple[str, ...], message: str
) -> None:
    assert message in fails(files, *arguments)
