"""What each service line measures, when assessments fall due and how change is classified (docs/outcomes.md).

The defaults here are Thrive's documented starting points; a deployment changes the review interval of a
service line with `thrive outcomes review-interval` (stored in `ReviewInterval`) and the change methods with
the `OUTCOMES_CHANGE_METHODS` setting (measure key -> a method key of `measures.change`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings

from thrive.outcomes.codes import ServiceLine
from thrive.outcomes.measures import change
from thrive.outcomes.measures import get as get_measure
from thrive.outcomes.measures import keys as measure_keys

SL = ServiceLine

# Days from the start (or the last review) to the next review. Six-monthly reviews follow the community mental
# health framework's care-plan review; shorter services review sooner.
DEFAULT_REVIEW_DAYS: Mapping[str, int] = {
    SL.EARLY_INTERVENTION: 182,
    SL.COMMUNITY: 182,
    SL.OLDER_ADULTS: 182,
    SL.PERINATAL: 91,
    SL.CHILDREN: 91,
    SL.EMPLOYMENT: 91,
    SL.CRISIS: 14,
}
FALLBACK_REVIEW_DAYS = 182

START_WITHIN_DAYS = 14  # the start assessments are due within two weeks of the episode starting
END_WITHIN_DAYS = 14  # and the end ones within two weeks of it ending
DUE_SOON_DAYS = 14  # a review shows on the worklist this many days before it falls due
END_SHOWN_DAYS = 28  # after this an end assessment not done drops off the worklist (counted as missed)


@dataclass(frozen=True)
class ServiceMeasures:
    patient_rated: tuple[str, ...]
    clinician_rated: tuple[str, ...]

    @property
    def all(self) -> tuple[str, ...]:
        return self.patient_rated + self.clinician_rated


ADULT = ServiceMeasures(patient_rated=("dialog",), clinician_rated=("honos",))
MEASURES_BY_SERVICE_LINE: Mapping[str, ServiceMeasures] = {
    SL.OLDER_ADULTS: ServiceMeasures(patient_rated=("dialog",), clinician_rated=("honos65",)),
    SL.CHILDREN: ServiceMeasures(patient_rated=(), clinician_rated=("honosca",)),
    SL.EMPLOYMENT: ServiceMeasures(patient_rated=("dialog",), clinician_rated=()),
}
PATIENT_RATED = frozenset({"dialog", "phq9", "gad7"})


def measures_for(service_line: str) -> ServiceMeasures:
    return MEASURES_BY_SERVICE_LINE.get(service_line, ADULT)


# The score each measure is followed by over an episode (its key in the measure's scores).
HEADLINE_SCORE: Mapping[str, str] = {
    "dialog": "sqol",
    "honos": "total",
    "honos65": "total",
    "honosca": "total",
    "phq9": "total",
    "gad7": "total",
}
# The method that classifies an episode's change for each measure. HoNOS 65+ and HoNOSCA have no published
# reliable change threshold in measures.md, so none is configured: their first and latest totals are shown
# without a classification rather than with a borrowed one.
DEFAULT_CHANGE_METHODS: Mapping[str, str] = {
    "dialog": "dialog_sqol_rci",
    "honos": "honos_total",
    "phq9": "phq9_total",
    "gad7": "gad7_total",
}
# Further methods shown beside the headline one on a patient's page.
EXTRA_CHANGE_METHODS: Mapping[str, tuple[str, ...]] = {"dialog": ("dialog_treatment_satisfaction_rci",)}
DIALOG_ITEM_METHOD = "dialog_item"


def change_method(measure: str) -> change.ChangeMethod | None:
    keys: Mapping[str, str] = {**DEFAULT_CHANGE_METHODS, **getattr(settings, "OUTCOMES_CHANGE_METHODS", {})}
    key = keys.get(measure)
    return change.get_method(key) if key else None


def item_method() -> change.ThresholdMethod:
    method = change.get_method(DIALOG_ITEM_METHOD)
    assert isinstance(method, change.ThresholdMethod)
    return method


def short_title(measure: str) -> str:
    """ "HoNOS 65+" rather than the Questionnaire's full title, for headings and lists."""
    return get_measure(measure).title.split(" (")[0]


SHORT_TITLES: Mapping[str, str] = {key: short_title(key) for key in measure_keys()}
