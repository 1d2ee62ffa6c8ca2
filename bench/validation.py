"""Validation of the detectors: false alarm rates under the null and power for planted signals, written to
docs/detection-validation.md.

    .venv/bin/python bench/validation.py            # the short run (minutes on 2 cores)
    .venv/bin/python bench/validation.py --full     # 10x the data sets and 999 replications (hours)

Every number comes from the production code path: the detectors of `thrive.detection` (`scans`, `series`,
`means`, `locations`) called on synthetic `CaseData` over the real London geography (4,835 LSOA 2011 centroids
and their mid-2020 populations, from $THRIVE_REFERENCE_DATA), with the default parameters except the number of
replications. Under the null, deaths arrive as a Poisson process (650 a year, a 10 % seasonal swing), each in
an LSOA drawn by population, with national method shares, substances for poisonings and 30 % in public places
scattered about 1.5 km around their LSOA. No database is used.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.settings")
os.environ.setdefault("THRIVE_DEBUG", "1")
import django  # noqa: E402

django.setup()

from scipy.stats import beta  # noqa: E402

from thrive.detection import locations, means, scans, series  # noqa: E402
from thrive.detection.casedata import CaseData, Geography  # noqa: E402
from thrive.detection.parameters import DEFAULTS, Parameters  # noqa: E402

END = dt.date(2026, 6, 30)
YEARS = 5
PER_YEAR = 650.0
METHODS = (
    ("hanging_strangulation_suffocation", 0.55),
    ("poisoning", 0.22),
    ("jumping_or_lying_before_moving_object", 0.07),
    ("fall_from_height", 0.05),
    ("drowning", 0.03),
    ("sharp_object", 0.03),
    ("fire_or_burns", 0.01),
    ("other", 0.04),
)
# Substances of poisonings, with their shares (rare ones matter for "new means").
SUBSTANCES = (
    ("paracetamol", 0.30),
    ("codeine", 0.15),
    ("alcohol", 0.2),
    ("sertraline", 0.1),
    ("heroin", 0.1),
    ("pregabalin", 0.1),
    ("insulin", 0.03),
    ("lithium", 0.02),
)
PUBLIC = ("railway", "bridge", "high_building_or_car_park", "water", "park_or_woodland", "other_public")
KM_LAT = 111.0
KM_LON = 111.0 * np.cos(np.radians(51.5))


def reference_dir() -> Path:
    configured = os.environ.get("THRIVE_REFERENCE_DATA", "").strip()
    return Path(configured) if configured else REPO.parent / "shared" / "data" / "london"


def london() -> Geography:
    """The real LSOA 2011s, boroughs and ICSs, with made-up ids (no database)."""
    from shapely.geometry import shape

    folder = reference_dir()
    features = json.loads((folder / "london_lsoa_2011.geojson").read_text())["features"]
    with (folder / "london_population_mid2020_lsoa11.csv").open(newline="") as handle:
        people = {row["LSOA11CD"]: float(row["Persons_All-Ages"]) for row in csv.DictReader(handle)}
    with (folder / "london_borough_ics_lookup.csv").open(newline="") as handle:
        lookup = list(csv.DictReader(handle))
    ics_ids = {code: 10_000 + i for i, code in enumerate(sorted({row["ICB_CD"] for row in lookup}))}
    icss = {ics_ids[row["ICB_CD"]]: (row["ICB_CD"], row["ICS_SHORT_NAME"]) for row in lookup}
    borough_ids = {
        row["LAD_CD"]: 1_000 + i for i, row in enumerate(sorted(lookup, key=lambda r: r["LAD_CD"]))
    }
    boroughs = {borough_ids[r["LAD_CD"]]: (r["LAD_CD"], r["LAD_NM"], ics_ids[r["ICB_CD"]]) for r in lookup}
    centroids = [shape(f["geometry"]).centroid for f in features]
    codes = tuple(f["properties"]["LSOA11CD"] for f in features)
    return Geography(
        region_id=1,
        lsoa_ids=np.arange(100_000, 100_000 + len(codes), dtype=np.int64),
        lsoa_codes=codes,
        lsoa_names=tuple(f["properties"]["LSOA11NM"] for f in features),
        lsoa_coordinates=np.array([(c.y, c.x) for c in centroids]),
        lsoa_population=np.array([people[code] for code in codes]),
        lsoa_borough=np.array([borough_ids[f["properties"]["LAD11CD"]] for f in features], dtype=np.int64),
        boroughs=boroughs,
        icss=icss,
    )


@dataclasses.dataclass
class Cases:
    """Synthetic cases as columns, turned into `CaseData` for the detectors."""

    lsoa: np.ndarray  # index into the geography's LSOAs
    day: np.ndarray  # days before END
    method: list[str]
    place: list[str]
    substances: list[tuple[str, ...]]
    lat: np.ndarray
    lon: np.ndarray

    def __add__(self, other: Cases) -> Cases:
        return Cases(
            lsoa=np.concatenate([self.lsoa, other.lsoa]),
            day=np.concatenate([self.day, other.day]),
            method=self.method + other.method,
            place=self.place + other.place,
            substances=self.substances + other.substances,
            lat=np.concatenate([self.lat, other.lat]),
            lon=np.concatenate([self.lon, other.lon]),
        )

    def data(self, geo: Geography, new_terms: frozenset[str] = frozenset()) -> CaseData:
        history = DEFAULTS.history_days
        start = END - dt.timedelta(days=history - 1)
        keep = np.flatnonzero(self.day < history)
        lsoa = geo.lsoa_ids[self.lsoa[keep]]
        borough = geo.lsoa_borough[self.lsoa[keep]]
        return CaseData(
            analysis_date=END,
            start=start,
            case_ids=np.arange(keep.size, dtype=np.int64),
            days=(history - 1 - self.day[keep]).astype(np.int64),
            residence_lsoa=lsoa,
            incident_lsoa=lsoa,
            residence_borough=borough,
            incident_borough=borough,
            method=tuple(self.method[i] for i in keep),
            location_type=tuple(self.place[i] for i in keep),
            substances=tuple(self.substances[i] for i in keep),
            lat=self.lat[keep],
            lon=self.lon[keep],
            new_terms=new_terms,
        )


def null_cases(rng: np.random.Generator, geo: Geography, *, years: float = YEARS) -> Cases:
    days = int(365.25 * years)
    season = 1 + 0.1 * np.sin(2 * np.pi * (np.arange(days) - 80) / 365.25)
    counts = rng.poisson(PER_YEAR / 365.25 * season)
    day = np.repeat(np.arange(days), counts)
    n = day.size
    lsoa = rng.choice(geo.lsoa_population.size, size=n, p=geo.lsoa_population / geo.lsoa_population.sum())
    names, shares = zip(*METHODS, strict=True)
    method = [str(m) for m in rng.choice(names, size=n, p=shares)]
    public = rng.random(n) < 0.3
    place = [str(rng.choice(PUBLIC)) if p else "home" for p in public]
    substance_names, substance_shares = zip(*SUBSTANCES, strict=True)
    substances = [
        (str(rng.choice(substance_names, p=substance_shares)),) if m == "poisoning" else () for m in method
    ]
    lat, lon = geo.lsoa_coordinates[lsoa, 0].copy(), geo.lsoa_coordinates[lsoa, 1].copy()
    lat[public] += rng.normal(0, 1.5, public.sum()) / KM_LAT
    lon[public] += rng.normal(0, 1.5, public.sum()) / KM_LON
    return Cases(lsoa, day, method, place, substances, lat, lon)


def nearest_lsoas(geo: Geography, points_km: np.ndarray, origin: np.ndarray) -> np.ndarray:
    lat = origin[0] + points_km[:, 1] / KM_LAT
    lon = origin[1] + points_km[:, 0] / KM_LON
    coords = geo.lsoa_coordinates
    distance = ((coords[None, :, 0] - lat[:, None]) * KM_LAT) ** 2 + (
        (coords[None, :, 1] - lon[:, None]) * KM_LON
    ) ** 2
    return np.asarray(distance.argmin(axis=1))


def planted_cluster(rng: np.random.Generator, geo: Geography, size: int, shape: str, days: int) -> Cases:
    """`size` deaths over the last `days` days: 'compact' (within 0.5 km), 'spread' (2 km) or 'line' (along
    3 km, like a railway corridor), around a random LSOA centroid."""
    origin = geo.lsoa_coordinates[rng.integers(geo.lsoa_population.size)]
    if shape == "line":
        angle = rng.uniform(0, np.pi)
        along = rng.uniform(-1.5, 1.5, size)
        points = np.column_stack([along * np.cos(angle), along * np.sin(angle)])
    else:
        radius = {"compact": 0.5, "spread": 2.0}[shape] * np.sqrt(rng.random(size))
        angle = rng.uniform(0, 2 * np.pi, size)
        points = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    lsoa = nearest_lsoas(geo, points, origin)
    day = np.sort(rng.integers(0, days, size))
    return Cases(lsoa, day, ["hanging_strangulation_suffocation"] * size, ["home"] * size, [()] * size,
                 geo.lsoa_coordinates[lsoa, 0], geo.lsoa_coordinates[lsoa, 1])  # fmt: skip


def trials(runs: int) -> int:
    """Data sets per planted scenario: a quarter of the null runs, at least 5."""
    return max(runs // 4, 5)


def interval(hits: int, total: int) -> str:
    """The rate with its exact (Clopper-Pearson) 95 % interval."""
    if total == 0:
        return "–"
    low = beta.ppf(0.025, hits, total - hits + 1) if hits else 0.0
    high = beta.ppf(0.975, hits + 1, total - hits) if hits < total else 1.0
    return f"{hits / total:.3f} ({low:.3f}–{high:.3f})"


@dataclasses.dataclass
class Report:
    sections: list[str] = dataclasses.field(default_factory=list)

    def add(self, title: str, text: str, header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        lines = [f"## {title}", "", text, "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
        self.sections.append("\n".join(lines))
        print(f"{title}: done", flush=True)


def space_time(report: Report, geo: Geography, params: Parameters, runs: int) -> None:
    def alerts(cases: Cases) -> list[Any]:
        return scans.space_time(cases.data(geo), geo, params).signals

    false = sum(bool(alerts(null_cases(np.random.default_rng(1000 + s), geo))) for s in range(runs))
    rows: list[tuple[Any, ...]] = [("none (null)", "–", "–", interval(false, runs))]
    for size, shape, days in ((4, "compact", 14), (6, "compact", 14), (8, "compact", 28), (6, "spread", 14),
                              (8, "spread", 28), (6, "line", 14), (8, "line", 28), (6, "compact", 42)):  # fmt: skip
        found = 0
        for s in range(trials(runs)):
            rng = np.random.default_rng(2000 + s)
            background = null_cases(rng, geo)
            planted = planted_cluster(rng, geo, size, shape, days)
            first = background.lsoa.size
            signals = alerts(background + planted)
            found += any(sum(c >= first for c in sig.case_ids) >= size / 2 for sig in signals)
        rows.append((f"{size} deaths", shape, f"{days} days", interval(found, trials(runs))))
    report.add(
        "Prospective space-time permutation scan",
        f"One nightly analysis on 5 years of deaths (about 3,250): an alarm is a cluster alive on the analysis "
        f"date with a recurrence interval of at least {params.scan_min_recurrence_days:.0f} days and at least "
        f"{params.cluster_min_cases} deaths. Under the null a Monte Carlo test at p ≤ 0.01 alarms in 1 % of "
        f"nights (about 3.7 false alarms a year). Power: planted deaths ending on the analysis date (compact: "
        f"within 0.5 km; spread: within 2 km; line: along 3 km), found when an alarm holds at least half of "
        f"them. {params.replications} replications; max {params.scan_max_temporal_days} days, "
        f"{params.scan_max_radius_km} km, {params.scan_max_spatial_fraction:.0%} of cases.",
        ("planted", "shape", "over", "alarm rate (95 % CI)"),
        rows,
    )


def poisson(report: Report, geo: Geography, params: Parameters, runs: int) -> None:
    def alerts(cases: Cases) -> list[Any]:
        return scans.poisson_spatial(cases.data(geo), geo, params).signals

    false = sum(bool(alerts(null_cases(np.random.default_rng(3000 + s), geo))) for s in range(runs))
    rows: list[tuple[Any, ...]] = [("none (null)", "–", interval(false, runs))]
    for relative_risk, radius in ((2.0, 1.0), (3.0, 1.0), (2.0, 2.0)):
        found = 0
        for s in range(trials(runs)):
            rng = np.random.default_rng(4000 + s)
            background = null_cases(rng, geo)
            origin = geo.lsoa_coordinates[rng.integers(geo.lsoa_population.size)]
            distance = np.hypot(
                (geo.lsoa_coordinates[:, 0] - origin[0]) * KM_LAT,
                (geo.lsoa_coordinates[:, 1] - origin[1]) * KM_LON,
            )
            inside = np.flatnonzero(distance <= radius)
            expected = PER_YEAR * YEARS * geo.lsoa_population[inside].sum() / geo.lsoa_population.sum()
            extra = rng.poisson(expected * (relative_risk - 1))
            lsoa = rng.choice(
                inside, size=extra, p=geo.lsoa_population[inside] / geo.lsoa_population[inside].sum()
            )
            planted = Cases(lsoa, rng.integers(0, 365 * YEARS, extra), ["other"] * extra, ["home"] * extra,
                            [()] * extra, geo.lsoa_coordinates[lsoa, 0], geo.lsoa_coordinates[lsoa, 1])  # fmt: skip
            first = background.lsoa.size
            signals = alerts(background + planted)
            found += any(sum(c >= first for c in sig.case_ids) >= extra / 2 for sig in signals)
        rows.append(
            (f"relative risk {relative_risk:g}", f"LSOAs within {radius:g} km", interval(found, trials(runs)))
        )
    report.add(
        "Retrospective purely spatial Poisson scan",
        f"5 years of residents' deaths against the LSOA populations; an alarm is a cluster with p ≤ "
        f"{params.poisson_alpha} and at least {params.cluster_min_cases} deaths (the null rate is the test's "
        f"level, 5 %, whatever the number of replications). Power: extra deaths over the 5 years at the given "
        f"relative risk in the LSOAs within a radius of a random centre, found when an alarm holds at least "
        f"half the extra deaths. {params.replications} replications, at most "
        f"{params.poisson_max_population_fraction:.0%} of the population per circle.",
        ("planted", "where", "alarm rate (95 % CI)"),
        rows,
    )


def time_series(report: Report, geo: Geography, params: Parameters, runs: int) -> None:
    names = ("ears-c1", "ears-c2", "ears-c3", "noufaily")
    alarms = dict.fromkeys(names, 0)
    combined, cells = 0, 0
    for s in range(runs):
        data = null_cases(np.random.default_rng(5000 + s), geo).data(geo)
        found = series.build_series(data, geo)
        counts = series.count_matrix(data, found, params.series_history_weeks)
        results = series.run_detectors(counts, params, covered_weeks=params.series_history_weeks)
        cells += counts.shape[0]
        for name in names:
            alarms[name] += int(results[name].alarm[:, 0].sum())
        any_alarm = np.any([results[name].alarm[:, 0] for name in names], axis=0)
        combined += int((any_alarm & (counts[:, -1] >= params.series_min_cases)).sum())
    rows: list[tuple[Any, ...]] = [(name, "none (null)", interval(alarms[name], cells)) for name in names]
    rows.append((f"any, with ≥ {params.series_min_cases} deaths (the alert rule)", "none (null)",
                 interval(combined, cells)))  # fmt: skip
    for extra in (3, 5, 8):
        hits = dict.fromkeys((*names, "rule"), 0)
        count = trials(runs) * 4
        for s in range(count):
            rng = np.random.default_rng(6000 + s)
            data = null_cases(rng, geo).data(geo)
            found = series.build_series(data, geo)
            counts = series.count_matrix(data, found, params.series_history_weeks)
            row = int(rng.integers(len(geo.boroughs)))  # a borough series (they come first)
            counts[row, -1] += extra
            results = series.run_detectors(counts, params, covered_weeks=params.series_history_weeks)
            for name in names:
                hits[name] += bool(results[name].alarm[row, 0])
            hits["rule"] += any(bool(results[n].alarm[row, 0]) for n in names) and counts[row, -1] >= 3
        for name in (*names, "rule"):
            rows.append((name if name != "rule" else "the alert rule", f"+{extra} deaths in a borough's week",
                         interval(hits[name], count)))  # fmt: skip
    report.add(
        "Time series: EARS C1-C3 and Farrington flexible (Noufaily) on weekly counts",
        f"Each run evaluates the latest week of every series (33 boroughs, 5 ICSs, method groups, substances: "
        f"about {cells // max(runs, 1)} series); rates are per series-week. EARS: baseline "
        f"{params.ears_baseline} weeks, alpha {params.ears_alpha}, smallest sd {params.ears_min_sigma} "
        f"(R's default 0 alarms on any death after seven empty weeks); Noufaily: b 3, w 3, 10 periods, alpha "
        f"{params.farrington_alpha}, 5 deaths in 4 weeks needed. Power: extra deaths added to one borough's "
        f"latest week (a borough has about 0.6 deaths a week). EARS C3 as R computes it alarms on the two "
        f"previous weeks' excess, not the current week's, so it flags a one-week surge the week after: its "
        f"power here is 0 by construction.",
        ("detector", "planted", "alarm rate per series-week (95 % CI)"),
        rows,
    )


def new_means(report: Report, geo: Geography, params: Parameters, runs: int) -> None:
    rows: list[tuple[Any, ...]] = []
    for per_year in (0.25, 0.5, 1.0, 2.0):
        hits = 0
        for s in range(runs * 5):
            rng = np.random.default_rng(7000 + s)
            days = int(365.25 * YEARS)
            occurrences = np.flatnonzero(rng.random(days) < per_year / 365.25)
            term = Cases(
                np.zeros(occurrences.size, dtype=np.int64), occurrences, ["other"] * occurrences.size,
                ["home"] * occurrences.size, [("rare-term",)] * occurrences.size, np.full(occurrences.size, np.nan),
                np.full(occurrences.size, np.nan),
            )  # fmt: skip
            first_day = (
                DEFAULTS.history_days - 1
            )  # the data start: "not seen for 24 months" is judged after it
            anchor = Cases(np.zeros(1, dtype=np.int64), np.array([first_day]), ["other"], ["home"], [()],
                           np.full(1, np.nan), np.full(1, np.nan))  # fmt: skip
            signals = means.new_means((term + anchor).data(geo), params).signals
            hits += bool(signals)
        rows.append((f"a known term seen {per_year:g} times a year", interval(hits, runs * 5)))
    report.add(
        "Emerging means: new terms",
        f"A term not seen for {params.new_means_absence_days} days that appears {params.new_means_min_cases} "
        f"times within {params.new_means_window_days} days; a run reports it for "
        f"{params.new_means_lookback_days} days after it reappeared. The rate is that of a run reporting a "
        f"rare but known term (a Poisson process at the given rate over 5 years) as new. A planted new term "
        f"seen twice within {params.new_means_window_days} days is found by definition, from the night after "
        f"its second death.",
        ("term", "rate of runs reporting it (95 % CI)"),
        rows,
    )


def concern(report: Report, geo: Geography, params: Parameters, runs: int) -> None:
    def found(cases: Cases) -> list[Any]:
        return locations.locations_of_concern(cases.data(geo), geo, params).signals

    false = sum(
        bool(found(null_cases(np.random.default_rng(8000 + s), geo, years=1.2))) for s in range(runs * 2)
    )
    rows: list[tuple[Any, ...]] = [("none (null)", "–", interval(false, runs * 2))]
    for incidents, spread in ((2, 0.03), (2, 0.06), (3, 0.06), (2, 0.1)):
        hits, trials = 0, runs * 2
        for s in range(trials):
            rng = np.random.default_rng(9000 + s)
            site = geo.lsoa_coordinates[rng.integers(geo.lsoa_population.size)]
            radius, angle = spread * np.sqrt(rng.random(incidents)), rng.uniform(0, 2 * np.pi, incidents)
            planted = Cases(np.zeros(incidents, dtype=np.int64), rng.integers(0, 365, incidents),
                            ["fall_from_height"] * incidents, ["bridge"] * incidents, [()] * incidents,
                            site[0] + radius * np.sin(angle) / KM_LAT, site[1] + radius * np.cos(angle) / KM_LON)  # fmt: skip
            signals = found(planted)
            hits += any(sig.observed >= incidents for sig in signals)
        rows.append((f"{incidents} incidents in 12 months", f"within {spread * 1000:.0f} m of a site",
                     interval(hits, trials)))  # fmt: skip
    report.add(
        "Locations of concern",
        f"Public-place incidents linked within {params.location_radius_m:.0f} m, at least "
        f"{params.location_min_incidents} in {params.location_window_days} days. Null: the synthetic public "
        f"incidents (about 195 a year, scattered about 1.5 km around their LSOA centroid); real incidents "
        f"gather at stations and bridges, so the real rate of chance locations is higher, and those are the "
        f"places the rule is for. Power: incidents placed uniformly within a distance of one site.",
        ("planted", "where", "rate of runs with a location of concern (95 % CI)"),
        rows,
    )


SECTIONS: dict[str, Callable[[Report, Geography, Parameters, int], None]] = {
    "space-time": space_time,
    "poisson": poisson,
    "time-series": time_series,
    "new-means": new_means,
    "locations": concern,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="10x the data sets and 999 replications")
    parser.add_argument("--runs", type=int, help="null data sets per detector (default 10, full 200)")
    parser.add_argument("--replications", type=int, help="scan replications (default 99, full 999)")
    parser.add_argument("--only", choices=sorted(SECTIONS), action="append")
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "detection-validation.md")
    options = parser.parse_args()
    runs = options.runs or (200 if options.full else 10)
    replications = options.replications or (999 if options.full else 99)
    params = dataclasses.replace(DEFAULTS, replications=replications)
    geo = london()
    report = Report()
    started = time.perf_counter()
    for name, section in SECTIONS.items():
        if not options.only or name in options.only:
            section(report, geo, params, runs)
    minutes = (time.perf_counter() - started) / 60
    command = "bench/validation.py" + (" --full" if options.full else "")
    if options.runs or options.replications:
        command += f" --runs {runs} --replications {replications}"
    header = f"""# Detection validation

Produced by `.venv/bin/python {command}` on {dt.date.today():%-d %B %Y} in {minutes:.0f} minutes: {runs} null data
sets per detector (fewer for the planted scenarios), {replications} Monte Carlo replications for the scans. Run
`bench/validation.py --full` (200 data sets, 999 replications; several hours on 2 cores) for tighter intervals.
Every rate has its exact 95 % confidence interval; with few data sets the intervals are wide, and a rate of 0
means "below the upper end of its interval", not never.

How the data are made, and why these numbers are for the synthetic city only, is in the script's docstring:
deaths are spread by population with no real clustering, so a real city's null rates (purely spatial and
temporal variation, duplicates counted twice until merged, reports that arrive late) will differ. The
parameters are Thrive's defaults (`thrive/detection/parameters.py`, shown with their sources on the alert
pages' parameters page) unless a table says otherwise.
"""
    options.output.write_text(header + "\n" + "\n\n".join(report.sections) + "\n")
    print(f"wrote {options.output} in {minutes:.1f} minutes")


if __name__ == "__main__":
    main()
