"""Referral figures by service and month: time to first contact, target compliance and uptake, with small
numbers suppressed (`thrive.core.disclosure`).

Each month's referrals (by the day they reached the service; transferred-away referrals count at the service
they went to) are split two ways, and both splits are published with the month's total:

- first contact: within the target, after it, not yet and the target has passed (missed), not yet and still
  in time (pending). Compliance is within ÷ (within + after + missed): pending referrals are not judged yet.
- support: took up support (the service recorded "supporting"), or not (yet).

Every count from 1 to 4 is suppressed, and so is whatever would let it be worked out: the other cells of its
month, its column over the months (the total is published), the month's total. Percentages shown rest only on
published counts; times to first contact need the month's count shown and at least 5 contacts.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from thrive.accounts.models import Organisation
from thrive.core.disclosure import DEFAULT_THRESHOLD, suppress_small
from thrive.referrals.models import Referral, Status

CONTACT = ("within", "late", "missed", "pending")
SUPPORT = ("supported", "not_supported")
TOTAL = "total"


@dataclass
class Cell:
    """One month's (or, with no month, the total's) published figures; None where suppressed."""

    month: datetime.date | None
    referrals: int | None = None
    contact: dict[str, int | None] = field(default_factory=dict)
    support: dict[str, int | None] = field(default_factory=dict)
    median_days: float | None = None
    p90_days: float | None = None

    @property
    def contacted(self) -> int | None:
        within, late = self.contact.get("within"), self.contact.get("late")
        return None if within is None or late is None else within + late

    @property
    def compliance(self) -> float | None:
        parts = [self.contact.get(name) for name in ("within", "late", "missed")]
        if any(part is None for part in parts):
            return None
        judged = sum(part for part in parts if part is not None)
        return round(100 * (parts[0] or 0) / judged, 1) if judged else None

    @property
    def uptake(self) -> float | None:
        supported, rest = self.support.get("supported"), self.support.get("not_supported")
        if supported is None or rest is None or not supported + rest:
            return None
        return round(100 * supported / (supported + rest), 1)


@dataclass
class ServiceFigures:
    service: Organisation
    months: list[Cell]
    total: Cell


def month_starts(today: datetime.date, months: int) -> list[datetime.date]:
    first = today.replace(day=1)
    starts = []
    for _ in range(months):
        starts.append(first)
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return starts[::-1]


def _contact_state(row: dict[str, Any], today: datetime.date) -> str:
    contacted, due = row["first_contact_at"], row["first_contact_due"]
    if contacted is not None:
        return "within" if due is None or timezone.localdate(contacted) <= due else "late"
    return "missed" if due is not None and due < today else "pending"


def _days(rows: list[dict[str, Any]]) -> list[float]:
    return [
        (row["first_contact_at"] - row["received_at"]).total_seconds() / 86400
        for row in rows if row["first_contact_at"] is not None
    ]  # fmt: skip


def _times(days: list[float], threshold: int) -> tuple[float | None, float | None]:
    if len(days) < max(threshold, 2):
        return None, None
    p90 = statistics.quantiles(days, n=10, method="inclusive")[8]
    return round(statistics.median(days), 1), round(p90, 1)


def _suppress(
    raw: dict[str, dict[str, int]], labels: list[str], threshold: int
) -> dict[tuple[str, ...], int | None]:
    """Suppress one service's table: per label (months and the total) its referrals and both splits."""
    counts: dict[tuple[str, ...], int] = {}
    for label in labels:
        counts[("n", label)] = raw[label]["n"]
        for name in (*CONTACT, *SUPPORT):
            counts[(name, label)] = raw[label][name]
    months = [label for label in labels if label != TOTAL]
    groups = [[("n", m) for m in months]]
    for label in labels:
        groups += [[(name, label) for name in CONTACT], [(name, label) for name in SUPPORT]]
    groups += [[(name, m) for m in months] for name in (*CONTACT, *SUPPORT)]
    forced: set[tuple[str, ...]] = set()
    while True:
        result = suppress_small(counts, threshold, groups=groups, forced=forced)
        # A suppressed total hides its month's cells too, or they would add up to it.
        more = {
            (name, label) for label in labels if result[("n", label)] is None for name in (*CONTACT, *SUPPORT)
        }
        if more <= forced:
            return result
        forced |= more


def compute(
    *,
    services: list[Organisation],
    today: datetime.date,
    months: int = 12,
    threshold: int = DEFAULT_THRESHOLD,
) -> list[ServiceFigures]:
    starts = month_starts(today, months)
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(starts[0], datetime.time(), tzinfo=tz)
    rows: Any = (
        Referral.objects.filter(service__in=services, received_at__gte=since)
        .exclude(status=Status.TRANSFERRED)
        .values("service_id", "received_at", "first_contact_at", "first_contact_due", "support_started_at")
    )
    by_cell: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        label = timezone.localdate(row["received_at"]).replace(day=1).isoformat()
        by_cell[(row["service_id"], label)].append(row)
        by_cell[(row["service_id"], TOTAL)].append(row)
    labels = [start.isoformat() for start in starts] + [TOTAL]
    result = []
    for service in services:
        raw: dict[str, dict[str, int]] = {}
        for label in labels:
            cell_rows = by_cell.get((service.pk, label), [])
            tally = dict.fromkeys((*CONTACT, *SUPPORT), 0)
            for row in cell_rows:
                tally[_contact_state(row, today)] += 1
                tally["supported" if row["support_started_at"] else "not_supported"] += 1
            raw[label] = {"n": len(cell_rows), **tally}
        published = _suppress(raw, labels, threshold)
        cells = []
        for label in labels:
            median, p90 = (None, None)
            if published[("n", label)] is not None:  # no times for a month whose very count is hidden
                median, p90 = _times(_days(by_cell.get((service.pk, label), [])), threshold)
            cells.append(Cell(
                month=None if label == TOTAL else datetime.date.fromisoformat(label),
                referrals=published[("n", label)],
                contact={name: published[(name, label)] for name in CONTACT},
                support={name: published[(name, label)] for name in SUPPORT},
                median_days=median, p90_days=p90,
            ))  # fmt: skip
        result.append(ServiceFigures(service=service, months=cells[:-1], total=cells[-1]))
    return result
