"""Delivery channels that leave the database: email (SMTP and friends, or GOV.UK Notify) and signed webhooks.

Each function sends one delivery and returns, or raises `DeliveryError` (try again later) or
`PermanentFailure` (no retry can succeed: dead-letter it now). In-app delivery is a database write and lives
in `outbox`, where it commits with the record of its delivery.
"""

from __future__ import annotations

import ipaddress
import json
import threading
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from notifications_python_client import NotificationsAPIClient
from notifications_python_client.errors import APIError

from thrive.core.notification_models import Delivery, OutboxMessage
from thrive.core.notifications import signing
from thrive.core.notifications.email_url import email_connection

WEBHOOK_TIMEOUT = (5, 10)  # connect, read (seconds): well inside the worker's lease
NOTIFY_TIMEOUT = 15
USER_AGENT = "Thrive-Webhooks/1"


class DeliveryError(Exception):
    """This attempt failed; a later one may succeed."""


class PermanentFailure(DeliveryError):
    """No later attempt can succeed without someone changing something."""


def absolute(link: str) -> str:
    if not link or link.startswith(("https://", "http://")):
        return link
    return settings.SITE_URL.rstrip("/") + "/" + link.lstrip("/")


def email_text(message: OutboxMessage) -> str:
    return render_to_string(
        "notifications/email.txt",
        {"title": message.title, "body": message.body, "link": absolute(message.link)},
    )


def send_email(delivery: Delivery, message: OutboxMessage) -> None:
    """GOV.UK Notify when THRIVE_NOTIFY_API_KEY is set; otherwise Django's mail through THRIVE_EMAIL_URL."""
    if settings.NOTIFY_API_KEY:
        _send_notify(delivery, message)
        return
    email = EmailMessage(
        subject=message.title,
        body=email_text(message),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.address],
        headers={"X-Thrive-Delivery": str(delivery.uuid)},
        connection=email_connection(),
    )
    try:
        email.send()
    except OSError as exc:  # smtplib's errors are OSErrors, as are refused connections and timeouts
        raise DeliveryError(f"email: {type(exc).__name__}: {exc}") from exc


def _send_notify(delivery: Delivery, message: OutboxMessage) -> None:
    template_id = getattr(settings, "NOTIFY_TEMPLATE_ID", "")
    if not template_id:
        raise DeliveryError("GOV.UK Notify: NOTIFY_TEMPLATE_ID is not set")
    client = NotificationsAPIClient(
        settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=NOTIFY_TIMEOUT
    )
    try:
        client.send_email_notification(
            email_address=delivery.address,
            template_id=template_id,
            reference=str(delivery.uuid),
            personalisation={"subject": message.title, "body": message.body, "link": absolute(message.link)},
        )
    except APIError as exc:
        # 400 is Notify refusing this message (a bad address, a team-only key): sending it again cannot help.
        error = PermanentFailure if exc.status_code == 400 else DeliveryError
        raise error(f"GOV.UK Notify: {exc.status_code} {exc.message}") from exc
    except requests.RequestException as exc:
        raise DeliveryError(f"GOV.UK Notify: {type(exc).__name__}") from exc


def webhook_body(delivery: Delivery, message: OutboxMessage) -> bytes:
    document: dict[str, Any] = {
        "id": str(delivery.uuid),
        "message_id": str(message.uuid),
        "kind": message.kind,
        "created_at": message.created_at.isoformat(),
        "title": message.title,
        "body": message.body,
        "link": absolute(message.link),
        "payload": message.payload,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def check_webhook_url(url: str) -> None:
    """HTTPS only; plain HTTP to the loopback interface is allowed when running relaxed (tests, demo)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and settings.RELAXED:
        host = parts.hostname
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if loopback:
            return
    raise PermanentFailure(f"webhook: refusing to send to {url[:100]!r}: HTTPS is required")


_local = threading.local()


def _session() -> requests.Session:
    """One session per thread: its connections (TLS set up once) are kept alive between deliveries, where a
    bare `requests.post` builds a TLS context, loads the CA certificates and connects every time."""
    session: requests.Session | None = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


def send_webhook(delivery: Delivery, message: OutboxMessage) -> None:
    """POST the signed JSON document; any 2xx is delivered. Redirects are not followed."""
    if delivery.organisation is not None:  # the organisation's current endpoint and secret
        url, secret = delivery.organisation.webhook_url, delivery.organisation.webhook_secret
    else:
        url, secret = delivery.address, delivery.secret
    if not url:
        raise PermanentFailure("webhook: the organisation no longer has a webhook URL")
    if not secret:
        raise DeliveryError("webhook: no signing secret is set")
    check_webhook_url(url)
    body = webhook_body(delivery, message)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.SIGNATURE_HEADER: signing.sign(secret, body),
        "Idempotency-Key": str(delivery.uuid),
        "X-Thrive-Event": message.kind,
    }
    try:
        response = _session().post(
            url, data=body, headers=headers, timeout=WEBHOOK_TIMEOUT, allow_redirects=False
        )
    except requests.RequestException as exc:
        raise DeliveryError(f"webhook: {type(exc).__name__}") from exc
    with response:
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"webhook: HTTP {response.status_code}")
