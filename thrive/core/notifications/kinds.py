"""Message kinds: each names what happened and how to say it without saying who it happened to.

A kind's title and body are `str.format` templates over the payload. They are written to be safe for email and
webhooks: a reference and a link, never a name, a date of birth, an address or a narrative. `send` also
refuses payload keys that would carry such details, so a careless caller fails in development rather than in
an inbox.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Payload keys that would put a person's identifying details into an outbox row, an email or a webhook.
IDENTIFYING_KEYS = frozenset(
    {
        "name",
        "full_name",
        "first_name",
        "last_name",
        "given_name",
        "family_name",
        "surname",
        "forename",
        "date_of_birth",
        "dob",
        "nhs_number",
        "address",
        "postcode",
        "phone",
        "telephone",
        "mobile",
        "email",
        "narrative",
        "notes",
    }
)


@dataclass(frozen=True)
class Kind:
    """A registered message kind. `link` is a template too; when empty the payload's `link` is used. An
    `urgent` kind's deliveries are queued ahead of the others (someone is waiting on them: a new referral)."""

    name: str
    title: str
    body: str
    link: str = ""
    urgent: bool = False
    required: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        names = {
            part[1]
            for text in (self.title, self.body, self.link)
            for part in string.Formatter().parse(text)
            if part[1]
        }
        object.__setattr__(self, "required", frozenset(name.split(".")[0].split("[")[0] for name in names))

    def render(self, payload: Mapping[str, Any]) -> tuple[str, str, str]:
        """(title, body, link) for this payload; a missing key is the caller's error, reported as one."""
        missing = sorted(self.required - set(payload))
        if missing:
            raise ValueError(f"Payload for {self.name!r} lacks {', '.join(missing)}")
        link = self.link.format_map(payload) if self.link else str(payload.get("link", ""))
        return self.title.format_map(payload), self.body.format_map(payload), link


_REGISTRY: dict[str, Kind] = {}


def register_kind(kind: Kind) -> Kind:
    """Add a kind (apps call this at import time). Registering the same name twice with other text is a
    bug."""
    existing = _REGISTRY.get(kind.name)
    if existing is not None and existing != kind:
        raise ValueError(f"Message kind {kind.name!r} is already registered differently")
    _REGISTRY[kind.name] = kind
    return kind


def get_kind(name: str) -> Kind:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(
            f"Unknown message kind {name!r}; register it with notifications.register_kind"
        ) from None


def registered_kinds() -> dict[str, Kind]:
    return dict(_REGISTRY)


def identifying_keys(payload: Any, path: str = "") -> list[str]:
    """Dotted paths of payload keys that look like a person's identifying details."""
    found: list[str] = []
    if isinstance(payload, Mapping):
        for key, value in payload.items():
            here = f"{path}.{key}" if path else str(key)
            if str(key).lower() in IDENTIFYING_KEYS:
                found.append(here)
            found.extend(identifying_keys(value, here))
    elif isinstance(payload, list | tuple):
        for index, value in enumerate(payload):
            found.extend(identifying_keys(value, f"{path}.{index}"))
    return found


# The kinds the issues name. Payloads carry references and the path of the page to open.
CASE_CREATED = register_kind(
    Kind(
        "case.created",
        title="New case reported",
        body="A new case ({reference}) has been reported in an area your organisation covers. "
        "Sign in to Thrive to see it.",
    )
)
REFERRAL_NEW = register_kind(
    Kind(
        "referral.new",
        title="New bereavement referral",
        body="A new referral ({reference}) has been made to your service. Sign in to Thrive to see it.",
        urgent=True,
    )
)
REFERRAL_ESCALATED = register_kind(
    Kind(
        "referral.escalated",
        title="Referral not yet contacted",
        body="Referral {reference} has passed its first-contact target without a recorded contact. "
        "Sign in to Thrive to see it.",
    )
)
ALERT_RAISED = register_kind(
    Kind(
        "alert.raised",
        title="New surveillance alert",
        body="An alert ({reference}) has been raised for an area in your scope. "
        "Sign in to Thrive to review it.",
    )
)
ASSESSMENT_LINK = register_kind(
    Kind(
        "assessment.link",
        title="A questionnaire from your care team",
        body="Your care team has asked you to answer a short questionnaire. The link works once and expires "
        "on {expires}.",
        link="{url}",
    )
)
