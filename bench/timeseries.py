"""Benchmark of the time-series detectors: 300 weekly series of 312 weeks, the last 104 evaluated.

    .venv/bin/python bench/timeseries.py [--series 300] [--r-series 10]

Prints, per method, Thrive's wall time and the peak memory traced while it runs (numpy arrays included);
with --r-series N > 0 and Rscript installed, also R surveillance's time on the first N series (same data,
one R process per method, R's start-up excluded) and that time scaled to all series.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from thrive.detection.timeseries import FARRINGTON_1996, NOUFAILY_2012, ears, farrington_flexible

WEEKS = 312
EVALUATE = (WEEKS - 103, WEEKS)
METHODS = ("ears-c1", "ears-c2", "ears-c3", "farrington", "noufaily")
R_SCRIPT = Path(__file__).resolve().parent.parent / "thrive/detection/tests/r_scripts/detect.R"


def generate(series: int, seed: int = 1) -> np.ndarray:
    """Low, seasonal, overdispersed counts (mean 0.3 to 6 a week) with a few planted outbreaks."""
    rng = np.random.default_rng(seed)
    weeks = np.arange(WEEKS)
    level = rng.uniform(0.3, 6.0, size=(series, 1))
    season = np.exp(
        rng.uniform(0, 0.8, size=(series, 1))
        * np.sin(2 * np.pi * (weeks + rng.integers(0, 52, (series, 1))) / 52)
    )
    mean = level * season
    counts = rng.negative_binomial(n=4, p=4 / (4 + mean))
    for s in range(series):
        for start in rng.choice(np.arange(EVALUATE[0], WEEKS - 3), size=2, replace=False):
            counts[s, start : start + 3] += rng.poisson(4, size=3)
    return counts.astype(np.float64)


def run_thrive(method: str, counts: np.ndarray) -> None:
    if method.startswith("ears-"):
        ears(counts, method=method[5:].upper(), evaluate=EVALUATE)  # type: ignore[arg-type]
    else:
        settings = FARRINGTON_1996 if method == "farrington" else NOUFAILY_2012
        farrington_flexible(counts, evaluate=EVALUATE, settings=settings)


def time_thrive(method: str, counts: np.ndarray) -> tuple[float, float]:
    run_thrive(method, counts[:2])  # warm up imports and caches
    tracemalloc.start()
    started = time.perf_counter()
    run_thrive(method, counts)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return elapsed, peak / 2**20


def time_r(method: str, counts: np.ndarray, directory: Path) -> float:
    """Seconds R spends inside the detector (measured in R, so start-up and file reading are excluded)."""
    path = directory / "counts.csv"
    with path.open("w") as handle:
        handle.write("series_id,week_index,count\n")
        for s, row in enumerate(counts):
            handle.writelines(f"s{s},{w + 1},{int(c)}\n" for w, c in enumerate(row))
    evaluate = f"c({EVALUATE[0]}, {EVALUATE[1]})"
    program = (
        f'source("{R_SCRIPT}"); '
        f'counts <- read.csv("{path}", colClasses = c("character", "integer", "numeric")); '
        f'cat(system.time(run_detector(counts, "{method}", {evaluate}))[["elapsed"]])'
    )
    output = subprocess.run(["Rscript", "-e", program], check=True, capture_output=True, text=True)
    return float(output.stdout.strip().split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", type=int, default=300)
    parser.add_argument("--r-series", type=int, default=0, help="series to time R on (0 = skip R)")
    args = parser.parse_args()
    counts = generate(args.series)
    with_r = args.r_series > 0 and shutil.which("Rscript") is not None
    print(f"{args.series} series x {WEEKS} weeks, weeks {EVALUATE[0]}-{EVALUATE[1]} evaluated")
    header = f"{'method':<12}{'Thrive s':>10}{'peak MiB':>10}"
    if with_r:
        header += f"{'R s (' + str(args.r_series) + ')':>12}{'R s scaled':>12}{'speed-up':>10}"
    print(header)
    with tempfile.TemporaryDirectory() as tmp:
        for method in METHODS:
            elapsed, peak = time_thrive(method, counts)
            line = f"{method:<12}{elapsed:>10.3f}{peak:>10.1f}"
            if with_r:
                r_seconds = time_r(method, counts[: args.r_series], Path(tmp))
                scaled = r_seconds * args.series / args.r_series
                line += f"{r_seconds:>12.2f}{scaled:>12.1f}{scaled / elapsed:>9.0f}x"
            print(line, flush=True)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS {peak_rss:.0f} MiB (imports included)")


if __name__ == "__main__":
    main()
