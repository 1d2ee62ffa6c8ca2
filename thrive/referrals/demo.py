"""`thrive demo-data` for referrals: a year of referral history, and the recent referrals moved along.

The surveillance demo writes past deaths directly (no messages) and reports the last fortnight's through the
real service, which makes referrals for consenting next of kin there and then. This generator:

- gives the past year's consenting next of kin, where a demo service covers them, the referral they would have
  had, with its story (accepted within hours, contact attempts, first contact mostly within the target,
  support taken up or declined, now and then unreachable), written directly: nothing is sent for the past;
- dates the recent referrals from when their deaths were reported and moves them along as far as their age
  allows, leaving the newest new and one overdue, so the inbox, the worklist and the figures all show
  something.

Deterministic for a seed (each person's story is drawn from their own seeded generator); a second run finds
every story told and changes nothing.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from thrive.core.crypto import DataSubject
from thrive.referrals import routing, services
from thrive.referrals.models import ContactAttempt, Referral, ReferralEvent, Status
from thrive.surveillance.codes import Consent
from thrive.surveillance.models import NextOfKin

HISTORY_DAYS = 400
Kind = ReferralEvent.Kind
Outcome = ContactAttempt.Outcome


@dataclass(frozen=True)
class Step:
    at: datetime.datetime
    kind: str
    status: str = ""
    outcome: str = ""
    channel: str = "phone"


def story(rng: random.Random, received: datetime.datetime, due: datetime.date | None) -> list[Step]:
    """What happened to one referral, in order; the caller keeps the steps that are already in the past."""
    hours = datetime.timedelta(hours=1)
    at = received + rng.uniform(0.5, 20) * hours
    steps = [Step(at, Kind.STATUS, Status.ACCEPTED)]
    unreachable = rng.random() < 0.06
    late = not unreachable and rng.random() < 0.15
    misses = 3 if unreachable else rng.choice((0, 0, 1, 1, 2))
    for _ in range(misses):
        at += rng.uniform(3, 30) * hours
        steps.append(
            Step(
                at,
                Kind.ATTEMPT,
                Status.CONTACT_ATTEMPTED,
                rng.choice((Outcome.NO_ANSWER, Outcome.LEFT_MESSAGE)),
                rng.choice(("phone", "text")),
            )
        )
    if unreachable:
        steps.append(Step(at + 72 * hours, Kind.STATUS, Status.UNABLE_TO_CONTACT))
        return steps
    if late and due is not None:
        at = (
            max(at, datetime.datetime.combine(due, datetime.time(12), tzinfo=at.tzinfo))
            + rng.uniform(20, 80) * hours
        )
    else:
        at += rng.uniform(1, 10) * hours
    steps.append(Step(at, Kind.ATTEMPT, Status.CONTACTED, Outcome.REACHED))
    if rng.random() < 0.2:
        steps.append(Step(at + rng.uniform(0.1, 48) * hours, Kind.STATUS, Status.DECLINED))
    else:
        at += rng.uniform(24, 120) * hours
        steps.append(Step(at, Kind.STATUS, Status.SUPPORTING))
        steps.append(Step(at + rng.uniform(30, 120) * 24 * hours, Kind.STATUS, Status.CLOSED))
    return steps


def tell(referral: Referral, steps: list[Step], now: datetime.datetime) -> int:
    """Write the steps up to `now` onto a referral as the services would have; returns how many it wrote."""
    told, service_id = 0, referral.service_id
    if service_id is None:
        return 0
    for step in steps:
        if step.at > now:
            break
        before = referral.status
        if step.kind == Kind.ATTEMPT:
            ContactAttempt.objects.create(
                referral=referral,
                subject_id=referral.subject_id,
                at=step.at,
                channel=step.channel,
                outcome=step.outcome,
                organisation_id=service_id,
                recorded_at=step.at,
            )
            referral.first_attempt_at = referral.first_attempt_at or step.at
            if step.outcome == Outcome.REACHED:
                referral.first_contact_at = step.at
        elif step.status == Status.ACCEPTED:
            referral.accepted_at = step.at
        elif step.status == Status.SUPPORTING:
            referral.support_started_at = step.at
        if step.status in (Status.CLOSED, Status.DECLINED):
            referral.closed_at = step.at
        due = referral.first_contact_due
        if (
            referral.first_contact_at is None
            and due
            and timezone.localdate(step.at) > due
            and not referral.escalated_at
        ):
            referral.escalated_at = timezone.make_aware(datetime.datetime.combine(due, datetime.time(23, 59)))
        referral.status, referral.updated_at = step.status, step.at
        referral.save()
        ReferralEvent.objects.create(
            referral=referral,
            subject_id=referral.subject_id,
            kind=step.kind,
            from_status=before,
            to_status=step.status,
            organisation=referral.service,
            at=step.at,
        )
        told += 1
    return told


def _history(prefix: int, now: datetime.datetime) -> int:
    """Referrals for the past year's consenting next of kin that a demo service covers."""
    since = timezone.localdate(now) - datetime.timedelta(days=HISTORY_DAYS)
    people = (
        NextOfKin.objects.filter(case__is_example=True, consent_to_referral=Consent.YES,
                                 referrals__isnull=True, case__date_found__gte=since)
        .select_related("case", "borough", "case__residence_borough", "case__incident_borough")
        .order_by("case__date_found", "case__reference", "created_at", "pk")
    )  # fmt: skip
    made = 0
    for person in people:
        case = person.case
        residence = routing.where_they_live(person, case)
        route = routing.choose_service(residence.borough)
        if route.service is None:
            continue  # placed by hand at the time, outside Thrive
        received = person.consent_recorded_at or timezone.make_aware(
            datetime.datetime.combine(case.date_found, datetime.time(10))
        )
        if received > now - datetime.timedelta(days=14):
            continue  # recent: made by the real service when the surveillance demo reported it
        with transaction.atomic():
            referral = Referral.objects.create(
                **services.snapshot(person, case), person_index=services.person_index(case, person.name),
                service=route.service, borough=residence.borough,
                subject=DataSubject.objects.create_subject(),
                basis=residence.basis, routing=route.routing, received_at=received, created_at=received,
                consent_recorded_by_organisation=person.added_by_organisation, updated_at=received,
                first_contact_due=services.due_date(route.service, received),
            )  # fmt: skip
            ReferralEvent.objects.create(
                referral=referral,
                subject_id=referral.subject_id,
                kind=Kind.CREATED,
                to_status=Status.NEW,
                organisation=person.added_by_organisation,
                at=received,
            )
            rng = random.Random(f"{prefix}:{case.reference}:{person.relationship}:{person.name}")
            tell(referral, story(rng, received, referral.first_contact_due), now)
        made += 1
    return made


def _recent(prefix: int, now: datetime.datetime) -> int:
    """Date the recent referrals from when their deaths were reported and move them along: the two newest stay
    new and the oldest is accepted but not yet contacted (overdue, for the worklist and the escalation).
    Those no service covers are only dated: they wait for a surveillance lead."""
    untouched = [
        r for r in Referral.objects.filter(is_example=True, is_current=True, status=Status.NEW)
        .select_related("next_of_kin__case") if r.events.count() == 1
    ]  # fmt: skip
    untouched.sort(key=lambda r: (r.next_of_kin.case.date_found, r.next_of_kin.case.reference, r.pk))
    routed = [r.pk for r in untouched if r.service_id is not None]
    moved = 0
    for referral in untouched:
        case = referral.next_of_kin.case
        rng = random.Random(f"{prefix}:recent:{case.reference}:{referral.relationship}")
        reported = datetime.datetime.combine(case.date_found, datetime.time(9)) + datetime.timedelta(
            hours=rng.uniform(1, 10)
        )
        received = min(now - datetime.timedelta(minutes=5), timezone.make_aware(reported))
        with transaction.atomic():
            referral.received_at = referral.created_at = received
            referral.first_contact_due = services.due_date(referral.service, received)
            referral.save()
            referral.events.update(at=received)
            if referral.pk not in routed[:-2]:
                continue
            steps = story(rng, received, referral.first_contact_due)
            moved += bool(tell(referral, steps[:1] if referral.pk == routed[0] else steps, now))
    return moved


def generate(*, rng: random.Random, **_: Any) -> dict[str, int]:
    now, prefix = timezone.now(), rng.getrandbits(32)
    return {"history": _history(prefix, now), "recent_moved_on": _recent(prefix, now)}
