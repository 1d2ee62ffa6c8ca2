"""What `thrive timeseries` asks for, checked option by option, and running it on a counts file.

Kept apart from the Django command so it can be tested and reused without Django.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thrive.detection.timeseries.csvinput import CountFileError, read_counts
from thrive.detection.timeseries.ears import EarsMethod, ears
from thrive.detection.timeseries.farrington import (
    FARRINGTON_1996,
    NOUFAILY_2012,
    FlexibleSettings,
    farrington_flexible,
)
from thrive.detection.timeseries.result import DetectorResult

EARS_METHODS: dict[str, EarsMethod] = {"ears-c1": "C1", "ears-c2": "C2", "ears-c3": "C3"}
FLEXIBLE_PRESETS = {"farrington": FARRINGTON_1996, "noufaily": NOUFAILY_2012}
METHODS = (*EARS_METHODS, *FLEXIBLE_PRESETS)
THRESHOLD_METHODS = ("delta", "nbPlugin")

# Option name (as on the command line, without --) -> (FlexibleSettings field or EARS keyword, type).
EARS_OPTIONS: dict[str, tuple[str, type]] = {"alpha": ("alpha", float), "baseline": ("baseline", int)}
FLEXIBLE_OPTIONS: dict[str, tuple[str, type]] = {
    "alpha": ("alpha", float),
    "b": ("b", int),
    "w": ("w", int),
    "past-weeks-not-included": ("past_weeks_not_included", int),
    "no-periods": ("no_periods", int),
    "weights-threshold": ("weights_threshold", float),
    "p-threshold-trend": ("p_threshold_trend", float),
    "threshold-method": ("threshold_method", str),
}
ALL_OPTIONS = sorted({*EARS_OPTIONS, *FLEXIBLE_OPTIONS})


class RequestError(ValueError):
    """A bad option or file; the message is meant for the analyst."""


@dataclass(frozen=True)
class TimeSeriesRequest:
    method: str
    counts: Path
    evaluate: tuple[int, int]
    overrides: dict[str, Any]  # detector keyword or settings field -> value


def build_request(
    method: str | None, counts: str | None, evaluate: str | None, options: Mapping[str, str | None]
) -> TimeSeriesRequest:
    """Checks the command's options; `options` maps option names (without --) to their text or None."""
    if not method:
        raise RequestError(f"--method is required: one of {', '.join(METHODS)}")
    if method not in METHODS:
        raise RequestError(f"--method {method!r} is not known: use one of {', '.join(METHODS)}")
    if not counts:
        raise RequestError("--counts FILE.csv is required")
    if not evaluate:
        raise RequestError("--evaluate FROM:TO is required")
    allowed = EARS_OPTIONS if method in EARS_METHODS else FLEXIBLE_OPTIONS
    overrides: dict[str, Any] = {}
    for name, text in options.items():
        if text is None:
            continue
        if name not in allowed:
            others = ", ".join(f"--{o}" for o in sorted(allowed))
            raise RequestError(f"--{name} does not apply to {method} (its options: {others})")
        field, kind = allowed[name]
        overrides[field] = _convert(name, text, kind)
    if overrides.get("threshold_method", "delta") not in THRESHOLD_METHODS:
        raise RequestError(f"--threshold-method must be one of {', '.join(THRESHOLD_METHODS)}")
    return TimeSeriesRequest(
        method=method, counts=Path(counts), evaluate=parse_evaluate(evaluate), overrides=overrides
    )


def parse_evaluate(text: str) -> tuple[int, int]:
    first, sep, last = text.partition(":")
    try:
        if not sep:
            raise ValueError
        start, end = int(first), int(last)
    except ValueError:
        raise RequestError(f"--evaluate {text!r} must be FROM:TO, two week indexes such as 160:312") from None
    if start < 1 or end < start:
        raise RequestError(f"--evaluate {text!r} must have 1 <= FROM <= TO")
    return start, end


def run_request(request: TimeSeriesRequest) -> tuple[list[str], DetectorResult]:
    """Reads the counts file and runs the method; raises RequestError naming the file on any problem."""
    try:
        table = read_counts(request.counts)
        counts = table.matrix(request.evaluate[1], source=str(request.counts))
    except CountFileError as error:
        raise RequestError(str(error)) from None
    try:
        if request.method in EARS_METHODS:
            result = ears(
                counts, method=EARS_METHODS[request.method], evaluate=request.evaluate, **request.overrides
            )
        else:
            settings: FlexibleSettings = dataclasses.replace(
                FLEXIBLE_PRESETS[request.method], **request.overrides
            )
            result = farrington_flexible(counts, evaluate=request.evaluate, settings=settings)
    except ValueError as error:
        raise RequestError(f"{request.counts}: {request.method}: {error}") from None
    return table.series_ids, result


def _convert(name: str, text: str, kind: type) -> Any:
    if kind is str:
        return text
    try:
        return kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise RequestError(f"--{name} {text!r} is not {what}") from None
