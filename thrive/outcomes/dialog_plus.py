"""DIALOG+ sessions (reference/measures.md): rate, review last time's actions, compare with the previous
ratings, choose up to three domains, work through the four steps for each, agree actions.

Domains are suggested from low ratings (3 or below: dissatisfied), requests for more help and worsening since
the previous rating; the patient and clinician choose. Actions name who does what by when, and the next
session of the episode opens with them to be marked done, partly done or not done.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from thrive.accounts.models import User
from thrive.core import audit
from thrive.outcomes import services
from thrive.outcomes.codes import ActionReview, ActionWho, Status
from thrive.outcomes.measures import get as get_measure
from thrive.outcomes.models import (
    Assessment,
    DialogPlusAction,
    DialogPlusDomain,
    DialogPlusSession,
    Episode,
)
from thrive.outcomes.services import Refused

MAX_DOMAINS = 3
LOW_RATING = 3
NOTE_MAX = 4000
STEPS = (
    ("understanding", "1. Understanding", "The problem, and what already helps."),
    ("looking_forward", "2. Looking forward", "The best case, and the smallest step towards it."),
    ("exploring_options", "3. Exploring options", "What the patient, the clinician and others could do."),
)


@dataclass
class ItemComparison:
    number: int
    title: str
    previous: int | None
    current: int | None
    help_requested: bool
    reasons: list[str] = field(default_factory=list)

    @property
    def change(self) -> int | None:
        return None if self.previous is None or self.current is None else self.current - self.previous

    @property
    def suggested(self) -> bool:
        return bool(self.reasons)


def _audit(session: DialogPlusSession, by: User | None, summary: str) -> None:
    audit.record(
        action=audit.Action.UPDATE,
        obj=session,
        user=by,
        organisation=session.episode.team.organisation,
        summary=f"DIALOG+ session for {session.patient.local_id}: {summary}",
    )


def start_session(*, by: User, episode: Episode) -> DialogPlusSession:
    if episode.end is not None:
        raise Refused({"episode": ["This episode has ended: start a new episode for further sessions."]})
    with transaction.atomic():
        session = DialogPlusSession.objects.create(episode=episode, patient=episode.patient, clinician=by)
        audit.record(
            action=audit.Action.CREATE,
            obj=session,
            user=by,
            organisation=episode.team.organisation,
            summary=f"DIALOG+ session started for {episode.patient.local_id}",
        )
    return session


def rate(
    *,
    by: User | None,
    session: DialogPlusSession,
    mode: str,
    timepoint: str,
    assessed_on: datetime.date,
    answers: Mapping[str, Any],
) -> Assessment:
    """The session's DIALOG rating, recorded as a completed assessment of the episode."""
    if session.assessment_id is not None:
        raise Refused({"session": ["This session already has its ratings."]})
    with transaction.atomic():
        assessment = services.record_assessment(
            by=by,
            episode=session.episode,
            measure="dialog",
            timepoint=timepoint,
            mode=mode,
            assessed_on=assessed_on,
            answers=answers,
        )
        session.assessment = assessment
        session.save(update_fields=["assessment"])
    return assessment


def previous_rating(session: DialogPlusSession) -> Assessment | None:
    """The patient's DIALOG before this session's: the latest completed one of the episode."""
    earlier = Assessment.objects.filter(episode=session.episode, measure="dialog", status=Status.COMPLETED)
    if session.assessment is not None:
        earlier = earlier.exclude(pk=session.assessment.pk).filter(
            assessed_on__lte=session.assessment.assessed_on, created_at__lt=session.assessment.created_at
        )
    return earlier.order_by("-assessed_on", "-created_at").first()


def compare(session: DialogPlusSession) -> list[ItemComparison]:
    """Each DIALOG item now and last time, with the reasons it might be chosen."""
    current = session.assessment.answers if session.assessment else {}
    before = previous_rating(session)
    previous = before.answers if before else {}
    helped = set(current.get("help", []))
    rows = []
    for item in get_measure("dialog").items:
        row = ItemComparison(
            item.number,
            item.title,
            previous.get(str(item.number)),
            current.get(str(item.number)),
            item.number in helped,
        )
        if row.current is not None and row.current <= LOW_RATING:
            row.reasons.append("low rating")
        if row.help_requested:
            row.reasons.append("more help wanted")
        if row.change is not None and row.change < 0:
            row.reasons.append("worse than last time")
        rows.append(row)
    return rows


def actions_to_review(session: DialogPlusSession) -> list[DialogPlusAction]:
    """Actions agreed in earlier sessions of the episode, not yet reviewed (or reviewed in this session)."""
    pending = Q(
        domain__session__episode=session.episode,
        domain__session__started_at__lt=session.started_at,
        reviewed_in__isnull=True,
        review=ActionReview.PENDING,
    )
    return list(
        DialogPlusAction.objects.filter(pending | Q(reviewed_in=session))
        .select_related("domain__session")
        .order_by("due_on", "pk")
    )


def review_actions(*, by: User, session: DialogPlusSession, reviews: Mapping[int, str]) -> int:
    """Mark earlier actions done, partly done or not done; returns how many were marked."""
    allowed = {action.pk: action for action in actions_to_review(session)}
    outcomes = {ActionReview.DONE, ActionReview.PARTLY, ActionReview.NOT_DONE}
    unknown = [pk for pk in reviews if pk not in allowed]
    if unknown:
        raise Refused({"reviews": ["One of the actions is not from an earlier session of this episode."]})
    if any(value not in outcomes for value in reviews.values()):
        raise Refused({"reviews": ["Say whether each action was done, partly done or not done."]})
    now = timezone.now()
    with transaction.atomic():
        for pk, value in reviews.items():
            action = allowed[pk]
            action.review, action.reviewed_in, action.reviewed_at = value, session, now
            action.save(update_fields=["review", "reviewed_in", "reviewed_at"])
        _audit(session, by, f"reviewed {len(reviews)} earlier action(s)")
    return len(reviews)


def choose_domains(*, by: User, session: DialogPlusSession, items: list[int]) -> list[DialogPlusDomain]:
    """Set the domains to discuss: up to three. A domain with agreed actions cannot be dropped."""
    if session.assessment_id is None:
        raise Refused({"items": ["Record the ratings before choosing what to talk about."]})
    chosen = list(dict.fromkeys(items))
    if not chosen:
        raise Refused({"items": ["Choose at least one domain to talk about."]})
    if len(chosen) > MAX_DOMAINS:
        raise Refused({"items": [f"Choose up to {MAX_DOMAINS} domains: {len(chosen)} were chosen."]})
    if any(not 1 <= item <= len(get_measure("dialog").items) for item in chosen):
        raise Refused({"items": ["Choose domains from the DIALOG items 1 to 11."]})
    with transaction.atomic():
        existing = {domain.item: domain for domain in session.domains.all()}
        dropped = [domain for item, domain in existing.items() if item not in chosen]
        if any(domain.actions.exists() for domain in dropped):
            raise Refused({"items": ["A domain with agreed actions cannot be dropped from the session."]})
        for domain in dropped:
            domain.delete()
        for position, item in enumerate(chosen, start=1):
            domain = existing.get(item) or DialogPlusDomain(
                session=session, subject_id=session.patient.subject_id, item=item
            )
            domain.position = position
            domain.save()
        _audit(session, by, f"chose domains {', '.join(map(str, chosen))}")
    return list(session.domains.all())


def record_steps(*, by: User, domain: DialogPlusDomain, notes: Mapping[str, str]) -> DialogPlusDomain:
    """The notes of the first three steps (the fourth is the actions)."""
    for name, label, _ in STEPS:
        if len(notes.get(name, "")) > NOTE_MAX:
            raise Refused({name: [f"{label}: keep the notes under {NOTE_MAX} characters."]})
    with transaction.atomic():
        for name, _, _ in STEPS:
            setattr(domain, name, notes.get(name, "").strip())
        domain.save()
        _audit(domain.session, by, f"notes on domain {domain.item}")
    return domain


def add_action(
    *, by: User, domain: DialogPlusDomain, who: str, what: str, due_on: datetime.date, who_detail: str = ""
) -> DialogPlusAction:
    errors: dict[str, list[str]] = {}
    if who not in ActionWho.values:
        errors["who"] = ["Say who will do it."]
    if who == ActionWho.OTHER and not who_detail.strip():
        errors["who_detail"] = ["Say who else will do it."]
    if not what.strip():
        errors["what"] = ["Say what will be done."]
    if due_on < timezone.localdate():
        errors["due_on"] = ["The date it will be done by cannot be in the past."]
    if errors:
        raise Refused(errors)
    with transaction.atomic():
        action = DialogPlusAction.objects.create(
            domain=domain,
            subject_id=domain.subject_id,
            who=who,
            who_detail=who_detail.strip()[:100],
            what=what.strip()[:NOTE_MAX],
            due_on=due_on,
        )
        _audit(domain.session, by, f"agreed an action on domain {domain.item}")
    return action


def finish(*, by: User, session: DialogPlusSession) -> DialogPlusSession:
    if session.assessment_id is None:
        raise Refused({"session": ["Record the ratings before finishing the session."]})
    if session.completed_at is None:
        with transaction.atomic():
            session.completed_at = timezone.now()
            session.save(update_fields=["completed_at"])
            _audit(session, by, "finished")
    return session
