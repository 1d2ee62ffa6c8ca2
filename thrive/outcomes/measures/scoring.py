"""Scoring rules of the built-in measures (reference/measures.md); each takes validated `Answers`."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict

from thrive.outcomes.measures.model import Answers, Measure

DIALOG_LIFE_DOMAIN_ITEMS = (1, 2, 3, 4, 5, 6, 7, 8)
DIALOG_TREATMENT_ITEMS = (9, 10, 11)

HONOS_SUBSCALES: Mapping[str, tuple[int, ...]] = {
    "behaviour": (1, 2, 3),
    "impairment": (4, 5),
    "symptoms": (6, 7, 8),
    "social": (9, 10, 11, 12),
}
HONOSCA_SUBSCALES: Mapping[str, tuple[int, ...]] = {
    "behaviour": (1, 2, 3, 4),
    "impairment": (5, 6),
    "symptoms": (7, 8, 9),
    "social": (10, 11, 12, 13),
}
HONOSCA_SECTION_A = tuple(range(1, 14))
HONOS_ITEMS = tuple(range(1, 13))


@dataclass(frozen=True)
class SeverityBand:
    lowest_total: int
    name: str


PHQ9_BANDS = (
    SeverityBand(0, "none-minimal"),
    SeverityBand(5, "mild"),
    SeverityBand(10, "moderate"),
    SeverityBand(15, "moderately severe"),
    SeverityBand(20, "severe"),
)
# The contract keeps one vocabulary of band names, so GAD-7's lowest band (0-4) is "none-minimal" too.
GAD7_BANDS = (
    SeverityBand(0, "none-minimal"),
    SeverityBand(5, "mild"),
    SeverityBand(10, "moderate"),
    SeverityBand(15, "severe"),
)


class DialogScores(TypedDict):
    sqol: float
    treatment_satisfaction: float
    help_requested: list[int]


class ClinicianRatedScores(TypedDict):
    total: int | None
    subscales: dict[str, int | None]
    items_rated: int
    complete: bool


class Phq9Scores(TypedDict):
    total: int
    severity: str
    item9_positive: bool


class Gad7Scores(TypedDict):
    total: int
    severity: str


def score_dialog(answers: Answers) -> DialogScores:
    return {
        "sqol": _mean(answers, DIALOG_LIFE_DOMAIN_ITEMS),
        "treatment_satisfaction": _mean(answers, DIALOG_TREATMENT_ITEMS),
        "help_requested": list(answers.help_requested),
    }


@dataclass(frozen=True)
class CompletenessRule:
    """A total is incomplete when more than `max_not_known` of its items are not known (9) or missing."""

    max_not_known: int = 2

    def is_complete(self, items_in_total: int, items_rated: int) -> bool:
        return items_in_total - items_rated <= self.max_not_known


@dataclass(frozen=True)
class ClinicianRatedScorer:
    """HoNOS family: sums of the items rated 0-4; an item rated 9 (not known) counts nowhere."""

    total_items: tuple[int, ...]
    subscales: Mapping[str, tuple[int, ...]]
    completeness: CompletenessRule = CompletenessRule()

    def __call__(self, answers: Answers) -> ClinicianRatedScores:
        rated = [number for number in self.total_items if number in answers.weights]
        return {
            "total": _sum_or_none(answers, self.total_items),
            "subscales": {name: _sum_or_none(answers, items) for name, items in self.subscales.items()},
            "items_rated": len(rated),
            "complete": self.completeness.is_complete(len(self.total_items), len(rated)),
        }


HONOS_SCORER = ClinicianRatedScorer(total_items=HONOS_ITEMS, subscales=HONOS_SUBSCALES)
HONOSCA_SCORER = ClinicianRatedScorer(total_items=HONOSCA_SECTION_A, subscales=HONOSCA_SUBSCALES)


def with_completeness(measure: Measure, rule: CompletenessRule) -> Measure:
    """The same clinician-rated measure under another incompleteness rule."""
    if not isinstance(measure.scorer, ClinicianRatedScorer):
        raise ValueError(f"{measure.title} has no completeness rule")
    return dataclasses.replace(measure, scorer=dataclasses.replace(measure.scorer, completeness=rule))


def severity(total: int, bands: tuple[SeverityBand, ...]) -> str:
    return next(band.name for band in reversed(bands) if total >= band.lowest_total)


def score_phq9(answers: Answers) -> Phq9Scores:
    total = sum(answers.weights.values())
    return {"total": total, "severity": severity(total, PHQ9_BANDS), "item9_positive": answers.weights[9] > 0}


def score_gad7(answers: Answers) -> Gad7Scores:
    total = sum(answers.weights.values())
    return {"total": total, "severity": severity(total, GAD7_BANDS)}


def _mean(answers: Answers, items: tuple[int, ...]) -> float:
    return sum(answers.weights[number] for number in items) / len(items)


def _sum_or_none(answers: Answers, items: tuple[int, ...]) -> int | None:
    """None when no item is rated, so an all-unknown subscale does not read as 'no problem'."""
    rated = [answers.weights[number] for number in items if number in answers.weights]
    return sum(rated) if rated else None
