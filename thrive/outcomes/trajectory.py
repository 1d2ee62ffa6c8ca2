"""A patient's scores over an episode, as charts with a data table each, and the change between the first and
the latest valid scores classified by the configured method, whose name is shown with the result."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from thrive.outcomes import config
from thrive.outcomes.codes import Status, Timepoint
from thrive.outcomes.measures import change
from thrive.outcomes.measures import get as get_measure
from thrive.outcomes.measures.scoring import DIALOG_LIFE_DOMAIN_ITEMS, HONOS_SUBSCALES
from thrive.outcomes.models import Assessment, Episode
from thrive.outcomes.summary import dialog_item_values

CHANGE_LABELS = {
    change.Change.RELIABLE_IMPROVEMENT: "Reliable improvement",
    change.Change.NO_RELIABLE_CHANGE: "No reliable change",
    change.Change.RELIABLE_DETERIORATION: "Reliable deterioration",
}
POINT_STYLES = {
    Timepoint.START: "rect",
    Timepoint.REVIEW: "triangle",
    Timepoint.END: "rectRot",
    Timepoint.SESSION: "circle",
}
TIMEPOINT_SHORT = {
    Timepoint.START: "start",
    Timepoint.REVIEW: "review",
    Timepoint.END: "end",
    Timepoint.SESSION: "session",
}


@dataclass
class Chart:
    """A line chart and the same numbers as a table (`rows`: one per series, a value per column)."""

    key: str
    title: str
    columns: list[str]
    point_styles: list[str]
    series: list[tuple[str, list[float | int | None]]]
    y_min: float
    y_max: float
    y_title: str
    lower_is_better: bool = False

    def config(self) -> dict[str, Any]:
        return {
            "labels": self.columns,
            "pointStyles": self.point_styles,
            "yMin": self.y_min,
            "yMax": self.y_max,
            "yTitle": self.y_title,
            "datasets": [{"label": label, "data": data} for label, data in self.series],
        }


@dataclass
class ChangeResult:
    what: str
    first: float
    latest: float
    first_on: Any
    latest_on: Any
    outcome: change.Change | None
    method: str

    @property
    def label(self) -> str:
        return CHANGE_LABELS[self.outcome] if self.outcome else "Not classified"


@dataclass
class ItemChange:
    title: str
    first: int
    latest: int
    outcome: change.Change

    @property
    def label(self) -> str:
        return CHANGE_LABELS[self.outcome]


@dataclass
class MeasureHistory:
    measure: str
    title: str
    assessments: list[Assessment]
    charts: list[Chart] = field(default_factory=list)
    changes: list[ChangeResult] = field(default_factory=list)
    item_changes: list[ItemChange] = field(default_factory=list)
    item_method: str = ""
    no_method: bool = False


def _column(assessment: Assessment) -> str:
    return f"{assessment.assessed_on:%-d %b %Y} ({TIMEPOINT_SHORT[Timepoint(assessment.timepoint)]})"


def _score_change(
    what: str, method: change.ChangeMethod | None, valid: list[Assessment], score: str
) -> ChangeResult:
    """The first and latest valid scores, classified by `method` (without one: shown, not classified)."""
    first, latest = valid[0], valid[-1]
    first_value, latest_value = float(first.scores[score]), float(latest.scores[score])  # type: ignore[index]
    return ChangeResult(
        what,
        first_value,
        latest_value,
        first.assessed_on,
        latest.assessed_on,
        method.classify(first_value, latest_value) if method else None,
        method.name if method else "",
    )


def _headline_change(history: MeasureHistory, what: str, valid: list[Assessment], score: str) -> None:
    """The change of the measure's headline score by its configured method, or plainly not classified."""
    if len(valid) < 2:
        return
    method = config.change_method(history.measure)
    history.no_method = method is None
    history.changes.append(_score_change(what, method, valid, score))


def _dialog(history: MeasureHistory, columns: list[str], styles: list[str]) -> None:
    done = history.assessments
    measure = get_measure("dialog")
    history.charts = [
        Chart(
            "scores",
            "DIALOG scores",
            columns,
            styles,
            [
                ("Quality of life (items 1-8)", [a.scores["sqol"] for a in done]),  # type: ignore[index]
                ("Treatment satisfaction (items 9-11)", [a.scores["treatment_satisfaction"] for a in done]),  # type: ignore[index]
            ],
            1,
            7,
            "Mean rating (1 to 7; higher is more satisfied)",
        ),
        Chart(
            "items",
            "DIALOG items",
            columns,
            styles,
            [
                (f"{item.number}. {item.title}", [a.answers.get(str(item.number)) for a in done])
                for item in measure.items
            ],
            1,
            7,
            "Rating (1 to 7; higher is more satisfied)",
        ),
    ]
    if len(done) < 2:
        return
    for key in ("dialog", *config.EXTRA_CHANGE_METHODS.get("dialog", ())):
        method = config.change_method("dialog") if key == "dialog" else change.get_method(key)
        if method is not None:
            label = "Quality of life" if method.score == "sqol" else "Treatment satisfaction"
            history.changes.append(_score_change(label, method, done, method.score))
    item_method = config.item_method()
    first, latest = dialog_item_values(done[0].answers), dialog_item_values(done[-1].answers)
    outcomes = change.classify_items(item_method, first, latest)
    history.item_changes = [
        ItemChange(measure.item(number).title, first[number], latest[number], outcomes[number])
        for number in DIALOG_LIFE_DOMAIN_ITEMS
        if number in outcomes
    ]
    history.item_method = item_method.name


def _clinician_rated(history: MeasureHistory, columns: list[str], styles: list[str]) -> None:
    done = history.assessments
    title = history.title
    history.charts = [
        Chart(
            "total",
            f"{title} total",
            columns,
            styles,
            [("Total", [a.scores.get("total") if a.scores.get("complete") else None for a in done])],  # type: ignore[union-attr]
            0,
            52 if history.measure == "honosca" else 48,
            "Total (lower is better)",
            lower_is_better=True,
        ),
        Chart(
            "subscales",
            f"{title} subscales",
            columns,
            styles,
            [
                (name.title(), [a.scores["subscales"].get(name) for a in done])  # type: ignore[index]
                for name in HONOS_SUBSCALES
            ],
            0,
            16,
            "Subscale total (lower is better)",
            lower_is_better=True,
        ),
    ]
    _headline_change(history, "Total", [a for a in done if a.score is not None], "total")


def _simple(history: MeasureHistory, columns: list[str], styles: list[str]) -> None:
    done = history.assessments
    top = 27 if history.measure == "phq9" else 21
    history.charts = [
        Chart(
            "total",
            f"{history.title} total",
            columns,
            styles,
            [("Total", [a.score for a in done])],
            0,
            top,
            "Total (lower is better)",
            lower_is_better=True,
        )
    ]
    _headline_change(history, "Total", done, "total")


def histories(episode: Episode) -> list[MeasureHistory]:
    """Each measure completed in the episode, in time order, with its charts and change."""
    by_measure: dict[str, list[Assessment]] = defaultdict(list)
    completed = episode.assessments.filter(status=Status.COMPLETED).order_by(
        "assessed_on", "created_at", "pk"
    )
    for assessment in completed:
        by_measure[assessment.measure].append(assessment)
    found = []
    for measure, done in sorted(
        by_measure.items(), key=lambda pair: (pair[0] not in config.PATIENT_RATED, pair[0])
    ):
        history = MeasureHistory(measure, config.short_title(measure), done)
        columns = [_column(a) for a in done]
        styles = [POINT_STYLES[Timepoint(a.timepoint)] for a in done]
        if measure == "dialog":
            _dialog(history, columns, styles)
        elif measure.startswith("honos"):
            _clinician_rated(history, columns, styles)
        else:
            _simple(history, columns, styles)
        found.append(history)
    return found
