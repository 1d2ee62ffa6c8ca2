"""A tiny synthetic reference data directory for tests: three rectangular boroughs, in the real files' layout.

Tower Hamlets (E09000030) and Hackney (E09000012) in North East London and Barnet (E09000003) in North Central
London, each one MSOA made of LSOAs. Tower Hamlets' eastern 2011 LSOA was split in two in 2021, and a thin
"river" separates Tower Hamlets from Hackney. The codes and counts are synthetic; only the borough and ICS
codes are real, so tests elsewhere can use them.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thrive.geography import sources

BAND_NAMES = ("0-15", "16-29", "30-44", "45-64", "65+")


@dataclass(frozen=True)
class Box:
    west: float
    south: float
    east: float
    north: float

    def polygon(self) -> dict[str, Any]:
        ring = [
            [self.west, self.south],
            [self.east, self.south],
            [self.east, self.north],
            [self.west, self.north],
            [self.west, self.south],
        ]
        return {"type": "Polygon", "coordinates": [ring]}

    def halves(self) -> tuple[Box, Box]:
        middle = round((self.west + self.east) / 2, 5)
        return Box(self.west, self.south, middle, self.north), Box(middle, self.south, self.east, self.north)

    def stacked(self) -> tuple[Box, Box]:
        middle = round((self.south + self.north) / 2, 5)
        return Box(self.west, self.south, self.east, middle), Box(self.west, middle, self.east, self.north)


# (code, name, ICS code, ICS name, ODS, MSOA code, box, LSOA 2011 codes (west, east), LSOA 2021 codes)
BOROUGHS = (
    ("E09000030", "Tower Hamlets", "E54000029", "North East London", "QMF", "E02900001",
     Box(-0.06, 51.49, 0.0, 51.529), ("E01900001", "E01900002"), ("E01900001", "E01900011", "E01900012")),
    ("E09000012", "Hackney", "E54000029", "North East London", "QMF", "E02900002",
     Box(-0.06, 51.531, 0.0, 51.57), ("E01900003", "E01900004"), ("E01900003", "E01900004")),
    ("E09000003", "Barnet", "E54000028", "North Central London", "QMJ", "E02900003",
     Box(-0.26, 51.58, -0.14, 51.66), ("E01900005", "E01900006"), ("E01900005", "E01900006")),
)  # fmt: skip
COUNTS = {"region": 1, "ics": 2, "borough": 3, "msoa21": 3, "lsoa11": 6, "lsoa21": 7}
CANARY_WHARF = (51.5054, -0.0235)  # in Tower Hamlets' eastern half, 2021 LSOA E01900011 (south)
IN_THE_RIVER = (51.5299, -0.045)  # in the gap between Tower Hamlets and Hackney, nearer Tower Hamlets
OUTSIDE = (51.40, 0.30)  # Kent, well away from every box
MALE = (100, 80, 90, 70, 40)
FEMALE = (95, 85, 88, 75, 50)


def lsoa_population(index: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Male and female counts by band for the `index`th LSOA (2011): simple and all different."""
    return tuple(n + index for n in MALE), tuple(n + 2 * index for n in FEMALE)


def total_population() -> int:
    return sum(sum(m) + sum(f) for m, f in (lsoa_population(i) for i in range(6)))


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _feature(properties: dict[str, str], box: Box) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": box.polygon()}


def write_fixture(directory: Path) -> Path:
    """Write the eight reference files into `directory` (created if need be) and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    boroughs, msoas, lsoa21, lsoa11 = [], [], [], []
    ics_rows, population_rows, borough_rows, imd_rows = [], [], [], []
    index = 0
    for code, name, ics, ics_name, ods, msoa, box, codes11, codes21 in BOROUGHS:
        lad = {"LAD22CD": code, "LAD22NM": name}
        boroughs.append(_feature(lad, box))
        msoas.append(_feature({"MSOA21CD": msoa, "MSOA21NM": f"{name} 001", **lad}, box))
        west, east = box.halves()
        boxes21 = [west, *east.stacked()] if len(codes21) == 3 else [west, east]
        for number, (lsoa, part) in enumerate(zip(codes21, boxes21, strict=True)):
            properties = {"LSOA21CD": lsoa, "LSOA21NM": f"{name} 001{'ABCD'[number]}", "MSOA21CD": msoa}
            lsoa21.append(_feature({**properties, "MSOA21NM": f"{name} 001", **lad}, part))
        ics_rows.append([code, name, ics_name, ics, ods, "example", "example CCG", len(codes11)])
        sums = [0] * 18
        for number, (lsoa, part) in enumerate(zip(codes11, (west, east), strict=True)):
            properties = {"LSOA11CD": lsoa, "LSOA11NM": f"{name} 001{'AB'[number]}", "MSOA11CD": msoa}
            lsoa11.append(
                _feature({**properties, "MSOA11NM": f"{name} 001", "LAD11CD": code, "LAD11NM": name}, part)
            )
            male, female = lsoa_population(index)
            counts = [
                *(sum(male) + sum(female), *(m + f for m, f in zip(male, female, strict=True))),
                *(sum(male), *male),
                *(sum(female), *female),
            ]
            sums = [a + b for a, b in zip(sums, counts, strict=True)]
            population_rows.append(
                [lsoa, f"{name} 001{'AB'[number]}", msoa, f"{name} 001", code, name, *counts]
            )
            decile = 1 + (index * 3) % 10
            imd_rows.append([lsoa, f"{name} 001{'AB'[number]}", code, name, *([1000 * decile, decile] * 8)])
            index += 1
        borough_rows.append([code, name, len(codes11), *sums])
    for file, features in (
        (sources.BOROUGHS_FILE, boroughs),
        (sources.MSOA21_FILE, msoas),
        (sources.LSOA21_FILE, lsoa21),
        (sources.LSOA11_FILE, lsoa11),
    ):
        (directory / file).write_text(json.dumps(_collection(features)), encoding="utf-8")
    counts_header = [
        f"{who}_{band}" for who in ("Persons", "Males", "Females") for band in ("All-Ages", *BAND_NAMES)
    ]
    imd_header = [sources.imd_column(d, m) for d in sources.IMD_DOMAINS for m in ("Rank", "Decile")]
    names = ["LSOA11CD", "LSOA11NM", "MSOA11CD", "MSOA11NM", "LAD11CD", "LAD11NM"]
    tables = (
        (sources.ICS_FILE, ["LAD_CD", "LAD_NM", "ICS_SHORT_NAME", "ICB_CD", "ICB_ODS_CD", "STP20NM",
                            "CCG20_CODES_NAMES", "N_LSOA11"], ics_rows),
        (sources.POPULATION_LSOA11_FILE, [*names, *counts_header], population_rows),
        (sources.POPULATION_BOROUGH_FILE, ["LAD11CD", "LAD11NM", "n_lsoa11", *counts_header], borough_rows),
        (sources.IMD_FILE, ["LSOA code (2011)", "LSOA name (2011)", "Local Authority District code (2019)",
                            "Local Authority District name (2019)", *imd_header], imd_rows),
    )  # fmt: skip
    for file, header, rows in tables:
        with (directory / file).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    return directory
