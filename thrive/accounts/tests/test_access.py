"""Navigation by role, staff pages refused without the right role, administration changes audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from thrive.accounts.models import Membership
from thrive.accounts.testing import Personas
from thrive.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_anonymous_staff_pages_redirect_to_sign_in() -> None:
    for name in ("staff-home", "audit-log", "admin-home"):
        response = Client().get(reverse(name))
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_unverified_user_is_sent_to_two_factor(personas: Personas, client_for) -> None:
    client = client_for(personas.analyst, verified=False)
    response = client.get(reverse("staff-home"))
    assert response.status_code == 302 and reverse("two-factor") in response["Location"]


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("administrator", True),
        ("regional_lead", True),
        ("police_reporter", False),
        ("analyst", False),
        ("bereavement_worker", False),
        ("no_role", False),
    ],
)
def test_audit_log_page_by_role(personas: Personas, client_for, persona: str, allowed: bool) -> None:
    response = client_for(getattr(personas, persona)).get(reverse("audit-log"))
    assert response.status_code == (200 if allowed else 403)


def test_admin_pages_only_for_administrators(personas: Personas, client_for) -> None:
    assert client_for(personas.administrator).get(reverse("admin-home")).status_code == 200
    assert client_for(personas.regional_lead).get(reverse("admin-home")).status_code == 403


def test_navigation_follows_the_role(personas: Personas, client_for) -> None:
    admin_page = client_for(personas.administrator).get(reverse("staff-home")).content.decode()
    assert "Administration" in admin_page and "Audit log" in admin_page
    worker_page = client_for(personas.bereavement_worker).get(reverse("staff-home")).content.decode()
    assert "Administration" not in worker_page and "Audit log" not in worker_page


def test_granting_a_role_is_audited(personas: Personas, client_for) -> None:
    client = client_for(personas.administrator)
    subject = personas.no_role
    police = Membership.objects.filter(role="reporter").first().organisation  # type: ignore[union-attr]
    response = client.post(
        reverse("admin-membership-new", args=[subject.pk]), {"organisation": police.pk, "role": "reporter"}
    )
    assert response.status_code == 302
    assert subject.memberships.filter(role="reporter").exists()
    assert AuditEntry.objects.filter(action="permission_change", reason__contains=subject.email).exists()


def test_role_the_organisation_cannot_hold_is_refused(personas: Personas, client_for) -> None:
    client = client_for(personas.administrator)
    police = Membership.objects.filter(role="reporter").first().organisation  # type: ignore[union-attr]
    response = client.post(
        reverse("admin-membership-new", args=[personas.no_role.pk]),
        {"organisation": police.pk, "role": "bereavement_worker"},
    )
    assert response.status_code == 200
    assert "cannot hold the Bereavement worker role" in response.content.decode()
    assert not personas.no_role.memberships.exists()
