"""Every outcomes route has an access rule, and none but the patient's link pages answers an anonymous visitor
(the platform-wide matrix test covers the routes once the project mounts them)."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from thrive.outcomes.access import ACCESS

ARGUMENTS = {
    "pk": 1,
    "item": 1,
    "measure": "dialog",
    "public_id": uuid.uuid4(),
    "token": "x",
    "key": "dialog",
}


def _outcomes_routes() -> dict[str, URLPattern]:
    found: dict[str, URLPattern] = {}

    def walk(patterns: list[URLPattern | URLResolver], namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            elif entry.name and (namespace == "outcomes:" or entry.name.startswith("api-outcomes-")):
                found[f"{namespace}{entry.name}"] = entry

    walk(get_resolver().url_patterns, "")
    return found


def test_every_route_has_a_rule_and_every_rule_a_route() -> None:
    routes = _outcomes_routes()
    assert set(routes) == set(ACCESS)


@pytest.mark.django_db
def test_anonymous_visitors_are_turned_away() -> None:
    client = Client()
    for name, pattern in _outcomes_routes().items():
        rule = ACCESS[name]
        if rule.public:
            continue
        url = reverse(name, kwargs={key: ARGUMENTS[key] for key in pattern.pattern.regex.groupindex})
        response = client.get(url)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), name
        else:
            assert response.status_code in (401, 403, 404, 405), f"{name} answered {response.status_code}"
