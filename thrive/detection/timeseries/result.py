"""What every time-series detector returns: one row per (series, evaluated week), NA kept apart."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class DetectorResult:
    """Arrays of shape (series, evaluated weeks); week j is week index `first_week + j` (1-based).

    `upperbound` and `expected` hold NaN where R gives NA. `alarm` is False where R gives NA and
    `alarm_na` marks those cells, so callers cannot mistake "unknown" for "no alarm".
    """

    first_week: int
    observed: FloatArray
    upperbound: FloatArray
    expected: FloatArray
    alarm: BoolArray
    alarm_na: BoolArray

    @property
    def week_indexes(self) -> range:
        return range(self.first_week, self.first_week + self.observed.shape[1])

    def rows(self, series_ids: list[str]) -> Iterator[dict[str, object]]:
        """JSON-ready rows in series then week order, None for NA."""
        if len(series_ids) != self.observed.shape[0]:
            raise ValueError("one series id is needed per series")
        for s, series_id in enumerate(series_ids):
            for j, week in enumerate(self.week_indexes):
                yield {
                    "series_id": series_id,
                    "week_index": week,
                    "observed": int(self.observed[s, j]),
                    "upperbound": _number_or_none(self.upperbound[s, j]),
                    "expected": _number_or_none(self.expected[s, j]),
                    "alarm": None if self.alarm_na[s, j] else bool(self.alarm[s, j]),
                }


def _number_or_none(value: np.float64) -> float | None:
    return None if np.isnan(value) else float(value)


def as_count_matrix(counts: npt.ArrayLike) -> FloatArray:
    """Counts as a float (series, weeks) matrix; one series may be given as a plain vector."""
    matrix = np.atleast_2d(np.asarray(counts, dtype=np.float64))
    if matrix.ndim != 2:
        raise ValueError("counts must be a vector or a (series, weeks) matrix")
    if not np.all(np.isfinite(matrix)) or np.any(matrix < 0) or np.any(matrix != np.floor(matrix)):
        raise ValueError("counts must be whole numbers of at least 0")
    return matrix


def check_evaluate(evaluate: tuple[int, int], weeks: int, first_allowed: int, what: str) -> None:
    """Refuses a range that R would refuse (or, for the flexible method, mis-handle)."""
    first, last = evaluate
    if first > last:
        raise ValueError(f"the evaluation range {first}:{last} is empty")
    if first < first_allowed:
        raise ValueError(
            f"{what} needs {first_allowed - 1} earlier weeks, so evaluation can start at week "
            f"{first_allowed} at the earliest, not {first}"
        )
    if last > weeks:
        raise ValueError(f"the evaluation range ends at week {last} but the series have {weeks} weeks")
