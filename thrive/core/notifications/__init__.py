"""Notifications through a transactional outbox: in-app, email (SMTP or GOV.UK Notify) and signed webhooks.

    from thrive.core import notifications
    notifications.send(to=notifications.to_organisation(service, roles=["bereavement_worker"]),
                       kind="referral.new", payload={"reference": ref, "link": path},
                       idempotency_key=f"referral.new:{referral.pk}")

Call `send` inside the transaction that makes the change: the message commits with it or not at all. See
docs/adr/0004-outbox.md.
"""

from thrive.core.notifications.kinds import Kind, get_kind, register_kind, registered_kinds
from thrive.core.notifications.outbox import send
from thrive.core.notifications.recipients import (
    EmailRecipient,
    OrganisationRecipient,
    Recipient,
    UserRecipient,
    WebhookRecipient,
    to_email,
    to_organisation,
    to_user,
    to_webhook,
)

__all__ = [
    "EmailRecipient",
    "Kind",
    "OrganisationRecipient",
    "Recipient",
    "UserRecipient",
    "WebhookRecipient",
    "get_kind",
    "register_kind",
    "registered_kinds",
    "send",
    "to_email",
    "to_organisation",
    "to_user",
    "to_webhook",
]
