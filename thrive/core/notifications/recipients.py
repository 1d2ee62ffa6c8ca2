"""Who a message is for, and how that becomes deliveries: one per channel and person, address or endpoint.

A recipient is resolved when the message is sent (in the caller's transaction), so the people told are the
people who held the role at the time of the event.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from thrive.accounts.models import Membership, Organisation, User
from thrive.core.notification_models import Delivery

Channel = Delivery.Channel


@dataclass(frozen=True)
class Target:
    """One delivery to make. Two targets with the same `identity` are the same delivery."""

    channel: str
    user_id: int | None = None
    organisation_id: int | None = None
    address: str = ""
    secret: str = ""

    @property
    def identity(self) -> tuple[str, str]:
        if self.channel == Channel.IN_APP:
            return (self.channel, str(self.user_id))
        return (self.channel, self.address.lower() if self.channel == Channel.EMAIL else self.address)


class Recipient:
    """Base of the recipient kinds below; `targets()` resolves it against the database."""

    def targets(self) -> list[Target]:
        raise NotImplementedError

    @property
    def label(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class UserRecipient(Recipient):
    user: User
    email: bool = True

    def targets(self) -> list[Target]:
        if not self.user.is_active:
            return []
        found = [Target(Channel.IN_APP, user_id=self.user.pk)]
        if self.email and self.user.email:
            found.append(Target(Channel.EMAIL, user_id=self.user.pk, address=self.user.email))
        return found

    @property
    def label(self) -> str:
        return f"user {self.user.pk}"


Members = dict[int, list[tuple[str, int]]]  # organisation id → (role, user id) of its active members


def members_of(organisation_ids: Iterable[int]) -> Members:
    """The active members of these organisations, in one query."""
    found: Members = {}
    rows = Membership.objects.filter(
        organisation_id__in=list(organisation_ids), is_active=True, user__is_active=True
    ).values_list("organisation_id", "role", "user_id")
    for organisation_id, role, user_id in rows:
        found.setdefault(organisation_id, []).append((role, user_id))
    return found


@dataclass(frozen=True)
class OrganisationRecipient(Recipient):
    organisation: Organisation
    roles: tuple[str, ...] = ()
    email: bool = True
    webhook: bool = True

    def targets(self, members: Members | None = None) -> list[Target]:
        """With `members` (from `members_of`), no query of its own."""
        org = self.organisation
        found: list[Target] = []
        if self.roles:
            if members is None:
                members = members_of([self.organisation.pk])
            user_ids = sorted({user_id for role, user_id in members.get(org.pk, []) if role in self.roles})
            found.extend(
                Target(Channel.IN_APP, user_id=user_id, organisation_id=org.pk) for user_id in user_ids
            )
        if self.email and org.duty_email:
            found.append(Target(Channel.EMAIL, organisation_id=org.pk, address=org.duty_email))
        if self.webhook and org.webhook_url:
            found.append(Target(Channel.WEBHOOK, organisation_id=org.pk, address=org.webhook_url))
        return found

    @property
    def label(self) -> str:
        roles = f" ({', '.join(self.roles)})" if self.roles else ""
        return f"organisation {self.organisation.slug}{roles}"


@dataclass(frozen=True)
class EmailRecipient(Recipient):
    address: str

    def targets(self) -> list[Target]:
        return [Target(Channel.EMAIL, address=self.address)]

    @property
    def label(self) -> str:
        return "an email address"


@dataclass(frozen=True)
class WebhookRecipient(Recipient):
    url: str
    secret: str = field(repr=False)

    def targets(self) -> list[Target]:
        return [Target(Channel.WEBHOOK, address=self.url, secret=self.secret)]

    @property
    def label(self) -> str:
        return f"webhook {self.url[:200]}"


def to_user(user: User, *, email: bool = True) -> UserRecipient:
    """A staff user: an in-app notification and (unless `email=False`) an email with a link only."""
    return UserRecipient(user, email=email)


def to_organisation(
    organisation: Organisation, *, roles: Iterable[str] = (), email: bool = True, webhook: bool = True
) -> OrganisationRecipient:
    """An agency: in-app messages for its active members holding any of `roles`, an email to its duty address
    and a signed webhook to its system, each when the organisation has one (and the flag is left on)."""
    return OrganisationRecipient(
        organisation, roles=tuple(str(r) for r in roles), email=email, webhook=webhook
    )


def to_email(address: str) -> EmailRecipient:
    """An email address with no account behind it (a patient's completion link, for example)."""
    return EmailRecipient(address)


def to_webhook(url: str, secret: str) -> WebhookRecipient:
    """An endpoint outside any organisation's settings, signed with `secret`."""
    if not secret:
        raise ValueError("A webhook needs a signing secret")
    return WebhookRecipient(url, secret)


def _recipients(to: Recipient | Sequence[Recipient]) -> list[Recipient]:
    recipients = [to] if isinstance(to, Recipient) else list(to)
    if isinstance(to, str) or not all(isinstance(r, Recipient) for r in recipients):
        raise TypeError(
            "`to` must be a recipient (notifications.to_user, to_organisation, ...) or a list of them"
        )
    return recipients


def resolve(
    to: Recipient | Sequence[Recipient], *, members: Members | None = None
) -> tuple[list[Target], str]:
    """The de-duplicated targets of one recipient or several, and a label naming them for operators. An empty
    list is allowed: the message is recorded and goes nowhere."""
    recipients = _recipients(to)
    seen: dict[tuple[str, str], Target] = {}
    for recipient in recipients:
        found = (
            recipient.targets(members)
            if isinstance(recipient, OrganisationRecipient)
            else recipient.targets()
        )
        for target in found:
            seen.setdefault(target.identity, target)
    return list(seen.values()), ("; ".join(r.label for r in recipients) or "nobody")[:300]


def resolve_many(each: Sequence[Recipient | Sequence[Recipient]]) -> list[tuple[list[Target], str]]:
    """`resolve` for several messages, with one query for the members of every organisation named."""
    organisations = {
        recipient.organisation.pk
        for to in each
        for recipient in _recipients(to)
        if isinstance(recipient, OrganisationRecipient) and recipient.roles
    }
    members = members_of(organisations) if organisations else {}
    return [resolve(to, members=members) for to in each]
