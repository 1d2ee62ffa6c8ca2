"""Writes to the directory, one function per action: keyword-only, one transaction, one audit entry.

Views stay thin; whoever calls these has already checked the user may act on the object (see access.py).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from thrive.accounts.models import Organisation, User
from thrive.core import audit
from thrive.directory.forms import EventSubmissionForm
from thrive.directory.manage_forms import ServiceForm
from thrive.directory.models import Event, EventStatus, SelfCheckDailyCount, Service

Action = audit.Action


def save_service(*, user: User, form: ServiceForm) -> Service:
    """A directory editor adds or edits one of their organisation's services (the form limits the choice)."""
    with transaction.atomic():
        creating = form.instance.pk is None
        service = form.save(commit=False)
        service.updated_at = timezone.now()
        service.save()
        form.save_m2m()
        audit.record(
            action=Action.CREATE if creating else Action.UPDATE,
            obj=service,
            user=user,
            organisation=service.organisation,
            role="directory_editor",
            summary=f"Directory service {'added' if creating else 'edited'}: {service.name}",
        )
    return service


def submit_event(*, form: EventSubmissionForm) -> Event:
    """A member of the public's event, held for moderation (never published directly)."""
    with transaction.atomic():
        event = form.save(commit=False)
        _place_event(event, form)
        event.status = EventStatus.PENDING
        event.submitted_at = timezone.now()
        event.save()
        audit.record(action=Action.CREATE, obj=event, summary="Event submitted by the public for moderation")
    return event


def save_staff_event(
    *, user: User, organisation: Organisation, form: EventSubmissionForm, can_publish: bool
) -> Event:
    """An editor's event for their organisation; published at once when the editor may moderate."""
    with transaction.atomic():
        creating = form.instance.pk is None
        event = form.save(commit=False)
        _place_event(event, form)
        event.organisation = organisation
        event.updated_at = timezone.now()
        if can_publish:
            event.status = EventStatus.PUBLISHED
            event.moderated_by, event.moderated_at = user, timezone.now()
        elif creating or event.status != EventStatus.PUBLISHED:
            event.status = EventStatus.PENDING
        event.save()
        audit.record(
            action=Action.CREATE if creating else Action.UPDATE,
            obj=event,
            user=user,
            organisation=organisation,
            role="directory_editor",
            summary=f"Event {'added' if creating else 'edited'} by a directory editor ({event.status})",
        )
    return event


def _place_event(event: Event, form: EventSubmissionForm) -> None:
    place = form.place
    if event.is_in_person and place is not None and place.borough is not None:
        event.borough_id = place.borough.pk
        event.latitude, event.longitude = place.lat, place.lon
    else:
        event.borough_id = None
        event.latitude = event.longitude = None


def moderate_event(*, user: User, event: Event, publish: bool, reason: str = "") -> Event:
    """A moderator's decision on a submitted event: publish it, or reject it with a reason."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        event.status = EventStatus.PUBLISHED if publish else EventStatus.REJECTED
        event.rejection_reason = "" if publish else reason.strip()
        event.moderated_by, event.moderated_at = user, timezone.now()
        event.updated_at = timezone.now()
        event.save()
        audit.record(
            action=Action.UPDATE,
            obj=event,
            user=user,
            role="directory_editor",
            reason=event.rejection_reason,
            summary="Event published" if publish else "Event rejected",
        )
    return event


def cancel_event(*, user: User, event: Event) -> Event:
    with transaction.atomic():
        event.status = EventStatus.CANCELLED
        event.updated_at = timezone.now()
        event.save(update_fields=["status", "updated_at"])
        audit.record(
            action=Action.UPDATE, obj=event, user=user, role="directory_editor", summary="Event cancelled"
        )
    return event


def count_self_check(*, measure: str, day: datetime.date | None = None) -> None:
    """The one trace of a self-check: +1 on the day's anonymous count. No answers, no address, no audit entry
    (an audit entry would record the address)."""
    day = day or timezone.localdate()
    with transaction.atomic():
        updated = SelfCheckDailyCount.objects.filter(day=day, measure=measure).update(
            completed=F("completed") + 1
        )
        if not updated:
            row, created = SelfCheckDailyCount.objects.get_or_create(
                day=day, measure=measure, defaults={"completed": 1}
            )
            if not created:
                SelfCheckDailyCount.objects.filter(pk=row.pk).update(completed=F("completed") + 1)
