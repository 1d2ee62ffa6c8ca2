"""Every named route has an access rule, and every non-public staff page refuses anonymous visitors."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from thrive.core.access_rules import collect, route_names


def test_every_route_has_an_access_rule() -> None:
    rules = collect()
    missing = sorted(name for name in route_names() if name not in rules)
    assert not missing, f"routes without an entry in any app's access.py: {missing}"


@pytest.mark.django_db
def test_non_public_pages_turn_anonymous_visitors_away() -> None:
    client = Client()
    for name, rule in collect().items():
        if rule.public or rule.signed_in:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # needs arguments: covered by the app's own matrix
        response = client.get(url)
        assert response.status_code in (286, 302, 401, 403, 404), (
            f"{name} answered {response.status_code} to anonymous"
        )
        if response.status_code == 286:  # HTMX "stop polling": an empty answer to a signed-out badge poll
            assert not response.content
        if response.status_code == 302:
            assert (
                "/accounts/login/" in response["Location"] or "/accounts/two-factor" in response["Location"]
            )
