"""Postcodes: normalising, loading an ONSPD-layout file (synthetic rows), and looking one up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from thrive.geography.loader import LoadResult
from thrive.geography.models import Area, Postcode
from thrive.geography.place import lookup_postcode
from thrive.geography.postcodes import (
    PostcodeFileError,
    PostcodeProblem,
    is_valid_postcode,
    load_postcodes,
    normalise_postcode,
)

HEADER = "pcd,pcds,dointr,doterm,oslaua,lsoa11,lsoa21,lat,long,imd\n"
ROWS = [
    # known areas given by the file
    "E1  6AN,E1 6AN,198001,,E09000030,E01900002,E01900011,51.5054,-0.0235,1",
    # London, no LSOA codes: derived from the point
    "E8  1AA,E8 1AA,198001,,E09000012,,,51.55,-0.05,1",
    # an LSOA 2021 code we do not know: derived from the point
    "N3  1AA,N3 1AA,198001,,E09000003,E01900005,E01999999,51.62,-0.17,1",
    # terminated: not loaded
    "E1  7ZZ,E1 7ZZ,198001,201906,E09000030,E01900001,E01900001,51.51,-0.05,1",
    # outside London
    "CT1 1AA,CT1 1AA,198001,,E07000106,E01024000,E01024000,51.28,1.08,5",
    # London, no grid reference
    "E1W 1AA,E1W 1AA,198001,,E09000030,,,99.999999,0.000000,1",
]


def code(area: Area | None) -> str | None:
    return area.code if area else None


def write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [("e16an", "E1 6AN"), (" sw1a1aa ", "SW1A 1AA"), ("EC1A  1BB", "EC1A 1BB"), ("w1a 0ax", "W1A 0AX"),
     ("gir0aa", "GIR 0AA"), ("", ""), ("ab", "AB")],
)  # fmt: skip
def test_normalise(typed: str, normalised: str) -> None:
    assert normalise_postcode(typed) == normalised


@pytest.mark.parametrize(
    ("postcode", "valid"),
    [("E1 6AN", True), ("SW1A 1AA", True), ("M1 1AE", True), ("B33 8TH", True), ("CR2 6XH", True),
     ("DN55 1PT", True), ("GIR 0AA", True), ("E1 6AC", False), ("Q1 6AN", False), ("E1 AAN", False),
     ("12 3AB", False), ("E1", False), ("E1 6ANN", False), ("EC1A 1BBB", False)],
)  # fmt: skip
def test_validate(postcode: str, valid: bool) -> None:
    assert is_valid_postcode(postcode) is valid


@pytest.mark.django_db
def test_load_and_look_up(tiny_geography: LoadResult, tmp_path: Path) -> None:
    result = load_postcodes(path=write(tmp_path / "onspd.csv", HEADER, ROWS))
    assert (result.created, result.skipped_terminated, result.outside_region, result.derived) == (5, 1, 1, 2)
    assert not Postcode.objects.filter(postcode="E1 7ZZ").exists()

    place = lookup_postcode("e16an").place
    assert place is not None and place.postcode == "E1 6AN" and (place.lat, place.lon) == (51.5054, -0.0235)
    assert [code(a) for a in (place.lsoa11, place.lsoa21, place.msoa21, place.borough, place.ics)] == [
        "E01900002", "E01900011", "E02900001", "E09000030", "E54000029"
    ]  # fmt: skip
    derived = lookup_postcode("E8 1AA").place
    assert derived is not None and code(derived.lsoa11) == "E01900003" and code(derived.lsoa21) == "E01900003"
    unknown_code = Postcode.objects.get(postcode="N3 1AA")
    assert code(unknown_code.lsoa11) == "E01900005" and code(unknown_code.lsoa21) == "E01900006"

    outside = lookup_postcode("CT1 1AA")
    assert (
        outside.problem == PostcodeProblem.OUTSIDE_REGION
        and outside.message == "The postcode CT1 1AA is outside London."
    )
    assert outside.place is not None and outside.place.outside_region and outside.place.borough is None
    no_point = Postcode.objects.get(postcode="E1W 1AA")
    assert no_point.lat is None and code(no_point.borough) == "E09000030" and no_point.lsoa11 is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "problem", "message"),
    [
        ("E1 6A", PostcodeProblem.MALFORMED, "Enter a full UK postcode, like SW1A 1AA."),
        ("hello", PostcodeProblem.MALFORMED, "Enter a full UK postcode, like SW1A 1AA."),
        ("E2 9ZZ", PostcodeProblem.UNKNOWN, "We do not know the postcode E2 9ZZ. Check it and try again."),
    ],
)
def test_lookup_problems(
    tiny_geography: LoadResult, typed: str, problem: PostcodeProblem, message: str
) -> None:
    result = lookup_postcode(typed)
    assert (result.place, result.problem, result.message) == (None, problem, message)


@pytest.mark.django_db
def test_loading_again_changes_nothing_and_marks_newly_terminated(
    tiny_geography: LoadResult, tmp_path: Path
) -> None:
    path = write(tmp_path / "onspd.csv", HEADER, ROWS)
    load_postcodes(path=path)
    again = load_postcodes(path=path)
    assert (again.created, again.updated, again.unchanged, again.changed) == (0, 0, 5, False)
    later = [ROWS[0].replace(",,E09000030", ",202401,E09000030"), *ROWS[1:]]
    result = load_postcodes(path=write(tmp_path / "later.csv", HEADER, later))
    assert result.marked_terminated == 1
    assert Postcode.objects.get(postcode="E1 6AN").terminated_on == dt.date(2024, 1, 1)
    gone = lookup_postcode("E1 6AN")
    assert gone.problem == PostcodeProblem.TERMINATED and gone.place is None
    assert gone.message == "The postcode E1 6AN is no longer in use."


@pytest.mark.django_db
def test_only_the_required_columns(tiny_geography: LoadResult, tmp_path: Path) -> None:
    path = write(
        tmp_path / "minimal.csv", "pcds,lat,long\n", ["E14 9ZZ,51.5054,-0.0235", "CT1 2ZZ,51.28,1.08"]
    )
    result = load_postcodes(path=path)
    assert (result.created, result.derived, result.outside_region) == (2, 1, 1)
    inside = Postcode.objects.get(postcode="E14 9ZZ")
    assert (code(inside.borough), code(inside.lsoa21), code(inside.msoa21)) == (
        "E09000030",
        "E01900011",
        "E02900001",
    )
    assert not Postcode.objects.get(postcode="CT1 2ZZ").in_region


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "rows", "message"),
    [
        ("pcds,lat\n", ["E1 6AN,51.5"], "onspd.csv, line 1: missing column long"),
        (HEADER, [ROWS[0], "E8  1AA,E8 1AA,198001,,E09000012,,,north,-0.05,1"],
         "onspd.csv, line 3: lat is not a number: 'north'"),
        (HEADER, [ROWS[0], "E8  1AA,E8 1AA,198001,,E09000012,,,151.5,-0.05,1"],
         "onspd.csv, line 3: lat '151.5' is out"),
        (HEADER, [ROWS[0], "XX,XX 1,198001,,E09000012,,,51.5,-0.05,1"],
         "onspd.csv, line 3: pcds 'XX 1' is not a UK"),
        (HEADER, [ROWS[0], "E8  1AA,E8 1AA,198001,2019,E09000012,,,51.5,-0.05,1"],
         "onspd.csv, line 3: doterm '2019' is not a year and month"),
        (HEADER, [ROWS[0], ROWS[1], ROWS[0]], "onspd.csv, line 4: E1 6AN appears again (first on line 2)"),
        (HEADER, [ROWS[0], "E8 1AA,51.5"], "onspd.csv, line 3: has 2 fields, not 10"),
    ],
)  # fmt: skip
def test_bad_files_name_the_line_and_load_nothing(
    tiny_geography: LoadResult, tmp_path: Path, header: str, rows: list[str], message: str
) -> None:
    with pytest.raises(PostcodeFileError) as refused:
        load_postcodes(path=write(tmp_path / "onspd.csv", header, rows))
    assert message in str(refused.value)
    assert not Postcode.objects.exists()


@pytest.mark.django_db
def test_postcodes_need_the_geography(db: None, tmp_path: Path) -> None:
    from thrive.geography.lookup import GeographyNotLoaded

    with pytest.raises(GeographyNotLoaded):
        load_postcodes(path=write(tmp_path / "onspd.csv", HEADER, ROWS))
