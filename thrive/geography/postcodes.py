"""Postcodes: normalising and checking what people type, and loading the ONS Postcode Directory (ONSPD).

No postcode data ships with Thrive; an operator loads an ONSPD CSV with `thrive load-postcodes FILE`. The
file needs `pcds`, `lat` and `long`; `doterm` (terminated postcodes are not loaded), `oslaua`, `lsoa11` and
`lsoa21` are used when present, and areas the file does not give are found from the point. Rows whose local
authority is outside the region are kept, marked as outside, so a lookup can say so rather than "unknown".
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import transaction

from thrive.core import audit
from thrive.geography import lookup
from thrive.geography.loader import REGION_NAME
from thrive.geography.models import Area, AreaLevel, Postcode

if TYPE_CHECKING:
    from thrive.accounts.models import User

REQUIRED_COLUMNS = ("pcds", "lat", "long")
OPTIONAL_COLUMNS = ("doterm", "oslaua", "lsoa11", "lsoa21")
CHUNK = 5000
# Outward code, then inward code (a digit and two letters, never C, I, K, M, O or V); or GIR 0AA.
POSTCODE_PATTERN = re.compile(
    r"^(?:[A-PR-UWYZ](?:\d[A-HJKPSTUW\d]?|[A-HK-Y]\d[ABEHMNPRVWXY\d]?) \d[ABD-HJLNP-UW-Z]{2}|GIR 0AA)$"
)
NO_LOCATION_LAT = 99.999999  # ONSPD's latitude for a postcode without a grid reference


def normalise_postcode(text: str) -> str:
    """Upper case with one space before the inward code: " e16an " becomes "E1 6AN"."""
    compact = re.sub(r"\s+", "", text or "").upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def is_valid_postcode(postcode: str) -> bool:
    """Whether a normalised postcode has the shape of a UK postcode (not whether it exists)."""
    return bool(POSTCODE_PATTERN.match(postcode))


class PostcodeProblem(StrEnum):
    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    TERMINATED = "terminated"
    OUTSIDE_REGION = "outside_region"


def problem_message(problem: PostcodeProblem, postcode: str) -> str:
    """The problem in words a member of the public understands."""
    return {
        PostcodeProblem.MALFORMED: "Enter a full UK postcode, like SW1A 1AA.",
        PostcodeProblem.UNKNOWN: f"We do not know the postcode {postcode}. Check it and try again.",
        PostcodeProblem.TERMINATED: f"The postcode {postcode} is no longer in use.",
        PostcodeProblem.OUTSIDE_REGION: f"The postcode {postcode} is outside {REGION_NAME}.",
    }[problem]


AREA_DETAIL = ("boundary", "imd_domains")
DEFERRED = [f"{level}__{name}" for level in ("lsoa11", "lsoa21", "msoa21", "borough") for name in AREA_DETAIL]


def find_postcode(text: str) -> tuple[str, Postcode | None, PostcodeProblem | None]:
    """The normalised postcode, its row if the table has it, and what is wrong, if anything.

    For a place, use `thrive.geography.place.lookup_postcode`.
    """
    postcode = normalise_postcode(text)
    if not is_valid_postcode(postcode):
        return postcode, None, PostcodeProblem.MALFORMED
    row = (
        Postcode.objects.select_related("lsoa11", "lsoa21", "msoa21", "borough__ics")
        .defer(*DEFERRED, *(f"borough__ics__{name}" for name in AREA_DETAIL))
        .filter(postcode=postcode)
        .first()
    )
    if row is None:
        return postcode, None, PostcodeProblem.UNKNOWN
    if row.terminated_on is not None:
        return postcode, row, PostcodeProblem.TERMINATED
    if not row.in_region:
        return postcode, row, PostcodeProblem.OUTSIDE_REGION
    return postcode, row, None


class PostcodeFileError(Exception):
    def __init__(self, file: str, where: str, problem: str) -> None:
        self.file, self.where, self.problem = file, where, problem
        super().__init__(f"{file}, {where}: {problem}" if where else f"{file}: {problem}")


@dataclass
class PostcodeLoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    outside_region: int = 0
    derived: int = 0  # rows with at least one area found from the point
    skipped_terminated: int = 0
    marked_terminated: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.marked_terminated)

    def summary(self) -> str:
        return (
            f"postcodes: {self.created:,} created, {self.updated:,} updated, {self.unchanged:,} unchanged "
            f"({self.outside_region:,} outside the region, {self.derived:,} with areas from the point); "
            f"terminated: {self.skipped_terminated:,} not loaded, {self.marked_terminated:,} marked"
        )


@dataclass
class _Row:
    line: int
    postcode: str
    lat: float | None
    lon: float | None
    terminated_on: dt.date | None
    codes: dict[str, str]  # column -> code, for the optional area columns present and filled


def _rows(path: Path) -> Iterator[_Row]:
    file = path.name
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise PostcodeFileError(file, "", f"is missing from {path.parent}") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = [column.strip().lower() for column in next(reader, [])]
        except (UnicodeDecodeError, csv.Error) as exc:
            raise PostcodeFileError(file, "line 1", f"cannot be read as CSV text ({exc})") from None
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            raise PostcodeFileError(file, "line 1", f"missing column {', '.join(missing)}")
        at = {
            column: header.index(column)
            for column in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
            if column in header
        }
        try:
            for cells in reader:
                if not any(cell.strip() for cell in cells):
                    continue
                yield _parse(cells, at, len(header), file, reader.line_num)
        except (UnicodeDecodeError, csv.Error) as exc:
            raise PostcodeFileError(file, f"line {reader.line_num + 1}", f"cannot be read ({exc})") from None


def _parse(cells: list[str], at: dict[str, int], width: int, file: str, line: int) -> _Row:
    where = f"line {line}"
    if len(cells) != width:
        raise PostcodeFileError(file, where, f"has {len(cells)} fields, not {width}")
    value = {column: cells[index].strip() for column, index in at.items()}
    postcode = normalise_postcode(value["pcds"])
    if not is_valid_postcode(postcode):
        raise PostcodeFileError(file, where, f"pcds {value['pcds']!r} is not a UK postcode")
    lat, lon = _coordinate(value, "lat", 90, file, where), _coordinate(value, "long", 180, file, where)
    if lat is None or lon is None:
        lat = lon = None
    return _Row(
        line=line,
        postcode=postcode,
        lat=lat,
        lon=lon,
        terminated_on=_month(value.get("doterm", ""), file, where),
        codes={column: value[column].upper() for column in OPTIONAL_COLUMNS[1:] if value.get(column)},
    )


def _coordinate(value: dict[str, str], column: str, limit: float, file: str, where: str) -> float | None:
    if not value[column]:
        return None
    try:
        number = float(value[column])
    except ValueError:
        raise PostcodeFileError(file, where, f"{column} is not a number: {value[column]!r}") from None
    if column == "lat" and abs(number - NO_LOCATION_LAT) < 1e-9:
        return None
    if not np.isfinite(number) or abs(number) > limit:
        raise PostcodeFileError(file, where, f"{column} {value[column]!r} is out of range")
    return number


def _month(raw: str, file: str, where: str) -> dt.date | None:
    """ONSPD dates are year and month, YYYYMM."""
    if not raw:
        return None
    match = re.fullmatch(r"(\d{4})-?(\d{2})", raw)
    if not match or not 1 <= int(match[2]) <= 12:
        raise PostcodeFileError(file, where, f"doterm {raw!r} is not a year and month (YYYYMM)")
    return dt.date(int(match[1]), int(match[2]), 1)


class _Areas:
    """Area ids by code for the levels a postcode row names, and each LSOA 2021's MSOA."""

    def __init__(self) -> None:
        rows = Area.objects.filter(
            level__in=[AreaLevel.BOROUGH, AreaLevel.LSOA11, AreaLevel.LSOA21]
        ).values_list("level", "code", "pk", "parent_id")
        self.ids: dict[str, dict[str, int]] = {"oslaua": {}, "lsoa11": {}, "lsoa21": {}}
        self.msoa_of: dict[int, int | None] = {}
        column = {AreaLevel.BOROUGH: "oslaua", AreaLevel.LSOA11: "lsoa11", AreaLevel.LSOA21: "lsoa21"}
        for level, code, pk, parent_id in rows:
            self.ids[column[AreaLevel(level)]][code] = pk
            if level == AreaLevel.LSOA21:
                self.msoa_of[pk] = parent_id
        if not self.ids["oslaua"]:
            raise lookup.GeographyNotLoaded


def _resolve(rows: list[_Row], areas: _Areas, result: PostcodeLoadResult) -> list[dict[str, Any]]:
    """Each live row's field values, its areas taken from the file where known, else from the point."""
    values: list[dict[str, Any]] = []
    need_point: list[int] = []
    for row in rows:
        borough_code = row.codes.get("oslaua")
        outside = borough_code is not None and borough_code not in areas.ids["oslaua"]
        found = {
            column: None if outside else areas.ids[column].get(row.codes.get(column, ""))
            for column in ("oslaua", "lsoa11", "lsoa21")
        }
        values.append({"row": row, "outside": outside, **found})
        if not outside and row.lat is not None and None in found.values():
            need_point.append(len(values) - 1)
    if need_point:
        located = lookup.locate_many(
            [values[i]["row"].lat for i in need_point], [values[i]["row"].lon for i in need_point]
        )
        from_point = {"oslaua": located.borough, "lsoa11": located.lsoa11, "lsoa21": located.lsoa21}
        for position, i in enumerate(need_point):
            item = values[i]
            if "oslaua" not in item["row"].codes and located.borough[position] == lookup.NONE:
                item["outside"] = True
                continue
            filled = False
            for column, area_ids in from_point.items():
                if item[column] is None and area_ids[position] != lookup.NONE:
                    item[column] = int(area_ids[position])
                    filled = True
            result.derived += filled
    return [
        {
            "postcode": item["row"].postcode,
            "lat": item["row"].lat,
            "lon": item["row"].lon,
            "lsoa11_id": item["lsoa11"],
            "lsoa21_id": item["lsoa21"],
            "msoa21_id": areas.msoa_of.get(item["lsoa21"]) if item["lsoa21"] else None,
            "borough_id": item["oslaua"],
            "in_region": not item["outside"],
            "terminated_on": None,
        }
        for item in values
    ]


def _save_chunk(rows: list[_Row], areas: _Areas, result: PostcodeLoadResult, file: str) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        if row.postcode in seen:
            raise PostcodeFileError(
                file, f"line {row.line}", f"{row.postcode} appears again (first on line {seen[row.postcode]})"
            )
        seen[row.postcode] = row.line
    existing = {p.postcode: p for p in Postcode.objects.filter(postcode__in=list(seen))}
    terminated = [row for row in rows if row.terminated_on is not None]
    result.skipped_terminated += len(terminated)
    to_mark = []
    for row in terminated:
        known = existing.get(row.postcode)
        if known is not None and known.terminated_on != row.terminated_on:
            known.terminated_on = row.terminated_on
            to_mark.append(known)
    result.marked_terminated += len(to_mark)
    to_create, to_update = [], []
    for values in _resolve([row for row in rows if row.terminated_on is None], areas, result):
        result.outside_region += not values["in_region"]
        known = existing.get(values["postcode"])
        if known is None:
            to_create.append(Postcode(**values))
        elif any(getattr(known, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(known, name, value)
            to_update.append(known)
        else:
            result.unchanged += 1
    Postcode.objects.bulk_create(to_create, batch_size=1000)
    fields = ["lat", "lon", "lsoa11", "lsoa21", "msoa21", "borough", "in_region", "terminated_on"]
    Postcode.objects.bulk_update(to_update + to_mark, fields, batch_size=1000)
    result.created += len(to_create)
    result.updated += len(to_update)


def load_postcodes(
    *, path: Path, user: User | None = None, progress: Callable[[str], None] | None = None
) -> PostcodeLoadResult:
    """Load an ONSPD-layout CSV in one transaction: a bad row names its line and nothing is kept."""
    say = progress or (lambda message: None)
    result = PostcodeLoadResult()
    with transaction.atomic():
        areas = _Areas()
        chunk: list[_Row] = []
        for row in _rows(path):
            chunk.append(row)
            if len(chunk) == CHUNK:
                _save_chunk(chunk, areas, result, path.name)
                chunk = []
                say(f"{row.line - 1:,} rows read")
        _save_chunk(chunk, areas, result, path.name)
        if result.changed:
            audit.record(
                action=audit.Action.UPDATE,
                object_type="geography.postcode",
                user=user,
                summary=f"Loaded postcodes from {path.name}: {result.summary()}",
            )
    return result
