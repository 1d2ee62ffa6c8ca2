"""One-time links for a patient to answer a questionnaire on their own phone: signed, single use, expiring
after 7 days, opened with no sign-in.

The link carries a token signed with the site's secret key: the link's id, its patient's id and a random
secret of which only a hash is stored. A token that was tampered with fails its signature; one whose patient
is not the link's patient is refused as a link for someone else; a used or expired one says so plainly. The
link is shown once to the clinician (with a QR code) and, if asked, emailed through the notification outbox.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from thrive.accounts.models import User
from thrive.core import audit, notifications
from thrive.outcomes import config, services
from thrive.outcomes.codes import Mode, Timepoint
from thrive.outcomes.models import Assessment, Episode, PatientLink

SALT = "thrive.outcomes.patient-link"
LIFETIME = datetime.timedelta(days=7)


class LinkProblem(StrEnum):
    INVALID = "invalid"
    WRONG_PATIENT = "wrong_patient"
    USED = "used"
    EXPIRED = "expired"


PROBLEM_MESSAGES = {
    LinkProblem.INVALID: "This link is not valid. Check you copied all of it, or ask your care team for a "
    "new one.",
    LinkProblem.WRONG_PATIENT: "This link is not for this questionnaire. Ask your care team for a new link.",
    LinkProblem.USED: "This link has already been used: each link works once. Thank you if that was you. "
    "Ask your care team if you need to answer again.",
    LinkProblem.EXPIRED: "This link has expired: links work for 7 days. Ask your care team for a new one.",
}


class LinkRefused(ValueError):
    def __init__(self, problem: LinkProblem) -> None:
        self.problem = problem
        super().__init__(PROBLEM_MESSAGES[problem])


@dataclass(frozen=True)
class IssuedLink:
    link: PatientLink
    url: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def make_token(link: PatientLink, secret: str) -> str:
    return signing.dumps({"l": link.pk, "p": link.patient_id, "s": secret}, salt=SALT)


def issue_link(*, by: User, episode: Episode, measure: str, timepoint: str, email: str = "") -> IssuedLink:
    """A new link for the episode's patient; emailed (through the outbox) when an address is given."""
    if measure not in config.PATIENT_RATED:
        raise services.Refused(
            {"measure": ["Only a questionnaire the patient answers can be sent as a link."]}
        )
    if timepoint not in Timepoint.values:
        raise services.Refused({"timepoint": ["Choose the timepoint the answers are for."]})
    if episode.end is not None and timepoint != Timepoint.END:
        raise services.Refused(
            {"timepoint": ["This episode has ended: only its end questionnaire can be sent."]}
        )
    secret = secrets.token_urlsafe(24)
    now = timezone.now()
    with transaction.atomic():
        link = PatientLink.objects.create(
            patient=episode.patient,
            episode=episode,
            measure=measure,
            timepoint=timepoint,
            secret_hash=_hash(secret),
            emailed=bool(email),
            created_by=by,
            created_at=now,
            expires_at=now + LIFETIME,
        )
        url = settings.SITE_URL.rstrip("/") + reverse("outcomes:link", args=[make_token(link, secret)])
        if email:
            notifications.send(
                to=notifications.to_email(email),
                kind="assessment.link",
                payload={"url": url, "expires": f"{timezone.localtime(link.expires_at):%A %-d %B %Y}"},
                idempotency_key=f"outcomes.link:{link.pk}",
            )
        audit.record(
            action=audit.Action.CREATE,
            obj=link,
            user=by,
            organisation=episode.team.organisation,
            summary=f"{measure} link for {episode.patient.local_id}{' sent by email' if email else ' shown'}",
        )
    return IssuedLink(link, url)


def open_link(token: str, *, for_update: bool = False) -> PatientLink:
    """The link a token stands for, if it may still be answered; otherwise `LinkRefused` saying why."""
    try:
        data: Any = signing.loads(token, salt=SALT)
        link_id, patient_id, secret = int(data["l"]), int(data["p"]), str(data["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkRefused(LinkProblem.INVALID) from None
    links = PatientLink.objects.select_related("episode__team__organisation", "patient")
    link = (links.select_for_update() if for_update else links).filter(pk=link_id).first()
    if link is None or not hmac.compare_digest(link.secret_hash, _hash(secret)):
        raise LinkRefused(LinkProblem.INVALID)
    if link.patient_id != patient_id:
        raise LinkRefused(LinkProblem.WRONG_PATIENT)
    if link.used_at is not None:
        raise LinkRefused(LinkProblem.USED)
    if link.expires_at <= timezone.now():
        raise LinkRefused(LinkProblem.EXPIRED)
    return link


def complete_link(*, token: str, answers: dict[str, Any]) -> Assessment:
    """Record the patient's answers and spend the link, together or not at all."""
    with transaction.atomic():
        link = open_link(token, for_update=True)
        # The care team may have recorded that timepoint meanwhile: the patient's answers still count.
        taken = services.timepoint_taken(link.episode, link.measure, link.timepoint)
        assessment = services.record_assessment(
            by=None,
            episode=link.episode,
            measure=link.measure,
            mode=Mode.PATIENT_LINK,
            timepoint=Timepoint.SESSION if taken else link.timepoint,
            assessed_on=timezone.localdate(),
            answers=answers,
        )
        link.used_at, link.assessment = timezone.now(), assessment
        link.save(update_fields=["used_at", "assessment"])
    return assessment


def pending_links(episode: Episode) -> list[PatientLink]:
    """Links sent for an episode and not yet answered or expired (shown on the patient's page)."""
    return list(
        PatientLink.objects.filter(
            episode=episode, used_at__isnull=True, expires_at__gt=timezone.now()
        ).order_by("-created_at")
    )
