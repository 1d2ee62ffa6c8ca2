"""Consent makes a referral in the same transaction, exactly once, and its messages survive a crash."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from thrive.accounts.models import Organisation
from thrive.accounts.testing import Personas
from thrive.core.models import Delivery, Notification, OutboxMessage
from thrive.referrals import services
from thrive.referrals.models import Referral, ReferralEvent, Routing, Status
from thrive.referrals.tests.conftest import EAST, kin, referral_of, report_with
from thrive.surveillance import services as surveillance
from thrive.surveillance.models import NextOfKin
from thrive.surveillance.tests.conftest import report, report_body

pytestmark = pytest.mark.django_db


def test_a_report_with_consent_makes_one_referral_to_the_covering_service(personas: Personas) -> None:
    case = report_with(kin(), kin(name="Jo Example", relationship="sibling", consent_to_referral="no"))
    referral = Referral.objects.get()
    assert referral.next_of_kin.case == case and referral.service and referral.service.slug == EAST
    assert referral.status == Status.NEW and referral.routing == Routing.COVERAGE
    assert referral.name == "Rowan Kinsey" and referral.deceased_first_name == "Alex"
    assert referral.first_contact_due is not None
    message = OutboxMessage.objects.get(kind="referral.new")
    assert referral.reference in message.body and "Rowan" not in message.body + message.title + str(
        message.payload
    )
    channels = set(message.deliveries.values_list("channel", flat=True))
    assert channels == {Delivery.Channel.IN_APP, Delivery.Channel.EMAIL}
    assert (
        message.deliveries.get(channel=Delivery.Channel.EMAIL).address == "duty@bereavement-east.example.org"
    )


def test_the_referral_rolls_back_with_the_report(personas: Personas) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        report_with(kin())
        assert Referral.objects.count() == 1
        raise RuntimeError("the report failed after consent was recorded")
    assert not Referral.objects.exists() and not OutboxMessage.objects.exists()


def test_a_duplicate_consent_makes_one_referral(personas: Personas) -> None:
    """Retries, double clicks and two agencies recording the same consent all find the first referral."""
    case = report_with(kin())
    person = NextOfKin.objects.get(case=case)
    police = Organisation.objects.get(slug="example-police")
    surveillance.record_consent(next_of_kin=person, consent="yes", by_user=None, by_organisation=police)
    for _ in range(2):  # the signal delivered again, as a retried call would
        again, created = services.create_referral(
            next_of_kin=person, case=case, by_user=None, by_organisation=police
        )
        assert not created
    # The coroner's officer reports the same death with the same bereaved person (linked by NHS number).
    report("example-coroner-inner-north-london", report_body_for_same_death(case))
    assert NextOfKin.objects.filter(case=case).count() == 2
    assert Referral.objects.count() == 1 and OutboxMessage.objects.filter(kind="referral.new").count() == 1
    assert ReferralEvent.objects.filter(kind=ReferralEvent.Kind.DUPLICATE).count() == 1


def report_body_for_same_death(case: Any) -> dict[str, Any]:
    return report_body(
        deceased={
            "given_name": case.given_name,
            "family_name": case.family_name,
            "date_of_birth": case.date_of_birth.isoformat(),
            "nhs_number": case.nhs_number,
        },
        next_of_kin=[kin(name="ROWAN  kinsey")],
    )


def test_consent_given_later_makes_the_referral_then(personas: Personas) -> None:
    case = report_with(kin(consent_to_referral="later"))
    assert not Referral.objects.exists()
    person = NextOfKin.objects.get(case=case)
    surveillance.record_consent(
        next_of_kin=person,
        consent="yes",
        by_user=personas.police_reporter,
        by_organisation=Organisation.objects.get(slug="example-police"),
    )
    assert referral_of(case).service == Organisation.objects.get(slug=EAST)


def test_a_lost_enqueue_still_delivers_every_message(
    personas: Personas, django_capture_on_commit_callbacks: Any, mailoutbox: Any
) -> None:
    """The web process dies right after commit: the task is never queued; the sweep delivers everything."""
    from thrive.core.testing.standins import WebhookReceiver

    with WebhookReceiver(secret="shared-secret") as receiver:
        Organisation.objects.filter(slug=EAST).update(
            webhook_url=receiver.url + "/hook", webhook_secret="shared-secret"
        )
        with django_capture_on_commit_callbacks(execute=False):
            case = report_with(kin())
        referral = referral_of(case)
        assert (
            Delivery.objects.filter(message__kind="referral.new", status=Delivery.Status.PENDING).count() == 3
        )
        call_command("outbox", "deliver", stdout=StringIO())
        assert len(receiver.seen) == 1
        document = next(iter(receiver.seen.values())).document
    assert document["kind"] == "referral.new" and document["payload"]["referral_id"] == referral.pk
    assert "Rowan" not in str(document)
    assert Notification.objects.get(user=personas.bereavement_worker, kind="referral.new")
    assert [m.to for m in mailoutbox] == [["duty@bereavement-east.example.org"]]
    assert "Rowan" not in mailoutbox[0].body and referral.reference in mailoutbox[0].body


def test_a_worker_dying_mid_delivery_sends_again_and_the_receiver_sees_it_once(personas: Personas) -> None:
    from datetime import timedelta

    from thrive.core.notifications import channels, outbox
    from thrive.core.testing.standins import WebhookReceiver

    with WebhookReceiver(secret="shared-secret") as receiver:
        Organisation.objects.filter(slug=EAST).update(
            webhook_url=receiver.url + "/hook", webhook_secret="shared-secret"
        )
        report_with(kin())
        message = OutboxMessage.objects.get(kind="referral.new")
        claimed = outbox.claim(worker="doomed", lease=timedelta(0), message_ids=[message.pk])
        webhook = next(d for d in claimed if d.channel == Delivery.Channel.WEBHOOK)
        channels.send_webhook(webhook, webhook.message)  # sent, then the worker died before recording it
        outbox.deliver_due(message_ids=[message.pk])
        assert receiver.wait_for(2, timeout=10)
        assert len(receiver.received) == 2 and len(receiver.seen) == 1
    assert set(Delivery.objects.filter(message=message).values_list("status", flat=True)) == {"sent"}


def test_the_database_refuses_a_second_current_referral_and_the_loser_of_a_race_finds_the_winner(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = report_with(kin())
    person = NextOfKin.objects.get(case=case)
    first = Referral.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(
            next_of_kin=person,
            subject=first.subject,
            name="x",
            relationship="parent",
            basis="unknown",
            routing="unrouted",
        )
    # A concurrent transaction made the referral after this one looked: the create fails, the winner is found.
    calls: list[int] = []
    real = services._current_for

    def late_look(*args: Any) -> Any:
        calls.append(1)
        return Referral.objects.none() if len(calls) == 1 else real(*args)

    monkeypatch.setattr(services, "_current_for", late_look)
    police = Organisation.objects.get(slug="example-police")
    found, created = services.create_referral(
        next_of_kin=person, case=case, by_user=None, by_organisation=police
    )
    assert not created and found == first and Referral.objects.count() == 1 and len(calls) == 2
