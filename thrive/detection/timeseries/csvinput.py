"""Reads weekly counts in the `thrive timeseries` layout (series_id,week_index,count), with messages that
name the file, the line and the problem."""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from thrive.detection.timeseries.result import FloatArray

REQUIRED_COLUMNS = ("series_id", "week_index", "count")


class CountFileError(ValueError):
    """A counts file that cannot be used; the message is meant for the analyst."""


@dataclass(frozen=True)
class CountSeries:
    series_ids: list[str]
    counts: list[FloatArray]  # one vector per series, week 1 first

    def matrix(self, weeks: int, *, source: str) -> FloatArray:
        """The first `weeks` weeks of every series as one (series, weeks) matrix."""
        for series_id, values in zip(self.series_ids, self.counts, strict=True):
            if values.size < weeks:
                raise CountFileError(
                    f"{source}: series {series_id!r} has {values.size} weeks but the evaluation range "
                    f"ends at week {weeks}"
                )
        return np.stack([values[:weeks] for values in self.counts])


def read_counts(path: Path) -> CountSeries:
    """Series in order of first appearance; each series' rows must run 1, 2, 3, ... (other series'
    rows may come in between). A name ending in .gz is read as gzip-compressed."""
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", newline="", encoding="utf-8-sig") as handle:
            return _parse(csv.DictReader(handle), str(path))
    except FileNotFoundError:
        raise CountFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CountFileError(f"{path}: is a directory, not a CSV file") from None
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError):
        raise CountFileError(
            f"{path}: is not a UTF-8 CSV text file (or, if named .gz, not gzip-compressed)"
        ) from None
    except csv.Error as error:
        raise CountFileError(f"{path}: not a readable CSV file ({error})") from None


def _parse(reader: csv.DictReader[str], source: str) -> CountSeries:
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise CountFileError(
            f"{source} line 1: missing column(s) {', '.join(missing)} (need {', '.join(REQUIRED_COLUMNS)})"
        )
    reader.fieldnames = header
    values: dict[str, list[int]] = {}
    for row in reader:
        line = reader.line_num
        series_id = (row.get("series_id") or "").strip()
        if not series_id:
            raise CountFileError(f"{source} line {line}: the series_id is empty")
        week = _whole_number(row.get("week_index"), source, line, "week_index")
        count = _whole_number(row.get("count"), source, line, "count")
        if count < 0:
            raise CountFileError(f"{source} line {line}: count {count} is negative")
        series = values.setdefault(series_id, [])
        if week != len(series) + 1:
            expected = len(series) + 1
            raise CountFileError(
                f"{source} line {line}: series {series_id!r} has week_index {week} where week {expected} "
                "was expected; each series' weeks must run 1, 2, 3, ... without gaps or repeats"
            )
        series.append(count)
    if not values:
        raise CountFileError(f"{source}: no rows of counts")
    return CountSeries(list(values), [np.array(v, dtype=np.float64) for v in values.values()])


def _whole_number(text: str | None, source: str, line: int, column: str) -> int:
    raw = (text or "").strip()
    try:
        value = float(raw)
    except ValueError:
        raise CountFileError(f"{source} line {line}: {column} {raw!r} is not a number") from None
    if not value.is_integer():
        raise CountFileError(f"{source} line {line}: {column} {raw!r} is not a whole number")
    return int(value)
