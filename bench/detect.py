"""Benchmark of the detection runs at London scale (DESIGN.md: the nightly run under 60 s and the incremental run
after a new case under 5 s, on 2 cores, under 1 GiB).

    .venv/bin/python bench/detect.py [--work DIR] [--cases 3000] [--threads 2]

The data: a SQLite database (made once in --work, default var/bench-detect) with the real London geography
(4,835 LSOA 2011s, `thrive load-geography`), the demo organisations, and 5 years of synthetic cases (about
3,000, placed by LSOA population, with methods, substances and public places, and a cluster planted in the
last month). The nightly run (`runs.run_detection`, every detector, the defaults: 999 replications for both
scans) runs in a fresh process; then a new case is added and the incremental run follows in that same process,
as in the task worker (twice: the first alert message a process sends loads Django's URL configuration, about
3 s once per process), and again in a fresh process (a cold start: imports, numba's cache, the URLs).
Each line printed is JSON: the run's wall time and CPU time (all threads), the whole process's CPU time and peak
resident memory. CPU time is printed because a shared machine's load inflates wall time; the scans use both
cores, so on an idle 2-core machine a run's wall time is close to half its CPU time plus its serial parts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
ANALYSIS_DATE = dt.date(2026, 6, 30)
METHODS = (
    ("hanging_strangulation_suffocation", 0.55),
    ("poisoning", 0.22),
    ("jumping_or_lying_before_moving_object", 0.07),
    ("fall_from_height", 0.06),
    ("drowning", 0.03),
    ("sharp_object", 0.03),
    ("other", 0.04),
)
SUBSTANCES = ("paracetamol", "codeine", "alcohol", "sertraline", "diazepam", "heroin")
PUBLIC = ("railway", "bridge", "high_building_or_car_park", "water", "park_or_woodland", "other_public")


def figures(started: float, **extra: Any) -> dict[str, Any]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        **extra,
        "process_cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "process_seconds": round(time.perf_counter() - started, 1),
    }


def setup_django() -> None:
    import django
    from django.conf import settings
    from django.urls import clear_url_caches

    django.setup()
    settings.ROOT_URLCONF = "thrive.detection.tests.urls"  # detection's pages, until the project mounts them
    clear_url_caches()


def synthetic_cases(total: int, seed: int) -> int:
    """About `total` cases over 5 years by LSOA population, and 8 in a month in three neighbouring LSOAs."""
    import numpy as np

    from thrive.accounts.models import Organisation
    from thrive.core.crypto import DataSubject
    from thrive.geography.models import Area, AreaLevel
    from thrive.surveillance.models import Case, Substance

    rng = np.random.default_rng(seed)
    lsoas = list(
        Area.objects.filter(level=AreaLevel.LSOA11).values_list(
            "pk", "borough_id", "ics_id", "population", "centroid_lat", "centroid_lon"
        )
    )
    weights = np.array([float(row[3] or 1) for row in lsoas])
    where = rng.choice(len(lsoas), size=total, p=weights / weights.sum())
    when = rng.integers(0, 5 * 365, size=total)
    centre = rng.integers(len(lsoas))
    near = np.argsort(np.hypot(*(np.array([row[4:] for row in lsoas]) - lsoas[centre][4:]).T))[:3]
    where = np.concatenate([where, rng.choice(near, 8)])
    when = np.concatenate([when, rng.integers(0, 30, 8)])
    subject = DataSubject.objects.create_subject()
    police = Organisation.objects.get(slug="example-police")
    methods, shares = zip(*METHODS, strict=True)
    cases = []
    for index, days_ago in zip(where.tolist(), when.tolist(), strict=True):
        pk, borough, ics, _, lat, lon = lsoas[index]
        day = ANALYSIS_DATE - dt.timedelta(days=int(days_ago))
        place = str(rng.choice(PUBLIC)) if rng.random() < 0.3 else "home"
        if place != "home":
            lat, lon = lat + rng.normal(0, 0.01), lon + rng.normal(0, 0.015)
        cases.append(
            Case(
                reference=f"BENCH-{len(cases):06d}",
                subject=subject,
                first_reported_by=police,
                date_found=day,
                date_of_death=day,
                residence_lsoa11_id=pk,
                residence_borough_id=borough,
                residence_ics_id=ics,
                incident_lsoa11_id=pk,
                incident_borough_id=borough,
                incident_ics_id=ics,
                incident_lat=lat,
                incident_lon=lon,
                method_group=str(rng.choice(methods, p=shares)),
                location_type=place,
            )  # fmt: skip
        )
    made = Case.objects.bulk_create(cases, batch_size=500)
    rows = {name: Substance.objects.get_or_create(name=name)[0].pk for name in SUBSTANCES}
    through = Case.substances.through
    links = [
        through(case_id=case.pk, substance_id=rows[str(rng.choice(SUBSTANCES))])
        for case in made
        if case.method_group == "poisoning"
    ]
    through.objects.bulk_create(links, batch_size=500)
    return len(made)


def prepare(work: Path, total: int) -> None:
    if (work / "ready").exists():
        return
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "THRIVE_DEMO": "1"}
    thrive = [str(REPO / ".venv/bin/thrive")]
    for command in (["migrate", "--noinput", "-v0"], ["load-geography"], ["demo-data", "--only", "accounts"]):
        subprocess.run(thrive + command, env=env, check=True, stdout=subprocess.DEVNULL)
    setup_django()
    count = synthetic_cases(total, seed=2024)
    (work / "ready").write_text(str(count))


def add_case(seed: int) -> int:
    """A new case in the planted cluster's area, as a report would add it."""
    from thrive.surveillance.models import Case

    recent = Case.objects.order_by("-date_of_death", "-pk").first()
    assert recent is not None
    recent.pk = None
    recent.reference = f"BENCH-NEW-{seed}-{uuid.uuid4().hex[:8]}"
    recent.save()
    return int(recent.pk)


def run(mode: str) -> None:
    started = time.perf_counter()
    setup_django()
    from thrive.detection import runs
    from thrive.detection.models import DetectionRun

    region = runs.regions()[0]

    def timed(kind: str, triggered: list[int] | None = None) -> dict[str, Any]:
        began = time.perf_counter()
        report = runs.run_detection(
            region=region, kind=kind, analysis_date=ANALYSIS_DATE, triggered_by=triggered
        )
        return {
            "run_seconds": round(time.perf_counter() - began, 2),
            "cases": report.run.case_count,
            "status": report.run.status,
            "timings": report.run.timings,
            "raised": len(report.raised),
            "updated": len(report.updated),
        }

    if mode == "nightly":
        print(json.dumps(figures(started, run="nightly", **timed(DetectionRun.Kind.NIGHTLY))), flush=True)
        for label in ("incremental (same process, first)", "incremental (same process, steady state)"):
            new = add_case(1)
            print(json.dumps(figures(started, run=label, **timed("incremental", [new]))), flush=True)
    else:
        new = add_case(2)
        print(json.dumps(figures(started, run="incremental (cold process)", **timed("incremental", [new]))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=REPO / "var" / "bench-detect")
    parser.add_argument("--cases", type=int, default=2990, help="background cases over 5 years")
    parser.add_argument("--threads", type=int, default=2, help="numba threads (NUMBA_NUM_THREADS)")
    parser.add_argument("--only", choices=("nightly", "incremental"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{options.work / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.settings")
    os.environ["THRIVE_DEBUG"] = "1"
    os.environ["NUMBA_NUM_THREADS"] = str(options.threads)
    if options.only:
        run(options.only)
        return
    prepare(options.work, options.cases)
    print(
        json.dumps({"database": os.environ["DATABASE_URL"], "cores": os.cpu_count(), "load": os.getloadavg()})
    )
    for mode in ("nightly", "incremental"):
        command = [sys.executable, __file__, "--only", mode, "--work", str(options.work)]
        command += ["--threads", str(options.threads)]
        subprocess.run(command, check=True, env=os.environ)


if __name__ == "__main__":
    main()
