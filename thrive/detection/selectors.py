"""Which alerts a surveillance lead reaches, and what of an alert they may see.

An alert concerns boroughs, their ICSs and the region (`Alert.areas`). A lead reaches it when their scope (the
membership's scope areas, else the organisation's coverage, as for cases) holds any of those areas, or covers
the region. Within an alert, cases are shown only when the lead reaches them (`surveillance.scope`); exact
incident points only with `LOCATION_POINTS_VIEW`. "Not found" and "not yours" are the same 404.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from thrive.accounts.models import Membership, User
from thrive.accounts.permissions import Permission as P
from thrive.detection.models import Alert
from thrive.geography.models import Area, AreaLevel
from thrive.surveillance import scope
from thrive.surveillance.models import Case


def lead_areas(user: User) -> tuple[bool, set[int]]:
    """(region-wide?, the area ids an alert may match) over the user's memberships that manage alerts."""
    region_wide, ids = False, set()
    for membership in user.memberships_granting(P.ALERT_MANAGE):
        areas = list(membership.scope_areas.all())
        if not areas:
            organisation = membership.organisation
            region_wide = region_wide or organisation.covers_region
            areas = list(organisation.coverage.all())
        for area in areas:
            region_wide = region_wide or area.level == AreaLevel.REGION
            ids.add(area.pk)
            if area.borough_id:
                ids.add(area.borough_id)
    return region_wide, ids


def visible_alerts(user: User) -> QuerySet[Alert]:
    if not user.can(P.ALERT_MANAGE):
        return Alert.objects.none()
    region_wide, ids = lead_areas(user)
    if region_wide:
        return Alert.objects.all()
    matching = Alert.areas.through.objects.filter(area_id__in=ids).values("alert_id")
    return Alert.objects.filter(pk__in=matching)


def alert_list(user: User, *, status: str = "open", kind: str = "") -> QuerySet[Alert]:
    alerts = visible_alerts(user)
    if status == "open":
        alerts = alerts.exclude(status=Alert.Status.CLOSED)
    elif status in Alert.Status.values:
        alerts = alerts.filter(status=status)
    if kind in Alert.Kind.values:
        alerts = alerts.filter(kind=kind)
    return (
        alerts.select_related("assigned_to")
        .prefetch_related("areas")
        .annotate(case_count=Count("case_links"))
        .order_by("-last_detected_at", "-id")
    )


def get_alert_for_user(user: User, reference: str) -> Alert:
    alert = (
        visible_alerts(user)
        .select_related("assigned_to", "run", "follows")
        .filter(reference=reference)
        .first()
    )
    if alert is None:
        raise Http404("No alert with that reference")
    return alert


def alert_cases(user: User, alert: Alert) -> tuple[list[Case], int]:
    """The alert's cases the user reaches (annotated `identifiable` and `in_latest`), and how many others."""
    links = dict(alert.case_links.values_list("case_id", "in_latest"))
    visible = list(
        scope.visible_cases(user)
        .filter(pk__in=list(links))
        .select_related("residence_borough", "incident_borough", "incident_lsoa11", "residence_lsoa11")
        .order_by("date_of_death", "date_found", "pk")
    )
    for case in visible:
        case.in_latest = links[case.pk]  # type: ignore[attr-defined]
    return visible, len(links) - len(visible)


def borough_names(alert: Alert) -> list[str]:
    return sorted(a.name for a in alert.areas.all() if a.level == AreaLevel.BOROUGH)


def eligible_assignees(alert: Alert) -> QuerySet[User]:
    """Active surveillance leads whose organisation covers the region or one of the alert's areas."""
    area_ids = list(alert.areas.values_list("pk", flat=True))
    memberships = Membership.objects.filter(
        role="surveillance_lead", is_active=True, user__is_active=True
    ).filter(
        Q(organisation__covers_region=True)
        | Q(organisation__coverage__in=area_ids)
        | Q(scope_areas__in=area_ids)
    )
    return User.objects.filter(pk__in=memberships.values("user_id")).order_by("full_name", "email")


def region_of(user: User) -> Area | None:
    """The region a region-wide lead may set parameters for (the first one), else None."""
    region_wide, ids = lead_areas(user)
    if not region_wide:
        return None
    return Area.objects.filter(level=AreaLevel.REGION).order_by("code").first()
