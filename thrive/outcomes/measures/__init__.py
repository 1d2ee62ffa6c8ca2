"""Outcome measures as data: FHIR Questionnaire definitions, validation, scoring and change classification.

Pure Python (no Django models), so the forms, the API, `thrive score` and the public self-check share one
source of truth.
"""

from thrive.outcomes.measures.model import (
    AnswerOption,
    Answers,
    Item,
    Measure,
    MeasureValidationError,
    Scores,
)
from thrive.outcomes.measures.registry import UnknownMeasureError, get, keys, measures
from thrive.outcomes.measures.scoring import CompletenessRule, with_completeness

__all__ = [
    "AnswerOption",
    "Answers",
    "CompletenessRule",
    "Item",
    "Measure",
    "MeasureValidationError",
    "Scores",
    "UnknownMeasureError",
    "get",
    "keys",
    "measures",
    "with_completeness",
]
