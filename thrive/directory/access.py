"""Who may do what in the directory, declared next to the views.

The public pages need no sign-in. Directory editors maintain their own organisation's services and events;
moderators (DIRECTORY_MODERATE) decide on any submitted event. Objects are fetched only through the getters
below, which answer "not found" alike for a missing object and one that belongs to another organisation.
"""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404

from thrive.accounts.models import Organisation, User
from thrive.accounts.permissions import Permission as P
from thrive.core.access_rules import PUBLIC, Rule
from thrive.directory.models import Event, EventStatus, Service

EDITOR = Rule(roles=frozenset({"directory_editor"}), note="their own organisation's services and events")
MODERATOR = Rule(
    roles=frozenset({"directory_editor"}), note="holders of DIRECTORY_MODERATE: any submitted event"
)
OPEN_DATA = Rule(public=True, note="Open Referral UK: open data, no key needed")

ACCESS: dict[str, Rule] = {
    **{
        f"directory:{name}": PUBLIC
        for name in (
            "home",
            "find-support",
            "service",
            "borough-boundary",
            "events",
            "events-archive",
            "events-feed",
            "event",
            "event-ics",
            "campaign",
            "event-submit",
            "event-submitted",
            "self-check",
        )
    },
    "directory:manage": EDITOR,
    "directory:manage-service-new": EDITOR,
    "directory:manage-service-edit": EDITOR,
    "directory:manage-services-import": EDITOR,
    "directory:manage-services-export": EDITOR,
    "directory:manage-event-new": EDITOR,
    "directory:manage-event-edit": EDITOR,
    "directory:manage-event-cancel": EDITOR,
    "directory:manage-moderation": MODERATOR,
    "directory:manage-moderate": MODERATOR,
    "oruk-services": OPEN_DATA,
    "oruk-service": OPEN_DATA,
}


def editable_organisations(user: User) -> list[Organisation]:
    seen: dict[int, Organisation] = {}
    for membership in user.memberships_granting(P.DIRECTORY_EDIT):
        seen.setdefault(membership.organisation.pk, membership.organisation)
    return sorted(seen.values(), key=lambda organisation: organisation.name)


def editable_services(user: User) -> QuerySet[Service]:
    return Service.objects.filter(organisation__in=editable_organisations(user)).select_related(
        "organisation"
    )


def editable_events(user: User) -> QuerySet[Event]:
    return Event.objects.filter(organisation__in=editable_organisations(user)).select_related("borough")


def get_editable_service(user: User, slug: str) -> Service:
    service = editable_services(user).filter(slug=slug).first()
    if service is None:
        raise Http404("No such service")
    return service


def get_editable_event(user: User, uuid: UUID) -> Event:
    event = editable_events(user).filter(uuid=uuid).first()
    if event is None:
        raise Http404("No such event")
    return event


def can_moderate(user: User) -> bool:
    return user.can(P.DIRECTORY_MODERATE)


def get_moderatable_event(user: User, uuid: UUID) -> Event:
    """Any submitted event, for a moderator; the organiser's private contact comes with it."""
    event = (
        Event.objects.filter(uuid=uuid).exclude(status=EventStatus.CANCELLED).first()
        if can_moderate(user)
        else None
    )
    if event is None:
        raise Http404("No such event")
    return event
