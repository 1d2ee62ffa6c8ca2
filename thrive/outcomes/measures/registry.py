"""The measures Thrive knows, by key: adding one is a Questionnaire in `definitions/` and a scorer here."""

from __future__ import annotations

from pathlib import Path

from thrive.outcomes.measures.model import Measure, Scorer
from thrive.outcomes.measures.scoring import (
    HONOS_SCORER,
    HONOSCA_SCORER,
    score_dialog,
    score_gad7,
    score_phq9,
)

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"

_SCORERS: dict[str, Scorer] = {
    "dialog": score_dialog,
    "honos": HONOS_SCORER,
    "honos65": HONOS_SCORER,
    "honosca": HONOSCA_SCORER,
    "phq9": score_phq9,
    "gad7": score_gad7,
}

_MEASURES = {
    key: Measure.from_definition(key, DEFINITIONS_DIR / f"{key}.json", scorer)
    for key, scorer in _SCORERS.items()
}


class UnknownMeasureError(LookupError):
    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"Unknown measure {key!r}; the measures are {', '.join(keys())}.")


def get(key: str) -> Measure:
    try:
        return _MEASURES[key]
    except KeyError:
        raise UnknownMeasureError(key) from None


def keys() -> tuple[str, ...]:
    return tuple(_MEASURES)


def measures() -> tuple[Measure, ...]:
    return tuple(_MEASURES.values())
