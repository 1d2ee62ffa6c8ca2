"""The service workflow: accept, contact attempts, statuses, transfer, escalation of missed targets,
withdrawal."""

from __future__ import annotations

import datetime
import os
import signal
import threading
import time
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from thrive.accounts.models import Organisation
from thrive.accounts.testing import Personas
from thrive.core.crypto import DataSubject
from thrive.core.models import AuditEntry, OutboxMessage
from thrive.core.working_days import add_working_days
from thrive.referrals import services
from thrive.referrals.models import ContactAttempt, Referral, ReferralEvent, Status
from thrive.referrals.services import Attempt
from thrive.referrals.tests.conftest import EAST, NORTH, kin, referral_of, report_with
from thrive.referrals.workflow import TransitionError
from thrive.surveillance import services as surveillance
from thrive.surveillance.models import NextOfKin

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(personas: Personas) -> Referral:
    """A new referral that reached the service two hours ago."""
    made = referral_of(report_with(kin()))
    Referral.objects.filter(pk=made.pk).update(received_at=timezone.now() - datetime.timedelta(hours=2))
    made.refresh_from_db()
    return made


def act(referral: Referral, personas: Personas, **change: Any) -> Referral:
    east = Organisation.objects.get(slug=EAST)
    return services.update(referral=referral, by=personas.bereavement_worker, organisation=east, **change)


def attempt(outcome: str, minutes_ago: int = 1, note: str = "") -> Attempt:
    return Attempt(
        at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        channel="phone",
        outcome=outcome,
        note=note,
    )


def test_the_whole_way_from_new_to_closed(referral: Referral, personas: Personas) -> None:
    act(referral, personas, status=Status.ACCEPTED)
    act(referral, personas, attempt=attempt("no_answer", 30))
    assert Referral.objects.get().status == Status.CONTACT_ATTEMPTED
    act(referral, personas, attempt=attempt("reached", 5, note="Spoke with Rowan; visit on Friday"))
    current = Referral.objects.get()
    assert current.status == Status.CONTACTED
    assert current.first_contact_at == ContactAttempt.objects.get(outcome="reached").at
    assert current.first_attempt_at and current.first_contact_at
    assert current.first_attempt_at < current.first_contact_at
    act(referral, personas, status=Status.SUPPORTING)
    act(referral, personas, status=Status.CLOSED, note="Support complete")
    current = Referral.objects.get()
    assert current.status == Status.CLOSED and current.support_started_at and current.closed_at
    kinds = list(current.events.values_list("kind", flat=True))
    assert kinds == ["created", "status", "attempt", "attempt", "status", "status"]
    assert AuditEntry.objects.filter(object_type="referrals.referral", object_id=str(current.pk)).count() == 6
    assert "Spoke with" not in "".join(AuditEntry.objects.values_list("reason", flat=True))


def test_accepting_and_an_attempt_can_go_together_and_a_reached_attempt_with_support(
    referral: Referral, personas: Personas
) -> None:
    act(referral, personas, status=Status.ACCEPTED, attempt=attempt("reached"))
    act(referral, personas, status=Status.SUPPORTING)
    assert Referral.objects.get().status == Status.SUPPORTING


@pytest.mark.parametrize(("steps", "change", "message"), [
    ([], {"status": Status.CONTACTED}, "Record a contact attempt"),
    ([], {"status": Status.CLOSED}, "cannot become closed"),
    ([], {"attempt": "no_answer"}, "Accept the referral before recording contact attempts"),
    ([], {"status": "lost"}, "not a referral status"),
    ([], {"status": Status.NEW}, "already new"),
    ([Status.ACCEPTED], {"status": Status.SUPPORTING}, "cannot become supporting"),
    ([Status.ACCEPTED, "reached"], {"attempt": "no_answer"}, "only before first contact"),
    ([Status.ACCEPTED, "reached", Status.DECLINED], {"status": Status.SUPPORTING}, "can no longer change"),
    ([], {"status": Status.TRANSFERRED}, "Choose the service"),
])  # fmt: skip
def test_invalid_changes_are_refused_and_change_nothing(
    referral: Referral, personas: Personas, steps: list[str], change: dict[str, str], message: str
) -> None:
    for step in steps:
        act(referral, personas, **({"attempt": attempt(step)} if step == "reached" else {"status": step}))
    before = (Referral.objects.get().status, ReferralEvent.objects.count(), ContactAttempt.objects.count())
    kwargs: dict[str, Any] = dict(change)
    if "attempt" in change:
        kwargs["attempt"] = attempt(change["attempt"])
    with pytest.raises(TransitionError, match=message):
        act(referral, personas, **kwargs)
    assert (
        Referral.objects.get().status,
        ReferralEvent.objects.count(),
        ContactAttempt.objects.count(),
    ) == before


def test_attempt_times_must_be_plausible(referral: Referral, personas: Personas) -> None:
    act(referral, personas, status=Status.ACCEPTED)
    future = Attempt(at=timezone.now() + datetime.timedelta(hours=1), channel="phone", outcome="no_answer")
    with pytest.raises(TransitionError, match="in the future"):
        act(referral, personas, attempt=future)
    early = Attempt(
        at=referral.received_at - datetime.timedelta(days=1), channel="phone", outcome="no_answer"
    )
    with pytest.raises(TransitionError, match="before the referral reached"):
        act(referral, personas, attempt=early)


def test_a_transfer_sends_a_new_referral_and_erases_the_first_services_copy(
    referral: Referral, personas: Personas
) -> None:
    north = Organisation.objects.get(slug=NORTH)
    act(referral, personas, status=Status.ACCEPTED, attempt=attempt("no_answer", note="Moved to Barnet"))
    moved = act(referral, personas, status=Status.TRANSFERRED, transfer_to=north, note="Lives in Barnet now")
    old = Referral.objects.get(pk=referral.pk)
    assert old.status == Status.TRANSFERRED and not old.is_current and old.transferred_to == moved
    assert old.erased and old.name == "" and ContactAttempt.objects.get().note == ""
    assert moved.service == north and moved.status == Status.NEW and moved.is_current
    assert moved.name == "Rowan Kinsey" and moved.safety_concerns == "Lives alone; very distressed."
    assert moved.events.get().note == "Lives in Barnet now"
    assert OutboxMessage.objects.filter(kind="referral.new", payload__referral_id=moved.pk).exists()
    with pytest.raises(TransitionError, match="no longer change"):
        act(old, personas, status=Status.ACCEPTED)


def test_a_missed_target_is_escalated_once_to_the_manager_and_the_leads(
    referral: Referral, personas: Personas
) -> None:
    friday = datetime.datetime(2026, 11, 20, 16, 0, tzinfo=timezone.get_current_timezone())
    Referral.objects.filter(pk=referral.pk).update(
        received_at=friday, first_contact_due=add_working_days(friday.date(), 2)
    )
    assert Referral.objects.get().first_contact_due == datetime.date(2026, 11, 24)  # the Tuesday
    assert services.escalate_overdue(now=friday + datetime.timedelta(days=4, hours=7)) == []  # Tuesday 23:00
    out = StringIO()
    call_command("referrals", "escalate", "--now", "2026-11-25T09:00", stdout=out)
    assert "Escalated 1 referral(s): " + referral.reference in out.getvalue()
    current = Referral.objects.get()
    assert current.escalated_at and current.is_overdue(datetime.date(2026, 11, 25))
    message = OutboxMessage.objects.get(kind="referral.escalated")
    told = set(message.deliveries.filter(channel="in_app").values_list("user__email", flat=True))
    assert told == {
        personas.bereavement_manager.email,
        personas.regional_lead.email,
        personas.borough_lead.email,
    }
    assert services.escalate_overdue(now=friday + datetime.timedelta(days=6)) == []


def test_the_escalation_loop_stops_at_once_when_told_to() -> None:
    """`referrals escalate --loop` (scripts/serve.sh) waits five minutes between checks; a stop signal must
    end the wait, not let it run on (the server's shutdown waits for it)."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def before_the_command(signum: int, frame: Any) -> None:
        return None

    def stop_once_it_listens() -> None:
        while signal.getsignal(signal.SIGTERM) is before_the_command:
            time.sleep(0.05)
        time.sleep(0.2)  # into its wait between checks
        os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, before_the_command)
    stopper = threading.Thread(target=stop_once_it_listens, daemon=True)
    started = time.monotonic()
    stopper.start()
    try:
        call_command("referrals", "escalate", "--loop", "--interval", "300", stdout=StringIO())
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert time.monotonic() - started < 60


def test_a_contacted_referral_is_not_escalated(referral: Referral, personas: Personas) -> None:
    act(referral, personas, status=Status.ACCEPTED, attempt=attempt("reached"))
    assert services.escalate_overdue(now=timezone.now() + datetime.timedelta(days=10)) == []


def test_withdrawal_closes_the_referral_and_erases_the_contact_details(
    referral: Referral, personas: Personas
) -> None:
    act(
        referral,
        personas,
        status=Status.ACCEPTED,
        attempt=attempt("left_message", note="Left a voicemail for Rowan"),
    )
    person = NextOfKin.objects.get()
    surveillance.record_consent(
        next_of_kin=person,
        consent="no",
        by_user=personas.police_reporter,
        by_organisation=Organisation.objects.get(slug="example-police"),
    )
    current = Referral.objects.get()
    assert current.status == Status.CLOSED and current.withdrawn_at and not current.is_current
    assert DataSubject.objects.get(pk=current.subject_id).is_erased
    assert (
        current.name,
        current.phone,
        current.email,
        current.safety_concerns,
        current.deceased_first_name,
    ) == ("", "", "", "", "")
    assert ContactAttempt.objects.get().note == ""
    assert AuditEntry.objects.filter(action="erase", object_id=str(current.subject_id)).exists()
    assert OutboxMessage.objects.filter(kind="referral.withdrawn").exists()
    assert NextOfKin.objects.get().name == "Rowan Kinsey"  # the police's own record is theirs to keep


def test_the_service_can_record_a_withdrawal_and_a_later_consent_makes_a_new_referral(
    referral: Referral, personas: Personas
) -> None:
    east = Organisation.objects.get(slug=EAST)
    services.withdraw_consent(referral=referral, by=personas.bereavement_worker, organisation=east)
    person = NextOfKin.objects.get()
    assert person.consent_to_referral == "no" and person.consent_recorded_by_organisation == east
    assert Referral.objects.get().erased
    with pytest.raises(TransitionError):
        services.withdraw_consent(referral=referral, by=personas.bereavement_worker, organisation=east)
    surveillance.record_consent(
        next_of_kin=person,
        consent="yes",
        by_user=personas.police_reporter,
        by_organisation=Organisation.objects.get(slug="example-police"),
    )
    assert Referral.objects.count() == 2 and Referral.objects.get(is_current=True).name == "Rowan Kinsey"
