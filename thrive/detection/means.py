"""Emerging means: a method group or substance not seen for 24 months that appears at least twice within 90
days.

Terms come from the controlled vocabularies (method groups from the codes, substances normalised with their
synonyms by `surveillance.substances`, so "Panadol" and "paracetamol" are one term). For each term the run
finds its *novel* occurrences (no occurrence in the `new_means_absence_days` before); one is a signal when at
least `new_means_min_cases` occurrences fall in the `new_means_window_days` starting there and it happened
within the last `new_means_lookback_days` (so a term stays "new" for a year, then the time series take over).
"Not seen for 24 months" needs 24 months of data: an occurrence earlier than that in the data is not judged
novel, except for a substance the vocabulary does not know at all (flagged new), which is novel whenever it
first appears.

The "increasing means" half of the signal comes from the time series on each term (`series.py`); both share
the alert key `method:<code>` / `substance:<name>`, so one term has one alert.
"""

from __future__ import annotations

import numpy as np

from thrive.detection.casedata import CaseData
from thrive.detection.parameters import Parameters
from thrive.detection.signals import DetectorOutcome, Signal
from thrive.surveillance import codes

IGNORED_METHODS = frozenset({"", codes.MethodGroup.NOT_KNOWN, codes.MethodGroup.OTHER})


def term_key(kind: str, name: str) -> str:
    return f"{kind}:{name}"


def term_label(kind: str, name: str) -> str:
    """How a term reads in a title: "substance zelpromine", "method fall from height"."""
    if kind == "method":
        return f"method {codes.label(codes.MethodGroup, name).lower()}"
    return f"substance {name}"


def term_occurrences(data: CaseData) -> dict[str, list[int]]:
    """Term key -> the rows (cases) where it occurs, in date order."""
    found: dict[str, list[int]] = {}
    order = np.argsort(data.days, kind="stable").tolist()
    for row in order:
        method = data.method[row]
        if method not in IGNORED_METHODS:
            found.setdefault(term_key("method", method), []).append(row)
        for name in data.substances[row]:
            found.setdefault(term_key("substance", name), []).append(row)
    return found


def novel_episodes(days: list[int], *, absence: int, earliest_judged: int, unknown_term: bool) -> list[int]:
    """Positions in `days` (sorted) of the occurrences preceded by `absence` days without one."""
    novel = []
    for position, day in enumerate(days):
        if position == 0:
            if unknown_term or day - absence >= earliest_judged:
                novel.append(position)
        elif day - days[position - 1] > absence:
            novel.append(position)
    return novel


def new_means(data: CaseData, params: Parameters) -> DetectorOutcome:
    outcome = DetectorOutcome()
    today = data.day_of(data.analysis_date)
    earliest_judged = int(data.days.min()) if data.size else today
    for key, rows in sorted(term_occurrences(data).items()):
        days = [int(data.days[row]) for row in rows]
        kind, name = key.split(":", 1)
        unknown = kind == "substance" and name in data.new_terms
        for position in novel_episodes(
            days, absence=params.new_means_absence_days, earliest_judged=earliest_judged, unknown_term=unknown
        ):
            first = days[position]
            if first < today - params.new_means_lookback_days + 1:
                continue
            window_end = first + params.new_means_window_days - 1
            in_window = [d for d in days[position:] if d <= window_end]
            if len(in_window) < params.new_means_min_cases:
                continue
            episode = rows[position : _episode_end(days, position, params.new_means_absence_days)]
            outcome.signals.append(_signal(data, params, key, first, in_window, episode, unknown))
    return outcome


def _episode_end(days: list[int], position: int, absence: int) -> int:
    """The position after the last occurrence of the episode starting at `position` (until the next gap)."""
    end = position + 1
    while end < len(days) and days[end] - days[end - 1] <= absence:
        end += 1
    return end


def _signal(
    data: CaseData,
    params: Parameters,
    key: str,
    first: int,
    in_window: list[int],
    episode: list[int],
    unknown: bool,
) -> Signal:
    kind, name = key.split(":", 1)
    first_date = data.date_of(first)
    last_date = data.date_of(int(data.days[episode[-1]]))
    boroughs = tuple(sorted({int(data.borough[row]) for row in episode} - {-1}))
    return Signal(
        kind="emerging_means",
        detector="new-means",
        key=key,
        title=f"New means: {term_label(kind, name)} ({len(episode)} deaths since {first_date:%-d %b %Y})",
        window_start=first_date,
        window_end=last_date,
        case_ids=tuple(int(data.case_ids[row]) for row in episode),
        borough_ids=boroughs,
        statistic_name=f"deaths within {params.new_means_window_days} days of the first",
        statistic=float(len(in_window)),
        observed=len(episode),
        details={
            "rule": "new",
            "term": name,
            "term_kind": kind,
            "unknown_to_vocabulary": unknown,
            "first_seen": first_date.isoformat(),
            "in_first_window": len(in_window),
            "not_seen_before_for_days": params.new_means_absence_days,
        },
        parameters={
            "absence_days": params.new_means_absence_days,
            "window_days": params.new_means_window_days,
            "min_cases": params.new_means_min_cases,
            "lookback_days": params.new_means_lookback_days,
        },
    )
