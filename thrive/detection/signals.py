"""A signal: what one detector found in one run, before it becomes (or updates) an alert.

Detectors return signals and know nothing of alerts; `alerts.raise_or_update` decides whether a signal is new
or one already being followed. Kept in its own module so detectors, runs and alerts share it without cycles.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Signal:
    kind: str  # an Alert.Kind value
    detector: str  # e.g. "space-time-permutation", "ears-c3+noufaily", "new-means"
    key: str  # what identifies the signal across runs (a series, a term), "" when matched by place
    title: str  # no identifying detail: an area, a term, a count
    window_start: dt.date
    window_end: dt.date
    case_ids: tuple[int, ...]
    borough_ids: tuple[int, ...] = ()  # boroughs concerned; runs add their ICSs and the region
    statistic_name: str = ""
    statistic: float | None = None
    p_value: float | None = None
    recurrence_interval_days: float | None = None
    observed: int | None = None
    expected: float | None = None
    centre: tuple[float, float] | None = None
    radius_km: float | None = None
    location_ids: tuple[str, ...] = ()  # LSOA 2011 codes of a cluster
    details: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass
class DetectorOutcome:
    """A detector's signals with what the run should record about it."""

    signals: list[Signal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
