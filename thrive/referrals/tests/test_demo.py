"""The demo generator: a year of referral history and the recent referrals moved along; a second run adds
nothing."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from thrive.accounts.testing import Personas
from thrive.core.models import OutboxMessage
from thrive.geography.models import Area, AreaLevel
from thrive.referrals import demo
from thrive.referrals.models import Referral, Status
from thrive.surveillance import demo as surveillance_demo

pytestmark = pytest.mark.django_db


def test_demo_referrals_are_plausible_and_a_second_run_changes_nothing(personas: Personas) -> None:
    ics = Area.objects.get(level=AreaLevel.ICS, code="E54000028")
    Area.objects.create(
        level=AreaLevel.BOROUGH, code="E09000008", name="Croydon", parent=ics, ics=ics
    )  # the demo's
    surveillance_demo.generate(
        rng=random.Random("2026:surveillance"), years=1.2, per_year=220, recent_days=14
    )
    messages = OutboxMessage.objects.count()
    first = demo.generate(rng=random.Random("2026:referrals"), seed=2026)
    assert first["history"] > 10, first
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert {Status.CLOSED, Status.SUPPORTING, Status.DECLINED} <= statuses or Status.CONTACTED in statuses
    history = Referral.objects.exclude(first_contact_at=None)
    assert all(r.received_at <= (r.first_contact_at or r.received_at) <= timezone.now() for r in history)
    assert Referral.objects.filter(status=Status.NEW).count() >= 1
    assert OutboxMessage.objects.count() == messages  # nothing is sent for the past
    snapshot = sorted(Referral.objects.values_list("pk", "status", "received_at", "first_contact_at"))
    second = demo.generate(rng=random.Random("2026:referrals"), seed=2026)
    assert second == {"history": 0, "recent_moved_on": 0}
    assert sorted(Referral.objects.values_list("pk", "status", "received_at", "first_contact_at")) == snapshot


def test_a_story_is_fixed_by_its_generator() -> None:
    received = timezone.now()
    one = demo.story(random.Random("x"), received, timezone.localdate())
    assert one == demo.story(random.Random("x"), received, timezone.localdate())
    assert one[0].status == Status.ACCEPTED and all(a.at <= b.at for a, b in zip(one, one[1:], strict=False))
