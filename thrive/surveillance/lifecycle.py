"""A case's lifecycle (suspected → under coroner investigation → concluded → closed; withdrawn) and breaking
the glass. Each change is one transaction with its reason in the audit log and, for status changes, a message
to the agencies following the case."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from thrive.accounts.models import Organisation, User
from thrive.core import audit
from thrive.surveillance import codes, notify
from thrive.surveillance.models import BreakGlass, Case, StatusChange

BREAK_GLASS_HOURS = 3


class TransitionRefused(ValueError):
    """The status cannot follow the current one (the message says why, in plain words)."""


def change_status(
    *,
    case: Case,
    to: str,
    reason: str,
    by: User | None,
    organisation: Organisation,
    conclusion: str = "",
    inquest_date: date | None = None,
) -> StatusChange:
    """Move a case along its lifecycle; a conclusion and inquest date go with "concluded"."""
    if not reason.strip():
        raise TransitionRefused("Give a reason for the change.")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if to != case.status and to not in codes.TRANSITIONS[case.status]:
            raise TransitionRefused(
                f"A case that is '{case.status_label.lower()}' cannot become "
                f"'{codes.label(codes.Status, to).lower()}'."
            )
        if to == codes.Status.CONCLUDED and not conclusion:
            raise TransitionRefused("Record the inquest conclusion.")
        change = StatusChange.objects.create(
            case=case,
            from_status=case.status,
            to_status=to,
            reason=reason.strip(),
            by=by,
            organisation=organisation,
            conclusion=conclusion,
            inquest_date=inquest_date,
        )
        case.status = to
        if conclusion:
            case.conclusion = conclusion
        if inquest_date:
            case.inquest_date = inquest_date
        case.updated_at = timezone.now()
        case.save(update_fields=["status", "conclusion", "inquest_date", "updated_at"])
        audit.record(
            action=audit.Action.UPDATE,
            obj=case,
            user=by,
            organisation=organisation,
            reason=reason,
            summary=f"status {change.from_status} → {to}"
            + (f", conclusion {conclusion}" if conclusion else ""),
        )
        notify.notify_agencies(case, by_organisation=organisation, created=False)
    return change


def record_inquest(
    *,
    case: Case,
    inquest_date: date | None,
    conclusion: str,
    reason: str,
    by: User,
    organisation: Organisation,
) -> StatusChange:
    """A coroner's officer's record: an inquest date opens the investigation; a conclusion concludes it."""
    if conclusion:
        if case.status == codes.Status.SUSPECTED:
            change_status(
                case=case,
                to=codes.Status.CORONER,
                reason=reason,
                by=by,
                organisation=organisation,
                inquest_date=inquest_date,
            )
            case.refresh_from_db()
        return change_status(
            case=case,
            to=codes.Status.CONCLUDED,
            reason=reason,
            by=by,
            organisation=organisation,
            conclusion=conclusion,
            inquest_date=inquest_date,
        )
    target = codes.Status.CORONER if case.status == codes.Status.SUSPECTED else case.status
    return change_status(
        case=case, to=target, reason=reason, by=by, organisation=organisation, inquest_date=inquest_date
    )


def break_glass(*, case: Case, user: User, organisation: Organisation, reason: str) -> BreakGlass:
    """Open a case outside the lead's scope for 3 hours, with a stated reason; audited and listed for
    leads."""
    if len(reason.strip()) < 10:
        raise TransitionRefused("Say why you need to open this case (at least a sentence).")
    with transaction.atomic():
        now = timezone.now()
        grant = BreakGlass.objects.create(
            user=user,
            organisation=organisation,
            case=case,
            reason=reason.strip(),
            started_at=now,
            expires_at=now + timedelta(hours=BREAK_GLASS_HOURS),
        )
        audit.record(
            action=audit.Action.BREAK_GLASS,
            obj=case,
            user=user,
            organisation=organisation,
            reason=reason.strip(),
            summary=f"access to {case.reference} until {grant.expires_at:%H:%M}",
        )
    return grant
