"""Service managers' outcome figures: paired scores and their change, broken down by team, service line,
borough, integrated care system or equity group (deprivation, ethnicity, age, sex).

Everything comes from `EpisodeOutcome` (one row per episode and measure, kept current by the services) in one
GROUP BY, so the page answers quickly over millions of assessments. Counts from 1 to 4 are suppressed, with
secondary suppression across each row (improved + no change + deteriorated = paired) and each column (the
groups add up to the total); a mean or a rate built on a suppressed count is suppressed with it.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum

from thrive.accounts.models import Team
from thrive.core.disclosure import suppress_table
from thrive.geography.models import AgeBand, Area
from thrive.outcomes import config
from thrive.outcomes.codes import EthnicGroup, ServiceLine, Sex
from thrive.outcomes.measures import change
from thrive.outcomes.models import EpisodeOutcome

COUNTS = ("episodes", "paired", "improved", "no_change", "deteriorated")
MEASURES = {"dialog": "DIALOG", "honos": "HoNOS", "honos65": "HoNOS 65+", "honosca": "HoNOSCA"}
SCORE_NAMES = {
    "dialog": "quality of life (mean of items 1-8)",
    "honos": "total",
    "honos65": "total",
    "honosca": "total (section A)",
}
NO_METHOD = "No reliable change method is configured for this measure: changes are not classified."
PERIODS = {"12": "the last 12 months", "24": "the last 24 months", "all": "all time"}


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    field: str
    equity: bool = False


DIMENSIONS = {
    d.key: d
    for d in (
        Dimension("team", "Team", "team_id"),
        Dimension("service_line", "Service line", "service_line"),
        Dimension("borough", "Borough of residence", "borough_id"),
        Dimension("ics", "Integrated care system", "ics_id"),
        Dimension("imd", "Deprivation (IMD 2019 quintile of residence)", "imd_quintile", equity=True),
        Dimension("ethnicity", "Ethnic group", "ethnic_group", equity=True),
        Dimension("age", "Age at the start of the episode", "age_band", equity=True),
        Dimension("sex", "Sex", "sex", equity=True),
    )
}


@dataclass
class Row:
    key: Any
    label: str
    counts: dict[str, int | None]
    mean_first: float | None
    mean_latest: float | None
    mean_items_improved: float | None

    def rate(self, name: str) -> int | None:
        """Per cent of paired episodes, rounded; suppressed with its count."""
        count, paired = self.counts.get(name), self.counts.get("paired")
        if count is None or not paired:
            return None
        return round(100 * count / paired)

    @property
    def paired_rate(self) -> int | None:
        paired, episodes = self.counts.get("paired"), self.counts.get("episodes")
        return None if paired is None or not episodes else round(100 * paired / episodes)


@dataclass
class Table:
    measure: str
    dimension: Dimension
    since: datetime.date | None
    rows: list[Row]
    total: Row
    method: str


def since_for(period: str, today: datetime.date) -> datetime.date | None:
    if period == "all":
        return None
    months = int(period)
    return today.replace(year=today.year - months // 12)


CHOICE_LABELS: Mapping[str, Mapping[Any, str]] = {
    "service_line": dict(ServiceLine.choices),
    "ethnicity": dict(EthnicGroup.choices),
    "sex": dict(Sex.choices),
    "age": dict(AgeBand.choices),
    "imd": {
        1: "Quintile 1 (most deprived)",
        2: "Quintile 2",
        3: "Quintile 3",
        4: "Quintile 4",
        5: "Quintile 5 (least deprived)",
    },
}


def _labels(dimension: Dimension, keys: list[Any]) -> dict[Any, str]:
    if dimension.key == "team":
        return {t.pk: t.name for t in Team.objects.filter(pk__in=keys)}
    if dimension.key in ("borough", "ics"):
        return {a.pk: a.name for a in Area.objects.filter(pk__in=keys).only("name")}
    choices: Mapping[Any, str] = CHOICE_LABELS.get(dimension.key, {})
    return {key: choices.get(key, str(key)) for key in keys}


def _aggregates() -> dict[str, Any]:
    """Named `n_*` and `sum_*`: an aggregate may not share a name with a field its filters use."""
    paired = Q(paired=True)
    return {
        "n_episodes": Count("id"),
        "n_paired": Count("id", filter=paired),
        "n_improved": Count("id", filter=paired & Q(change=change.Change.RELIABLE_IMPROVEMENT)),
        "n_no_change": Count("id", filter=paired & Q(change=change.Change.NO_RELIABLE_CHANGE)),
        "n_deteriorated": Count("id", filter=paired & Q(change=change.Change.RELIABLE_DETERIORATION)),
        "sum_first": Sum("first_score", filter=paired),
        "sum_latest": Sum("latest_score", filter=paired),
        "sum_items": Sum("items_improved", filter=paired),
    }


def _row(key: Any, label: str, values: Mapping[str, Any], counts: dict[str, int | None]) -> Row:
    paired = counts["paired"]

    def mean(name: str) -> float | None:
        total = values.get(name)
        return None if not paired or total is None else round(total / paired, 2)

    return Row(key, label, counts, mean("sum_first"), mean("sum_latest"), mean("sum_items"))


def build(outcomes: QuerySet[EpisodeOutcome], *, measure: str, by: str, since: datetime.date | None) -> Table:
    """The figures of `outcomes` (already limited to what the user may see) for one measure and breakdown."""
    dimension = DIMENSIONS[by]
    chosen = outcomes.filter(measure=measure)
    if since is not None:
        chosen = chosen.filter(latest_on__gte=since)
    if dimension.key == "imd":
        chosen = chosen.annotate(imd_quintile=(F("imd_decile") + 1) / 2)
    grouped = list(chosen.values(dimension.field).annotate(**_aggregates()).order_by(dimension.field))
    # The total is the groups' sum: one scan of the summaries, not two.
    total_values = {name: sum(row[name] or 0 for row in grouped) for name in _aggregates()}
    labels = _labels(dimension, [row[dimension.field] for row in grouped if row[dimension.field] is not None])
    table = {row[dimension.field]: {name: int(row[f"n_{name}"]) for name in COUNTS} for row in grouped}
    suppressed = suppress_table(
        {**table, "__total__": {name: int(total_values[f"n_{name}"] or 0) for name in COUNTS}}
    )
    rows = [
        _row(
            row[dimension.field],
            labels.get(row[dimension.field], "Not known"),
            row,
            suppressed[row[dimension.field]],
        )
        for row in grouped
    ]
    rows.sort(
        key=lambda row: (row.key is None, row.label if dimension.key in ("team", "borough", "ics") else "")
    )
    total = _row(None, "All", total_values, suppressed["__total__"])
    method = config.change_method(measure)
    return Table(measure, dimension, since, rows, total, method.name if method else NO_METHOD)
