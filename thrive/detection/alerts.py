"""Alert services: raise or update an alert for a signal, and the response workflow around it.

Each function is one action: keyword-only arguments, one transaction, an audit entry, and notifications
through the outbox (committed with the change). A signal found again updates the alert that follows it instead
of opening another (`find_match`); a closed alert found again stays closed unless the signal brings cases it
did not have, which opens a new alert that `follows` the closed one. The workflow (PHE 2019, NICE NG105): new
→ under review → response group convened → monitoring → closed with a rationale, with assignment, notes and
actions.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from thrive.accounts.models import Organisation, User
from thrive.accounts.permissions import Permission as P
from thrive.core import audit, notifications
from thrive.core.notifications import Kind, register_kind
from thrive.detection.models import Alert, AlertAction, AlertCase, AlertEntry, DetectionRun
from thrive.detection.signals import Signal
from thrive.geography.models import Area

S = Alert.Status
HISTORY_KEPT = 60  # detections remembered in `details["history"]`
KM_PER_DEGREE_LAT = 111.2

# Which status may follow which. Closing needs a rationale; reopening (closed → under review) a reason.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.UNDER_REVIEW, S.CLOSED}),
    S.UNDER_REVIEW: frozenset({S.RESPONSE_GROUP, S.MONITORING, S.CLOSED}),
    S.RESPONSE_GROUP: frozenset({S.MONITORING, S.CLOSED}),
    S.MONITORING: frozenset({S.RESPONSE_GROUP, S.CLOSED}),
    S.CLOSED: frozenset({S.UNDER_REVIEW}),
}

ALERT_UPDATED = register_kind(
    Kind(
        "alert.updated",
        title="Surveillance alert updated",
        body="Alert {reference} has new cases. Sign in to Thrive to review it.",
    )
)
ALERT_ASSIGNED = register_kind(
    Kind(
        "alert.assigned",
        title="Surveillance alert assigned to you",
        body="Alert {reference} has been assigned to you. Sign in to Thrive to review it.",
    )
)


class WorkflowError(ValueError):
    """A change the workflow does not allow; the message is for the user."""


@dataclass(frozen=True)
class Outcome:
    alert: Alert
    created: bool
    new_case_ids: tuple[int, ...]


def link(alert: Alert) -> str:
    return reverse("detection:alert-detail", args=[alert.reference])


# --- matching a signal to the alert that follows it ---------------------------------------------------------


def _overlaps(
    a_start: dt.date, a_end: dt.date, b_start: dt.date, b_end: dt.date, slack_days: int = 0
) -> bool:
    return a_start <= b_end + dt.timedelta(days=slack_days) and b_start <= a_end + dt.timedelta(
        days=slack_days
    )


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dy = (a[0] - b[0]) * KM_PER_DEGREE_LAT
    dx = (a[1] - b[1]) * KM_PER_DEGREE_LAT * math.cos(math.radians(a[0]))
    return math.hypot(dx, dy)


def same_signal(alert: Alert, signal: Signal, alert_case_ids: set[int], episode_days: int) -> bool:
    """Whether `signal` is the one `alert` follows (the alert's kind and key already match)."""
    shares_cases = bool(alert_case_ids & set(signal.case_ids))
    if signal.kind == Alert.Kind.SPACE_TIME:
        shares_place = bool(set(alert.details.get("location_ids", [])) & set(signal.location_ids))
        return (shares_place or shares_cases) and _overlaps(
            alert.window_start, alert.window_end, signal.window_start, signal.window_end
        )
    if signal.kind == Alert.Kind.SPATIAL:
        return shares_cases or bool(set(alert.details.get("location_ids", [])) & set(signal.location_ids))
    if signal.kind == Alert.Kind.LOCATION:
        if shares_cases:
            return True
        if alert.centre_lat is None or alert.centre_lon is None or signal.centre is None:
            return False
        reach = (alert.radius_km or 0) + (signal.radius_km or 0)
        return _km((alert.centre_lat, alert.centre_lon), signal.centre) <= reach
    return shares_cases or _overlaps(
        alert.window_start, alert.window_end, signal.window_start, signal.window_end, episode_days
    )


def find_match(*, signal: Signal, region: Area, episode_days: int) -> Alert | None:
    """The most recently detected alert of the region that follows this signal, open or closed."""
    candidates = Alert.objects.filter(region=region, kind=signal.kind, signal_key=signal.key)
    if signal.kind in (Alert.Kind.SPACE_TIME, Alert.Kind.SPATIAL, Alert.Kind.LOCATION):
        cases = AlertCase.objects.filter(case_id__in=signal.case_ids).values("alert_id")
        recent = timezone.now() - dt.timedelta(days=400)
        candidates = candidates.filter(Q(pk__in=cases) | Q(last_detected_at__gte=recent))
    for alert in candidates.order_by("-last_detected_at", "-id")[:50]:
        linked = set(AlertCase.objects.filter(alert=alert).values_list("case_id", flat=True))
        if same_signal(alert, signal, linked, episode_days):
            return alert
    return None


# --- raising and updating -----------------------------------------------------------------------------------


def _history_item(signal: Signal, run: DetectionRun) -> dict[str, object]:
    return {
        "run": run.pk,
        "analysis_date": run.analysis_date.isoformat(),
        "statistic": signal.statistic,
        "p_value": signal.p_value,
        "recurrence_interval_days": signal.recurrence_interval_days,
        "observed": signal.observed,
        "window": [signal.window_start.isoformat(), signal.window_end.isoformat()],
    }


def _apply(alert: Alert, signal: Signal, run: DetectionRun) -> None:
    """Copy what the latest detection says onto the alert."""
    history = [*alert.details.get("history", []), _history_item(signal, run)][-HISTORY_KEPT:]
    alert.title = signal.title[:200]
    alert.detector = signal.detector[:60]
    alert.window_start, alert.window_end = signal.window_start, signal.window_end
    alert.statistic_name = signal.statistic_name[:40]
    alert.statistic, alert.p_value = signal.statistic, signal.p_value
    alert.recurrence_interval_days = signal.recurrence_interval_days
    alert.observed, alert.expected = signal.observed, signal.expected
    alert.centre_lat, alert.centre_lon = signal.centre if signal.centre else (None, None)
    alert.radius_km = signal.radius_km
    rules = sorted({*alert.details.get("rules", []), str(signal.details.get("rule", signal.kind))})
    alert.details = {
        **signal.details,
        "location_ids": list(signal.location_ids),
        "history": history,
        "rules": rules,
    }
    alert.parameters = {"detector": signal.parameters, "run": run.parameters}
    alert.run = run
    alert.snapshot_digest = run.snapshot_digest
    alert.last_detected_at = run.started_at
    alert.updated_at = timezone.now()


def leads_for(area_ids: Iterable[int]) -> list[notifications.Recipient]:
    """The organisations whose surveillance leads cover any of the areas (or the whole region)."""
    ids = list(area_ids)
    organisations = (
        Organisation.objects.filter(memberships__role="surveillance_lead", memberships__is_active=True)
        .filter(Q(covers_region=True) | Q(coverage__in=ids))
        .distinct()
        .order_by("pk")
    )
    return [notifications.to_organisation(org, roles=["surveillance_lead"]) for org in organisations]


def raise_or_update(*, signal: Signal, run: DetectionRun, region: Area, area_ids: Iterable[int]) -> Outcome:
    """Raise an alert for a new signal, or update the alert already following it."""
    area_ids = sorted(set(area_ids))
    episode_days = int(run.parameters.get("series_episode_days", 28))
    with transaction.atomic():
        match = find_match(signal=signal, region=region, episode_days=episode_days)
        if match is not None:
            match = Alert.objects.select_for_update().get(pk=match.pk)
            linked = set(AlertCase.objects.filter(alert=match).values_list("case_id", flat=True))
            new_cases = tuple(c for c in signal.case_ids if c not in linked)
            if match.is_open or not new_cases:
                return _update(match, signal, run, area_ids, new_cases)
        alert = Alert.objects.create(
            reference=f"PENDING-{uuid.uuid4().hex[:12]}",
            region=region,
            kind=signal.kind,
            signal_key=signal.key,
            window_start=signal.window_start,
            window_end=signal.window_end,
            first_run=run,
            follows=match,
            first_detected_at=run.started_at,
        )
        alert.reference = f"ALERT-{alert.pk:05d}"
        _apply(alert, signal, run)
        alert.save()
        alert.areas.set(area_ids)
        AlertCase.objects.bulk_create(
            [AlertCase(alert=alert, case_id=case_id, added_by_run=run) for case_id in signal.case_ids]
        )
        follows = f" It follows {match.reference}, closed, with new cases." if match is not None else ""
        AlertEntry.objects.create(
            alert=alert,
            kind=AlertEntry.Kind.RAISED,
            at=run.started_at,
            run=run,
            text=f"{signal.title}.{follows}",
        )
        audit.record(
            action=audit.Action.CREATE, obj=alert, reason=f"detection run {run.pk} ({run.kind})",
            summary=f"{alert.reference} {alert.kind}: {len(signal.case_ids)} cases",
        )  # fmt: skip
        notifications.send(
            to=leads_for(area_ids),
            kind="alert.raised",
            payload={"reference": alert.reference, "link": link(alert)},
            idempotency_key=f"alert.raised:{alert.pk}",
        )
    return Outcome(alert=alert, created=True, new_case_ids=tuple(signal.case_ids))


def _update(
    alert: Alert, signal: Signal, run: DetectionRun, area_ids: list[int], new_cases: tuple[int, ...]
) -> Outcome:
    alert.detection_count += 1
    if not alert.is_open:
        alert.last_detected_at = run.started_at
        alert.save(update_fields=["detection_count", "last_detected_at"])
        return Outcome(alert=alert, created=False, new_case_ids=())
    _apply(alert, signal, run)
    alert.save()
    alert.areas.add(*area_ids)
    AlertCase.objects.filter(alert=alert).update(in_latest=False)
    AlertCase.objects.filter(alert=alert, case_id__in=signal.case_ids).update(in_latest=True)
    AlertCase.objects.bulk_create([AlertCase(alert=alert, case_id=c, added_by_run=run) for c in new_cases])
    if new_cases:
        AlertEntry.objects.create(
            alert=alert, kind=AlertEntry.Kind.DETECTED_AGAIN, at=run.started_at, run=run,
            text=f"Found again with {len(new_cases)} new case(s): {signal.title}.",
        )  # fmt: skip
        notifications.send(
            to=leads_for(area_ids),
            kind="alert.updated",
            payload={"reference": alert.reference, "link": link(alert)},
            idempotency_key=f"alert.updated:{alert.pk}:{run.pk}",
        )
    audit.record(
        action=audit.Action.UPDATE, obj=alert, reason=f"detection run {run.pk} ({run.kind})",
        summary=f"found again; {len(new_cases)} new cases",
    )  # fmt: skip
    return Outcome(alert=alert, created=False, new_case_ids=new_cases)


# --- the response workflow ----------------------------------------------------------------------------------


def acting_organisation(user: User) -> Organisation | None:
    memberships = user.memberships_granting(P.ALERT_MANAGE)
    return memberships[0].organisation if memberships else None


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().get(pk=alert.pk)


def change_status(*, alert: Alert, to_status: str, user: User, reason: str = "") -> Alert:
    """Move the alert on; closing needs a rationale and reopening a reason."""
    reason = reason.strip()
    with transaction.atomic():
        alert = _locked(alert)
        if to_status not in TRANSITIONS.get(alert.status, frozenset()):
            raise WorkflowError(
                f"An alert that is {alert.get_status_display().lower()} cannot move to "
                f"{S(to_status).label.lower() if to_status in S.values else to_status}."
            )
        if to_status == S.CLOSED and not reason:
            raise WorkflowError("Give the rationale for closing the alert.")
        if alert.status == S.CLOSED and not reason:
            raise WorkflowError("Give the reason for reopening the alert.")
        previous = alert.status
        alert.status = to_status
        alert.updated_at = timezone.now()
        if to_status == S.CLOSED:
            alert.closed_at, alert.closure_rationale = alert.updated_at, reason
        elif previous == S.CLOSED:
            alert.closed_at = None
        alert.save(update_fields=["status", "updated_at", "closed_at", "closure_rationale"])
        organisation = acting_organisation(user)
        AlertEntry.objects.create(
            alert=alert, kind=AlertEntry.Kind.STATUS, by=user, organisation=organisation, text=reason,
            from_status=previous, to_status=to_status,
        )  # fmt: skip
        audit.record(
            action=audit.Action.UPDATE, obj=alert, user=user, organisation=organisation,
            reason=f"status {previous} -> {to_status}", summary=reason[:500],
        )  # fmt: skip
    return alert


def assign(*, alert: Alert, assignee: User | None, user: User) -> Alert:
    """Assign the alert to a lead who can see it (or to nobody); the assignee is told through the outbox."""
    with transaction.atomic():
        alert = _locked(alert)
        alert.assigned_to = assignee
        alert.updated_at = timezone.now()
        alert.save(update_fields=["assigned_to", "updated_at"])
        organisation = acting_organisation(user)
        who = assignee.full_name or assignee.email if assignee is not None else "nobody"
        AlertEntry.objects.create(
            alert=alert,
            kind=AlertEntry.Kind.ASSIGNED,
            by=user,
            organisation=organisation,
            text=f"Assigned to {who}",
        )
        audit.record(
            action=audit.Action.UPDATE, obj=alert, user=user, organisation=organisation,
            reason="assigned", summary=f"to user {assignee.pk if assignee else None}",
        )  # fmt: skip
        if assignee is not None and assignee != user:
            notifications.send(
                to=notifications.to_user(assignee),
                kind="alert.assigned",
                payload={"reference": alert.reference, "link": link(alert)},
                idempotency_key=f"alert.assigned:{alert.pk}:{uuid.uuid4().hex}",
            )
    return alert


def add_note(*, alert: Alert, text: str, user: User) -> AlertEntry:
    text = text.strip()
    if not text:
        raise WorkflowError("Write the note.")
    with transaction.atomic():
        organisation = acting_organisation(user)
        entry = AlertEntry.objects.create(
            alert=alert, kind=AlertEntry.Kind.NOTE, by=user, organisation=organisation, text=text
        )
        Alert.objects.filter(pk=alert.pk).update(updated_at=timezone.now())
        audit.record(
            action=audit.Action.UPDATE, obj=alert, user=user, organisation=organisation, reason="note added"
        )
    return entry


def add_action(
    *, alert: Alert, type: str, description: str, owner: str, due: dt.date | None, user: User
) -> AlertAction:
    description = description.strip()
    if type not in AlertAction.Type.values:
        raise WorkflowError("Choose the kind of action.")
    if not description:
        raise WorkflowError("Describe the action.")
    with transaction.atomic():
        organisation = acting_organisation(user)
        action = AlertAction.objects.create(
            alert=alert,
            type=type,
            description=description,
            owner=owner.strip()[:200],
            due=due,
            created_by=user,
        )
        AlertEntry.objects.create(
            alert=alert, kind=AlertEntry.Kind.ACTION, by=user, organisation=organisation,
            text=f"{action.get_type_display()}: {description}",
        )  # fmt: skip
        Alert.objects.filter(pk=alert.pk).update(updated_at=timezone.now())
        audit.record(
            action=audit.Action.UPDATE, obj=alert, user=user, organisation=organisation,
            reason="action recorded", summary=action.get_type_display(),
        )  # fmt: skip
    return action


def complete_action(*, action: AlertAction, user: User) -> AlertAction:
    with transaction.atomic():
        action = AlertAction.objects.select_for_update().get(pk=action.pk)
        if action.done_at is not None:
            raise WorkflowError("That action is already done.")
        action.done_at, action.done_by = timezone.now(), user
        action.save(update_fields=["done_at", "done_by"])
        organisation = acting_organisation(user)
        AlertEntry.objects.create(
            alert_id=action.alert_id, kind=AlertEntry.Kind.ACTION_DONE, by=user, organisation=organisation,
            text=f"{action.get_type_display()}: {action.description}",
        )  # fmt: skip
        audit.record(
            action=audit.Action.UPDATE, object_type="detection.alert", object_id=str(action.alert_id),
            user=user, organisation=organisation, reason="action completed",
            summary=action.get_type_display(),
        )  # fmt: skip
    return action
