"""`thrive demo-data` for surveillance: several years of synthetic cases across London, with what detection
should find planted in them.

- Deaths by day (about 650 a year, a spring and summer peak), each placed in an LSOA drawn by population, with
  age, sex, method, place and circumstances from `demo_people`.
- Multi-agency reports: the police report each death; the borough's public health team and, for people known
  to services, the NHS trust add their own reports days later, sometimes disagreeing (shown as conflicts).
- Lifecycle: older cases are under coroner investigation, concluded or closed, a few withdrawn.
- Planted for linkage: recent second reports of the same death with typos, a transposed date of birth and no
  NHS number (they wait in the possible-duplicates queue).
- Planted for detection: a space-time cluster of young people in Hackney over five weeks ending about three
  weeks ago; an emerging substance (the fictional "zelpromine", a new term) rising over five months; a
  location of concern (a car park in central Croydon) with repeated falls over three years.

Past cases are written directly (no messages, no referrals for deaths years ago); the last `recent_days` go
through the real reporting service, so agencies get notified and consenting next of kin get referrals.
Deterministic for a seed; a second run finds the demo cases present and adds nothing.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from thrive.accounts.models import Organisation
from thrive.accounts.permissions import OrganisationType as T
from thrive.geography.models import Area, AreaLevel
from thrive.surveillance import codes, demo_history, demo_people, report_data, services
from thrive.surveillance.demo_people import Death
from thrive.surveillance.models import AgencyReport, Case
from thrive.surveillance.serializers import CaseReportSerializer

EMERGING = "zelpromine"  # fictional: an unknown term, so it is kept and flagged as new
CLUSTER_BOROUGH = "E09000012"  # Hackney
CONCERN_BOROUGH = "E09000008"  # Croydon
NARRATIVES = (
    "Found at the address by a family member, who called an ambulance. Police attended.",
    "Found by a member of the public, who called 999. Police and ambulance attended.",
    "Found by staff, who called an ambulance. Police attended and informed the coroner.",
    "Reported missing the day before; found by police during the search.",
)
KM_PER_DEGREE_LAT = 111.0


@dataclass
class Home:
    code: str  # the area recorded as residence (an LSOA 2011, else the borough)
    borough: str
    lat: float | None
    lon: float | None


@dataclass
class London:
    """The demo's map: LSOAs by borough with their populations (boroughs alone when LSOAs are not loaded)."""

    boroughs: list[Area]
    homes: dict[str, list[Home]] = field(default_factory=dict)
    weights: dict[str, list[float]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> London:
        boroughs = list(Area.objects.filter(level=AreaLevel.BOROUGH).order_by("code"))
        london = cls(boroughs=boroughs)
        codes_by_id = {b.pk: b.code for b in boroughs}
        rows = (
            Area.objects.filter(level=AreaLevel.LSOA11, borough__isnull=False)
            .order_by("code")
            .values_list("code", "borough_id", "population", "centroid_lat", "centroid_lon")
        )
        for code, borough_id, population, lat, lon in rows:
            borough = codes_by_id.get(borough_id)
            if borough:
                london.homes.setdefault(borough, []).append(Home(code, borough, lat, lon))
                london.weights.setdefault(borough, []).append(float(population or 1))
        for b in boroughs:
            if b.code not in london.homes:
                london.homes[b.code] = [Home(b.code, b.code, b.centroid_lat, b.centroid_lon)]
                london.weights[b.code] = [1.0]
        return london

    def borough_weights(self) -> list[float]:
        return [float(b.population or 1) for b in self.boroughs]

    def home(self, rng: random.Random, borough: str | None = None) -> Home:
        if borough is None:
            borough = rng.choices(self.boroughs, weights=self.borough_weights())[0].code
        return rng.choices(self.homes[borough], weights=self.weights[borough])[0]

    def near(self, rng: random.Random, lat: float, lon: float, borough: str, km: float) -> Home:
        """A home in the borough within `km` of a point (the nearest one if none is that close)."""
        homes = [h for h in self.homes[borough] if h.lat is not None]
        close = [h for h in homes if _km(lat, lon, h.lat, h.lon) <= km]  # type: ignore[arg-type]
        if close:
            return rng.choice(close)
        return min(homes, key=lambda h: _km(lat, lon, h.lat, h.lon)) if homes else self.home(rng, borough)  # type: ignore[arg-type]


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = (lat2 - lat1) * KM_PER_DEGREE_LAT
    dx = (lon2 - lon1) * KM_PER_DEGREE_LAT * math.cos(math.radians(lat1))
    return math.hypot(dx, dy)


def _jitter(rng: random.Random, lat: float, lon: float, km: float) -> tuple[float, float]:
    distance, bearing = km * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    return (
        round(lat + distance * math.cos(bearing) / KM_PER_DEGREE_LAT, 6),
        round(lon + distance * math.sin(bearing) / (KM_PER_DEGREE_LAT * math.cos(math.radians(lat))), 6),
    )


@dataclass
class Planned:
    death: Death
    home: Home
    point: tuple[float, float] | None = None
    duplicate: bool = False


def _incident(rng: random.Random, planned: Planned) -> dict[str, Any]:
    if planned.point is not None:
        return {"location": {"lat": planned.point[0], "lon": planned.point[1]}}
    home = planned.home
    if home.lat is None or home.lon is None:
        return {"area_code": home.code}
    if planned.death.place_type in ("home", "not_known"):
        lat, lon = _jitter(rng, home.lat, home.lon, 0.3)
    else:
        lat, lon = _jitter(
            rng, home.lat, home.lon, 3.0 if planned.death.place_type in codes.PUBLIC_LOCATION_TYPES else 1.0
        )
    return {"location": {"lat": lat, "lon": lon}}


def plan(rng: random.Random, london: London, *, start: date, end: date, per_year: float) -> list[Planned]:
    """Every death to generate, in date order, planted patterns included."""
    planned: list[Planned] = []
    rate = per_year / 365.25
    day = start
    while day <= end:
        expected = rate * demo_people.season_weight(day)
        for _ in range(_poisson(rng, expected)):
            planned.append(Planned(demo_people.death(rng, day), london.home(rng)))
        day += timedelta(days=1)
    recent = [p for p in planned if (end - p.death.died).days < 120]
    planned += [Planned(p.death, p.home, duplicate=True) for p in rng.sample(recent, k=min(10, len(recent)))]
    planned += _cluster(rng, london, end) + _emerging(rng, london, end) + _concern(rng, london, end)
    planned.sort(key=lambda p: (p.death.found, p.duplicate))
    return planned


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _cluster(rng: random.Random, london: London, end: date) -> list[Planned]:
    if CLUSTER_BOROUGH not in london.homes:
        return []
    centre = london.home(random.Random("cluster-centre"), CLUSTER_BOROUGH)
    if centre.lat is None or centre.lon is None:
        return []
    last = end - timedelta(days=20)
    found = []
    for i in range(7):
        died = last - timedelta(days=int(35 * i / 6))
        lat, lon = _jitter(rng, centre.lat, centre.lon, 1.0)
        home = london.near(rng, lat, lon, CLUSTER_BOROUGH, 1.5)
        found.append(
            Planned(
                demo_people.death(
                    rng, died, ages=(15, 24), place_type="park_or_woodland" if i % 3 == 0 else "home"
                ),
                home,
                point=(lat, lon),
            )
        )
    return found


def _emerging(rng: random.Random, london: London, end: date) -> list[Planned]:
    found = []
    for days_ago in (150, 110, 80, 60, 45, 33, 24, 15, 9, 4):
        p = Planned(
            demo_people.death(rng, end - timedelta(days=days_ago), method="poisoning"), london.home(rng)
        )
        p.death.substances = sorted({EMERGING, *(["alcohol"] if rng.random() < 0.4 else [])})
        found.append(p)
    return found


def _concern(rng: random.Random, london: London, end: date) -> list[Planned]:
    if CONCERN_BOROUGH not in london.homes:
        return []
    site = london.home(random.Random("concern-site"), CONCERN_BOROUGH)
    if site.lat is None or site.lon is None:
        return []
    found = []
    for days_ago in (1000, 810, 640, 420, 300, 190, 75, 30):
        point = _jitter(rng, site.lat, site.lon, 0.06)
        found.append(
            Planned(
                demo_people.death(
                    rng,
                    end - timedelta(days=days_ago),
                    method="fall_from_height",
                    place_type="high_building_or_car_park",
                ),
                london.home(rng),
                point=point,
            )
        )
    return found


class Agencies:
    """The demo organisations that report, by borough."""

    def __init__(self) -> None:
        by_type: dict[str, list[Organisation]] = {}
        for org in Organisation.objects.filter(is_example=True).prefetch_related("coverage"):
            by_type.setdefault(org.type, []).append(org)
        self.police = Organisation.objects.get(slug="example-police")
        self.transport = Organisation.objects.filter(slug="example-transport-police").first() or self.police
        self.by_borough: dict[tuple[str, str], Organisation] = {}
        self.trusts: dict[int, Organisation] = {}
        for kind in (T.LOCAL_AUTHORITY, T.NHS_TRUST, T.CORONERS_OFFICE):
            for org in by_type.get(kind, []):
                for area in org.coverage.all():
                    if area.level == AreaLevel.BOROUGH:
                        self.by_borough.setdefault((kind, area.code), org)
                        if kind == T.NHS_TRUST:
                            self.trusts.setdefault(area.pk, org)

    def of(self, kind: str, borough: str | None) -> Organisation | None:
        return self.by_borough.get((kind, borough or ""))


def generate(
    *, rng: random.Random, years: float = 5, per_year: float = 650, recent_days: int = 14, **_: Any
) -> dict[str, int] | str:
    if Case.objects.filter(is_example=True).exists():
        return "demo cases already present"
    london = London.load()
    if not london.boroughs:
        return "no boroughs loaded"
    agencies = Agencies()
    today = timezone.localdate()
    planned = plan(
        rng,
        london,
        start=today - timedelta(days=int(365.25 * years)),
        end=today - timedelta(days=1),
        per_year=per_year,
    )
    recent = today - timedelta(days=recent_days)
    past, later = [], []
    for p in planned:
        p.death.found = min(p.death.found, today)
        body = p.death.body(
            residence=p.home.code, incident=_incident(rng, p), narrative=rng.choice(NARRATIVES)
        )
        police = agencies.transport if p.death.place_type == "railway" else agencies.police
        if p.duplicate or p.death.found >= recent:
            later.append((p, body, police))
        else:
            past.append(_past(rng, body, police, p, agencies, today))
    written = demo_history.write(past, trusts=agencies.trusts)
    planted = 0
    for p, body, police in later:
        with transaction.atomic():
            if p.duplicate:
                planted += _plant_duplicate(rng, p, body, agencies)
            else:
                services.submit_report(
                    body=_validated(body), organisation=police, via=AgencyReport.Via.API, is_example=True
                )
    return {
        "past_cases": written,
        "recent_cases": len(later) - sum(p.duplicate for p, *_ in later),
        "duplicates_planted": planted,
    }


def _validated(body: dict[str, Any]) -> dict[str, Any]:
    serializer = CaseReportSerializer(data=_plain(body))
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _plain(value: Any) -> Any:
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour % 24, 0)))


def _past(
    rng: random.Random,
    body: dict[str, Any],
    police: Organisation,
    p: Planned,
    agencies: Agencies,
    today: date,
) -> demo_history.PastCase:
    """A past death: the police report, the later agencies' reports and the lifecycle it would have had."""
    created = _at(p.death.found, 9 + rng.randint(0, 10))
    reports: list[tuple[Organisation, datetime, dict[str, Any], str]] = [
        (police, created, report_data.flatten(_plain(body)), AgencyReport.Link.NEW)
    ]
    borough = p.home.borough
    for kind, chance, extra in (
        (T.LOCAL_AUTHORITY, 0.6, _public_health_view(rng, p.death)),
        (
            T.NHS_TRUST,
            1.0 if "known_to_mental_health_services" in p.death.circumstances else 0.0,
            {"known_to_mental_health_services": True, "circumstances": p.death.circumstances},
        ),
    ):
        org = agencies.of(kind, borough)
        if org is None or rng.random() >= chance:
            continue
        if kind == T.NHS_TRUST:
            extra["mental_health_trust"] = org.slug
        later = created + timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 6))
        reports.append((org, later, report_data.flatten(_plain(extra)), AgencyReport.Link.ADDED))
    past = demo_history.PastCase(police=police, reports=reports, next_of_kin=body["next_of_kin"])
    _lifecycle(rng, past, p.death.found, agencies.of(T.CORONERS_OFFICE, borough), today)
    return past


def _public_health_view(rng: random.Random, d: Death) -> dict[str, Any]:
    """What the borough's team adds: circumstances they know of, sometimes a different employment status."""
    extra: dict[str, Any] = {
        "circumstances": sorted(
            set(d.circumstances) | ({"financial_or_debt_problems"} if rng.random() < 0.1 else set())
        )
    }
    if rng.random() < 0.08:
        extra["deceased"] = {
            "employment_status": rng.choice(["employed", "unemployed", "long_term_sick_or_disabled"])
        }
    return extra


def _lifecycle(
    rng: random.Random, past: demo_history.PastCase, found: date, coroner: Organisation | None, today: date
) -> None:
    age_days = (today - found).days
    steps: list[tuple[str, str, date | None]] = []
    if rng.random() < 0.03:
        steps.append((codes.Status.WITHDRAWN, "", None))
    elif age_days > 150:
        inquest = found + timedelta(days=200)
        steps.append((codes.Status.CORONER, "", inquest))
        if age_days > 330:
            conclusion = demo_people.pick(
                rng,
                (
                    ("suicide", 75),
                    ("narrative", 14),
                    ("open", 5),
                    ("accident_or_misadventure", 3),
                    ("drug_related", 3),
                ),
            )
            steps.append((codes.Status.CONCLUDED, conclusion, inquest))
            if age_days > 520 and rng.random() < 0.7:
                steps.append((codes.Status.CLOSED, "", None))
    current = codes.Status.SUSPECTED.value
    for n, (status, conclusion, when) in enumerate(steps):
        past.status_changes.append(
            {
                "from_status": current,
                "to_status": status,
                "conclusion": conclusion,
                "inquest_date": when,
                "organisation": coroner,
                "at": _at(found + timedelta(days=30 + 150 * n), 11),
                "reason": "Recorded by the coroner's office (demonstration data)",
            }
        )
        current = status
        past.conclusion = conclusion or past.conclusion
        past.inquest_date = when or past.inquest_date
    past.status = current


def _plant_duplicate(rng: random.Random, p: Planned, body: dict[str, Any], agencies: Agencies) -> int:
    """The same death reported by the borough's public health team with typos and no NHS number: a new case
    that the linkage queue pairs with the police's."""
    org = agencies.of(T.LOCAL_AUTHORITY, p.home.borough) or agencies.of(T.NHS_TRUST, p.home.borough)
    if org is None:
        return 0
    body = {
        **body,
        "deceased": {**body["deceased"], **demo_people.with_typos(rng, p.death)},
        "next_of_kin": [],
        "reporting_reference": f"DEMO-LA-{rng.randint(10000, 99999)}",
    }
    services.submit_report(body=_validated(body), organisation=org, via=AgencyReport.Via.WEB, is_example=True)
    return 1
