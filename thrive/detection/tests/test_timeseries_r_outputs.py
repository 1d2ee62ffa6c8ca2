"""Thrive's detectors against the committed outputs of R surveillance 1.20.3 (r_scripts/make_fixtures.R).

Every case: same alarms (NA included) and upper bounds / expected values within 1e-6 relative. No R is
needed here; test_timeseries_rcompare.py runs R live.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy as np
import pytest

from thrive.detection.timeseries import (
    FARRINGTON_1996,
    NOUFAILY_2012,
    DetectorResult,
    EarsMethod,
    FlexibleSettings,
    ears,
    farrington_flexible,
)
from thrive.detection.timeseries.csvinput import read_counts

R_OUTPUTS = Path(__file__).parent / "r_outputs"
RELATIVE_TOLERANCE = 1e-6

# R option names (as in cases.csv) to FlexibleSettings fields.
_FLEXIBLE_OPTIONS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "alpha": ("alpha", float),
    "b": ("b", int),
    "w": ("w", int),
    "no-periods": ("no_periods", int),
    "weights-threshold": ("weights_threshold", float),
    "past-weeks-not-included": ("past_weeks_not_included", int),
    "p-threshold-trend": ("p_threshold_trend", float),
    "threshold-method": ("threshold_method", str),
    "reweight": ("reweight", lambda text: text == "TRUE"),
    "trend": ("trend", lambda text: text == "TRUE"),
}
_EARS_OPTIONS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "alpha": ("alpha", float),
    "baseline": ("baseline", int),
    "min-sigma": ("min_sigma", float),
}


def _cases() -> list[dict[str, str]]:
    with (R_OUTPUTS / "cases.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def run_case(case: dict[str, str]) -> tuple[list[str], DetectorResult]:
    table = read_counts(R_OUTPUTS / f"counts_{case['dataset']}.csv.gz")
    evaluate = (int(case["evaluate_from"]), int(case["evaluate_to"]))
    counts = table.matrix(evaluate[1], source=case["dataset"])
    options = dict(item.split("=", 1) for item in case["options"].split(";") if item)
    method = case["method"]
    if method.startswith("ears-"):
        kwargs = {_EARS_OPTIONS[k][0]: _EARS_OPTIONS[k][1](v) for k, v in options.items()}
        ears_method = cast(EarsMethod, method[5:].upper())
        return table.series_ids, ears(counts, method=ears_method, evaluate=evaluate, **kwargs)
    preset = FARRINGTON_1996 if method == "farrington" else NOUFAILY_2012
    changes = {_FLEXIBLE_OPTIONS[k][0]: _FLEXIBLE_OPTIONS[k][1](v) for k, v in options.items()}
    settings: FlexibleSettings = dataclasses.replace(preset, **changes)
    return table.series_ids, farrington_flexible(counts, evaluate=evaluate, settings=settings)


def read_r_result(case: str) -> dict[str, np.ndarray]:
    with gzip.open(R_OUTPUTS / f"result_{case}.csv.gz", "rt", newline="") as handle:
        rows = list(csv.DictReader(handle))

    def numbers(column: str) -> np.ndarray:
        return np.array([float(r[column]) if r[column] else np.nan for r in rows])

    return {
        "series_id": np.array([r["series_id"] for r in rows]),
        "week_index": np.array([int(r["week_index"]) for r in rows]),
        "upperbound": numbers("upperbound"),
        "expected": numbers("expected"),
        "alarm": np.array([{"TRUE": 1.0, "FALSE": 0.0, "": np.nan}[r["alarm"]] for r in rows]),
    }


def assert_same_numbers(name: str, ours: np.ndarray, theirs: np.ndarray) -> None:
    same_na = np.isnan(ours) == np.isnan(theirs)
    both = ~np.isnan(ours) & ~np.isnan(theirs)
    close = np.zeros_like(same_na)
    close[both] = np.abs(ours[both] - theirs[both]) <= RELATIVE_TOLERANCE * np.maximum(
        np.abs(theirs[both]), 1e-9
    )
    bad = np.flatnonzero(~same_na | (both & ~close))
    assert bad.size == 0, (
        f"{name}: {bad.size} differ, first at rows {bad[:5]}: ours {ours[bad[:5]]}, R {theirs[bad[:5]]}"
    )


@pytest.mark.parametrize("case", _cases(), ids=lambda case: case["case"])
def test_equals_r(case: dict[str, str]) -> None:
    series_ids, result = run_case(case)
    r = read_r_result(case["case"])
    rows = list(result.rows(series_ids))
    assert [row["series_id"] for row in rows] == list(r["series_id"])
    assert [row["week_index"] for row in rows] == list(r["week_index"])
    alarm = np.where(result.alarm_na, np.nan, result.alarm.astype(float)).ravel()
    assert_same_numbers("alarm", alarm, r["alarm"])
    assert_same_numbers("upperbound", result.upperbound.ravel(), r["upperbound"])
    if not case["method"].startswith("ears-"):  # R's earsC reports no expected value
        assert_same_numbers("expected", result.expected.ravel(), r["expected"])
