"""Demonstration directory: example services for every borough, the real national crisis lines, and example
events around a city-wide mental health day (some of them next week).

Everything but the four national crisis lines is fictional and says so ("Example ..."); phone numbers are in
Ofcom's range for drama (020 7946 0xxx) and web addresses are on example.org. Services are keyed by slug
(events: see demo_events.py), so running the generator again updates rather than duplicates.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from thrive.accounts.models import Organisation
from thrive.accounts.permissions import OrganisationType as T
from thrive.directory import demo_events
from thrive.directory.models import Service
from thrive.directory.taxonomy import ServiceType
from thrive.geography.models import Area, AreaLevel

TOWER_HAMLETS = "E09000030"
WEEKDAYS = [{"days": ["MO", "TU", "WE", "TH", "FR"], "opens": "09:00", "closes": "17:00"}]
ALWAYS = [{"days": ["MO", "TU", "WE", "TH", "FR", "SA", "SU"], "opens": "00:00", "closes": "24:00"}]


@dataclass
class Context:
    rng: random.Random
    today: datetime.date
    boroughs: list[Area]
    ics: dict[int, Area]
    phone_counter: int = 0

    def phone(self) -> str:
        """A number from Ofcom's drama range, never a real line."""
        self.phone_counter += 1
        return f"020 7946 0{self.phone_counter % 1000:03d}"

    def near(self, area: Area) -> tuple[float | None, float | None]:
        if area.centroid_lat is None or area.centroid_lon is None:
            return None, None
        return (
            round(area.centroid_lat + self.rng.uniform(-0.008, 0.008), 5),
            round(area.centroid_lon + self.rng.uniform(-0.012, 0.012), 5),
        )

    def verified(self) -> datetime.date:
        """Mostly checked recently; about one in twelve over a year ago (the pages flag those)."""
        days = self.rng.randint(400, 600) if self.rng.random() < 0.08 else self.rng.randint(5, 300)
        return self.today - datetime.timedelta(days=days)


def _organisation(slug: str, name: str, kind: T, *, example: bool = True) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(
        slug=slug, defaults={"name": name, "type": kind.value, "is_example": example}
    )
    return organisation


def _trust(ics: Area) -> Organisation:
    short = ics.name.lower().replace(" ", "-")
    return _organisation(
        f"example-trust-{short}", f"Example {ics.name} Mental Health NHS Trust (fictional)", T.NHS_TRUST
    )


def _service(slug: str, *, areas: list[Area] | None = None, **fields: Any) -> Service:
    fields.setdefault("is_example", True)
    fields["updated_at"] = timezone.now()
    service, _ = Service.objects.update_or_create(slug=slug, defaults=fields)
    service.areas.set(areas or [])
    return service


def crisis_lines() -> int:
    """The real national crisis lines (the only real content in the demo)."""
    samaritans = _organisation("samaritans", "Samaritans", T.VOLUNTARY_SECTOR, example=False)
    shout = _organisation(
        "mental-health-innovations", "Mental Health Innovations (Shout)", T.VOLUNTARY_SECTOR, example=False
    )
    nhs = _organisation("nhs-england", "NHS England", T.NHS_TRUST, example=False)
    common: dict[str, Any] = {
        "type": ServiceType.CRISIS_LINE,
        "national": True,
        "in_person": False,
        "by_phone": True,
        "self_referral": True,
        "is_example": False,
        "last_verified": timezone.localdate(),
        "opening_hours": ALWAYS,
    }
    _service(
        "samaritans",
        name="Samaritans",
        organisation=samaritans,
        **common,
        summary="Call 116 123 free, any time, to talk about anything that is troubling you.",
        description="Samaritans volunteers listen, day or night, without judging or telling you what to do. "
        "Calls are free from any phone.",
        phone="116 123",
        self_referral_phone="116 123",
        email="jo@samaritans.org",
        website="https://www.samaritans.org",
    )
    _service(
        "shout",
        name="Shout",
        organisation=shout,
        **{**common, "by_phone": False, "online": True},
        summary="Text SHOUT to 85258 for free, confidential text support, any time.",
        description="Shout is a free, confidential text service for anyone in the UK who is struggling to "
        "cope. Trained volunteers reply by text.",
        text_number="Text SHOUT to 85258",
        self_referral_phone="85258",
        website="https://giveusashout.org",
    )
    _service(
        "nhs-111-option-2",
        name="NHS 111, option 2 (mental health)",
        organisation=nhs,
        **common,
        summary="Call 111 and choose option 2 for urgent mental health help from the NHS, day and night.",
        description="NHS 111 option 2 puts you through to your local NHS mental health crisis team, for "
        "you or for someone you care about.",
        phone="111",
        self_referral_phone="111",
        website="https://111.nhs.uk",
    )
    _service(
        "emergency-999",
        name="Emergency: call 999",
        organisation=nhs,
        **common,
        summary="Call 999 if a life is at risk now, or you cannot keep yourself safe.",
        description="In an emergency call 999 or go to any hospital A&E department.",
        phone="999",
        self_referral_phone="999",
    )
    return 4


def borough_services(ctx: Context) -> int:
    """NHS Talking Therapies for every borough (self-referral), plus community services in some boroughs."""
    made = 0
    for borough in ctx.boroughs:
        ics = ctx.ics.get(borough.ics_id or 0)
        provider = (
            _trust(ics)
            if ics
            else _organisation("example-trust", "Example Mental Health NHS Trust (fictional)", T.NHS_TRUST)
        )
        lat, lon = ctx.near(borough)
        short = borough.name.lower().replace(" ", "-")
        _service(
            f"example-talking-therapies-{short}",
            areas=[borough],
            name=f"Example {borough.name} Talking Therapies (NHS)",
            type=ServiceType.TALKING_THERAPIES,
            organisation=provider,
            summary=f"Free NHS talking therapies for anxiety and depression for people registered with a GP "
            f"in {borough.name}. You can refer yourself.",
            description="Talking therapies such as cognitive behavioural therapy (CBT), counselling and "
            "guided self-help, one to one, in groups, by video or by phone.\n\nA fictional example service.",
            min_age=16,
            conditions="Anxiety, depression, panic, stress and low mood",
            self_referral=True,
            self_referral_url=f"https://talkingtherapies.example.org/{short}",
            self_referral_phone=ctx.phone(),
            via_gp=True,
            phone=ctx.phone(),
            email=f"{short}.talkingtherapies@example.org",
            website=f"https://talkingtherapies.example.org/{short}",
            in_person=True,
            by_phone=True,
            online=True,
            address=f"Example Wellbeing Centre, 1 Example Road, {borough.name}",
            latitude=lat,
            longitude=lon,
            opening_hours=WEEKDAYS + [{"days": ["TU", "TH"], "opens": "17:00", "closes": "20:00"}],
            languages=["English"]
            + ctx.rng.sample(["Bengali", "Polish", "Turkish", "Somali", "Urdu", "Portuguese"], 2),
            accessibility="Step-free access. Hearing loop. Interpreters on request.",
            last_verified=ctx.verified(),
        )
        made += 1
    charity = _organisation(
        "example-wellbeing-charity", "Example Tower Hamlets Wellbeing Charity (fictional)", T.VOLUNTARY_SECTOR
    )
    tower_hamlets = next((b for b in ctx.boroughs if b.code == TOWER_HAMLETS), None)
    if tower_hamlets is not None:
        lat, lon = ctx.near(tower_hamlets)
        _service(
            "example-tower-hamlets-wellbeing-cafe",
            areas=[tower_hamlets],
            name="Example Tower Hamlets Wellbeing Café",
            type=ServiceType.COMMUNITY_SUPPORT,
            organisation=charity,
            summary="A friendly drop-in café with peer support, advice and activities. No appointment.",
            description="Come for a cup of tea and a chat with people who understand. Peer supporters, "
            "benefits advice on Wednesdays and a weekly walking group.\n\nA fictional example service.",
            min_age=18,
            self_referral=True,
            self_referral_phone=ctx.phone(),
            phone=ctx.phone(),
            in_person=True,
            address="Example Community Centre, 5 Example Lane, Tower Hamlets",
            latitude=lat,
            longitude=lon,
            opening_hours=[{"days": ["MO", "WE", "FR"], "opens": "10:00", "closes": "16:00"}],
            languages=["English", "Bengali", "Sylheti"],
            accessibility="Step-free access.",
            last_verified=ctx.verified(),
        )
        _service(
            "example-bengali-womens-wellbeing-group",
            areas=[tower_hamlets],
            name="Example Bengali Women's Wellbeing Group",
            type=ServiceType.COMMUNITY_SUPPORT,
            organisation=charity,
            summary="A weekly group in Bengali and Sylheti for women, including new mothers.",
            description="Share experiences, learn ways to cope with stress and meet other women. Babies "
            "welcome.\n\nA fictional example service.",
            min_age=16,
            conditions="Women",
            self_referral=True,
            self_referral_phone=ctx.phone(),
            in_person=True,
            address="Example Community Centre, 5 Example Lane, Tower Hamlets",
            latitude=lat,
            longitude=lon,
            opening_hours=[{"days": ["TH"], "opens": "10:30", "closes": "12:30"}],
            languages=["Bengali", "Sylheti", "English"],
            last_verified=ctx.verified(),
        )
        made += 2
    return made


def ics_services(ctx: Context) -> int:
    """Per integrated care system: a perinatal team, IPS employment support, a crisis café and help for young
    people."""
    made = 0
    for ics in sorted(ctx.ics.values(), key=lambda area: area.code):
        boroughs = [b for b in ctx.boroughs if b.ics_id == ics.pk]
        trust = _trust(ics)
        short = ics.name.lower().replace(" ", "-")
        hub = boroughs[0] if boroughs else ics
        lat, lon = ctx.near(hub)
        _service(
            f"example-perinatal-{short}",
            areas=boroughs,
            name=f"Example {ics.name} Perinatal Mental Health Team",
            type=ServiceType.PERINATAL_COMMUNITY,
            organisation=trust,
            summary="Specialist mental health care in pregnancy and for up to 2 years after birth.",
            description="Assessment and treatment at home or in clinic for mothers and birthing parents with "
            "moderate to severe mental health problems, and support for partners and bonding with the baby."
            "\n\nA fictional example service.",
            perinatal=True,
            conditions="Moderate to severe mental health problems",
            via_gp=True,
            via_other_service="your midwife, health visitor or obstetrician",
            phone=ctx.phone(),
            in_person=True,
            by_phone=True,
            address=f"Example Perinatal Centre, {hub.name}",
            latitude=lat,
            longitude=lon,
            opening_hours=WEEKDAYS,
            languages=["English"],
            accessibility="Step-free access. Baby changing.",
            last_verified=ctx.verified(),
        )
        _service(
            f"example-ips-{short}",
            areas=boroughs,
            name=f"Example {ics.name} Employment Support (IPS)",
            type=ServiceType.EMPLOYMENT_SUPPORT,
            organisation=trust,
            summary="Help to find and keep a paid job while you get support for your mental health.",
            description="An employment specialist works with your care team to find work that suits you "
            "and supports you and your employer once you start.\n\nA fictional example service.",
            min_age=18,
            via_other_service="your community mental health team or NHS Talking Therapies",
            phone=ctx.phone(),
            in_person=True,
            online=True,
            address=f"Example Work Hub, {hub.name}",
            latitude=lat,
            longitude=lon,
            opening_hours=WEEKDAYS,
            languages=["English"],
            last_verified=ctx.verified(),
        )
        cafe = boroughs[len(boroughs) // 2] if boroughs else ics
        clat, clon = ctx.near(cafe)
        _service(
            f"example-crisis-cafe-{short}",
            areas=boroughs,
            name=f"Example {cafe.name} Crisis Café",
            type=ServiceType.CRISIS_SAFE_HAVEN,
            organisation=trust,
            summary="An evening and weekend safe place if you feel you are reaching crisis. Just turn up.",
            description="Calm space, someone to talk to and help to plan the next few days.\n\nA fictional "
            "example service.",
            min_age=18,
            self_referral=True,
            self_referral_phone=ctx.phone(),
            in_person=True,
            address=f"Example Café, 3 Example Street, {cafe.name}",
            latitude=clat,
            longitude=clon,
            opening_hours=[
                {"days": ["MO", "TU", "WE", "TH", "FR"], "opens": "17:00", "closes": "23:00"},
                {"days": ["SA", "SU"], "opens": "12:00", "closes": "23:00"},
            ],
            languages=["English"],
            last_verified=ctx.verified(),
        )
        _service(
            f"example-young-minds-{short}",
            areas=boroughs,
            name=f"Example {ics.name} Young People's Wellbeing Service",
            type=ServiceType.CHILDREN_AND_YOUNG_PEOPLE,
            organisation=trust,
            summary="Support for 11 to 18 year olds with worries, low mood or anxiety, and their families.",
            description="Short-term support in schools, online and in clinics.\n\nA fictional example "
            "service.",
            min_age=11,
            max_age=18,
            self_referral=True,
            self_referral_url=f"https://young.example.org/{short}",
            via_gp=True,
            via_other_service="your school",
            phone=ctx.phone(),
            in_person=True,
            online=True,
            address=f"Example Youth Centre, {hub.name}",
            latitude=lat,
            longitude=lon,
            opening_hours=WEEKDAYS,
            languages=["English"],
            last_verified=ctx.verified(),
        )
        made += 4
    return made


def london_services(ctx: Context, region: Area | None) -> int:
    """London-wide: a mother and baby unit, bereavement support after suicide, digital and carers' support."""
    south_east = [area for area in ctx.ics.values() if area.name == "South East London"]
    trust = (
        _trust(south_east[0])
        if south_east
        else _organisation("example-trust", "Example Mental Health NHS Trust (fictional)", T.NHS_TRUST)
    )
    prevention = _organisation(
        "example-prevention-team",
        "Example London Suicide Prevention Team (fictional)",
        T.REGIONAL_PREVENTION_TEAM,
    )
    east = _organisation(
        "example-bereavement-east",
        "Example East London Bereavement Support (fictional)",
        T.BEREAVEMENT_SERVICE,
    )
    north = _organisation(
        "example-bereavement-north",
        "Example North London Bereavement Support (fictional)",
        T.BEREAVEMENT_SERVICE,
    )
    lat, lon = (51.4682, -0.0936) if region is None else ctx.near(region)
    _service(
        "example-london-mother-and-baby-unit",
        name="Example London Mother and Baby Unit",
        type=ServiceType.MOTHER_AND_BABY_UNIT,
        organisation=trust,
        whole_region=True,
        summary="A specialist ward where mothers who are very unwell can stay with their baby.",
        description="For mothers in late pregnancy or with a baby up to 12 months old who need hospital "
        "care. Partners and families are welcome to visit.\n\nA fictional example service.",
        perinatal=True,
        conditions="Severe mental illness needing a hospital stay",
        via_other_service="a perinatal mental health team or crisis team",
        phone=ctx.phone(),
        in_person=True,
        address="Example Hospital, 20 Example Hill, Southwark",
        latitude=lat,
        longitude=lon,
        opening_hours=ALWAYS,
        languages=["English"],
        accessibility="Step-free access. Family room.",
        last_verified=ctx.verified(),
    )
    for organisation, part, codes in (
        (east, "East London", ("E09000030", "E09000012", "E09000025", "E09000001")),
        (north, "North London", ("E09000003", "E09000010", "E09000014", "E09000015", "E09000005")),
    ):
        covered = [b for b in ctx.boroughs if b.code in codes]
        slug = f"example-{part.lower().replace(' ', '-')}-support-after-suicide"
        _service(
            slug,
            areas=covered,
            name=f"Example {part} Support After Suicide",
            type=ServiceType.BEREAVEMENT_SUPPORT,
            organisation=organisation,
            summary="Specialist support for anyone bereaved or affected by suicide, for as long as you need.",
            description="A support worker contacts you within 2 working days, by phone or in person, and "
            "helps with practical things such as inquests, as well as your wellbeing.\n\nA fictional "
            "example service.",
            self_referral=True,
            self_referral_phone=ctx.phone(),
            via_other_service="the police or coroner, with your consent",
            phone=ctx.phone(),
            in_person=False,
            by_phone=True,
            opening_hours=WEEKDAYS,
            languages=["English"],
            last_verified=ctx.verified(),
        )
    _service(
        "example-london-suicide-bereavement-groups",
        name="Example London Suicide Bereavement Peer Groups",
        type=ServiceType.BEREAVEMENT_SUPPORT,
        organisation=prevention,
        whole_region=True,
        summary="Monthly peer support groups, in person and online, for people bereaved by suicide.",
        description="Run by people with lived experience of losing someone to suicide.\n\nA fictional "
        "example service.",
        min_age=18,
        self_referral=True,
        self_referral_url="https://bereavement.example.org/groups",
        in_person=False,
        online=True,
        languages=["English"],
        last_verified=ctx.verified(),
    )
    _service(
        "example-london-online-wellbeing",
        name="Example London Online Wellbeing Service",
        type=ServiceType.DIGITAL,
        organisation=prevention,
        whole_region=True,
        summary="Free online courses, an app and moderated forums for Londoners aged 16 and over.",
        description="Sign up with your email address; no referral needed. Courses on sleep, stress, low mood "
        "and money worries.\n\nA fictional example service.",
        min_age=16,
        self_referral=True,
        self_referral_url="https://wellbeing.example.org/signup",
        in_person=False,
        online=True,
        languages=["English", "Polish", "Bengali"],
        last_verified=ctx.verified(),
    )
    _service(
        "example-london-carers-line",
        name="Example London Carers' Mental Health Line",
        type=ServiceType.CARERS,
        organisation=prevention,
        whole_region=True,
        summary="Advice and a listening ear for people caring for someone with a mental health problem.",
        description="Phone or email for advice on services, carer's assessments and looking after yourself."
        "\n\nA fictional example service.",
        self_referral=True,
        self_referral_phone=ctx.phone(),
        phone=ctx.phone(),
        in_person=False,
        by_phone=True,
        opening_hours=WEEKDAYS,
        languages=["English"],
        last_verified=ctx.verified(),
    )
    return 6


def generate(*, rng: random.Random, **_: object) -> dict[str, int]:
    """Creates or refreshes the demo directory; deterministic for a seed on a given day, and idempotent."""
    boroughs = list(Area.objects.filter(level=AreaLevel.BOROUGH).order_by("code").defer("boundary"))
    ics = {
        area.pk: area for area in Area.objects.filter(level=AreaLevel.ICS).order_by("code").defer("boundary")
    }
    region = Area.objects.filter(level=AreaLevel.REGION).defer("boundary").first()
    ctx = Context(rng=rng, today=timezone.localdate(), boroughs=boroughs, ics=ics)
    with transaction.atomic():
        services = crisis_lines() + borough_services(ctx) + ics_services(ctx) + london_services(ctx, region)
        made_events = demo_events.generate(ctx)
    return {"services": services, "events": made_events}
