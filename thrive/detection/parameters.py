"""The detection parameters: one documented default each, with where it comes from, overridable per region.

Why a dataclass and not loose settings: every run records the exact parameters it used (in the run and in each
alert), and a region's overrides are checked against the same field types and bounds before they are saved.
Overrides live in `RegionParameters` (edited on the parameters page by a region-wide surveillance lead).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from thrive.detection.timeseries import NOUFAILY_2012

# Sources cited below.
DESIGN = "DESIGN.md, nightly detection defaults"
ISSUE = "Detection issue (emerging means, locations of concern)"
SATSCAN = "SaTScan user guide: Monte Carlo with 999 replications, seed 12345678"
KULLDORFF_2001 = (
    "Kulldorff 2001 (J R Stat Soc A 164:61-72) defines the recurrence interval, the expected time between "
    "false signals; 100 days (p 0.01 in daily runs) is Thrive's choice, measured in "
    "docs/detection-validation.md"
)
PHE_2019 = (
    "PHE 2019, Identifying and responding to suicide clusters; NICE NG105: a cluster is three or more deaths"
)
R_SURVEILLANCE = "R surveillance 1.20.3 earsC defaults (baseline 7, alpha 0.001)"
NOUFAILY = "Noufaily et al. 2013, Stat Med 32:1206-22, as R surveillance farringtonFlexible (CONTRACTS.md)"
VALIDATION = "docs/detection-validation.md (false alarm rates on low counts)"
THRIVE = "Thrive operational choice (docs/detection.md)"
CONVENTION = "Conventional 5% significance for a retrospective scan (Kulldorff 1997)"

TIME_SERIES_DETECTORS = ("ears-c1", "ears-c2", "ears-c3", "noufaily")


def _p(
    default: Any, label: str, source: str, *, minimum: float | None = None, maximum: float | None = None
) -> Any:
    return field(
        default=default, metadata={"label": label, "source": source, "minimum": minimum, "maximum": maximum}
    )


@dataclass(frozen=True)
class Parameters:
    # Prospective space-time permutation scan (Kulldorff et al. 2005) on LSOA 2011 centroids.
    scan_study_days: int = _p(1826, "Space-time scan: study period (days)", DESIGN, minimum=60, maximum=3700)
    scan_max_temporal_days: int = _p(
        90, "Space-time scan: longest cluster (days)", DESIGN, minimum=1, maximum=365
    )
    scan_max_radius_km: float = _p(
        3.0, "Space-time scan: largest radius (km)", DESIGN, minimum=0.1, maximum=50
    )
    scan_max_spatial_fraction: float = _p(
        0.5, "Space-time scan: most cases in one circle (fraction)", DESIGN, minimum=0.01, maximum=0.5
    )
    scan_time_aggregation_days: int = _p(
        1, "Space-time scan: time aggregation (days)", DESIGN, minimum=1, maximum=7
    )
    scan_min_recurrence_days: float = _p(
        100.0,
        "Space-time scan: alert when the recurrence interval is at least (days)",
        KULLDORFF_2001,
        minimum=1,
    )
    # Retrospective purely spatial Poisson scan with the ONS population at risk.
    poisson_study_days: int = _p(1826, "Poisson scan: study period (days)", DESIGN, minimum=365, maximum=3700)
    poisson_max_population_fraction: float = _p(
        0.1, "Poisson scan: largest share of the population in one circle", DESIGN, minimum=0.01, maximum=0.5
    )
    poisson_alpha: float = _p(
        0.05, "Poisson scan: alert when p is at most", CONVENTION, minimum=0.0001, maximum=0.2
    )
    replications: int = _p(999, "Monte Carlo replications (both scans)", SATSCAN, minimum=99, maximum=9999)
    seed: int = _p(12345678, "Random seed (both scans)", SATSCAN, minimum=0)
    cluster_min_cases: int = _p(3, "Clusters: fewest cases for an alert", PHE_2019, minimum=2, maximum=50)
    # Time series: weekly counts by borough, ICS, method group and substance (weeks end on the analysis date).
    ears_baseline: int = _p(7, "EARS: baseline (weeks)", R_SURVEILLANCE, minimum=3, maximum=52)
    ears_alpha: float = _p(0.001, "EARS: alpha", R_SURVEILLANCE, minimum=0.00001, maximum=0.2)
    ears_min_sigma: float = _p(1.0, "EARS: smallest standard deviation", VALIDATION, minimum=0, maximum=10)
    farrington_alpha: float = _p(0.01, "Farrington (Noufaily): alpha", NOUFAILY, minimum=0.0001, maximum=0.2)
    series_min_cases: int = _p(3, "Time series: fewest cases in the week for an alert", PHE_2019, minimum=1)
    series_episode_days: int = _p(
        28, "Time series: alarms this close together are one episode (days)", THRIVE, minimum=7, maximum=365
    )
    # Emerging means.
    new_means_absence_days: int = _p(730, "New means: not seen for (days)", ISSUE, minimum=30, maximum=3650)
    new_means_window_days: int = _p(90, "New means: window (days)", ISSUE, minimum=7, maximum=730)
    new_means_min_cases: int = _p(2, "New means: fewest cases in the window", ISSUE, minimum=1, maximum=20)
    new_means_lookback_days: int = _p(
        365, "New means: report terms that reappeared within (days)", THRIVE, minimum=30, maximum=1826
    )
    # Locations of concern.
    location_radius_m: float = _p(
        100.0, "Locations of concern: distance (metres)", ISSUE, minimum=10, maximum=2000
    )
    location_window_days: int = _p(
        365, "Locations of concern: window (days)", ISSUE, minimum=30, maximum=3650
    )
    location_min_incidents: int = _p(
        2, "Locations of concern: fewest incidents", ISSUE, minimum=2, maximum=20
    )
    # Runs.
    incremental_debounce_seconds: int = _p(
        60, "Incremental run: wait for changes to settle (seconds)", THRIVE, minimum=0, maximum=3600
    )
    incremental_max_delay_seconds: int = _p(
        600,
        "Incremental run: longest wait while changes keep coming (seconds)",
        THRIVE,
        minimum=0,
        maximum=86400,
    )
    nightly_hour: int = _p(2, "Nightly run: hour of the day (local time)", THRIVE, minimum=0, maximum=23)

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def series_history_weeks(self) -> int:
        """Weeks of counts the time series need: Noufaily's b = 3 years, w = 3 weeks, and the week."""
        return NOUFAILY_2012.first_week

    @property
    def history_days(self) -> int:
        """How far back a run reads cases: the longest look-back of any detector."""
        return max(
            self.scan_study_days,
            self.poisson_study_days,
            7 * self.series_history_weeks,
            self.new_means_absence_days + self.new_means_lookback_days + self.new_means_window_days,
            self.location_window_days,
        )


DEFAULTS = Parameters()


@dataclass(frozen=True)
class Described:
    name: str
    label: str
    source: str
    default: Any
    value: Any
    minimum: float | None
    maximum: float | None

    @property
    def overridden(self) -> bool:
        return bool(self.value != self.default)


def describe(parameters: Parameters) -> list[Described]:
    """Every parameter with its label, source, default and the value in force (for the parameters page)."""
    return [
        Described(
            name=f.name,
            label=f.metadata["label"],
            source=f.metadata["source"],
            default=f.default,
            value=getattr(parameters, f.name),
            minimum=f.metadata["minimum"],
            maximum=f.metadata["maximum"],
        )
        for f in dataclasses.fields(Parameters)
    ]


class ParameterError(ValueError):
    """An override that is unknown, of the wrong type or out of bounds; the message names it."""


def with_overrides(overrides: dict[str, Any], base: Parameters = DEFAULTS) -> Parameters:
    """`base` with `overrides` applied, each checked against its field's type and bounds."""
    fields = {f.name: f for f in dataclasses.fields(Parameters)}
    changes: dict[str, Any] = {}
    for name, raw in overrides.items():
        spec = fields.get(name)
        if spec is None:
            raise ParameterError(f"{name} is not a detection parameter")
        kind: type = type(spec.default)
        try:
            value = kind(raw)
        except (TypeError, ValueError):
            raise ParameterError(f"{spec.metadata['label']}: {raw!r} is not a {kind.__name__}") from None
        if kind is int and isinstance(raw, float) and raw != int(raw):
            raise ParameterError(f"{spec.metadata['label']}: {raw!r} is not a whole number")
        low, high = spec.metadata["minimum"], spec.metadata["maximum"]
        if (low is not None and value < low) or (high is not None and value > high):
            raise ParameterError(f"{spec.metadata['label']} must be between {low} and {high}, not {value}")
        changes[name] = value
    parameters = dataclasses.replace(base, **changes)
    if parameters.scan_max_temporal_days > parameters.scan_study_days // 2:
        raise ParameterError(
            "The longest space-time cluster can be at most half the study period (SaTScan's limit)"
        )
    return parameters
