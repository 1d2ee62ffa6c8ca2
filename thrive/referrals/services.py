"""Every change to a referral: one function per action, keyword-only, one transaction, audited, messages
queued in the outbox within it (delivered after commit).

- `on_consent` runs inside the transaction that records a bereaved person's consent (the surveillance app's
  `consent_recorded` signal): "yes" makes the referral, anything else withdraws the current one.
- `create_referral` finds the current referral for the person first (same next of kin, or same name on the
  same case) and creates one only if there is none; the database's unique constraints settle any race.
- `update` is what the referral page and `PATCH /api/v1/referrals/{id}/` call: a status, a contact attempt, or
  both (all or nothing), with the workflow's rules (`workflow.py`).
- `transfer`, `assign` (for referrals no service covered), `withdraw_consent` (the person told the service)
  and `escalate_overdue` (the periodic `thrive referrals escalate`).

Notes typed by workers are encrypted under the referral's data key; audit entries never carry them, because
the audit log can never be erased and a withdrawal must leave nothing identifying behind.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from thrive.accounts.models import Organisation, User
from thrive.accounts.permissions import OrganisationType
from thrive.core import audit
from thrive.core.crypto import DataSubject, blind_index, erase_subject, normalise_name
from thrive.core.working_days import add_working_days
from thrive.referrals import messages, routing, workflow
from thrive.referrals.models import (
    AWAITING_CONTACT,
    FINISHED,
    ContactAttempt,
    Referral,
    ReferralEvent,
    Routing,
    Status,
)
from thrive.referrals.workflow import TransitionError
from thrive.surveillance.codes import Consent
from thrive.surveillance.models import Case, NextOfKin

# What a referral copies: the bereaved person's own details (the first nine), then two about the death.
SNAPSHOT = (
    "name", "relationship", "phone", "email", "address", "postcode", "language", "interpreter_needed",
    "safety_concerns", "deceased_first_name", "date_of_death",
)  # fmt: skip
CLOCK_SKEW = datetime.timedelta(minutes=5)
Kind = ReferralEvent.Kind


@dataclass(frozen=True)
class Attempt:
    at: datetime.datetime
    channel: str
    outcome: str
    note: str = ""


def person_index(case: Case, name: str) -> str:
    """A keyed hash of the case and the normalised name: the same person reported twice on one case."""
    key = normalise_name(name)
    return blind_index("referral_person", f"{case.pk}|{key}") if key else ""


def snapshot(next_of_kin: NextOfKin, case: Case) -> dict[str, object]:
    """The minimum necessary, copied from the bereaved person's record and the case when it is made."""
    values: dict[str, object] = {name: getattr(next_of_kin, name) for name in SNAPSHOT[:9]}
    return {
        **values,
        "next_of_kin": next_of_kin,
        "deceased_first_name": case.given_name,
        "date_of_death": case.date_of_death,
        "is_example": case.is_example,
    }


def due_date(service: Organisation | None, received_at: datetime.datetime) -> datetime.date | None:
    if service is None:
        return None
    return add_working_days(timezone.localdate(received_at), service.first_contact_target_days)


def _event(
    referral: Referral, kind: str, *, by: User | None, organisation: Organisation | None,
    from_status: str = "", to_status: str = "", note: str = "", at: datetime.datetime | None = None,
) -> ReferralEvent:  # fmt: skip
    return ReferralEvent.objects.create(
        referral=referral, subject_id=referral.subject_id, kind=kind, from_status=from_status,
        to_status=to_status, note=note, by=by, organisation=organisation, at=at or timezone.now(),
    )  # fmt: skip


def _audit(
    referral: Referral, *, by: User | None, organisation: Organisation | None, reason: str, summary: str = "",
    action: str = audit.Action.UPDATE, via: str = "",
) -> None:  # fmt: skip
    audit.record(
        action=action, obj=referral, user=by, organisation=organisation,
        reason=reason + (f" ({via})" if via else ""), summary=summary,
    )  # fmt: skip


def _locked(referral: Referral) -> Referral:
    """Lock the bereaved person's record, then the referral: the order the consent path takes (surveillance
    locks the person, then its signal reaches us), so that the two can never deadlock."""
    list(
        NextOfKin.objects.select_for_update().filter(pk=referral.next_of_kin_id).values_list("pk", flat=True)
    )
    return Referral.objects.select_for_update().get(pk=referral.pk)


def _current_for(person: NextOfKin, index: str) -> QuerySet[Referral]:
    same = Q(next_of_kin=person)
    if index:
        same |= Q(person_index=index)
    return Referral.objects.filter(same, is_current=True).order_by("pk")


def on_consent(
    *, next_of_kin: NextOfKin, case: Case, by_user: User | None, by_organisation: Organisation | None
) -> Referral | None:
    """A bereaved person's consent was recorded or changed: make the referral, or withdraw it."""
    if next_of_kin.consent_to_referral == Consent.YES:
        referral, _ = create_referral(
            next_of_kin=next_of_kin, case=case, by_user=by_user, by_organisation=by_organisation
        )
        return referral
    current = Referral.objects.filter(next_of_kin=next_of_kin, is_current=True).first()
    if current is None:
        return None
    return _withdraw(
        current, by=by_user, organisation=by_organisation,
        reason=f"consent recorded as '{next_of_kin.consent_to_referral}': the referral is withdrawn",
    )  # fmt: skip


def create_referral(
    *, next_of_kin: NextOfKin, case: Case, by_user: User | None, by_organisation: Organisation | None
) -> tuple[Referral, bool]:
    """The bereaved person's current referral, made now (True) or found (False); for consent "yes" only."""
    index = person_index(case, next_of_kin.name)
    with transaction.atomic():
        existing = _current_for(next_of_kin, index).select_for_update().first()
        if existing is not None:
            if existing.next_of_kin_id != next_of_kin.pk:
                _event(existing, Kind.DUPLICATE, by=by_user, organisation=by_organisation)
                _audit(
                    existing,
                    by=by_user,
                    organisation=by_organisation,
                    reason="consent recorded again for the same person: no second referral made",
                    summary=f"next of kin {next_of_kin.pk} on case {case.reference}",
                )
            return existing, False
        residence = routing.where_they_live(next_of_kin, case)
        route = routing.choose_service(residence.borough)
        now = timezone.now()
        try:
            with transaction.atomic():
                referral = Referral.objects.create(
                    **snapshot(next_of_kin, case), person_index=index, service=route.service,
                    subject=DataSubject.objects.create_subject(), borough=residence.borough,
                    basis=residence.basis, routing=route.routing, received_at=now, created_at=now,
                    consent_recorded_by_organisation=by_organisation, updated_at=now,
                    first_contact_due=due_date(route.service, now),
                )  # fmt: skip
        except IntegrityError:
            existing = _current_for(next_of_kin, index).first()
            if existing is None:
                raise
            return existing, False
        _event(referral, Kind.CREATED, by=by_user, organisation=by_organisation, to_status=Status.NEW, at=now)
        borough = residence.borough.code if residence.borough else "unknown"
        _audit(
            referral,
            by=by_user,
            organisation=by_organisation,
            action=audit.Action.CREATE,
            reason="consent to a bereavement referral recorded",
            summary=f"case {case.reference}; lives in {borough} (from {residence.basis}); "
            f"routed to {route.service.slug if route.service else 'no service'} ({route.routing})",
        )
        if referral.service is not None:
            messages.new_referral(referral)
        else:
            messages.unrouted(referral)
    return referral, True


def update(
    *, referral: Referral, by: User | None, organisation: Organisation, status: str | None = None,
    note: str = "", attempt: Attempt | None = None, transfer_to: Organisation | None = None, via: str = "",
) -> Referral:  # fmt: skip
    """A change of status, a contact attempt, or both, all or nothing. Returns the referral as it now stands
    (for a transfer, the new referral at the other service). Raises TransitionError, naming the field."""
    if status is None and attempt is None:
        raise TransitionError("Give a new status or a contact attempt.", "body")
    if transfer_to is not None and status != Status.TRANSFERRED:
        raise TransitionError(
            "Set the status to 'transferred' to pass the referral to another service.", "transfer_to"
        )
    with transaction.atomic():
        current = _locked(referral)
        if not current.is_current:
            raise TransitionError("This referral was withdrawn or transferred: it can no longer change.")
        if status == Status.ACCEPTED:  # accepting comes before any attempt sent with it
            workflow.check_transition(current.status, status)
            _change(current, status, by=by, organisation=organisation, note=note, via=via)
            status, note = None, ""
        if attempt is not None:
            _attempt(current, attempt, by=by, organisation=organisation, via=via)
        if status is None or (attempt is not None and status == current.status):
            return current
        workflow.check_transition(current.status, status)
        if status == Status.TRANSFERRED:
            if transfer_to is None:
                raise TransitionError("Choose the service to transfer the referral to.", "transfer_to")
            return _transfer(current, transfer_to, by=by, organisation=organisation, note=note, via=via)
        _change(current, status, by=by, organisation=organisation, note=note, via=via)
    return current


def _change(
    current: Referral, status: str, *, by: User | None, organisation: Organisation, note: str, via: str
) -> None:
    before, now = current.status, timezone.now()
    current.status = status
    if status == Status.ACCEPTED:
        current.accepted_at = now
    elif status == Status.SUPPORTING and current.support_started_at is None:
        current.support_started_at = now
    if status in FINISHED:
        current.closed_at = now
    current.updated_at = now
    current.save()
    _event(
        current,
        Kind.STATUS,
        by=by,
        organisation=organisation,
        from_status=before,
        to_status=status,
        note=note,
        at=now,
    )
    _audit(current, by=by, organisation=organisation, via=via, reason=f"status {before} → {status}")


def _attempt(
    current: Referral, attempt: Attempt, *, by: User | None, organisation: Organisation, via: str
) -> None:
    if attempt.channel not in ContactAttempt.Channel.values:
        raise TransitionError(
            f"'{attempt.channel}' is not a contact channel. Use one of: "
            f"{', '.join(ContactAttempt.Channel.values)}.",
            "contact_attempt.channel",
        )
    if attempt.outcome not in ContactAttempt.Outcome.values:
        raise TransitionError(
            f"'{attempt.outcome}' is not an outcome. Use one of: {', '.join(ContactAttempt.Outcome.values)}.",
            "contact_attempt.outcome",
        )
    now = timezone.now()
    if attempt.at > now + CLOCK_SKEW:
        raise TransitionError("The time of the attempt is in the future.", "contact_attempt.at")
    if attempt.at < current.received_at - CLOCK_SKEW:
        raise TransitionError(
            "The attempt cannot be before the referral reached the service.", "contact_attempt.at"
        )
    reached = attempt.outcome == ContactAttempt.Outcome.REACHED
    after = workflow.status_after_attempt(current.status, reached=reached)
    ContactAttempt.objects.create(
        referral=current, subject_id=current.subject_id, at=attempt.at, channel=attempt.channel,
        outcome=attempt.outcome, note=attempt.note, by=by, organisation=organisation, recorded_at=now,
    )  # fmt: skip
    if current.first_attempt_at is None or attempt.at < current.first_attempt_at:
        current.first_attempt_at = attempt.at
    if reached and (current.first_contact_at is None or attempt.at < current.first_contact_at):
        current.first_contact_at = attempt.at
    before = current.status
    current.status, current.updated_at = after, now
    current.save()
    _event(
        current, Kind.ATTEMPT, by=by, organisation=organisation, from_status=before, to_status=after, at=now
    )
    _audit(
        current,
        by=by,
        organisation=organisation,
        via=via,
        reason=f"contact attempt by {attempt.channel}: {attempt.outcome}",
        summary=f"status {before} → {after}",
    )


def _transfer(
    current: Referral, to_service: Organisation, *, by: User | None, organisation: Organisation, note: str,
    via: str,
) -> Referral:  # fmt: skip
    """The referral goes to another service as a new referral; this service's copy of the details is
    erased."""
    if to_service.type != OrganisationType.BEREAVEMENT_SERVICE:
        raise TransitionError(f"{to_service.name} is not a bereavement service.", "transfer_to")
    if to_service.pk == current.service_id:
        raise TransitionError("The referral is already with that service.", "transfer_to")
    values = {name: getattr(current, name) for name in SNAPSHOT}
    now = timezone.now()
    before = current.status
    current.status, current.is_current = Status.TRANSFERRED, False
    current.closed_at = current.updated_at = now
    current.save()
    moved = Referral.objects.create(
        next_of_kin_id=current.next_of_kin_id, person_index=current.person_index, service=to_service,
        subject=DataSubject.objects.create_subject(), **values, borough=current.borough, basis=current.basis,
        routing=Routing.TRANSFERRED, received_at=now, first_contact_due=due_date(to_service, now),
        consent_recorded_by_organisation=current.consent_recorded_by_organisation, created_at=now,
        updated_at=now,
    )  # fmt: skip
    current.transferred_to = moved
    current.save(update_fields=["transferred_to"])
    _event(
        current,
        Kind.TRANSFERRED,
        by=by,
        organisation=organisation,
        from_status=before,
        to_status=Status.TRANSFERRED,
        at=now,
    )
    _event(moved, Kind.CREATED, by=by, organisation=organisation, to_status=Status.NEW, note=note, at=now)
    _audit(
        current,
        by=by,
        organisation=organisation,
        via=via,
        reason=f"transferred to {to_service.slug} as {moved.reference}",
    )
    _audit(
        moved,
        by=by,
        organisation=organisation,
        via=via,
        action=audit.Action.CREATE,
        reason=f"transferred from {organisation.slug} ({current.reference})",
    )
    erase_subject(
        subject=current.subject,
        by=by,
        reason=f"referral {current.reference} transferred: the first service's copy is no longer needed",
    )
    messages.new_referral(moved)
    return moved


def assign(*, referral: Referral, service: Organisation, by: User, organisation: Organisation) -> Referral:
    """A surveillance lead gives a referral that no service covered to a bereavement service."""
    if service.type != OrganisationType.BEREAVEMENT_SERVICE:
        raise TransitionError(f"{service.name} is not a bereavement service.", "service")
    with transaction.atomic():
        current = _locked(referral)
        if not current.is_current or current.service_id is not None:
            raise TransitionError("This referral already has a service or was withdrawn.", "service")
        now = timezone.now()
        current.service, current.routing, current.received_at = service, Routing.ASSIGNED, now
        current.first_contact_due, current.updated_at = due_date(service, now), now
        current.save()
        _event(current, Kind.ASSIGNED, by=by, organisation=organisation, at=now)
        _audit(current, by=by, organisation=organisation, reason=f"assigned to {service.slug}")
        messages.new_referral(current)
    return current


def withdraw_consent(
    *, referral: Referral, by: User | None, organisation: Organisation, via: str = ""
) -> Referral:
    """The person told the service they no longer consent: recorded on the bereaved person's record (which
    every agency sees), and the referral closes with its details erased."""
    from thrive.surveillance.services import record_consent

    with transaction.atomic():
        current = _locked(referral)
        if not current.is_current:
            raise TransitionError("This referral was already withdrawn or transferred.")
        record_consent(
            next_of_kin=current.next_of_kin, consent=Consent.NO, by_user=by, by_organisation=organisation,
            reason=f"the person told {organisation.name} they withdraw consent to the referral",
        )  # fmt: skip
        # The consent signal has withdrawn it; if the record already said "no" (no signal), withdraw it here.
        return _withdraw(current, by=by, organisation=organisation, reason="consent withdrawn", via=via)


def _withdraw(
    referral: Referral, *, by: User | None, organisation: Organisation | None, reason: str, via: str = ""
) -> Referral:
    with transaction.atomic():
        current = _locked(referral)
        if not current.is_current:
            return current
        now = timezone.now()
        before = current.status
        if current.status not in FINISHED:
            current.status = Status.CLOSED
        current.closed_at = current.closed_at or now
        current.withdrawn_at, current.is_current, current.updated_at = now, False, now
        current.save()
        _event(
            current,
            Kind.WITHDRAWN,
            by=by,
            organisation=organisation,
            from_status=before,
            to_status=current.status,
            at=now,
        )
        _audit(
            current,
            by=by,
            organisation=organisation,
            reason=reason,
            via=via,
            summary="referral closed; the person's details held for the service are erased",
        )
        erase_subject(
            subject=current.subject,
            by=by,
            reason=f"consent to bereavement referral {current.reference} withdrawn",
        )
        messages.withdrawn(current)
    return current


def escalate_overdue(*, now: datetime.datetime | None = None) -> list[Referral]:
    """Escalate, once each, the referrals whose first-contact target day has passed without contact."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = Referral.objects.filter(
        is_current=True, service__isnull=False, first_contact_at__isnull=True, escalated_at__isnull=True,
        status__in=AWAITING_CONTACT, first_contact_due__lt=today,
    ).order_by("first_contact_due", "pk")  # fmt: skip
    escalated = []
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            current = Referral.objects.select_for_update().filter(pk=pk, escalated_at__isnull=True).first()
            if current is None or not current.is_current or not current.is_overdue(today):
                continue
            current.escalated_at = now
            current.save(update_fields=["escalated_at"])
            _event(current, Kind.ESCALATED, by=None, organisation=None, at=now)
            _audit(
                current,
                by=None,
                organisation=None,
                reason="first-contact target missed: service managers and surveillance leads told",
                summary=f"due {current.first_contact_due}, status {current.status}",
            )
            messages.escalated(current)
            escalated.append(current)
    return escalated
