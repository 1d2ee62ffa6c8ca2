"""The shape of each app's `access.py`: which roles may use each named route (or that it is public).

The platform-wide test `test_every_route_has_an_access_rule` walks the URL resolver and fails when a named route has
no entry in any app's `ACCESS` table, so a new view or endpoint cannot ship without a decision about who may use it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

THRIVE_APPS = (
    "core",
    "accounts",
    "geography",
    "surveillance",
    "detection",
    "referrals",
    "outcomes",
    "directory",
    "insights",
)
ALL_STAFF = frozenset(
    {
        "reporter",
        "coroners_officer",
        "surveillance_lead",
        "analyst",
        "bereavement_worker",
        "clinician",
        "service_manager",
        "directory_editor",
        "administrator",
    }
)


@dataclass(frozen=True)
class Rule:
    """`public`: anyone, no sign-in; `signed_in`: any user at the sign-in steps; else the staff roles allowed
    (within their scope where the view takes an object). `api_scopes`: for API routes, the key scopes needed."""

    public: bool = False
    signed_in: bool = False
    roles: frozenset[str] = field(default_factory=frozenset)
    api_scopes: frozenset[str] = field(default_factory=frozenset)
    note: str = ""


PUBLIC = Rule(public=True)


def collect() -> dict[str, Rule]:
    table: dict[str, Rule] = {}
    for app in THRIVE_APPS:
        try:
            module = importlib.import_module(f"thrive.{app}.access")
        except ModuleNotFoundError as missing:
            if missing.name != f"thrive.{app}.access":
                raise
            continue
        rules = getattr(module, "ACCESS", {})
        if isinstance(rules, dict):
            table.update({name: rule for name, rule in rules.items() if isinstance(rule, Rule)})
    return table


def route_names() -> list[str]:
    names: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, inner)
            elif entry.name:
                names.append(f"{namespace}{entry.name}")

    walk(get_resolver().url_patterns, "")
    return names
