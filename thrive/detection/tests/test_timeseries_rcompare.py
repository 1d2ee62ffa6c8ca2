"""One live comparison with R surveillance 1.20.3 on freshly generated series, all five methods.

Needs Rscript with the surveillance package (Debian: apt-get install -y --no-install-recommends
r-cran-surveillance). Without it the test fails when CI is set and is skipped otherwise.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from thrive.detection.tests.test_timeseries_r_outputs import assert_same_numbers
from thrive.detection.timeseries.request import build_request, run_request

DETECT_R = Path(__file__).parent / "r_scripts" / "detect.R"
METHODS = {
    "ears-c1": "12:300",
    "ears-c2": "12:300",
    "ears-c3": "12:300",
    "farrington": "197:300",
    "noufaily": "197:300",
}


def _generated_counts(path: Path) -> None:
    rng = np.random.default_rng(2024)
    weeks = np.arange(300)
    season = np.exp(0.6 * np.sin(2 * np.pi * weeks / 52))
    series = {
        "zeros": rng.poisson(0.15 * season),
        "trend": rng.negative_binomial(4, 4 / (4 + 3 * season * np.exp(0.003 * (weeks - 150)))),
        "outbreak": rng.poisson(1.5 * season)
        + np.where((weeks >= 280) & (weeks < 284), rng.poisson(6, 300), 0),
    }
    with path.open("w") as handle:
        handle.write("series_id,week_index,count\n")
        for name, counts in series.items():
            handle.writelines(f"{name},{week},{count}\n" for week, count in enumerate(counts, start=1))


def _rscript() -> str:
    rscript = shutil.which("Rscript")
    if rscript is None:
        message = "Rscript is not installed: apt-get install -y --no-install-recommends r-cran-surveillance"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return rscript


@pytest.mark.rcompare
@pytest.mark.slow
def test_thrive_equals_live_r(tmp_path: Path) -> None:
    rscript = _rscript()
    counts = tmp_path / "counts.csv"
    _generated_counts(counts)
    calls = "; ".join(
        f'write_results(run_detector(counts, "{method}", c({evaluate.replace(":", ", ")})), '
        f'"{tmp_path / method}.csv")'
        for method, evaluate in METHODS.items()
    )
    program = (
        f'source("{DETECT_R}"); stopifnot(as.character(packageVersion("surveillance")) == "1.20.3"); '
        f'counts <- read.csv("{counts}", colClasses = c("character", "integer", "numeric")); {calls}'
    )
    subprocess.run([rscript, "-e", program], check=True, capture_output=True, text=True, timeout=600)
    for method, evaluate in METHODS.items():
        series_ids, result = run_request(build_request(method, str(counts), evaluate, {}))
        with (tmp_path / f"{method}.csv").open(newline="") as handle:
            r_rows = list(csv.DictReader(handle))
        ours = list(result.rows(series_ids))
        assert [(r["series_id"], int(r["week_index"])) for r in r_rows] == [
            (row["series_id"], row["week_index"]) for row in ours
        ]

        def column(name: str, rows: list[dict[str, str]] = r_rows) -> np.ndarray:
            return np.array([float(r[name]) if r[name] else np.nan for r in rows])

        r_alarm = np.array([{"TRUE": 1.0, "FALSE": 0.0, "": np.nan}[r["alarm"]] for r in r_rows])
        alarm = np.where(result.alarm_na, np.nan, result.alarm.astype(float)).ravel()
        assert_same_numbers(f"{method} alarm", alarm, r_alarm)
        assert_same_numbers(f"{method} upperbound", result.upperbound.ravel(), column("upperbound"))
        if not method.startswith("ears-"):
            assert_same_numbers(f"{method} expected", result.expected.ravel(), column("expected"))
