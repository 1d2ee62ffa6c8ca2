"""Which assessments are due or overdue, and the reminder sent when a review falls due.

Each episode needs its service line's measures (config.measures_for) at three timepoints:
- start: due within `START_WITHIN_DAYS` of the episode starting (open episodes);
- review: due the review interval after the latest start or review assessment of that measure (or after the
  episode started, when there is none), shown `DUE_SOON_DAYS` ahead (open episodes);
- end: due within `END_WITHIN_DAYS` of the episode ending, and shown for `END_SHOWN_DAYS` after it ended.
Past its due date an assessment is overdue.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from thrive.accounts.models import Membership, User
from thrive.core import notifications
from thrive.core.notification_models import OutboxMessage
from thrive.core.notifications.kinds import Kind, register_kind
from thrive.outcomes import config
from thrive.outcomes.codes import Status, Timepoint
from thrive.outcomes.models import Assessment, Episode, ReviewInterval

REVIEW_DUE = register_kind(
    Kind(
        "outcomes.review_due",
        title="Outcome measure due",
        body="The {timepoint} {measure} for patient {reference} was due on {due}. "
        "Sign in to Thrive to record it "
        "or send the patient a link.",
    )
)


@dataclass(frozen=True)
class Due:
    episode: Episode
    measure: str
    timepoint: Timepoint
    due_on: datetime.date
    overdue: bool

    @property
    def measure_title(self) -> str:
        return config.SHORT_TITLES[self.measure]


def review_days() -> dict[str, int]:
    """Review interval of each service line: the deployment's own, else the documented default."""
    days = dict(config.DEFAULT_REVIEW_DAYS)
    days.update(ReviewInterval.objects.values_list("service_line", "days"))
    return days


def _done(episodes: list[Episode]) -> dict[tuple[int, str], list[tuple[str, datetime.date]]]:
    rows = Assessment.objects.filter(
        episode__in=[e.pk for e in episodes], status=Status.COMPLETED
    ).values_list("episode_id", "measure", "timepoint", "assessed_on")
    done: dict[tuple[int, str], list[tuple[str, datetime.date]]] = defaultdict(list)
    for episode_id, measure, timepoint, assessed_on in rows:
        done[(episode_id, measure)].append((timepoint, assessed_on))
    return done


def due_for(episodes: Iterable[Episode], today: datetime.date) -> list[Due]:
    """Due and overdue assessments of these episodes (their teams loaded), most overdue first."""
    episodes = list(episodes)
    done = _done(episodes)
    intervals = review_days()
    found: list[Due] = []
    for episode in episodes:
        interval = datetime.timedelta(
            days=intervals.get(episode.team.service_line, config.FALLBACK_REVIEW_DAYS)
        )
        for measure in config.measures_for(episode.team.service_line).all:
            history = done[(episode.pk, measure)]
            kinds = {timepoint for timepoint, _ in history}
            candidates: list[
                tuple[Timepoint, datetime.date, datetime.date]
            ] = []  # (timepoint, due, shown from)
            if episode.end is None:
                if Timepoint.START not in kinds:
                    start_due = episode.start + datetime.timedelta(days=config.START_WITHIN_DAYS)
                    candidates.append((Timepoint.START, start_due, episode.start))
                anchors = [
                    day for timepoint, day in history if timepoint in (Timepoint.START, Timepoint.REVIEW)
                ]
                review_due = max(anchors, default=episode.start) + interval
                candidates.append(
                    (Timepoint.REVIEW, review_due, review_due - datetime.timedelta(days=config.DUE_SOON_DAYS))
                )
            elif Timepoint.END not in kinds and today <= episode.end + datetime.timedelta(
                days=config.END_SHOWN_DAYS
            ):
                end_due = episode.end + datetime.timedelta(days=config.END_WITHIN_DAYS)
                candidates.append((Timepoint.END, end_due, episode.end))
            found.extend(
                Due(episode, measure, timepoint, due_on, today > due_on)
                for timepoint, due_on, shown_from in candidates
                if today >= shown_from
            )
    return sorted(
        found, key=lambda due: (not due.overdue, due.due_on, due.episode.patient.local_id, due.measure)
    )


def send_review_reminders(*, today: datetime.date) -> int:
    """Tell each team's clinicians once about every review that has fallen due (and each end assessment
    outstanding); returns how many reminders were queued. Safe to run as often as wanted: a reminder's
    idempotency key names its episode, measure, timepoint and due date."""
    open_or_recent = Q(end__isnull=True) | Q(end__gte=today - datetime.timedelta(days=config.END_SHOWN_DAYS))
    episodes = list(Episode.objects.filter(open_or_recent).select_related("team", "patient"))
    reviews = [d for d in due_for(episodes, today) if d.timepoint != Timepoint.START and d.due_on <= today]
    clinicians = _team_clinicians({due.episode.team_id for due in reviews})
    sent = 0
    for due in reviews:
        people = clinicians.get(due.episode.team_id, [])
        key = f"outcomes.review_due:{due.episode.pk}:{due.measure}:{due.timepoint}:{due.due_on}"
        if not people or OutboxMessage.objects.filter(idempotency_key=key).exists():
            continue
        with transaction.atomic():
            notifications.send(
                to=[notifications.to_user(user) for user in people],
                kind="outcomes.review_due",
                payload={
                    "reference": due.episode.patient.local_id,
                    "measure": due.measure_title,
                    "timepoint": Timepoint(due.timepoint).label.lower(),
                    "due": f"{due.due_on:%-d %B %Y}",
                    "link": reverse("outcomes:patient", args=[due.episode.patient_id]),
                },
                idempotency_key=key,
            )
        sent += 1
    return sent


def _team_clinicians(team_ids: set[int]) -> dict[int, list[User]]:
    memberships = Membership.objects.filter(
        team_id__in=team_ids, role="clinician", is_active=True, user__is_active=True
    ).select_related("user")
    found: dict[int, list[User]] = defaultdict(list)
    for membership in memberships:
        assert membership.team_id is not None
        found[membership.team_id].append(membership.user)
    return found


def suggested_timepoint(episode: Episode, measure: str, today: datetime.date) -> Timepoint:
    """The timepoint new answers most likely are: the start if there is none yet, the end of an ended
    episode, a review when one is (nearly) due, else a session between reviews."""
    if episode.end is not None:
        return Timepoint.END
    started = Assessment.objects.filter(
        episode=episode, measure=measure, timepoint=Timepoint.START, status=Status.COMPLETED
    )
    if not started.exists():
        return Timepoint.START
    due = {d.timepoint for d in due_for([episode], today) if d.measure == measure}
    return Timepoint.REVIEW if Timepoint.REVIEW in due else Timepoint.SESSION
