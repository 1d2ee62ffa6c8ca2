"""The `thrive scan` input files, read with messages that name the file, the line and the problem.

- cases: `location_id,count,date` (ISO dates inside the study period; whole, non-negative counts; a location
  and date may repeat and then add up);
- coordinates: `location_id,lat,lon` (degrees) or `location_id,x,y` (kilometres), one row per location;
- population (Poisson only): `location_id,population`, one row per location of the coordinates file, like
  SaTScan's population file without its year column: the population is constant over the study period.
Columns may come in any order; blank lines are skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from thrive.detection.scan.data import Cases, CoordinatesType, FloatArray, Locations

COORDINATE_COLUMNS: dict[CoordinatesType, tuple[str, str]] = {
    "latlong": ("lat", "lon"),
    "cartesian": ("x", "y"),
}


class InputFileError(ValueError):
    """A file `thrive scan` cannot use; the message is meant for the analyst."""


def read_coordinates(path: Path, coordinates_type: CoordinatesType) -> Locations:
    first, second = COORDINATE_COLUMNS[coordinates_type]
    ids: list[str] = []
    values: list[tuple[float, float]] = []
    seen: dict[str, int] = {}
    for line, row in _rows(path, ("location_id", first, second)):
        location_id = _location_id(path, line, row)
        if location_id in seen:
            raise InputFileError(
                f"{path} line {line}: location {location_id!r} is already on line {seen[location_id]}"
            )
        seen[location_id] = line
        a, b = _number(path, line, row, first), _number(path, line, row, second)
        if coordinates_type == "latlong":
            if not -90 <= a <= 90:
                raise InputFileError(f"{path} line {line}: latitude {a} is not between -90 and 90")
            if not -180 <= b <= 180:
                raise InputFileError(f"{path} line {line}: longitude {b} is not between -180 and 180")
        ids.append(location_id)
        values.append((a, b))
    if not ids:
        raise InputFileError(f"{path}: has no locations")
    return Locations(
        ids=tuple(ids), coordinates=np.array(values, dtype=np.float64), coordinates_type=coordinates_type
    )


def read_cases(
    path: Path, locations: Locations, coordinates_path: Path, start: dt.date, end: dt.date
) -> Cases:
    index = {location_id: position for position, location_id in enumerate(locations.ids)}
    where: list[int] = []
    dates: list[dt.date] = []
    counts: list[int] = []
    for line, row in _rows(path, ("location_id", "count", "date")):
        location_id = _location_id(path, line, row)
        if location_id not in index:
            raise InputFileError(f"{path} line {line}: location {location_id!r} is not in {coordinates_path}")
        raw_count = row["count"].strip()
        if not raw_count.isdigit():
            raise InputFileError(
                f"{path} line {line}: count {raw_count!r} is not a whole number of cases (0 or more)"
            )
        raw_date = row["date"].strip()
        try:
            date = dt.date.fromisoformat(raw_date)
        except ValueError:
            raise InputFileError(
                f"{path} line {line}: date {raw_date!r} is not a date like 2024-03-31"
            ) from None
        if not start <= date <= end:
            raise InputFileError(
                f"{path} line {line}: date {date} is outside the study period {start} to {end}"
            )
        where.append(index[location_id])
        dates.append(date)
        counts.append(int(raw_count))
    if sum(counts) == 0:
        raise InputFileError(f"{path}: has no cases")
    return Cases(
        location_index=np.array(where, dtype=np.int64),
        dates=np.array(dates, dtype="datetime64[D]"),
        counts=np.array(counts, dtype=np.int64),
    )


def read_population(path: Path, locations: Locations, coordinates_path: Path) -> FloatArray:
    index = {location_id: position for position, location_id in enumerate(locations.ids)}
    population = np.full(len(locations.ids), np.nan)
    seen: dict[str, int] = {}
    for line, row in _rows(path, ("location_id", "population")):
        location_id = _location_id(path, line, row)
        if location_id not in index:
            raise InputFileError(f"{path} line {line}: location {location_id!r} is not in {coordinates_path}")
        if location_id in seen:
            raise InputFileError(
                f"{path} line {line}: location {location_id!r} is already on line {seen[location_id]}"
            )
        seen[location_id] = line
        value = _number(path, line, row, "population")
        if value < 0:
            raise InputFileError(f"{path} line {line}: population {value} is negative")
        population[index[location_id]] = value
    missing = [locations.ids[i] for i in np.flatnonzero(np.isnan(population))]
    if missing:
        shown = ", ".join(repr(location_id) for location_id in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise InputFileError(f"{path}: no population for location(s) {shown}{more} of {coordinates_path}")
    return population


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each non-blank data line, after checking the header names exactly `columns`."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = [name.strip() for name in next(reader, [])]
            if sorted(header) != sorted(columns):
                raise InputFileError(
                    f"{path} line 1: the header must name the columns {','.join(columns)}"
                    f" (found {','.join(header) or 'nothing'})"
                )
            for cells in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) != len(header):
                    raise InputFileError(
                        f"{path} line {line}: expected {len(header)} values, found {len(cells)}"
                    )
                yield line, dict(zip(header, cells, strict=True))
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputFileError(f"{path}: is a directory, not a CSV file") from None
    except UnicodeDecodeError:
        raise InputFileError(f"{path}: is not a UTF-8 text file") from None
    except csv.Error as error:
        raise InputFileError(f"{path}: is not a readable CSV file ({error})") from None


def _location_id(path: Path, line: int, row: dict[str, str]) -> str:
    location_id = row["location_id"].strip()
    if not location_id:
        raise InputFileError(f"{path} line {line}: the location_id is empty")
    return location_id


def _number(path: Path, line: int, row: dict[str, str], column: str) -> float:
    raw = row[column].strip()
    try:
        value = float(raw)
    except ValueError:
        raise InputFileError(f"{path} line {line}: {column} {raw!r} is not a number") from None
    if not math.isfinite(value):
        raise InputFileError(f"{path} line {line}: {column} {raw!r} is not a finite number")
    return value
