"""Notifications through a transactional outbox: in-app, email (SMTP or GOV.UK Notify) and signed webhooks.

    from thrive.core import notifications
    notifications.send(to=notifications.to_organisation(service, roles=["bereavement_worker"]),
                       kind="referral.new", payload={"reference": ref, "link": path},
                       idempotency_key=f"referral.new:{referral.pk}")

Call `send` inside the transaction that makes the change: the message commits with it or not at all. See
docs/adr/0004-outbox.md.

The names below load on first use, so settings can import `notifications.email_url` (to check
THRIVE_EMAIL_URL) and tools can import `notifications.signing` before Django's models are ready.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from thrive.core.notifications.kinds import Kind, get_kind, register_kind, registered_kinds
    from thrive.core.notifications.outbox import Outgoing, send, send_many
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
    "Outgoing",
    "Recipient",
    "UserRecipient",
    "WebhookRecipient",
    "get_kind",
    "register_kind",
    "registered_kinds",
    "send",
    "send_many",
    "to_email",
    "to_organisation",
    "to_user",
    "to_webhook",
]
_HOMES = dict.fromkeys(("Kind", "get_kind", "register_kind", "registered_kinds"), "kinds")
_HOMES.update(dict.fromkeys(("Outgoing", "send", "send_many"), "outbox"))
_HOMES.update((name, "recipients") for name in __all__ if name not in _HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
