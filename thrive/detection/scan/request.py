"""Turns `thrive scan` options (strings, as typed) into a scan, with plain messages for every mistake."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from thrive.detection.scan.data import COORDINATES_TYPES, MODELS, ScanError, ScanResult, ScanSettings
from thrive.detection.scan.engine import run_scan
from thrive.detection.scan.files import InputFileError, read_cases, read_coordinates, read_population


class RequestError(ValueError):
    """A mistake in the options or the files; the message is meant for the analyst."""


def run_request(options: Mapping[str, Any]) -> ScanResult:
    model = _choice(options, "model", MODELS)
    coordinates_type = _choice(options, "coordinates_type", COORDINATES_TYPES)
    max_temporal_days = _optional_int(options, "max_temporal_days", minimum=1)
    time_aggregation_days = _optional_int(options, "time_aggregation_days", minimum=1)
    if model == "space-time-permutation" and max_temporal_days is None:
        raise RequestError("--max-temporal-days is needed by the space-time permutation model")
    if max_temporal_days is None and options.get("prospective"):
        raise RequestError(
            "--prospective needs --max-temporal-days: without it the Poisson scan is purely spatial, "
            "which is retrospective"
        )
    if max_temporal_days is None and time_aggregation_days is not None:
        raise RequestError(
            "--time-aggregation-days only applies with --max-temporal-days (a space-time scan)"
        )
    if model == "space-time-permutation" and options.get("population"):
        raise RequestError("--population is only used by the poisson model")
    if model == "poisson" and not options.get("population"):
        raise RequestError("--population POP.csv is needed by the poisson model")
    radius = _optional_float(options, "max_radius_km")
    fraction = _optional_float(options, "max_spatial_fraction")
    replications = _optional_int(options, "replications", minimum=0)
    seed = _optional_int(options, "seed", minimum=0)
    settings = ScanSettings(
        model=model,
        start=_date(options, "start"),
        end=_date(options, "end"),
        max_temporal_days=max_temporal_days,
        time_aggregation_days=time_aggregation_days or 1,
        max_radius_km=radius,
        max_spatial_fraction=0.5 if fraction is None else fraction,
        prospective=bool(options.get("prospective")),
        replications=999 if replications is None else replications,
        seed=12345678 if seed is None else seed,
    )
    if settings.end < settings.start:
        raise RequestError(f"--end {settings.end} is before --start {settings.start}")
    try:
        coordinates_path = _path(options, "coordinates")
        locations = read_coordinates(coordinates_path, coordinates_type)
        cases = read_cases(_path(options, "cases"), locations, coordinates_path, settings.start, settings.end)
        population = (
            read_population(_path(options, "population"), locations, coordinates_path)
            if model == "poisson"
            else None
        )
        return run_scan(locations, cases, settings, population=population)
    except (InputFileError, ScanError) as error:
        raise RequestError(str(error)) from None


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _required(options: Mapping[str, Any], name: str) -> str:
    value = options.get(name)
    if value is None or not str(value).strip():
        raise RequestError(f"{_flag(name)} is required")
    return str(value).strip()


def _choice(options: Mapping[str, Any], name: str, choices: tuple[str, ...]) -> Any:
    value = _required(options, name)
    if value not in choices:
        raise RequestError(f"{_flag(name)} must be {' or '.join(choices)}, not {value!r}")
    return value


def _path(options: Mapping[str, Any], name: str) -> Path:
    return Path(_required(options, name))


def _date(options: Mapping[str, Any], name: str) -> dt.date:
    value = _required(options, name)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RequestError(f"{_flag(name)} {value!r} is not a date like 2024-03-31") from None


def _optional_int(options: Mapping[str, Any], name: str, *, minimum: int) -> int | None:
    value = options.get(name)
    if value is None:
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise RequestError(f"{_flag(name)} {value!r} is not a whole number") from None
    if number < minimum:
        raise RequestError(f"{_flag(name)} must be at least {minimum}, not {number}")
    return number


def _optional_float(options: Mapping[str, Any], name: str) -> float | None:
    value = options.get(name)
    if value is None:
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        raise RequestError(f"{_flag(name)} {value!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise RequestError(f"{_flag(name)} {value!r} is not a finite number")
    return number
