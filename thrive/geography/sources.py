"""Reading and checking the ONS reference files (the data directory's SOURCES.md) before anything is written.

Every problem raises `SourceError` naming the file and the feature or line, so an operator can fix the file;
nothing here touches the database.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.errors import GEOSException

from thrive.geography.models import AgeBand, Sex

BOROUGHS_FILE = "london_boroughs_2022.geojson"
MSOA21_FILE = "london_msoa_2021.geojson"
LSOA21_FILE = "london_lsoa_2021.geojson"
LSOA11_FILE = "london_lsoa_2011.geojson"
ICS_FILE = "london_borough_ics_lookup.csv"
POPULATION_LSOA11_FILE = "london_population_mid2020_lsoa11.csv"
POPULATION_BOROUGH_FILE = "london_population_mid2020_borough.csv"
IMD_FILE = "london_imd2019_lsoa11.csv"
POPULATION_YEAR = 2020
IMD_LSOA_COUNT = 32844  # LSOAs in England, the range of IMD 2019 ranks

CODE_PATTERNS = {
    "borough": re.compile(r"^[EW]0[6-9]\d{6}$"),
    "msoa": re.compile(r"^[EW]02\d{6}$"),
    "lsoa": re.compile(r"^[EW]01\d{6}$"),
    "icb": re.compile(r"^E54\d{6}$"),
}
# England and Wales, generously: catches British National Grid metres and swapped coordinates.
LON_RANGE = (-6.5, 2.0)
LAT_RANGE = (49.8, 55.9)

SEX_PREFIXES = {Sex.MALE: "Males", Sex.FEMALE: "Females"}
BAND_SUFFIXES = {
    AgeBand.AGE_0_15: "0-15",
    AgeBand.AGE_16_29: "16-29",
    AgeBand.AGE_30_44: "30-44",
    AgeBand.AGE_45_64: "45-64",
    AgeBand.AGE_65_PLUS: "65+",
}
IMD_DOMAINS = {
    "imd": "Index of Multiple Deprivation (IMD)",
    "income": "Income",
    "employment": "Employment",
    "education": "Education, Skills and Training",
    "health": "Health Deprivation and Disability",
    "crime": "Crime",
    "housing": "Barriers to Housing and Services",
    "living_environment": "Living Environment",
}


class SourceError(Exception):
    """A reference file is missing, malformed or disagrees with another; names the file and where."""

    def __init__(self, file: str, where: str, problem: str) -> None:
        self.file, self.where, self.problem = file, where, problem
        super().__init__(f"{file}, {where}: {problem}" if where else f"{file}: {problem}")


@dataclass
class Feature:
    code: str
    name: str
    geometry: dict[str, Any]  # the GeoJSON geometry, as in the file
    shape: shapely.Geometry
    links: dict[str, str]  # codes of the areas it lies in, e.g. {"borough": "E09000030", "msoa": "E02..."}


@dataclass
class Population:
    total: int
    bands: dict[tuple[str, str], int]  # (sex, age band) -> count


@dataclass
class Deprivation:
    rank: int
    decile: int
    domains: dict[str, dict[str, int]]


@dataclass
class Ics:
    code: str
    name: str
    ods_code: str
    boroughs: list[str] = field(default_factory=list)


@dataclass
class Sources:
    boroughs: dict[str, Feature]
    msoa21: dict[str, Feature]
    lsoa21: dict[str, Feature]
    lsoa11: dict[str, Feature]
    ics: dict[str, Ics]
    borough_ics: dict[str, str]
    population: dict[str, Population]  # LSOA 2011 and borough codes
    deprivation: dict[str, Deprivation]  # LSOA 2011 codes


GEOJSON_LAYERS: tuple[tuple[str, str, str, str, dict[str, tuple[str, str]]], ...] = (
    # (attribute, file, code property, name property, {link: (property, code kind)})
    ("boroughs", BOROUGHS_FILE, "LAD22CD", "LAD22NM", {}),
    ("msoa21", MSOA21_FILE, "MSOA21CD", "MSOA21NM", {"borough": ("LAD22CD", "borough")}),
    (
        "lsoa21",
        LSOA21_FILE,
        "LSOA21CD",
        "LSOA21NM",
        {"msoa": ("MSOA21CD", "msoa"), "borough": ("LAD22CD", "borough")},
    ),
    ("lsoa11", LSOA11_FILE, "LSOA11CD", "LSOA11NM", {"borough": ("LAD11CD", "borough")}),
)
CODE_KINDS = {"boroughs": "borough", "msoa21": "msoa", "lsoa21": "lsoa", "lsoa11": "lsoa"}


def read_sources(directory: Path, progress: Any = None) -> Sources:
    """Read and check every file, then check that the files agree with each other."""
    say = progress or (lambda message: None)
    if not directory.is_dir():
        raise SourceError(str(directory), "", "is not a directory")
    layers: dict[str, dict[str, Feature]] = {}
    for attribute, name, code_key, name_key, links in GEOJSON_LAYERS:
        layers[attribute] = read_geojson(
            directory / name, code_key=code_key, name_key=name_key, kind=CODE_KINDS[attribute], links=links
        )
        say(f"Read {name}: {len(layers[attribute]):,} features")
    ics, borough_ics = read_ics_lookup(directory / ICS_FILE)
    say(f"Read {ICS_FILE}: {len(borough_ics):,} boroughs in {len(ics)} integrated care systems")
    lsoa_population, lsoa_boroughs = read_population(directory / POPULATION_LSOA11_FILE, "LSOA11CD", "lsoa")
    say(f"Read {POPULATION_LSOA11_FILE}: {len(lsoa_population):,} rows")
    borough_population, _ = read_population(directory / POPULATION_BOROUGH_FILE, "LAD11CD", "borough")
    say(f"Read {POPULATION_BOROUGH_FILE}: {len(borough_population):,} rows")
    deprivation = read_deprivation(directory / IMD_FILE)
    say(f"Read {IMD_FILE}: {len(deprivation):,} rows")
    sources = Sources(
        boroughs=layers["boroughs"],
        msoa21=layers["msoa21"],
        lsoa21=layers["lsoa21"],
        lsoa11=layers["lsoa11"],
        ics=ics,
        borough_ics=borough_ics,
        population={**lsoa_population, **borough_population},
        deprivation=deprivation,
    )
    check_agreement(sources, lsoa_boroughs, set(borough_population))
    say("The files agree with each other")
    return sources


def _open_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SourceError(path.name, "", f"is missing from {path.parent}") from None
    except UnicodeDecodeError as exc:
        raise SourceError(path.name, f"byte {exc.start}", "is not UTF-8 text") from None


def read_geojson(
    path: Path, *, code_key: str, name_key: str, kind: str, links: dict[str, tuple[str, str]]
) -> dict[str, Feature]:
    """One FeatureCollection of Polygon/MultiPolygon features in WGS84, each valid, with a unique code."""
    file = path.name
    text = _open_text(path)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise SourceError(file, where, f"is not valid JSON ({exc.msg})") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise SourceError(file, "", "is not a GeoJSON FeatureCollection")
    raw = document.get("features")
    if not isinstance(raw, list) or not raw:
        raise SourceError(file, "", "has no features")
    parsed: list[tuple[str, str, dict[str, Any], dict[str, str]]] = []
    wheres: list[str] = []
    first_seen: dict[str, int] = {}
    for number, item in enumerate(raw, start=1):
        where = f"feature {number}"
        properties = item.get("properties") if isinstance(item, dict) else None
        if not isinstance(properties, dict):
            raise SourceError(file, where, "is not a GeoJSON feature with properties")
        code = _property(properties, code_key, file, where)
        where = f"feature {number} ({code})"
        _check_code(code, kind, file, where, code_key)
        if code in first_seen:
            raise SourceError(
                file, where, f"the code {code} appears again (first as feature {first_seen[code]})"
            )
        first_seen[code] = number
        name = _property(properties, name_key, file, where)
        area_links = {}
        for link, (key, link_kind) in links.items():
            area_links[link] = _property(properties, key, file, where)
            _check_code(area_links[link], link_kind, file, where, key)
        geometry = item.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            found = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
            raise SourceError(file, where, f"geometry must be a Polygon or MultiPolygon, not {found}")
        parsed.append((code, name, geometry, area_links))
        wheres.append(where)
    shapes = _shapes(text, [geometry for _, _, geometry, _ in parsed], wheres, file)
    _check_shapes(shapes, wheres, file)
    return {
        code: Feature(code, name, geometry, shape, area_links)
        for (code, name, geometry, area_links), shape in zip(parsed, shapes, strict=True)
    }


def _property(properties: dict[str, Any], key: str, file: str, where: str) -> str:
    value = properties.get(key)
    if value is None or not str(value).strip():
        raise SourceError(file, where, f"has no {key} property")
    return str(value).strip()


def _check_code(code: str, kind: str, file: str, where: str, column: str) -> None:
    if not CODE_PATTERNS[kind].match(code):
        raise SourceError(file, where, f"{column} {code!r} is not an ONS {kind.upper()} code")


def _shapes(text: str, geometries: list[dict[str, Any]], wheres: list[str], file: str) -> np.ndarray:
    """The features' shapes, read by GEOS in one go; feature by feature only to name a malformed one."""
    try:
        shapes = shapely.get_parts(shapely.from_geojson(text))
        if len(shapes) == len(geometries):
            return shapes
    except GEOSException:
        pass
    result = []
    for geometry, where in zip(geometries, wheres, strict=True):
        try:
            result.append(shapely.geometry.shape(geometry))
        except (GEOSException, ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
            raise SourceError(file, where, f"geometry is malformed ({exc})") from None
    return np.array(result, dtype=object)


def _check_shapes(shapes: np.ndarray, wheres: list[str], file: str) -> None:
    """Not empty, in longitude/latitude in England and Wales, and valid (no self-intersections, ...)."""
    empty = np.flatnonzero(shapely.is_empty(shapes))
    if empty.size:
        raise SourceError(file, wheres[empty[0]], "geometry is empty")
    bounds = shapely.bounds(shapes)
    outside = np.flatnonzero(
        (bounds[:, 0] < LON_RANGE[0])
        | (bounds[:, 2] > LON_RANGE[1])
        | (bounds[:, 1] < LAT_RANGE[0])
        | (bounds[:, 3] > LAT_RANGE[1])
    )
    if outside.size:
        box = ", ".join(f"{value:.5g}" for value in bounds[outside[0]])
        raise SourceError(
            file,
            wheres[outside[0]],
            f"coordinates are not WGS84 longitude/latitude in England and Wales (bounds {box})",
        )
    invalid = np.flatnonzero(~shapely.is_valid(shapes))
    if invalid.size:
        reason = shapely.is_valid_reason(shapes[invalid[0]])
        raise SourceError(file, wheres[invalid[0]], f"geometry is not valid: {reason}")


def _csv_rows(path: Path, required: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row, after checking the header has every required column."""
    text = _open_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise SourceError(path.name, "line 1", "has no header row")
    header = [column.strip() for column in header]
    missing = [column for column in required if column not in header]
    if missing:
        raise SourceError(path.name, "line 1", f"missing column {', '.join(missing)}")
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise SourceError(
                path.name, f"line {reader.line_num}", f"has {len(row)} fields, not {len(header)}"
            )
        yield reader.line_num, {column: cell.strip() for column, cell in zip(header, row, strict=True)}


def _whole(
    row: dict[str, str], column: str, file: str, line: int, *, low: int = 0, high: int | None = None
) -> int:
    raw = row[column].replace(",", "")
    if not raw.isdigit():
        raise SourceError(file, f"line {line}", f"{column} is not a whole number: {row[column]!r}")
    value = int(raw)
    if value < low or (high is not None and value > high):
        limit = f"{low} to {high}" if high is not None else f"at least {low}"
        raise SourceError(file, f"line {line}", f"{column} must be {limit}, not {value}")
    return value


def _unique(code: str, seen: dict[str, int], file: str, line: int) -> None:
    if code in seen:
        raise SourceError(file, f"line {line}", f"the code {code} appears again (first on line {seen[code]})")
    seen[code] = line


def read_ics_lookup(path: Path) -> tuple[dict[str, Ics], dict[str, str]]:
    columns = ["LAD_CD", "LAD_NM", "ICS_SHORT_NAME", "ICB_CD", "ICB_ODS_CD"]
    ics: dict[str, Ics] = {}
    borough_ics: dict[str, str] = {}
    seen: dict[str, int] = {}
    for line, row in _csv_rows(path, columns):
        _check_code(row["LAD_CD"], "borough", path.name, f"line {line}", "LAD_CD")
        _check_code(row["ICB_CD"], "icb", path.name, f"line {line}", "ICB_CD")
        _unique(row["LAD_CD"], seen, path.name, line)
        if not row["ICS_SHORT_NAME"]:
            raise SourceError(path.name, f"line {line}", "ICS_SHORT_NAME is empty")
        known = ics.setdefault(row["ICB_CD"], Ics(row["ICB_CD"], row["ICS_SHORT_NAME"], row["ICB_ODS_CD"]))
        if (known.name, known.ods_code) != (row["ICS_SHORT_NAME"], row["ICB_ODS_CD"]):
            raise SourceError(
                path.name,
                f"line {line}",
                f"{row['ICB_CD']} is named {row['ICS_SHORT_NAME']!r} ({row['ICB_ODS_CD']}) here but "
                f"{known.name!r} ({known.ods_code}) on an earlier line",
            )
        known.boroughs.append(row["LAD_CD"])
        borough_ics[row["LAD_CD"]] = row["ICB_CD"]
    if not borough_ics:
        raise SourceError(path.name, "", "has no rows")
    return ics, borough_ics


def read_population(path: Path, code_column: str, kind: str) -> tuple[dict[str, Population], dict[str, str]]:
    """Persons, males and females by broad age band; each row must add up (bands to all ages, sexes to all).

    Returns the populations and, for LSOA rows, each code's borough (LAD11CD).
    """
    bands = list(BAND_SUFFIXES.values())
    count_columns = [
        f"{who}_{band}" for who in ("Persons", "Males", "Females") for band in ["All-Ages", *bands]
    ]
    columns = [code_column, "LAD11CD", *count_columns]
    file = path.name
    result: dict[str, Population] = {}
    boroughs: dict[str, str] = {}
    seen: dict[str, int] = {}
    for line, row in _csv_rows(path, columns):
        code = row[code_column]
        _check_code(code, kind, file, f"line {line}", code_column)
        _unique(code, seen, file, line)
        counts = {column: _whole(row, column, file, line) for column in count_columns}
        for who in ("Persons", "Males", "Females"):
            if sum(counts[f"{who}_{band}"] for band in bands) != counts[f"{who}_All-Ages"]:
                raise SourceError(
                    file, f"line {line} ({code})", f"the {who} age bands do not add up to all ages"
                )
        for column in ["All-Ages", *bands]:
            if counts[f"Males_{column}"] + counts[f"Females_{column}"] != counts[f"Persons_{column}"]:
                raise SourceError(
                    file, f"line {line} ({code})", f"males and females do not add up to {column}"
                )
        result[code] = Population(
            total=counts["Persons_All-Ages"],
            bands={
                (str(sex), str(band)): counts[f"{prefix}_{suffix}"]
                for sex, prefix in SEX_PREFIXES.items()
                for band, suffix in BAND_SUFFIXES.items()
            },
        )
        boroughs[code] = row["LAD11CD"]
    if not result:
        raise SourceError(file, "", "has no rows")
    return result, boroughs


def imd_column(domain: str, measure: str) -> str:
    suffix = "(where 1 is most deprived)" if measure == "Rank" else "(where 1 is most deprived 10% of LSOAs)"
    return f"{IMD_DOMAINS[domain]} {measure} {suffix}"


def read_deprivation(path: Path) -> dict[str, Deprivation]:
    file = path.name
    columns = ["LSOA code (2011)"] + [imd_column(d, m) for d in IMD_DOMAINS for m in ("Rank", "Decile")]
    result: dict[str, Deprivation] = {}
    seen: dict[str, int] = {}
    for line, row in _csv_rows(path, columns):
        code = row["LSOA code (2011)"]
        _check_code(code, "lsoa", file, f"line {line}", "LSOA code (2011)")
        _unique(code, seen, file, line)
        domains = {
            domain: {
                "rank": _whole(row, imd_column(domain, "Rank"), file, line, low=1, high=IMD_LSOA_COUNT),
                "decile": _whole(row, imd_column(domain, "Decile"), file, line, low=1, high=10),
            }
            for domain in IMD_DOMAINS
        }
        overall = domains.pop("imd")
        result[code] = Deprivation(rank=overall["rank"], decile=overall["decile"], domains=domains)
    if not result:
        raise SourceError(file, "", "has no rows")
    return result


def _same_codes(first: tuple[str, set[str]], second: tuple[str, set[str]], what: str) -> None:
    (first_file, first_codes), (second_file, second_codes) = first, second
    only_first = sorted(first_codes - second_codes)
    only_second = sorted(second_codes - first_codes)
    if only_first or only_second:
        where = only_first[0] if only_first else only_second[0]
        detail = (
            (f"{len(only_first)} in {first_file} only (first {only_first[0]})" if only_first else "")
            + ("; " if only_first and only_second else "")
            + (f"{len(only_second)} in {second_file} only (first {only_second[0]})" if only_second else "")
        )
        raise SourceError(second_file, where, f"its {what} codes do not match {first_file}: {detail}")


def _links_known(features: dict[str, Feature], link: str, known: set[str], file: str, target: str) -> None:
    for number, feature in enumerate(features.values(), start=1):
        if feature.links[link] not in known:
            raise SourceError(
                file,
                f"feature {number} ({feature.code})",
                f"its {link} {feature.links[link]} is not in {target}",
            )


def check_agreement(sources: Sources, lsoa_boroughs: dict[str, str], borough_rows: set[str]) -> None:
    """The same boroughs, LSOAs and MSOAs everywhere; each area in a known parent; borough sums add up."""
    boroughs = set(sources.boroughs)
    _same_codes((BOROUGHS_FILE, boroughs), (ICS_FILE, set(sources.borough_ics)), "borough")
    _same_codes((BOROUGHS_FILE, boroughs), (POPULATION_BOROUGH_FILE, borough_rows), "borough")
    lsoa11 = set(sources.lsoa11)
    _same_codes((LSOA11_FILE, lsoa11), (POPULATION_LSOA11_FILE, set(lsoa_boroughs)), "LSOA 2011")
    _same_codes((LSOA11_FILE, lsoa11), (IMD_FILE, set(sources.deprivation)), "LSOA 2011")
    msoa_in_lsoa = {feature.links["msoa"] for feature in sources.lsoa21.values()}
    _same_codes((MSOA21_FILE, set(sources.msoa21)), (LSOA21_FILE, msoa_in_lsoa), "MSOA 2021")
    _links_known(sources.msoa21, "borough", boroughs, MSOA21_FILE, BOROUGHS_FILE)
    _links_known(sources.lsoa21, "borough", boroughs, LSOA21_FILE, BOROUGHS_FILE)
    _links_known(sources.lsoa11, "borough", boroughs, LSOA11_FILE, BOROUGHS_FILE)
    for number, feature in enumerate(sources.lsoa21.values(), start=1):
        msoa_borough = sources.msoa21[feature.links["msoa"]].links["borough"]
        if msoa_borough != feature.links["borough"]:
            raise SourceError(
                LSOA21_FILE,
                f"feature {number} ({feature.code})",
                f"its borough {feature.links['borough']} differs from its MSOA's ({msoa_borough})",
            )
    for code, borough in lsoa_boroughs.items():
        if sources.lsoa11[code].links["borough"] != borough:
            raise SourceError(
                POPULATION_LSOA11_FILE,
                code,
                f"its LAD11CD {borough} differs from {LSOA11_FILE} ({sources.lsoa11[code].links['borough']})",
            )
    totals: dict[str, dict[tuple[str, str], int]] = {code: {} for code in boroughs}
    for code, borough in lsoa_boroughs.items():
        for key, count in sources.population[code].bands.items():
            totals[borough][key] = totals[borough].get(key, 0) + count
    for code in sorted(boroughs):
        if totals[code] != sources.population[code].bands:
            raise SourceError(
                POPULATION_BOROUGH_FILE,
                code,
                f"its counts are not the sums of its LSOAs in {POPULATION_LSOA11_FILE}",
            )
