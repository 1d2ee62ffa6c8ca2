"""What the referrals app tells people, through the outbox: never a name, only a reference and links.

Each function is called inside the service's transaction, so the message commits with the change (and is
delivered after commit, by the task worker or the sweep, even if this process dies first). Idempotency keys
name the event, so a retried service call never queues a message twice.

- a new referral: the service's bereavement workers (in-app), its duty email address and its webhook;
- no service covers the person: the surveillance leads for the area, at once;
- a missed first-contact target: the service's managers and the area's surveillance leads;
- consent withdrawn: the service (in-app, duty email, webhook), so that its own case system stops too.
"""

from __future__ import annotations

import logging
from typing import Any

from django.urls import reverse

from thrive.accounts.models import Membership
from thrive.core import notifications
from thrive.core.notifications import Kind, get_kind, register_kind
from thrive.referrals.models import Referral
from thrive.referrals.routing import surveillance_leads

logger = logging.getLogger(__name__)

WORKERS = ["bereavement_worker"]


def _register(kind: Kind) -> None:
    try:
        get_kind(kind.name)
    except ValueError:
        register_kind(kind)


_register(
    Kind(
        "referral.unrouted",
        title="Bereavement referral needs a service",
        body="A bereaved person has agreed to a bereavement referral ({reference}), but no bereavement "
        "service covers where they live. Sign in to Thrive to assign a service.",
        urgent=True,
    )
)
_register(
    Kind(
        "referral.withdrawn",
        title="Bereavement referral withdrawn",
        body="Consent for referral {reference} has been withdrawn and the person's details have been erased "
        "from Thrive. Please make no further contact and remove them from your own records.",
        urgent=True,
    )
)


def payload(referral: Referral, link: str = "") -> dict[str, Any]:
    return {
        "reference": referral.reference,
        "referral_id": referral.pk,
        "link": link or reverse("referrals:detail", args=[referral.pk]),
        "api_url": reverse("api-referral-detail", args=[referral.pk]),
    }


def new_referral(referral: Referral) -> None:
    if referral.service is None:
        return
    notifications.send(
        to=notifications.to_organisation(referral.service, roles=WORKERS),
        kind="referral.new",
        payload=payload(referral),
        idempotency_key=f"referral.new:{referral.pk}",
    )


def unrouted(referral: Referral) -> None:
    leads = surveillance_leads(referral.borough)
    if not leads:
        logger.error(
            "Referral %s has no service and there is no surveillance lead to tell", referral.reference
        )
        return
    notifications.send(
        to=[notifications.to_user(lead) for lead in leads],
        kind="referral.unrouted",
        payload=payload(referral, reverse("referrals:unrouted")),
        idempotency_key=f"referral.unrouted:{referral.pk}",
    )


def escalated(referral: Referral) -> None:
    managers = [
        m.user
        for m in Membership.objects.filter(
            organisation=referral.service, role="service_manager", is_active=True, user__is_active=True
        ).select_related("user")
    ]
    people = {user.pk: user for user in [*managers, *surveillance_leads(referral.borough)]}
    if not people:
        logger.error("Referral %s missed its target and there is nobody to tell", referral.reference)
        return
    notifications.send(
        to=[notifications.to_user(user) for user in people.values()],
        kind="referral.escalated",
        payload=payload(referral, reverse("referrals:worklist")),
        idempotency_key=f"referral.escalated:{referral.pk}",
    )


def withdrawn(referral: Referral) -> None:
    if referral.service is None:
        return
    notifications.send(
        to=notifications.to_organisation(referral.service, roles=WORKERS),
        kind="referral.withdrawn",
        payload=payload(referral),
        idempotency_key=f"referral.withdrawn:{referral.pk}",
    )
