"""Test personas and sign-in helpers shared by every app's tests (the roles of DESIGN.md, on a small London)."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from thrive.accounts import demo
from thrive.accounts.decorators import REAUTH_SESSION_KEY
from thrive.accounts.models import Organisation, User
from thrive.geography.models import Area, AreaLevel

# A few real ONS codes, enough for scope tests: two ICSs with boroughs on both sides.
SMALL_LONDON = {
    "E54000029": ("North East London", ("E09000030", "E09000012", "E09000025", "E09000001")),
    "E54000028": ("North Central London", ("E09000003", "E09000007")),
}
BOROUGH_NAMES = {
    "E09000030": "Tower Hamlets",
    "E09000012": "Hackney",
    "E09000025": "Newham",
    "E09000001": "City of London",
    "E09000003": "Barnet",
    "E09000007": "Camden",
}


def small_london() -> dict[str, Area]:
    region, _ = Area.objects.get_or_create(
        level=AreaLevel.REGION, code="E12000007", defaults={"name": "London"}
    )
    made = {"E12000007": region}
    for ics_code, (ics_name, boroughs) in SMALL_LONDON.items():
        ics, _ = Area.objects.get_or_create(
            level=AreaLevel.ICS, code=ics_code, defaults={"name": ics_name, "parent": region}
        )
        made[ics_code] = ics
        for code in boroughs:
            borough, _ = Area.objects.get_or_create(
                level=AreaLevel.BOROUGH,
                code=code,
                defaults={"name": BOROUGH_NAMES[code], "parent": ics, "ics": ics, "population": 300000},
            )
            if borough.borough_id is None:
                borough.borough = borough
                borough.save(update_fields=["borough"])
            made[code] = borough
    return made


@dataclass
class Personas:
    police_reporter: User
    transport_reporter: User
    coroners_officer: User
    regional_lead: User
    borough_lead: User
    analyst: User
    bereavement_worker: User
    bereavement_worker_other_area: User
    bereavement_manager: User
    clinician: User
    service_manager: User
    directory_editor: User
    administrator: User
    no_role: User

    def all(self) -> dict[str, User]:
        return dict(self.__dict__)


def make_personas() -> Personas:
    small_london()
    demo.generate(rng=random.Random(1))
    by_email = {u.email: u for u in User.objects.all()}
    no_role, _ = User.objects.get_or_create(email="nobody@example.org", defaults={"full_name": "No Role"})
    return Personas(
        police_reporter=by_email["reporter@police.example.org"],
        transport_reporter=by_email["reporter@transport-police.example.org"],
        coroners_officer=by_email["coroners-officer@coroner.example.org"],
        regional_lead=by_email["lead@prevention.example.org"],
        borough_lead=by_email["lead@towerhamlets.example.org"],
        analyst=by_email["analyst@ics.example.org"],
        bereavement_worker=by_email["worker@bereavement-east.example.org"],
        bereavement_worker_other_area=by_email["worker@bereavement-north.example.org"],
        bereavement_manager=by_email["manager@bereavement-east.example.org"],
        clinician=by_email["clinician@trust.example.org"],
        service_manager=by_email["manager@trust.example.org"],
        directory_editor=by_email["editor@charity.example.org"],
        administrator=by_email["admin@operator.example.org"],
        no_role=no_role,
    )


def sign_in(client: Client, user: User, *, verified: bool = True) -> Client:
    """Signs a user in as if they had entered their password and a TOTP code just now."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if verified:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[REAUTH_SESSION_KEY] = time.time()
        session.save()
    return client


def organisation(slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)
