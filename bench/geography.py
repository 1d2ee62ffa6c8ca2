"""Benchmark of the geography: loading London, building the point index, and point lookups.

    .venv/bin/python bench/geography.py [--points 10000] [--data DIR] [--database-url URL]

By default it works in a throw-away SQLite database (migrated here), so it never touches yours; give
--database-url (an empty database) to measure PostgreSQL. Prints, as wall-clock and CPU time, the first and
second (no-change) loads, the index build, and the microseconds per point of single and bulk lookups over
random points in London's bounding box (about half fall outside London, which is the slower path).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


class Clock:
    """Wall and CPU time since the last lap: on a shared machine the CPU time is the steadier figure."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self, per: int = 0) -> str:
        wall, cpu = time.perf_counter(), time.process_time()
        spent_wall, spent_cpu = wall - self.wall, cpu - self.cpu
        self.wall, self.cpu = wall, cpu
        if per:
            return f"{spent_wall / per * 1e6:6.1f} µs a point wall, {spent_cpu / per * 1e6:6.1f} µs CPU"
        return f"{spent_wall:6.1f} s wall, {spent_cpu:6.1f} s CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--data", help="the reference data directory (default: THRIVE_REFERENCE_DATA)")
    parser.add_argument("--database-url", help="an empty database to use instead of a temporary SQLite file")
    args = parser.parse_args()

    workdir = tempfile.TemporaryDirectory(prefix="thrive-bench-")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir.name}/bench.sqlite3"
    os.environ.setdefault("THRIVE_DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from thrive.geography import lookup
    from thrive.geography.loader import load_geography

    call_command("migrate", verbosity=0)
    data = Path(args.data or settings.REFERENCE_DATA_DIR)

    clock = Clock()
    first = load_geography(directory=data)
    print(f"load-geography, first load:  {clock.lap()} ({sum(first.created.values()):,} areas created)")
    second = load_geography(directory=data)
    print(f"load-geography, second load: {clock.lap()} (changed anything: {second.changed})")
    lookup.clear_cache()
    index = lookup.area_index()
    print(f"point index build:           {clock.lap()}")

    rng = np.random.default_rng(2024)
    lats = rng.uniform(51.28, 51.70, args.points)
    lons = rng.uniform(-0.52, 0.34, args.points)
    points = list(zip(lats.tolist(), lons.tolist(), strict=True))
    clock.lap()
    inside = sum(lookup.locate(lat, lon) is not None for lat, lon in points)
    print(
        f"single-point lookup:         {clock.lap(per=len(points))} ({len(points):,} points, {inside:,} in)"
    )
    many = index.locate_many(lats, lons)
    print(f"bulk lookup:                 {clock.lap(per=len(points))}")
    assert int(many.inside.sum()) == inside
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory:                 {peak:6.0f} MiB")
    workdir.cleanup()


if __name__ == "__main__":
    main()
