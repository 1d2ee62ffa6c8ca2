"""Fictional demonstration organisations and one account per role (at least), as CONTRACTS.md lists them.

Passwords and TOTP secrets are derived from the email address and a fixed demo salt, so `thrive demo-users --json`
can print them without storing anything in plaintext; `thrive demo-data` refuses to run in production.
"""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass

from django.db import transaction

from thrive.accounts import twofactor
from thrive.accounts.models import Membership, Organisation, Team, User
from thrive.accounts.permissions import OrganisationType as T
from thrive.geography.models import Area, AreaLevel

DEMO_DOMAIN = "example.org"
DEMO_SALT = b"thrive-demo-accounts-v1"
TOWER_HAMLETS = "E09000030"
BEREAVEMENT_EAST = ("E09000030", "E09000012", "E09000025", "E09000001")  # Tower Hamlets and its neighbours
BEREAVEMENT_NORTH = ("E09000003", "E09000010", "E09000014", "E09000015", "E09000005")  # Barnet and the north

# Coroner areas of London (fictional offices; the grouping follows the real coroner areas).
CORONER_AREAS: dict[str, tuple[str, ...]] = {
    "inner-north-london": ("E09000007", "E09000012", "E09000019", "E09000030"),
    "inner-south-london": ("E09000011", "E09000022", "E09000023", "E09000028"),
    "inner-west-london": ("E09000020", "E09000024", "E09000027", "E09000032", "E09000033"),
    "north-london": ("E09000003", "E09000005", "E09000010", "E09000014", "E09000015"),
    "south-london": ("E09000004", "E09000006", "E09000008", "E09000021", "E09000029"),
    "west-london": ("E09000009", "E09000013", "E09000017", "E09000018"),
    "east-london": ("E09000002", "E09000016", "E09000025", "E09000026", "E09000031"),
    "city-of-london": ("E09000001",),
}


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    role: str
    organisation_slug: str
    scope: tuple[str, ...] = ()
    team: str = ""


def demo_password(email: str) -> str:
    digest = hashlib.sha256(DEMO_SALT + b"password:" + email.encode()).hexdigest()
    return f"Demo-{digest[:12]}!"


def demo_totp_secret(email: str) -> str:
    digest = hashlib.sha256(DEMO_SALT + b"totp:" + email.encode()).digest()[:20]
    return base64.b32encode(digest).decode().rstrip("=")


def _title(slug: str) -> str:
    return slug.replace("-", " ").title().replace("Of", "of")


def _areas(codes: tuple[str, ...]) -> list[Area]:
    return list(
        Area.objects.filter(code__in=codes, level__in=[AreaLevel.BOROUGH, AreaLevel.ICS, AreaLevel.REGION])
    )


def _organisation(
    slug: str,
    name: str,
    kind: T,
    coverage: tuple[str, ...] = (),
    *,
    region: bool = False,
    duty_email: str = "",
) -> Organisation:
    organisation, _ = Organisation.objects.update_or_create(
        slug=slug,
        defaults={
            "name": name,
            "type": kind.value,
            "is_example": True,
            "covers_region": region,
            "duty_email": duty_email,
        },
    )
    codes = coverage or (("E12000007",) if region else ())
    organisation.coverage.set(_areas(codes))
    return organisation


def organisations() -> dict[str, Organisation]:
    made: dict[str, Organisation] = {}
    made["example-police"] = _organisation(
        "example-police", "Example Metropolitan Police (fictional)", T.POLICE_FORCE, region=True
    )
    made["example-transport-police"] = _organisation(
        "example-transport-police",
        "Example Transport Police, London (fictional)",
        T.POLICE_FORCE,
        region=True,
    )
    for area, boroughs in CORONER_AREAS.items():
        slug = f"example-coroner-{area}"
        made[slug] = _organisation(
            slug, f"Example {_title(area)} Coroner's Office (fictional)", T.CORONERS_OFFICE, boroughs
        )
    for ics in Area.objects.filter(level=AreaLevel.ICS).order_by("code"):
        short = ics.name.lower().replace(" ", "-")
        boroughs = tuple(Area.objects.filter(level=AreaLevel.BOROUGH, ics=ics).values_list("code", flat=True))
        made[f"example-trust-{short}"] = _organisation(
            f"example-trust-{short}",
            f"Example {ics.name} Mental Health NHS Trust (fictional)",
            T.NHS_TRUST,
            boroughs,
        )
        made[f"example-ics-{short}"] = _organisation(
            f"example-ics-{short}",
            f"Example {ics.name} Integrated Care System (fictional)",
            T.INTEGRATED_CARE_SYSTEM,
            (ics.code,),
        )
    for borough in Area.objects.filter(level=AreaLevel.BOROUGH).order_by("code"):
        slug = f"example-public-health-{borough.code.lower()}"
        made[slug] = _organisation(
            slug, f"Example {borough.name} Public Health Team (fictional)", T.LOCAL_AUTHORITY, (borough.code,)
        )
    made["example-prevention-team"] = _organisation(
        "example-prevention-team",
        "Example London Suicide Prevention Team (fictional)",
        T.REGIONAL_PREVENTION_TEAM,
        region=True,
    )
    made["example-bereavement-east"] = _organisation(
        "example-bereavement-east",
        "Example East London Bereavement Support (fictional)",
        T.BEREAVEMENT_SERVICE,
        BEREAVEMENT_EAST,
        duty_email="duty@bereavement-east.example.org",
    )
    made["example-bereavement-north"] = _organisation(
        "example-bereavement-north",
        "Example North London Bereavement Support (fictional)",
        T.BEREAVEMENT_SERVICE,
        BEREAVEMENT_NORTH,
        duty_email="duty@bereavement-north.example.org",
    )
    made["example-wellbeing-charity"] = _organisation(
        "example-wellbeing-charity",
        "Example Tower Hamlets Wellbeing Charity (fictional)",
        T.VOLUNTARY_SECTOR,
        (TOWER_HAMLETS,),
    )
    made["example-operator"] = _organisation(
        "example-operator", "Example Thrive Platform Operator (fictional)", T.PLATFORM_OPERATOR, region=True
    )
    return made


DEMO_ACCOUNTS = (
    DemoAccount("reporter@police.example.org", "Priya Example (reporter)", "reporter", "example-police"),
    DemoAccount(
        "reporter@transport-police.example.org",
        "Tom Example (reporter)",
        "reporter",
        "example-transport-police",
    ),
    DemoAccount(
        "coroners-officer@coroner.example.org",
        "Ola Example (coroner's officer)",
        "coroners_officer",
        "example-coroner-inner-north-london",
        CORONER_AREAS["inner-north-london"],
    ),
    DemoAccount(
        "lead@prevention.example.org",
        "Sam Example (surveillance lead)",
        "surveillance_lead",
        "example-prevention-team",
        ("E12000007",),
    ),
    DemoAccount(
        "lead@towerhamlets.example.org",
        "Nadia Example (surveillance lead)",
        "surveillance_lead",
        "example-public-health-e09000030",
        (TOWER_HAMLETS,),
    ),
    DemoAccount(
        "analyst@ics.example.org",
        "Alex Example (analyst)",
        "analyst",
        "example-ics-north-east-london",
        ("E54000029",),
    ),
    DemoAccount(
        "worker@bereavement-east.example.org",
        "Bea Example (bereavement worker)",
        "bereavement_worker",
        "example-bereavement-east",
    ),
    DemoAccount(
        "worker@bereavement-north.example.org",
        "Noor Example (bereavement worker)",
        "bereavement_worker",
        "example-bereavement-north",
    ),
    DemoAccount(
        "manager@bereavement-east.example.org",
        "Max Example (service manager)",
        "service_manager",
        "example-bereavement-east",
        BEREAVEMENT_EAST,
    ),
    DemoAccount(
        "clinician@trust.example.org",
        "Chris Example (clinician)",
        "clinician",
        "example-trust-north-east-london",
        team="Example Tower Hamlets Community Mental Health Team",
    ),
    DemoAccount(
        "manager@trust.example.org",
        "Morgan Example (service manager)",
        "service_manager",
        "example-trust-north-east-london",
        ("E54000029",),
    ),
    DemoAccount(
        "editor@charity.example.org",
        "Dee Example (directory editor)",
        "directory_editor",
        "example-wellbeing-charity",
    ),
    DemoAccount(
        "admin@operator.example.org", "Ada Example (administrator)", "administrator", "example-operator"
    ),
)


def generate(*, rng: random.Random, **options: object) -> dict[str, int]:
    """Creates (or refreshes) the example organisations and accounts; idempotent."""
    with transaction.atomic():
        made = organisations()
        borough = Area.objects.filter(level=AreaLevel.BOROUGH, code=TOWER_HAMLETS).first()
        for account in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(
                email=account.email, defaults={"full_name": account.full_name}
            )
            if created or not user.check_password(demo_password(account.email)):
                user.set_password(demo_password(account.email))
                user.save()
            twofactor.set_known_totp(user, demo_totp_secret(account.email))
            organisation = made[account.organisation_slug]
            team = None
            if account.team:
                team, _ = Team.objects.get_or_create(
                    organisation=organisation,
                    name=account.team,
                    defaults={"service_line": "community_mental_health", "borough": borough},
                )
            membership, _ = Membership.objects.update_or_create(
                user=user,
                organisation=organisation,
                role=account.role,
                defaults={"team": team, "is_active": True},
            )
            membership.scope_areas.set(_areas(account.scope))
    return {"organisations": len(made), "accounts": len(DEMO_ACCOUNTS)}


def demo_accounts_json() -> list[dict[str, str]]:
    rows = []
    for membership in (
        Membership.objects.select_related("user", "organisation")
        .filter(user__email__endswith=DEMO_DOMAIN, organisation__is_example=True, is_active=True)
        .order_by("user__email")
    ):
        email = membership.user.email
        rows.append(
            {
                "email": email,
                "password": demo_password(email),
                "totp_secret": demo_totp_secret(email),
                "role": membership.role,
                "organisation": membership.organisation.name,
                "organisation_slug": membership.organisation.slug,
                "organisation_type": membership.organisation.type,
            }
        )
    return rows
