"""What each service line measures, when assessments fall due and how change is classified (docs/outcomes.md).

The defaults here are Thrive's documented starting points; a deployment changes the review interval of a
service line with `thrive outcomes review-interval` (stored in `ReviewInterval`), gives a measure a Jacobson-Truax
reliable change index with its own reference values with the `OUTCOMES_RELIABLE_CHANGE` setting, and chooses
among the methods with the `OUTCOMES_CHANGE_METHODS` setting (measure key -> a method key of `measures.change`,
or of a configured index).
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

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
# Which way is better for each headline score (for a configured reliable change index).
HIGHER_IS_BETTER = frozenset({"dialog"})
# The method that classifies an episode's change for each measure. HoNOS 65+ and HoNOSCA have no published
# reliable change threshold in measures.md, so none is built in: their first and latest totals are shown
# without a classification rather than with a borrowed one, until a deployment configures reference values
# (`OUTCOMES_RELIABLE_CHANGE`).
DEFAULT_CHANGE_METHODS: Mapping[str, str] = {
    "dialog": "dialog_sqol_rci",
    "honos": "honos_total",
    "phq9": "phq9_total",
    "gad7": "gad7_total",
}
# Further methods shown beside the headline one on a patient's page.
EXTRA_CHANGE_METHODS: Mapping[str, tuple[str, ...]] = {"dialog": ("dialog_treatment_satisfaction_rci",)}
DIALOG_ITEM_METHOD = "dialog_item"

RELIABLE_CHANGE_SETTING = "OUTCOMES_RELIABLE_CHANGE"
RELIABLE_CHANGE_FIELDS = frozenset({"reference_sd", "reliability", "source"})
SOURCE_MAX = 120


def configured_method_key(measure: str) -> str:
    return f"{measure}_configured_rci"


def _reference_problem(measure: str, entry: object) -> str | None:
    if measure not in HEADLINE_SCORE:
        return f"{measure!r} is not a measure; the measures are {', '.join(HEADLINE_SCORE)}"
    if not isinstance(entry, Mapping):
        return f"{measure}: give a mapping of reference_sd, reliability and source"
    unknown = set(entry) - RELIABLE_CHANGE_FIELDS
    missing = RELIABLE_CHANGE_FIELDS - set(entry)
    if unknown or missing:
        return (
            f"{measure}: the fields are reference_sd, reliability and source"
            + (f"; unknown: {', '.join(sorted(map(str, unknown)))}" if unknown else "")
            + (f"; missing: {', '.join(sorted(missing))}" if missing else "")
        )
    sd, reliability, source = entry["reference_sd"], entry["reliability"], entry["source"]
    if isinstance(sd, bool) or not isinstance(sd, int | float) or not math.isfinite(sd) or sd <= 0:
        return f"{measure}: reference_sd must be a positive number (the reference sample's SD), not {sd!r}"
    if isinstance(reliability, bool) or not isinstance(reliability, int | float) or not 0 <= reliability < 1:
        return f"{measure}: reliability must be a number from 0 to below 1, not {reliability!r}"
    if not isinstance(source, str) or not source.strip() or len(source) > SOURCE_MAX:
        return f"{measure}: source must name where the reference values come from (up to {SOURCE_MAX} characters)"
    return None


def reliable_change_from(raw: object) -> dict[str, change.ReliableChangeIndexMethod]:
    """The methods of an `OUTCOMES_RELIABLE_CHANGE` value (a mapping, or JSON text), checked."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError as error:
            raise ImproperlyConfigured(f"{RELIABLE_CHANGE_SETTING} is not valid JSON: {error}") from None
    if not isinstance(raw, Mapping):
        raise ImproperlyConfigured(
            f"{RELIABLE_CHANGE_SETTING} must map measure keys to reference values, such as "
            '{"honos65": {"reference_sd": ..., "reliability": ..., "source": "..."}}'
        )
    methods: dict[str, change.ReliableChangeIndexMethod] = {}
    for measure, entry in raw.items():
        problem = _reference_problem(str(measure), entry)
        if problem:
            raise ImproperlyConfigured(f"{RELIABLE_CHANGE_SETTING}: {problem}.")
        sd, reliability = float(entry["reference_sd"]), float(entry["reliability"])
        score = HEADLINE_SCORE[measure]
        method = change.ReliableChangeIndexMethod(
            key=configured_method_key(measure),
            name="",
            measure=measure,
            score=score,
            reference_sd=sd,
            reliability=reliability,
            higher_is_better=measure in HIGHER_IS_BETTER,
        )
        points = method.critical_value * method.standard_error_of_difference
        what = "quality of life (SQOL)" if score == "sqol" else score
        methods[measure] = dataclasses.replace(
            method,
            name=(
                f"{short_title(measure)} {what}: reliable change index (Jacobson-Truax; reference SD {sd:g}, "
                f"reliability {reliability:g}, from {entry['source'].strip()}; reliable beyond "
                f"{points:.2f} points)"
            ),
        )
    return methods


_reliable_change_cache: list[tuple[Any, dict[str, change.ReliableChangeIndexMethod]]] = []


def reliable_change_methods() -> dict[str, change.ReliableChangeIndexMethod]:
    """Measure -> the Jacobson-Truax index built from the reference values a deployment configured in
    `OUTCOMES_RELIABLE_CHANGE` ({"honos65": {"reference_sd": ..., "reliability": ..., "source": "..."}}, or
    the same as JSON text). Thrive ships none: measures.md gives no reference values for HoNOS 65+ or HoNOSCA,
    and borrowed ones would classify change wrongly. A bad value raises ImproperlyConfigured (and fails the
    system check at start-up)."""
    raw = getattr(settings, RELIABLE_CHANGE_SETTING, None) or {}
    if _reliable_change_cache and _reliable_change_cache[0][0] == raw:
        return _reliable_change_cache[0][1]
    methods = reliable_change_from(raw)
    _reliable_change_cache[:] = [(copy.deepcopy(raw), methods)]
    return methods


def method_by_key(key: str) -> change.ChangeMethod:
    """A built-in method, or a configured reliable change index, by its key."""
    for method in reliable_change_methods().values():
        if method.key == key:
            return method
    try:
        return change.get_method(key)
    except LookupError:
        configured = [method.key for method in reliable_change_methods().values()]
        raise LookupError(
            f"Unknown change method {key!r}; the methods are {', '.join([*change.METHODS, *configured])}."
        ) from None


def change_method(measure: str) -> change.ChangeMethod | None:
    """The method that classifies `measure`'s change: the one `OUTCOMES_CHANGE_METHODS` names for it, else the
    reliable change index configured for it, else the default (None: no method, change is not classified)."""
    chosen: Mapping[str, str] = getattr(settings, "OUTCOMES_CHANGE_METHODS", {})
    if measure in chosen:
        return method_by_key(chosen[measure]) if chosen[measure] else None
    configured = reliable_change_methods()
    if measure in configured:
        return configured[measure]
    key = DEFAULT_CHANGE_METHODS.get(measure)
    return change.get_method(key) if key else None


def item_method() -> change.ThresholdMethod:
    method = change.get_method(DIALOG_ITEM_METHOD)
    assert isinstance(method, change.ThresholdMethod)
    return method


def short_title(measure: str) -> str:
    """ "HoNOS 65+" rather than the Questionnaire's full title, for headings and lists."""
    return get_measure(measure).title.split(" (")[0]


SHORT_TITLES: Mapping[str, str] = {key: short_title(key) for key in measure_keys()}
