"""`thrive timeseries`: the JSON contract, and a plain message with exit status 2 for each bad input."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from thrive.detection.timeseries import NOUFAILY_2012, farrington_flexible


def write_counts(path: Path, series: dict[str, list[int]]) -> Path:
    lines = ["series_id,week_index,count"]
    for series_id, counts in series.items():
        lines += [f"{series_id},{week},{count}" for week, count in enumerate(counts, start=1)]
    path.write_text("\n".join(lines) + "\n")
    return path


def run(*args: str) -> dict:
    out = io.StringIO()
    call_command("timeseries", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def fails(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        call_command("timeseries", *args, stdout=io.StringIO())
    assert caught.value.returncode == 2
    return str(caught.value)


@pytest.fixture
def counts_file(tmp_path: Path) -> Path:
    rng = np.random.default_rng(11)
    return write_counts(
        tmp_path / "counts.csv",
        {"camden": [0] * 260, "hackney": rng.poisson(3, 260).tolist(), "sutton": [0] * 256 + [0, 0, 1, 2]},
    )


def test_ears_json_has_one_row_per_series_and_week_with_null_for_na(counts_file: Path) -> None:
    results = run("--method", "ears-c3", "--counts", str(counts_file), "--evaluate", "12:14")["results"]
    assert [(r["series_id"], r["week_index"]) for r in results] == [
        (s, w) for s in ("camden", "hackney", "sutton") for w in (12, 13, 14)
    ]
    assert set(results[0]) == {"series_id", "week_index", "observed", "upperbound", "expected", "alarm"}
    camden = results[0]
    assert camden["observed"] == 0 and camden["upperbound"] is None and camden["alarm"] is None
    hackney = results[3]
    assert isinstance(hackney["upperbound"], float) and isinstance(hackney["alarm"], bool)


def test_noufaily_json_equals_the_library(counts_file: Path) -> None:
    results = run("--method", "noufaily", "--counts", str(counts_file), "--evaluate", "250:260")["results"]
    hackney = [r for r in results if r["series_id"] == "hackney"]
    counts = np.random.default_rng(11).poisson(3, 260)
    library = farrington_flexible(counts, evaluate=(250, 260), settings=NOUFAILY_2012)
    assert [r["upperbound"] for r in hackney] == library.upperbound[0].tolist()
    assert [r["expected"] for r in hackney] == library.expected[0].tolist()
    sutton = [r for r in results if r["series_id"] == "sutton"]
    assert all(r["upperbound"] is None and r["expected"] is None and r["alarm"] is False for r in sutton)


def test_options_reach_the_detector(counts_file: Path) -> None:
    base = ["--counts", str(counts_file), "--evaluate", "250:260"]
    default = run("--method", "farrington", *base)["results"]
    changed = run("--method", "farrington", *base, "--alpha", "0.2", "--threshold-method", "nbPlugin")[
        "results"
    ]
    assert [r["upperbound"] for r in default] != [r["upperbound"] for r in changed]
    c1 = run("--method", "ears-c1", "--counts", str(counts_file), "--evaluate", "20:30", "--baseline", "10")
    assert len(c1["results"]) == 33


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "series_id,week_index,count\na,1,2\na,3,1\n",
            "line 3: series 'a' has week_index 3 where week 2 was expected",
        ),
        ("series_id,week_index,count\na,1,2\na,2,1.5\n", "line 3: count '1.5' is not a whole number"),
        ("series_id,week_index,count\na,1,-1\n", "line 2: count -1 is negative"),
        ("series_id,week_index,count\na,one,2\n", "line 2: week_index 'one' is not a number"),
        ("series_id,week,count\na,1,2\n", "line 1: missing column(s) week_index"),
        ("series_id,week_index,count\n", "no rows of counts"),
    ],
)
def test_bad_files_name_the_file_and_line(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    message = fails("--method", "ears-c1", "--counts", str(path), "--evaluate", "8:9")
    assert str(path) in message and expected in message


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--method", "cusum"], "--method 'cusum' is not known"),
        (["--method", "ears-c3", "--evaluate", "11:14"], "evaluation can start at week 12 at the earliest"),
        (["--method", "noufaily", "--evaluate", "150:260"], "week 160 at the earliest"),
        (["--method", "ears-c1", "--evaluate", "8:400"], "ends at week 400"),
        (["--method", "ears-c1", "--evaluate", "8"], "must be FROM:TO"),
        (["--method", "ears-c1", "--evaluate", "9:8"], "1 <= FROM <= TO"),
        (["--method", "ears-c1", "--evaluate", "8:9", "--b", "3"], "--b does not apply to ears-c1"),
        (["--method", "noufaily", "--evaluate", "200:210", "--w", "two"], "--w 'two' is not a whole number"),
        (
            ["--method", "noufaily", "--evaluate", "200:210", "--threshold-method", "muan"],
            "--threshold-method",
        ),
        (["--method", "noufaily", "--evaluate", "200:210", "--alpha", "2"], "alpha must be between 0 and 1"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(counts_file: Path, args: list[str], expected: str) -> None:
    if "--evaluate" not in args:
        args = [*args, "--evaluate", "20:30"]
    assert expected in fails("--counts", str(counts_file), *args)


def test_gzip_compressed_counts_are_read(counts_file: Path, tmp_path: Path) -> None:
    compressed = tmp_path / "counts.csv.gz"
    compressed.write_bytes(gzip.compress(counts_file.read_bytes()))
    args = ["--method", "ears-c2", "--evaluate", "10:40"]
    assert run(*args, "--counts", str(compressed)) == run(*args, "--counts", str(counts_file))


def test_a_file_that_is_not_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "counts.csv"
    path.write_bytes(b"series_id,week_index,count\n\xff\xfe\x00\x81,1,2\n")
    assert "is not a UTF-8 CSV text file" in fails(
        "--method", "ears-c1", "--counts", str(path), "--evaluate", "8:9"
    )


def test_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.csv"
    assert f"{missing}: no such file" in fails(
        "--method", "ears-c1", "--counts", str(missing), "--evaluate", "8:9"
    )


@pytest.mark.slow  # starts a Python process with Django
def test_the_console_command_exits_2_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("series_id,week_index,count\na,1,2\na,2,x\n")
    env = {**os.environ, "THRIVE_TESTING": os.environ.get("THRIVE_TESTING", "1")}
    completed = subprocess.run(
        [sys.executable, "-m", "thrive.manage", "timeseries", "--method", "ears-c1", "--counts", str(path),
         "--evaluate", "8:9", "--json"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert completed.returncode == 2
    assert f"{path} line 3: count 'x' is not a number" in completed.stderr
    assert "Traceback" not in completed.stderr and completed.stdout == ""
