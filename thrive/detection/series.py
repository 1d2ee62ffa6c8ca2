"""EARS C1-C3 and Farrington flexible (Noufaily) on weekly counts by borough, ICS, method group and substance.

Weeks end on the analysis date (week 0 is the 7 days up to it, week 1 the 7 before...), as the scans'
intervals do, so each nightly run evaluates the latest 7 days against the same kind of weeks before. Every
series is evaluated at once (the engines vectorise over series). An alarm needs any detector to alarm (NA is
not an alarm) and at least `series_min_cases` deaths in the week. Borough and ICS alarms are "unusual count"
signals; method group and substance alarms are the "increasing means" signal of the emerging-means alert for
that term.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np

from thrive.detection.casedata import CaseData, Geography
from thrive.detection.means import term_key, term_label
from thrive.detection.parameters import Parameters
from thrive.detection.signals import DetectorOutcome, Signal
from thrive.detection.timeseries import NOUFAILY_2012, DetectorResult, ears, farrington_flexible
from thrive.surveillance import codes

IGNORED_METHODS = frozenset({"", codes.MethodGroup.NOT_KNOWN, codes.MethodGroup.OTHER})


@dataclass(frozen=True)
class Series:
    series_id: str  # "borough:E09000012", "ics:E54000029", "method:poisoning", "substance:zelpromine"
    label: str
    rows: np.ndarray  # indexes into CaseData of the cases counted
    borough_ids: tuple[int, ...]


def weeks_ago(data: CaseData) -> np.ndarray:
    return (data.day_of(data.analysis_date) - data.days) // 7


def build_series(data: CaseData, geography: Geography) -> list[Series]:
    """Every borough and ICS of the region, every known method group, and every substance in the data."""
    found: list[Series] = []
    by_ics: dict[int, list[int]] = {}
    for borough_id, (code, name, ics_id) in geography.boroughs.items():
        rows = np.flatnonzero(data.borough == borough_id)
        found.append(Series(f"borough:{code}", name, rows, (borough_id,)))
        if ics_id is not None:
            by_ics.setdefault(ics_id, []).append(borough_id)
    for ics_id, (code, name) in geography.icss.items():
        members = by_ics.get(ics_id, [])
        rows = np.flatnonzero(np.isin(data.borough, members))
        found.append(Series(f"ics:{code}", name, rows, tuple(members)))
    methods = sorted(set(data.method) - IGNORED_METHODS)
    method_column = np.array(data.method, dtype=object)
    for method in methods:
        rows = np.flatnonzero(method_column == method)
        found.append(Series(term_key("method", method), term_label("method", method), rows, ()))
    by_substance: dict[str, list[int]] = {}
    for index, names in enumerate(data.substances):
        for name in names:
            by_substance.setdefault(name, []).append(index)
    for name in sorted(by_substance):
        rows = np.array(by_substance[name], dtype=np.int64)
        found.append(Series(term_key("substance", name), term_label("substance", name), rows, ()))
    return found


def count_matrix(data: CaseData, series: list[Series], weeks: int) -> np.ndarray:
    """(series, weeks) counts, oldest week first, the latest week (ending on the analysis date) last."""
    ago = weeks_ago(data)
    matrix = np.zeros((len(series), weeks), dtype=np.float64)
    for s, one in enumerate(series):
        recent = ago[one.rows]
        recent = recent[recent < weeks]
        np.add.at(matrix[s], weeks - 1 - recent, 1.0)
    return matrix


def ears_history_weeks(params: Parameters) -> int:
    """Weeks EARS C3 needs: its baseline, the 2-week guard and the two earlier C2 values, and the week."""
    return params.ears_baseline + 5


def run_detectors(counts: np.ndarray, params: Parameters, *, covered_weeks: int) -> dict[str, DetectorResult]:
    """Each detector on the latest week of every series, when the data cover the weeks it needs (before the
    first case the counts would be zeros that were never recorded, not zeros that happened)."""
    weeks = counts.shape[1]
    latest = (weeks, weeks)
    if covered_weeks < ears_history_weeks(params):
        return {}
    results = {
        f"ears-{method.lower()}": ears(
            counts,
            method=method,
            evaluate=latest,
            baseline=params.ears_baseline,
            alpha=params.ears_alpha,
            min_sigma=params.ears_min_sigma,
        )
        for method in ("C1", "C2", "C3")
    }
    if covered_weeks >= params.series_history_weeks:
        settings = dataclasses.replace(NOUFAILY_2012, alpha=params.farrington_alpha)
        results["noufaily"] = farrington_flexible(counts, evaluate=latest, settings=settings)
    return results


def series_parameters(params: Parameters) -> dict[str, object]:
    return {
        "weeks_end_on_analysis_date": True,
        "history_weeks": params.series_history_weeks,
        "ears": {
            "baseline": params.ears_baseline,
            "alpha": params.ears_alpha,
            "min_sigma": params.ears_min_sigma,
        },
        "noufaily": {
            **dataclasses.asdict(dataclasses.replace(NOUFAILY_2012, alpha=params.farrington_alpha)),
        },
        "min_cases": params.series_min_cases,
    }


def time_series(data: CaseData, geography: Geography, params: Parameters) -> DetectorOutcome:
    outcome = DetectorOutcome()
    weeks = params.series_history_weeks
    covered = int(weeks_ago(data).max()) + 1 if data.size else 0
    if covered < ears_history_weeks(params):
        outcome.notes.append(
            f"The cases cover {covered} weeks, too few for EARS: the time series were skipped."
        )
        return outcome
    if covered < weeks:
        outcome.notes.append(
            f"The cases cover {covered} weeks; Farrington (Noufaily) needs {weeks}: EARS only."
        )
    series = build_series(data, geography)
    if not series:
        return outcome
    counts = count_matrix(data, series, weeks)
    results = run_detectors(counts, params, covered_weeks=covered)
    outcome.extra["series"] = len(series)
    week_start = data.analysis_date - dt.timedelta(days=6)
    week = f"week to {data.analysis_date:%-d %b %Y}"
    in_week = weeks_ago(data) == 0
    for s, one in enumerate(series):
        observed = int(counts[s, -1])
        alarmed = [name for name, result in results.items() if bool(result.alarm[s, 0])]
        if not alarmed or observed < params.series_min_cases:
            continue
        rows = one.rows[in_week[one.rows]]
        case_ids = tuple(int(data.case_ids[i]) for i in rows.tolist())
        boroughs = one.borough_ids or tuple(sorted({int(data.borough[i]) for i in rows.tolist()} - {-1}))
        per_detector = {
            name: {
                "upperbound": _number(result.upperbound[s, 0]),
                "expected": _number(result.expected[s, 0]),
                "alarm": None if bool(result.alarm_na[s, 0]) else bool(result.alarm[s, 0]),
            }
            for name, result in results.items()
        }
        thresholds = [per_detector[name]["upperbound"] for name in alarmed]
        threshold = min((t for t in thresholds if t is not None), default=None)
        expected = per_detector.get("noufaily", per_detector[alarmed[0]])["expected"]
        area = one.series_id.split(":", 1)[0] in ("borough", "ics")
        outcome.signals.append(
            Signal(
                kind="unusual_count" if area else "emerging_means",
                detector="+".join(alarmed),
                key=f"series:{one.series_id}" if area else one.series_id,
                title=f"{observed} deaths in {one.label} in the {week}"
                if area
                else f"Increasing means: {one.label} ({observed} deaths in the {week})",
                window_start=week_start,
                window_end=data.analysis_date,
                case_ids=case_ids,
                borough_ids=boroughs,
                statistic_name="threshold (lowest alarming upper bound)",
                statistic=threshold,
                observed=observed,
                expected=expected,
                details={
                    "series": one.series_id,
                    "rule": "increasing" if not area else "count",
                    "detectors": per_detector,
                    "recent_weeks": counts[s, -8:].astype(int).tolist(),
                },
                parameters=series_parameters(params),
            )
        )
    return outcome


def _number(value: float) -> float | None:
    return None if np.isnan(value) else float(value)
