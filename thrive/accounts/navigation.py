"""Navigation by role: each entry names the permission that shows it and the page it links to."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from thrive.accounts.decorators import is_verified
from thrive.accounts.permissions import Permission as P

# (label, url name, permissions: any of them shows the entry)
ENTRIES: tuple[tuple[str, str, tuple[P, ...]], ...] = (
    ("Home", "staff-home", ()),
    (
        "Cases",
        "surveillance:case-list",
        (P.CASE_CREATE, P.CASE_VIEW_IDENTIFIABLE_SCOPE, P.CASE_VIEW_PSEUDONYMISED),
    ),
    ("Report a death", "surveillance:report-start", (P.CASE_CREATE,)),
    ("Alerts", "detection:alert-list", (P.ALERT_MANAGE,)),
    ("Referrals", "referrals:inbox", (P.REFERRAL_WORK,)),
    ("Patients", "outcomes:worklist", (P.OUTCOMES_CAPTURE,)),
    ("Outcomes", "outcomes:dashboard", (P.OUTCOMES_DASHBOARD,)),
    ("Insights", "insights:index", (P.AGGREGATES_VIEW,)),
    ("Directory", "directory:manage", (P.DIRECTORY_EDIT,)),
    ("Areas", "geography:index", (P.AREAS_VIEW,)),
    ("Audit log", "audit-log", (P.AUDIT_VIEW,)),
    ("Administration", "admin-home", (P.ADMIN_USERS, P.ADMIN_ORGANISATIONS)),
)


def navigation_for(request: HttpRequest | None) -> list[dict[str, Any]]:
    if request is None or not request.user.is_authenticated or not is_verified(request.user):
        return []
    user = request.user
    items = []
    for label, name, needs in ENTRIES:
        if needs and not any(user.can(p) for p in needs):
            continue
        try:
            href = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"href": href, "text": label, "current": request.path == href})
    return items
