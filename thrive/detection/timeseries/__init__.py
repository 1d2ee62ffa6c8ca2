"""Time-series outbreak detectors equal to R `surveillance` 1.20.3: EARS C1-C3 and farringtonFlexible.

    ears(counts, method="C1", evaluate=(8, 312))
    farrington_flexible(counts, evaluate=(160, 312), settings=NOUFAILY_2012)

`counts` is a (series, weeks) matrix of weekly counts (or one series as a vector); `evaluate` is the
1-based inclusive range of weeks to evaluate, as R's `range`. Both return a `DetectorResult` of
(series, evaluated weeks) arrays. Many series are evaluated together, so callers should pass them at once.
"""

from thrive.detection.timeseries.ears import EarsMethod, ears
from thrive.detection.timeseries.farrington import (
    FARRINGTON_1996,
    NOUFAILY_2012,
    FlexibleSettings,
    ThresholdMethod,
    farrington_flexible,
)
from thrive.detection.timeseries.result import DetectorResult

__all__ = [
    "FARRINGTON_1996",
    "NOUFAILY_2012",
    "DetectorResult",
    "EarsMethod",
    "FlexibleSettings",
    "ThresholdMethod",
    "ears",
    "farrington_flexible",
]
