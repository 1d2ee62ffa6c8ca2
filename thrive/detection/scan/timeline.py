"""Time intervals as SaTScan 10.3.2 cuts them (reference/satscan.md facts 6-10).

Intervals are cut backwards from the end date; a remainder at the start is merged into the first interval,
which is then longer than the others (a 24-day period in 7-day intervals gives 10, 7 and 7 days).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from thrive.detection.scan.data import IntArray, Model, ScanError

# SaTScan refuses a maximum temporal window above these shares of the study period.
MAX_TEMPORAL_SHARE: dict[Model, float] = {"space-time-permutation": 0.5, "poisson": 0.9}


@dataclass(frozen=True)
class Timeline:
    start: dt.date
    end: dt.date
    aggregation_days: int

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ScanError(f"the study period ends ({self.end}) before it starts ({self.start})")
        if self.aggregation_days < 1:
            raise ScanError("the time aggregation must be at least 1 day")
        if self.aggregation_days > self.days:
            raise ScanError(
                f"the time aggregation ({self.aggregation_days} days) is longer than the study period "
                f"({self.days} days)"
            )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def count(self) -> int:
        return self.days // self.aggregation_days

    def interval_of(self, dates: npt.NDArray[np.datetime64]) -> IntArray:
        """Interval index (0 = first) of each date; dates must lie in the study period."""
        days_before_end = (np.datetime64(self.end, "D") - dates.astype("datetime64[D]")).astype(np.int64)
        if days_before_end.size and (days_before_end.min() < 0 or days_before_end.max() >= self.days):
            raise ScanError(f"case dates must lie in the study period {self.start} to {self.end}")
        index: IntArray = np.maximum(self.count - 1 - days_before_end // self.aggregation_days, 0)
        return index

    def first_day(self, interval: int) -> dt.date:
        if interval == 0:
            return self.start
        return self.last_day(interval) - dt.timedelta(days=self.aggregation_days - 1)

    def last_day(self, interval: int) -> dt.date:
        return self.end - dt.timedelta(days=(self.count - 1 - interval) * self.aggregation_days)

    def lengths(self) -> IntArray:
        """Days in each interval; the first takes the remainder."""
        lengths = np.full(self.count, self.aggregation_days, dtype=np.int64)
        lengths[0] += self.days - self.count * self.aggregation_days
        return lengths


def max_temporal_intervals(timeline: Timeline, max_days: int, model: Model) -> int:
    """floor(max days / interval length), after SaTScan's check against the model's share of the period."""
    share = MAX_TEMPORAL_SHARE[model]
    allowed = int(np.floor(share * timeline.days))
    if max_days > allowed:
        raise ScanError(
            f"the maximum temporal size ({max_days} days) is above {share:.0%} of the study period "
            f"({allowed} of {timeline.days} days), which SaTScan refuses for the {model} model"
        )
    intervals = max_days // timeline.aggregation_days
    if intervals < 1:
        raise ScanError(
            f"the maximum temporal size ({max_days} days) is shorter than one time interval "
            f"({timeline.aggregation_days} days)"
        )
    return intervals
