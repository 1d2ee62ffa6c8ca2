"""Classifying change between a first and a latest score (reference/measures.md).

Two kinds of method: a fixed threshold on the raw change (HoNOS total 8 points, NHS England's 1 point on a
DIALOG life-domain item, NHS Talking Therapies' PHQ-9 6 and GAD-7 4 points), and the Jacobson-Truax reliable
change index with configured reference values. Each method knows which way is better for its score.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from thrive.outcomes.measures.scoring import DIALOG_LIFE_DOMAIN_ITEMS

# Means of three items are not exact in binary; a change of exactly the threshold must still count.
_TOLERANCE = 1e-9


class Change(StrEnum):
    RELIABLE_IMPROVEMENT = "reliable_improvement"
    NO_RELIABLE_CHANGE = "no_reliable_change"
    RELIABLE_DETERIORATION = "reliable_deterioration"


@dataclass(frozen=True)
class ThresholdMethod:
    """Reliable change is a change of at least `threshold` points in the better or worse direction."""

    key: str
    name: str
    measure: str
    score: str  # the key in the measure's scores, or "item" for each of `items`
    threshold: float
    higher_is_better: bool
    items: tuple[int, ...] = ()

    def classify(self, first: float, latest: float) -> Change:
        improvement = latest - first if self.higher_is_better else first - latest
        if improvement >= self.threshold - _TOLERANCE:
            return Change.RELIABLE_IMPROVEMENT
        if -improvement >= self.threshold - _TOLERANCE:
            return Change.RELIABLE_DETERIORATION
        return Change.NO_RELIABLE_CHANGE


@dataclass(frozen=True)
class ReliableChangeIndexMethod:
    """Jacobson & Truax (1991): RCI = (latest - first) / S_diff; reliable when |RCI| > the critical value."""

    key: str
    name: str
    measure: str
    score: str
    reference_sd: float
    reliability: float
    higher_is_better: bool
    critical_value: float = 1.96

    def __post_init__(self) -> None:
        if self.reference_sd <= 0 or not 0 <= self.reliability < 1:
            raise ValueError(f"{self.key}: needs a positive reference SD and a reliability in [0, 1)")

    @property
    def standard_error_of_difference(self) -> float:
        return math.sqrt(2) * self.reference_sd * math.sqrt(1 - self.reliability)

    def index(self, first: float, latest: float) -> float:
        return (latest - first) / self.standard_error_of_difference

    def classify(self, first: float, latest: float) -> Change:
        index = self.index(first, latest)
        improvement = index if self.higher_is_better else -index
        if improvement > self.critical_value:
            return Change.RELIABLE_IMPROVEMENT
        if improvement < -self.critical_value:
            return Change.RELIABLE_DETERIORATION
        return Change.NO_RELIABLE_CHANGE


ChangeMethod = ThresholdMethod | ReliableChangeIndexMethod

METHODS: Mapping[str, ChangeMethod] = {
    method.key: method
    for method in (
        ThresholdMethod(
            key="honos_total",
            name="HoNOS total: reliable change of 8 points or more (Parabiaghi et al. 2005)",
            measure="honos",
            score="total",
            threshold=8,
            higher_is_better=False,
        ),
        ThresholdMethod(
            key="honos_total_severe",
            name="HoNOS total, severe patients: reliable change of 7 points or more (Parabiaghi et al. 2005)",
            measure="honos",
            score="total",
            threshold=7,
            higher_is_better=False,
        ),
        ThresholdMethod(
            key="dialog_item",
            name="DIALOG life-domain item: change of 1 point or more on items 1-8 (NHS England PROMs)",
            measure="dialog",
            score="item",
            threshold=1,
            higher_is_better=True,
            items=DIALOG_LIFE_DOMAIN_ITEMS,
        ),
        ReliableChangeIndexMethod(
            key="dialog_sqol_rci",
            name="DIALOG quality of life (SQOL): reliable change index (Jacobson-Truax; SD 1.10, alpha .71)",
            measure="dialog",
            score="sqol",
            reference_sd=1.10,
            reliability=0.71,
            higher_is_better=True,
        ),
        ReliableChangeIndexMethod(
            key="dialog_treatment_satisfaction_rci",
            name="DIALOG treatment satisfaction: reliable change index (Jacobson-Truax; SD 1.17, alpha .57)",
            measure="dialog",
            score="treatment_satisfaction",
            reference_sd=1.17,
            reliability=0.57,
            higher_is_better=True,
        ),
        ThresholdMethod(
            key="phq9_total",
            name="PHQ-9 total: reliable change of 6 points or more (NHS Talking Therapies)",
            measure="phq9",
            score="total",
            threshold=6,
            higher_is_better=False,
        ),
        ThresholdMethod(
            key="gad7_total",
            name="GAD-7 total: reliable change of 4 points or more (NHS Talking Therapies)",
            measure="gad7",
            score="total",
            threshold=4,
            higher_is_better=False,
        ),
    )
}


def get_method(key: str) -> ChangeMethod:
    try:
        return METHODS[key]
    except KeyError:
        raise LookupError(f"Unknown change method {key!r}; the methods are {', '.join(METHODS)}.") from None


def methods_for(measure: str) -> tuple[ChangeMethod, ...]:
    return tuple(method for method in METHODS.values() if method.measure == measure)


def first_and_latest(scores: Iterable[float | None]) -> tuple[float, float] | None:
    """NHS England's paired score: the first valid score and the latest later one (None = not valid)."""
    valid = [score for score in scores if score is not None]
    return (valid[0], valid[-1]) if len(valid) >= 2 else None


def classify_series(method: ChangeMethod, scores: Iterable[float | None]) -> Change | None:
    """Change over a referral's scores in time order; None without a paired score."""
    pair = first_and_latest(scores)
    return method.classify(*pair) if pair else None


def classify_items(
    method: ThresholdMethod, first: Mapping[int, int], latest: Mapping[int, int]
) -> dict[int, Change]:
    """Per-item change for an item method (DIALOG items 1-8), over the items answered both times."""
    if not method.items:
        raise ValueError(f"{method.key} classifies a score, not items")
    return {
        number: method.classify(first[number], latest[number])
        for number in method.items
        if number in first and number in latest
    }


def clinical_significance_cutoff(
    functional_mean: float, functional_sd: float, dysfunctional_mean: float, dysfunctional_sd: float
) -> float:
    """Jacobson-Truax cut-off c between the functional and dysfunctional populations."""
    return (functional_sd * dysfunctional_mean + dysfunctional_sd * functional_mean) / (
        functional_sd + dysfunctional_sd
    )
