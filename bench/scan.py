"""Benchmark of the nightly scans over London (DESIGN.md: the whole detection run under 60 s on 2 cores,
under 1 GiB): a prospective space-time permutation scan on the 4,835 LSOA 2011 centroids (1-day intervals,
at most 90 days, 3 km and half the cases, 999 replications) and a purely spatial Poisson scan (at most 10 %
of the population, 999 replications), on 5 years of synthetic cases (about 3,000) with a planted cluster.

    .venv/bin/python bench/scan.py [--cases 3000] [--replications 999] [--threads 2]

Each scan runs in a fresh process (numba's compiled code comes from its on-disk cache, as in the nightly
run); the script prints wall time, CPU time (all threads) and peak resident memory for each, and the load
average, since wall time on a shared machine says little. Reference data: $THRIVE_REFERENCE_DATA,
default ../shared/data/london beside the repository.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

START, END = dt.date(2019, 1, 1), dt.date(2023, 12, 31)
SCANS = ("space-time-permutation", "poisson-spatial")


def reference_dir() -> Path:
    configured = os.environ.get("THRIVE_REFERENCE_DATA", "").strip()
    return Path(configured) if configured else REPO.parent / "shared" / "data" / "london"


def load_london() -> tuple[list[str], np.ndarray, np.ndarray]:
    """LSOA 2011 codes, centroids (lat, lon) and mid-2020 populations."""
    from shapely.geometry import shape

    folder = reference_dir()
    features = json.loads((folder / "london_lsoa_2011.geojson").read_text())["features"]
    codes = [feature["properties"]["LSOA11CD"] for feature in features]
    centroids = [shape(feature["geometry"]).centroid for feature in features]
    coordinates = np.array([(point.y, point.x) for point in centroids])
    with (folder / "london_population_mid2020_lsoa11.csv").open(newline="") as handle:
        people = {row["LSOA11CD"]: float(row["Persons_All-Ages"]) for row in csv.DictReader(handle)}
    return codes, coordinates, np.array([people[code] for code in codes])


def synthetic_cases(coordinates: np.ndarray, population: np.ndarray, total: int, seed: int) -> tuple:
    """Cases placed by population and uniformly in time, plus 12 cases within about 1 km of one LSOA in the
    last 30 days."""
    rng = np.random.default_rng(seed)
    days = (END - START).days + 1
    where = rng.choice(population.size, size=total, p=population / population.sum())
    when = np.datetime64(START) + rng.integers(0, days, size=total)
    centre = int(rng.integers(population.size))
    kilometres = (coordinates - coordinates[centre]) * [111.0, 69.0]  # degrees to km at London's latitude
    near = np.flatnonzero(np.hypot(kilometres[:, 0], kilometres[:, 1]) < 1.0)
    planted_where = rng.choice(near, size=12)
    planted_when = np.datetime64(END) - rng.integers(0, 30, size=12)
    location_index = np.concatenate([where, planted_where]).astype(np.int64)
    dates = np.concatenate([when, planted_when]).astype("datetime64[D]")
    return location_index, dates, np.ones(location_index.size, dtype=np.int64)


def run_one(name: str, total: int, replications: int) -> dict[str, object]:
    from thrive.detection.scan import Cases, Locations, ScanSettings, run_scan

    codes, coordinates, population = load_london()
    location_index, dates, counts = synthetic_cases(coordinates, population, total, seed=2024)
    locations = Locations(ids=tuple(codes), coordinates=coordinates, coordinates_type="latlong")
    cases = Cases(location_index=location_index, dates=dates, counts=counts)
    if name == "space-time-permutation":
        settings = ScanSettings(
            model="space-time-permutation",
            start=START,
            end=END,
            max_temporal_days=90,
            max_radius_km=3.0,
            max_spatial_fraction=0.5,
            prospective=True,
            replications=replications,
            seed=12345678,
        )
    else:
        settings = ScanSettings(
            model="poisson",
            start=START,
            end=END,
            max_temporal_days=None,
            max_spatial_fraction=0.1,
            replications=replications,
            seed=12345678,
        )
    began, cpu_began = time.perf_counter(), time.process_time()
    result = run_scan(
        locations, cases, settings, population=population if name != "space-time-permutation" else None
    )
    seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu_began
    top = result.clusters[0] if result.clusters else None
    return {
        "scan": name,
        "locations": result.location_count,
        "cases": result.case_count,
        "replications": replications,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),  # all threads; wall time suffers when the machine is shared
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "clusters": len(result.clusters),
        "top": None
        if top is None
        else {
            "locations": len(top.location_ids),
            "observed": top.observed,
            "llr": round(top.llr, 3),
            "p": top.p_value,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--replications", type=int, default=999)
    parser.add_argument("--threads", type=int, default=2, help="numba threads (NUMBA_NUM_THREADS)")
    parser.add_argument("--only", choices=SCANS, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.only:
        print(json.dumps(run_one(options.only, options.cases, options.replications)))
        return
    environment = {**os.environ, "NUMBA_NUM_THREADS": str(options.threads)}
    for name in SCANS:
        command = [sys.executable, __file__, "--only", name, "--cases", str(options.cases)]
        command += ["--replications", str(options.replications)]
        began = time.perf_counter()
        output = subprocess.run(command, env=environment, check=True, capture_output=True, text=True).stdout
        figures = json.loads(output.strip().splitlines()[-1])
        figures["process_seconds"] = round(time.perf_counter() - began, 2)
        print(json.dumps(figures))
    print(json.dumps({"load_average": os.getloadavg(), "cores": os.cpu_count()}))


if __name__ == "__main__":
    main()
