"""Email by SMTP and GOV.UK Notify, and signed webhooks, against local stand-ins (the real clients run)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import get_connection, send_mail

from thrive.accounts.models import Organisation
from thrive.accounts.permissions import OrganisationType
from thrive.core import notifications
from thrive.core.models import Delivery, OutboxMessage
from thrive.core.notifications import outbox, signing
from thrive.core.notifications.email_url import parse_email_url
from thrive.core.testing.standins import NotifyStandin, SmtpStandin, WebhookReceiver

Status = Delivery.Status
SECRET = "shared-webhook-secret"
PAYLOAD = {"reference": "R-0001", "link": "/staff/referrals/1/"}


def send(to: Any, key: str = "referral.new:1") -> OutboxMessage:
    return notifications.send(to=to, kind="referral.new", payload=PAYLOAD, idempotency_key=key)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(SECRET) as running:
        yield running


@pytest.fixture
def agency(db: None, receiver: WebhookReceiver) -> Organisation:
    return Organisation.objects.create(
        name="Example Bereavement Service (fictional)",
        slug="example-bereavement",
        type=OrganisationType.BEREAVEMENT_SERVICE,
        webhook_url=f"{receiver.url}/thrive",
        webhook_secret=SECRET,
    )


# --- SMTP ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_email_over_smtp(settings: Any) -> None:
    settings.SITE_URL = "https://thrive.example.org"
    with SmtpStandin() as smtp:
        settings.EMAIL_URL = smtp.url
        message = send(notifications.to_email("duty@example.org"))
        assert outbox.deliver_due() == 1
        (received,) = smtp.messages
    delivery = message.deliveries.get()
    assert smtp.envelopes == [["duty@example.org"]]
    assert received["Subject"] == "New bereavement referral"
    assert received["X-Thrive-Delivery"] == str(delivery.uuid)
    text = received.get_content()
    assert "R-0001" in text and "https://thrive.example.org/staff/referrals/1/" in text
    assert delivery.status == Status.SENT


@pytest.mark.django_db
def test_smtp_server_down_is_retried(settings: Any) -> None:
    with SmtpStandin() as smtp:
        settings.EMAIL_URL = smtp.url
    send(notifications.to_email("duty@example.org"))  # the server has stopped: nothing listens now
    outbox.deliver_due()
    delivery = Delivery.objects.get()
    assert delivery.status == Status.FAILED and delivery.last_error.startswith(
        "email: ConnectionRefusedError"
    )


@pytest.mark.parametrize(
    ("url", "backend", "options"),
    [
        ("console://", "console", {}),
        ("locmem://", "locmem", {}),
        ("smtp://mail.example.org", "smtp", {"host": "mail.example.org", "port": 25, "use_tls": False}),
        (
            "smtp://u%40x:p%2Fw@mail.example.org:587?tls=true&timeout=5",
            "smtp",
            {"port": 587, "use_tls": True, "username": "u@x", "password": "p/w", "timeout": 5},
        ),
        ("smtps://mail.example.org", "smtp", {"port": 465, "use_ssl": True, "use_tls": False}),
        ("file:///var/mail", "filebased", {"file_path": "/var/mail"}),
    ],
)
def test_email_urls(url: str, backend: str, options: dict[str, Any]) -> None:
    config = parse_email_url(url)
    assert config.backend == f"django.core.mail.backends.{backend}.EmailBackend"
    assert options.items() <= config.options.items()


def test_djangos_own_mail_can_follow_the_email_url(settings: Any) -> None:
    settings.EMAIL_URL = "locmem://"
    backend = get_connection("thrive.core.notifications.email_url.EmailUrlBackend")
    assert send_mail("Reset your password", "A link", None, ["a@example.org"], connection=backend) == 1
    assert mail.outbox[0].subject == "Reset your password"


@pytest.mark.parametrize(
    "url",
    [
        "",
        "gopher://x",
        "smtp://",
        "smtp://h?tls=maybe",
        "smtp://h?tls=true&ssl=true",
        "smtp://h:x",
        "smtp://h?x=1",
        "file://",
    ],
)
def test_bad_email_urls_fail_fast(url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="THRIVE_EMAIL_URL"):
        parse_email_url(url)


# --- GOV.UK Notify ---------------------------------------------------------------------------------


@pytest.fixture
def notify(settings: Any) -> Iterator[NotifyStandin]:
    with NotifyStandin() as running:
        settings.NOTIFY_API_KEY = running.api_key
        settings.NOTIFY_BASE_URL = running.url
        settings.NOTIFY_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
        yield running


@pytest.mark.django_db
def test_email_through_notify(notify: NotifyStandin, settings: Any) -> None:
    settings.SITE_URL = "https://thrive.example.org"
    message = send(notifications.to_email("duty@example.org"))
    outbox.deliver_due()
    delivery = message.deliveries.get()
    (sent,) = notify.emails
    assert sent["email_address"] == "duty@example.org" and sent["reference"] == str(delivery.uuid)
    assert sent["template_id"] == settings.NOTIFY_TEMPLATE_ID
    assert sent["personalisation"] == {
        "subject": "New bereavement referral",
        "body": message.body,
        "link": "https://thrive.example.org/staff/referrals/1/",
    }
    assert delivery.status == Status.SENT


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "outcome"), [(400, Status.DEAD), (429, Status.FAILED), (500, Status.FAILED)]
)
def test_notify_refusals_and_outages(notify: NotifyStandin, status: int, outcome: str) -> None:
    notify.fail_next(1, status)
    send(notifications.to_email("duty@example.org"))
    outbox.deliver_due()
    delivery = Delivery.objects.get()
    assert delivery.status == outcome and f"GOV.UK Notify: {status}" in delivery.last_error


@pytest.mark.django_db
def test_notify_rejects_a_wrong_key(notify: NotifyStandin, settings: Any) -> None:
    settings.NOTIFY_API_KEY = f"wrong-{notify.service_id}-{uuid.uuid4()}"
    send(notifications.to_email("duty@example.org"))
    outbox.deliver_due()
    delivery = Delivery.objects.get()
    assert delivery.status == Status.FAILED and "403" in delivery.last_error and notify.emails == []


@pytest.mark.django_db
def test_notify_without_a_template_is_not_sent(notify: NotifyStandin, settings: Any) -> None:
    settings.NOTIFY_TEMPLATE_ID = ""
    send(notifications.to_email("duty@example.org"))
    outbox.deliver_due()
    assert "NOTIFY_TEMPLATE_ID" in Delivery.objects.get().last_error and notify.emails == []


# --- webhooks --------------------------------------------------------------------------------------


def test_webhook_is_signed_and_keyed(agency: Organisation, receiver: WebhookReceiver, settings: Any) -> None:
    settings.SITE_URL = "https://thrive.example.org"
    message = send(notifications.to_organisation(agency))
    assert outbox.deliver_due() == 1
    delivery = message.deliveries.get()
    (request,) = receiver.received
    assert request.signature_valid and request.idempotency_key == str(delivery.uuid)
    assert request.headers["X-Thrive-Event"] == "referral.new"
    assert request.document == {
        "id": str(delivery.uuid),
        "message_id": str(message.uuid),
        "kind": "referral.new",
        "created_at": message.created_at.isoformat(),
        "title": "New bereavement referral",
        "body": message.body,
        "link": "https://thrive.example.org/staff/referrals/1/",
        "payload": PAYLOAD,
    }
    assert delivery.status == Status.SENT


def test_webhook_uses_the_organisations_current_secret(
    agency: Organisation, receiver: WebhookReceiver
) -> None:
    send(notifications.to_organisation(agency))
    Organisation.objects.filter(pk=agency.pk).update(webhook_secret="rotated")
    receiver.secret = "rotated"
    outbox.deliver_due()
    assert receiver.received[0].signature_valid and Delivery.objects.get().status == Status.SENT


@pytest.mark.parametrize("status", [302, 401, 500, 503])
def test_webhook_non_2xx_is_retried(agency: Organisation, receiver: WebhookReceiver, status: int) -> None:
    receiver.fail_next(1, status)
    send(notifications.to_organisation(agency))
    outbox.deliver_due()
    delivery = Delivery.objects.get()
    assert delivery.status == Status.FAILED and delivery.last_error == f"webhook: HTTP {status}"
    assert receiver.seen == {}


def test_receiver_sees_a_repeat_once(agency: Organisation, receiver: WebhookReceiver) -> None:
    send(notifications.to_organisation(agency))
    outbox.deliver_due()
    Delivery.objects.update(status=Status.PENDING)  # as if the record of the first delivery had been lost
    outbox.deliver_due()
    assert len(receiver.received) == 2 and len(receiver.seen) == 1
    assert receiver.received[0].idempotency_key == receiver.received[1].idempotency_key


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "relaxed"),
    [
        ("http://agency.example.org/hook", True),
        ("ftp://agency.example.org/hook", True),
        ("http://127.0.0.1:9/hook", False),
    ],
)
def test_webhooks_need_https_outside_local_tests(url: str, relaxed: bool, settings: Any) -> None:
    settings.RELAXED = relaxed
    send(notifications.to_webhook(url, SECRET))
    outbox.deliver_due()
    delivery = Delivery.objects.get()
    assert delivery.status == Status.DEAD and "HTTPS is required" in delivery.last_error


def test_webhook_endpoint_removed_from_the_organisation(agency: Organisation) -> None:
    send(notifications.to_organisation(agency))
    Organisation.objects.filter(pk=agency.pk).update(webhook_url="")
    outbox.deliver_due()
    assert Delivery.objects.get().status == Status.DEAD


def test_receiver_lists_what_it_saw(agency: Organisation, receiver: WebhookReceiver) -> None:
    import requests

    send(notifications.to_organisation(agency))
    outbox.deliver_due()
    listed = requests.get(f"{receiver.url}/received", timeout=5).json()
    assert [item["document"]["kind"] for item in listed] == ["referral.new"]


# --- signatures ------------------------------------------------------------------------------------


def test_signature_round_trip_and_refusals() -> None:
    body = json.dumps({"kind": "referral.new"}).encode()
    header = signing.sign(SECRET, body, timestamp=1_700_000_000)
    assert signing.verify(SECRET, header, body, now=1_700_000_100)
    assert not signing.verify(SECRET, header, body + b" ", now=1_700_000_100)
    assert not signing.verify("other", header, body, now=1_700_000_100)
    assert not signing.verify(SECRET, header, body, now=1_700_000_000 + 301)  # a replay after five minutes
    assert not signing.verify(SECRET, "v1=abc", body)
    assert not signing.verify(SECRET, "t=soon,v1=abc", body)
